import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import { fileURLToPath } from "node:url";
// ../../work/main/packages/machine/dist/node/spawn-machine.js
/** The machine process refused to start; `code` is its error's code (e.g. DOMAIN_EXISTS). */
var SpawnMachineError = class extends Error {
	code;
	constructor(message, code = "SPAWN_FAILED") {
		super(message);
		this.name = "SpawnMachineError";
		this.code = code;
	}
};
/** The compiled entry file; from the TypeScript sources (tests) the package's dist copy. */
function machineProcessEntry() {
	const beside = fileURLToPath(new URL("./machine-process.js", import.meta.url));
	if (existsSync(beside)) return beside;
	const built = fileURLToPath(new URL("../../dist/node/machine-process.js", import.meta.url));
	if (existsSync(built)) return built;
	throw new SpawnMachineError(`cannot find the machine process program (${beside}); build @savevm/machine first`);
}
/**
* Starts a machine in a process of its own and resolves once it listens, with where its
* monitors are. A machine that cannot start (bad options, a duplicate name or UUID, a monitor
* socket in use) rejects with its error.
*/
async function spawnMachine(options) {
	const { detached = false, stdio: extra = [], logFile, readyTimeoutMs = 6e4, register = true, ...run } = options;
	const processOptions = {
		...run,
		register
	};
	const logFd = logFile !== void 0 ? openSync(logFile, "a", 384) : void 0;
	const stdio = [
		"ignore",
		detached ? "ignore" : "inherit",
		logFd ?? (detached ? "ignore" : "inherit"),
		...extra,
		"ipc"
	];
	let child;
	try {
		child = spawn(process.execPath, [machineProcessEntry(), JSON.stringify(processOptions)], {
			stdio,
			detached,
			serialization: "json"
		});
	} finally {
		if (logFd !== void 0) closeSync(logFd);
	}
	const exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
	const message = await new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			child.kill("SIGKILL");
			reject(new SpawnMachineError(`the machine did not start listening within ${readyTimeoutMs} ms`, "TIMEOUT"));
		}, readyTimeoutMs);
		child.once("message", (m) => {
			clearTimeout(timer);
			resolve(m);
		});
		child.once("error", (e) => {
			clearTimeout(timer);
			reject(new SpawnMachineError(`cannot start the machine process: ${e.message}`));
		});
		exited.then((code) => {
			clearTimeout(timer);
			reject(new SpawnMachineError(`the machine process exited with status ${code} before it was ready`));
		});
	});
	if (message.type === "error") {
		await exited;
		throw new SpawnMachineError(message.message, message.code);
	}
	if (child.connected) child.disconnect();
	if (detached) child.unref();
	return {
		pid: message.pid,
		addresses: message.addresses,
		record: message.record,
		child,
		exited
	};
}
export { spawnMachine as t };
