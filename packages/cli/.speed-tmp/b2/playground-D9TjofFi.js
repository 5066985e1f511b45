import { createServer } from "node:http";
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { n as UsageError } from "./cli-error-a_dr6oY-.js";
// ../../work/main/packages/cli/dist/commands/playground.js
/**
* `savevm playground [--port N] [--dir DIR]`: serves the built browser playground
* (apps/playground/dist) on 127.0.0.1, cross-origin isolated (COOP/COEP) so the page gets
* SharedArrayBuffer, and prints its URL.
*/
const TYPES = {
	".html": "text/html; charset=utf-8",
	".js": "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
	".json": "application/json",
	".wasm": "application/wasm",
	".svg": "image/svg+xml",
	".png": "image/png",
	".ico": "image/x-icon"
};
/** What makes the page cross-origin isolated (and lets it load only its own resources). */
const ISOLATION_HEADERS = {
	"cross-origin-opener-policy": "same-origin",
	"cross-origin-embedder-policy": "require-corp",
	"cross-origin-resource-policy": "same-origin"
};
/**
* The built site: `SAVEVM_PLAYGROUND_DIR`, or apps/playground/dist of the workspace this CLI
* runs from (the playground is a private workspace app, not published with the CLI).
*/
function findPlaygroundDir() {
	const fromEnv = process.env.SAVEVM_PLAYGROUND_DIR;
	if (fromEnv) return resolve(fromEnv);
	return fileURLToPath(new URL("../../../../apps/playground/dist/", import.meta.url));
}
/** Serves `dir` on 127.0.0.1:`port` (0: any free port). Paths outside `dir` are never served. */
async function servePlayground(options) {
	const root = resolve(options.dir);
	if (!existsSync(join(root, "index.html"))) throw new UsageError(`${root} holds no built playground (index.html): run 'npm run build -w apps/playground' in the savevm repository, or pass --dir`);
	const headers = options.isolation === false ? {} : ISOLATION_HEADERS;
	const server = createServer((req, res) => {
		(async () => {
			let path;
			try {
				path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname));
			} catch {
				res.writeHead(400).end();
				return;
			}
			if (path.endsWith("/")) path += "index.html";
			const file = join(root, path);
			if (file !== root && !file.startsWith(root + sep)) {
				res.writeHead(403).end();
				return;
			}
			try {
				if (!(await stat(file)).isFile()) throw new Error("not a file");
				const body = await readFile(file);
				res.writeHead(200, {
					"content-type": TYPES[extname(file)] ?? "application/octet-stream",
					"cache-control": "no-cache",
					...headers
				});
				res.end(req.method === "HEAD" ? void 0 : body);
			} catch {
				res.writeHead(404, {
					"content-type": "text/plain",
					...headers
				}).end("not found\n");
			}
		})();
	});
	await new Promise((ok, fail) => {
		server.once("error", fail);
		server.listen(options.port, "127.0.0.1", () => ok());
	});
	const address = server.address();
	if (address === null || typeof address === "string") throw new Error("the server has no TCP address");
	return {
		url: `http://127.0.0.1:${address.port}/`,
		server,
		close: () => new Promise((done) => server.close(() => done()))
	};
}
function registerPlayground(program) {
	program.command("playground").description("serve the browser playground (a machine in a Web Worker, its RAM drawn live; QEMU files inspected in the page) on 127.0.0.1").option("--port <n>", "TCP port (0 picks a free one)", "8080").option("--dir <path>", "the built site (default: apps/playground/dist of this checkout, or $SAVEVM_PLAYGROUND_DIR)").option("--no-isolation", "serve without COOP/COEP: the page then runs one thread per machine").action(async (flags) => {
		const port = Number(flags.port);
		if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: not a TCP port: ${flags.port}`);
		const served = await servePlayground({
			dir: flags.dir ?? findPlaygroundDir(),
			port,
			isolation: flags.isolation
		});
		process.stdout.write(`savevm playground: ${served.url}\n`);
		await new Promise((done) => {
			const stop = () => {
				served.close().then(done);
			};
			process.once("SIGINT", stop);
			process.once("SIGTERM", stop);
		});
	});
}
export { ISOLATION_HEADERS, findPlaygroundDir, registerPlayground, servePlayground };
