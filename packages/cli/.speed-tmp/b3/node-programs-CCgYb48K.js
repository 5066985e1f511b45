import { spawn } from "node:child_process";
import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import path from "node:path";
import { v as SaveImageError } from "./write-B0lfrLmS.js";
// ../../work/main/packages/format/dist/libvirt/node-programs.js
const DEFAULT_SEARCH_PATH = "/bin:/usr/bin";
const STDERR_KEPT = 4096;
/** An executable regular file named `name` in `searchPath`, like libvirt's virFindFileInPath. */
async function findProgramInPath(name, searchPath = process.env.PATH ?? DEFAULT_SEARCH_PATH) {
	const candidates = name.includes("/") ? [name] : searchPath.split(path.delimiter).filter((dir) => dir !== "").map((dir) => path.join(dir, name));
	for (const candidate of candidates) try {
		if (!(await stat(candidate)).isFile()) continue;
		await access(candidate, constants.X_OK);
		return path.resolve(candidate);
	} catch {}
}
/** Arguments libvirt passes: `prog -dc` (lzop adds `--ignore-warn`) and `prog -c` (xz adds `-3`). */
function compressionArguments(format, direction) {
	if (direction === "decompress") return format === "lzop" ? ["-dc", "--ignore-warn"] : ["-dc"];
	return format === "xz" ? ["-c", "-3"] : ["-c"];
}
function writableOrClosed(stream) {
	return new Promise((resolve) => {
		const done = () => {
			stream.off("drain", done);
			stream.off("close", done);
			stream.off("error", done);
			resolve();
		};
		stream.on("drain", done);
		stream.on("close", done);
		stream.on("error", done);
	});
}
/**
* Pipes `input` through a program (stdin -> stdout) as libvirt pipes QEMU's stream through a
* compressor. The program is killed if the consumer stops early or the input fails.
*/
async function* runFilter(file, args, input, label) {
	const child = spawn(file, args, { stdio: [
		"pipe",
		"pipe",
		"pipe"
	] });
	const exited = new Promise((resolve) => {
		child.once("error", (error) => resolve({
			code: null,
			signal: null,
			error
		}));
		child.once("close", (code, signal) => resolve({
			code,
			signal
		}));
	});
	let stderr = "";
	child.stderr.setEncoding("utf8");
	child.stderr.on("data", (text) => {
		if (stderr.length < STDERR_KEPT) stderr += text;
	});
	child.stdin.on("error", () => void 0);
	let inputFailure;
	const feeding = (async () => {
		try {
			for await (const chunk of input) {
				if (child.stdin.destroyed) return;
				if (!child.stdin.write(chunk)) await writableOrClosed(child.stdin);
			}
			child.stdin.end();
		} catch (error) {
			inputFailure = { error };
			child.kill("SIGKILL");
		}
	})();
	let finished = false;
	try {
		for await (const chunk of child.stdout) yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
		await feeding;
		const exit = await exited;
		if (inputFailure) throw inputFailure.error;
		if (exit.error) throw new SaveImageError("COMPRESSOR_FAILED", `cannot run ${label}: ${exit.error.message}`, void 0, { cause: exit.error });
		if (exit.code !== 0) {
			const how = exit.signal ? `was killed by ${exit.signal}` : `exited with status ${exit.code}`;
			const detail = stderr.trim();
			throw new SaveImageError("COMPRESSOR_FAILED", `${label} ${how}${detail ? `: ${detail}` : ""}`);
		}
		finished = true;
	} finally {
		if (!finished) {
			child.kill("SIGKILL");
			await exited;
		}
	}
}
/**
* Compression through the external programs, exactly as libvirt runs them. A program that is
* not found fails with COMPRESSOR_MISSING and libvirt's message.
*/
function externalProgramCodec(options = {}) {
	const locate = async (format) => {
		const found = options.findProgram ? await options.findProgram(format) : await findProgramInPath(format, options.searchPath);
		if (found === void 0) throw new SaveImageError("COMPRESSOR_MISSING", `Compression program for ${format} image format in configuration file isn't available`);
		return found;
	};
	const run = async function* (format, direction, input) {
		const args = compressionArguments(format, direction);
		yield* runFilter(await locate(format), args, input, `${format} ${args.join(" ")}`);
	};
	return {
		decompress: (format, input) => run(format, "decompress", input),
		compress: (format, input) => run(format, "compress", input)
	};
}
/** `options` with the external-program codec unless it names a codec of its own. */
function withExternalPrograms(options) {
	return {
		...options,
		codec: options.codec ?? externalProgramCodec()
	};
}
export { withExternalPrograms as i, externalProgramCodec as n, findProgramInPath as r, compressionArguments as t };
