import { v as SaveImageError } from "./write-B0lfrLmS.js";
import { r as findProgramInPath } from "./node-programs-CCgYb48K.js";
import { a as parseSize } from "./workload-CSMEcy3k.js";
import { b as QmpError, t as QmpClient } from "./node-CPBu-Ad8.js";
import { i as SaveRestoreError } from "./domain-xml-B_anFjwW.js";
import { join } from "node:path";
import { mkdtemp, readFile, readlink, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
// ../../work/main/packages/machine/dist/node/save-image/command-line.js
/** A local process's argv (from /proc/PID/cmdline) and its executable, or `undefined` when unreadable. */
async function processCommandLine(pid) {
	try {
		const argv = (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0");
		if (argv[argv.length - 1] === "") argv.pop();
		if (argv.length === 0) return void 0;
		const executable = await readlink(`/proc/${pid}/exe`).catch(() => void 0);
		return executable === void 0 ? { argv } : {
			argv,
			executable
		};
	} catch {
		return;
	}
}
const QEMU_CONTROL_WITH_VALUE = /* @__PURE__ */ new Set([
	"-qmp",
	"-qmp-pretty",
	"-monitor",
	"-mon",
	"-incoming",
	"-pidfile",
	"-runas",
	"-chroot"
]);
const QEMU_CONTROL_FLAGS = /* @__PURE__ */ new Set(["-S", "-daemonize"]);
function dashed(option) {
	return option.startsWith("--") ? option.slice(1) : option;
}
/** The character devices that back monitors (`-mon chardev=ID`): they go with the monitors. */
function monitorChardevs(args) {
	const ids = /* @__PURE__ */ new Set();
	for (let i = 0; i < args.length - 1; i++) if (dashed(args[i]) === "-mon") {
		const m = /(?:^|,)chardev=([^,]+)/.exec(args[i + 1]);
		if (m) ids.add(m[1]);
	}
	return ids;
}
function isMasterKey(value) {
	return /(^|,)id=masterKey0(,|$)/.test(value) || /"id"\s*:\s*"masterKey0"/.test(value);
}
function chardevId(value) {
	return /(?:^|,)id=([^,]+)/.exec(value)?.[1];
}
/**
* A QEMU argv (without the binary) minus what a restore sets up itself: monitors (and the
* chardevs behind `-mon`), `-incoming`, `-S`, pid files, daemonizing, and libvirt's
* `masterKey0` secret (its file exists only while libvirt runs the domain).
*/
function qemuArgsForRestart(args) {
	const monitors = monitorChardevs(args);
	const out = [];
	for (let i = 0; i < args.length; i++) {
		const option = dashed(args[i]);
		if (QEMU_CONTROL_FLAGS.has(option)) continue;
		if (QEMU_CONTROL_WITH_VALUE.has(option)) {
			i++;
			continue;
		}
		if (option === "-chardev" && i + 1 < args.length && monitors.has(chardevId(args[i + 1]) ?? "")) {
			i++;
			continue;
		}
		if (option === "-object" && i + 1 < args.length && isMasterKey(args[i + 1])) {
			i++;
			continue;
		}
		out.push(args[i]);
	}
	return out;
}
/** Value of the last `-opt VALUE` (or `--opt`) in a QEMU argv. */
function qemuOption(args, names) {
	let found;
	for (let i = 0; i < args.length - 1; i++) if (names.includes(dashed(args[i]))) found = args[i + 1];
	return found;
}
const RUN_PER_PROCESS_WITH_VALUE = /* @__PURE__ */ new Set([
	"--qmp",
	"--hmp",
	"--incoming",
	"--runtime-dir",
	"--name",
	"--uuid",
	"--memory-file"
]);
const RUN_PER_PROCESS_FLAGS = /* @__PURE__ */ new Set(["-S", "--detach"]);
/**
* The `savevm run` options that describe the machine (memory, machine type, guest workload,
* snapshots, exec permission), from a `savevm run` process's argv.
*/
function savevmRunArgs(argv) {
	const run = argv.indexOf("run");
	if (run < 0) return void 0;
	const out = [];
	const rest = argv.slice(run + 1);
	for (let i = 0; i < rest.length; i++) {
		const arg = rest[i];
		const eq = arg.indexOf("=");
		const option = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
		if (RUN_PER_PROCESS_FLAGS.has(option)) continue;
		if (RUN_PER_PROCESS_WITH_VALUE.has(option)) {
			if (eq < 0) i++;
			continue;
		}
		out.push(arg);
	}
	return out;
}
/** Value of `--opt VALUE` or `--opt=VALUE` in `savevm run` arguments. */
function runOption(args, name) {
	let found;
	for (let i = 0; i < args.length; i++) if (args[i] === name && i + 1 < args.length) found = args[i + 1];
	else if (args[i].startsWith(`${name}=`)) found = args[i].slice(name.length + 1);
	return found;
}
// ../../work/main/packages/machine/dist/node/save-image/savevm-run-options.js
/** `savevm run` arguments for a machine shape, as stored in the image's savevm metadata. */
function runArgsOf(shape) {
	const args = [];
	if (shape.memory !== void 0) args.push("--memory", String(shape.memory));
	if (shape.machineType !== void 0) args.push("--machine", shape.machineType);
	if (shape.guest !== void 0) args.push("--guest", shape.guest);
	if (shape.allowExec) args.push("--allow-exec");
	if (shape.snapshots !== void 0) args.push("--snapshots", shape.snapshots);
	return args;
}
/** The machine shape in stored `savevm run` arguments. */
function shapeOfRunArgs(args) {
	const memory = runOption(args, "--memory");
	const shape = { memory: parseSize(memory ?? "128M", "memory size") };
	const machineType = runOption(args, "--machine");
	if (machineType !== void 0) shape.machineType = machineType;
	const guest = runOption(args, "--guest");
	if (guest !== void 0) shape.guest = guest;
	if (args.includes("--allow-exec")) shape.allowExec = true;
	const snapshots = runOption(args, "--snapshots");
	if (snapshots !== void 0) shape.snapshots = snapshots;
	return shape;
}
/**
* The `savevm run` arguments of a running savevm machine, from its process's argv: either
* the CLI (`… savevm run --memory 64M …`) or the process `spawnMachine` starts
* (`node machine-process.js '{json options}'`).
*/
function runArgsOfProcess(argv) {
	const entry = argv.findIndex((a) => /(^|\/)machine-process\.js$/.test(a));
	if (entry >= 0 && argv[entry + 1] !== void 0) try {
		return runArgsOf(JSON.parse(argv[entry + 1]));
	} catch {
		return;
	}
	return savevmRunArgs(argv);
}
// ../../work/main/packages/machine/dist/node/save-image/shell-words.js
/**
* Splits a POSIX shell command line into words: single quotes, double quotes (with `\\`
* `\"` `\$` `` \` `` escapes), backslash escapes and backslash-newline continuations. Enough for
* what `virsh domxml-to-native qemu-argv` prints; expansions are not performed.
*/
function splitShellWords(text) {
	const words = [];
	let word;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (c === "\\") {
			const next = text[i + 1];
			i++;
			if (next === "\n" || next === void 0) continue;
			word = (word ?? "") + next;
		} else if (c === "'") {
			const end = text.indexOf("'", i + 1);
			const stop = end < 0 ? text.length : end;
			word = (word ?? "") + text.slice(i + 1, stop);
			i = stop;
		} else if (c === "\"") {
			word ??= "";
			for (i++; i < text.length && text[i] !== "\""; i++) if (text[i] === "\\" && /["\\$`\n]/.test(text[i + 1] ?? "")) {
				i++;
				if (text[i] !== "\n") word += text[i];
			} else word += text[i];
		} else if (/\s/.test(c)) {
			if (word !== void 0) words.push(word);
			word = void 0;
		} else word = (word ?? "") + c;
	}
	if (word !== void 0) words.push(word);
	return words;
}
/** Drops leading `NAME=value` environment assignments (`LC_ALL=C PATH=… qemu-system-x86_64 …`). */
function withoutEnvironment(words) {
	let i = 0;
	while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i])) i++;
	return words.slice(i);
}
// ../../work/main/packages/machine/dist/node/save-image/compressor.js
const EXTERNAL_FORMATS = /* @__PURE__ */ new Set([
	"bzip2",
	"xz",
	"lzop",
	"zstd"
]);
/**
* libvirt looks the compression program up before it starts a save or a restore, so a missing
* one fails before the machine is touched; so do we, with libvirt's words.
*/
async function requireCompressionProgram(format) {
	if (!EXTERNAL_FORMATS.has(format)) return;
	if (await findProgramInPath(format) === void 0) throw new SaveImageError("COMPRESSOR_MISSING", `Compression program for ${format} image format in configuration file isn't available`);
}
// ../../work/main/packages/machine/dist/node/save-image/monitor-driver.js
/** libvirt's QEMU_DOMAIN_MIG_BANDWIDTH_MAX in bytes: the largest MiB/s value that fits int64. */
const UNLIMITED_BANDWIDTH = 9223372036853727232n;
// ../../work/main/packages/machine/dist/node/save-image/qmp-driver.js
/** Runs a query the machine may not have; `undefined` when it answers CommandNotFound or an error. */
async function optional(run) {
	try {
		return await run();
	} catch (err) {
		if (err instanceof QmpError) return void 0;
		throw err;
	}
}
/** {@link MonitorDriver} over QMP (QEMU's `-qmp`, or a `savevm run` machine's). */
var QmpDriver = class QmpDriver {
	client;
	protocol = "qmp";
	constructor(client) {
		this.client = client;
	}
	static async connect(address, options = {}) {
		const timeoutMs = options.timeoutMs ?? 1e4;
		const client = await QmpClient.connect(address, {
			connectTimeoutMs: timeoutMs,
			greetingTimeoutMs: timeoutMs
		});
		return new QmpDriver(client);
	}
	async status() {
		const reply = await this.client.execute("query-status");
		return {
			status: reply.status,
			running: reply.running
		};
	}
	async stop() {
		await this.client.execute("stop");
	}
	async cont() {
		await this.client.execute("cont");
	}
	async resetMigrationCapabilities() {
		const capabilities = (await this.client.execute("query-migrate-capabilities")).map(({ capability }) => ({
			capability,
			state: capability === "events"
		}));
		if (capabilities.length > 0) await this.client.execute("migrate-set-capabilities", { capabilities });
	}
	async unlimitedBandwidth() {
		await this.client.execute("migrate-set-parameters", { "max-bandwidth": UNLIMITED_BANDWIDTH });
	}
	async passFd(name, fd) {
		try {
			await this.client.execute("getfd", { fdname: name }, { fd });
			return true;
		} catch (err) {
			if (err.code === "FD_PASSING_UNAVAILABLE") return false;
			if (err instanceof QmpError && /SCM_RIGHTS/.test(err.message)) return false;
			throw err;
		}
	}
	async migrate(uri) {
		await this.client.execute("migrate", { uri });
	}
	async migrateIncoming(uri) {
		await this.client.execute("migrate-incoming", { uri });
	}
	async cancelMigration() {
		await this.client.execute("migrate_cancel");
	}
	async migration() {
		const info = await this.client.execute("query-migrate");
		const progress = { status: info.status ?? "none" };
		if (info["error-desc"] !== void 0) progress.error = info["error-desc"];
		if (info.ram?.transferred !== void 0) progress.transferred = info.ram.transferred;
		if (info.ram?.remaining !== void 0) progress.remaining = info.ram.remaining;
		if (info.ram?.total !== void 0) progress.total = info.ram.total;
		return progress;
	}
	async facts() {
		const facts = {};
		const name = await optional(() => this.client.execute("query-name"));
		if (name?.name !== void 0) facts.name = name.name;
		const uuid = await optional(() => this.client.execute("query-uuid"));
		if (uuid?.UUID !== void 0) facts.uuid = uuid.UUID;
		const memory = await optional(() => this.client.execute("query-memory-size-summary"));
		if (typeof memory?.["base-memory"] === "number") facts.memory = memory["base-memory"];
		const cpus = await optional(() => this.client.execute("query-cpus-fast"));
		if (Array.isArray(cpus) && cpus.length > 0) facts.vcpus = cpus.length;
		return facts;
	}
	async quit() {
		try {
			await this.client.execute("quit");
		} catch (err) {
			if (err.code !== "DISCONNECTED") throw err;
		}
	}
	close() {
		return this.client.close();
	}
};
// ../../work/main/packages/machine/dist/node/save-image/stream-channel.js
const FD_NAME = "savevm-save";
async function listenUnix() {
	const dir = await mkdtemp(join(tmpdir(), "savevm-save-"));
	const path = join(dir, "migration.sock");
	const server = net.createServer();
	await new Promise((resolve, reject) => {
		server.once("error", reject);
		server.listen(path, () => {
			server.off("error", reject);
			resolve();
		});
	});
	return {
		server,
		path,
		dir
	};
}
/** The first connection to `server`; any later one is refused. */
function firstConnection(server) {
	return new Promise((resolve) => {
		let taken = false;
		server.on("connection", (socket) => {
			if (taken) socket.destroy();
			else {
				taken = true;
				resolve(socket);
			}
		});
	});
}
function channelOver(kind, uri, socket, cleanup) {
	let failure;
	let current;
	let abortWait;
	const waitFailure = new Promise((_, reject) => abortWait = reject);
	waitFailure.catch(() => void 0);
	return {
		kind,
		uri,
		bytes: (async function* () {
			const stream = await Promise.race([socket, waitFailure]);
			current = stream;
			if (failure) stream.destroy(failure);
			try {
				for await (const chunk of stream) yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
			} catch (err) {
				throw failure ?? new SaveRestoreError("CHANNEL", `migration channel failed: ${err.message}`, { cause: err });
			}
			if (failure) throw failure;
		})(),
		fail(error) {
			failure ??= error;
			abortWait?.(error);
			current?.destroy(error);
		},
		async close() {
			current?.destroy();
			await cleanup();
		}
	};
}
/**
* A unix socket the save listens on (`migrate unix:PATH`): works with every monitor, QMP or
* HMP, local QEMU or `savevm run`.
*/
async function openSocketChannel() {
	const { server, path, dir } = await listenUnix();
	const connection = firstConnection(server);
	return channelOver("unix", `unix:${path}`, connection, async () => {
		server.close();
		await rm(dir, {
			recursive: true,
			force: true
		});
	});
}
/**
* Two connected unix stream sockets (Node has no socketpair()): one end can be handed to
* another process (its descriptor passed with getfd, or inherited), the other stays here.
*/
async function connectedSocketPair() {
	const { server, dir } = await listenUnix();
	try {
		const accepted = firstConnection(server);
		const remote = net.connect(server.address());
		await new Promise((resolve, reject) => {
			remote.once("connect", resolve);
			remote.once("error", reject);
		});
		return {
			local: await accepted,
			remote
		};
	} finally {
		server.close();
		await rm(dir, {
			recursive: true,
			force: true
		});
	}
}
/** The descriptor number behind a socket (libuv keeps it in the handle on every Unix). */
function socketFd(socket) {
	const fd = socket._handle?.fd;
	return typeof fd === "number" && fd >= 0 ? fd : void 0;
}
/**
* A connected socket pair whose one end goes to the machine with `getfd` (SCM_RIGHTS), as
* libvirt hands QEMU a pipe: `migrate fd:NAME`. Resolves `undefined` when the monitor cannot
* take a descriptor, so the caller falls back to {@link openSocketChannel}.
*/
async function openFdChannel(driver) {
	const { local, remote } = await connectedSocketPair();
	try {
		const fd = socketFd(remote);
		const passed = fd !== void 0 && await driver.passFd(FD_NAME, fd);
		remote.destroy();
		if (!passed) {
			local.destroy();
			return;
		}
		return channelOver("fd", `fd:${FD_NAME}`, Promise.resolve(local), async () => void 0);
	} catch (err) {
		remote.destroy();
		local.destroy();
		throw err;
	}
}
// ../../work/main/packages/cli/dist/commands/save-progress.js
const BAR_WIDTH = 30;
function jobProgress(label, enabled, stream = process.stderr) {
	if (!enabled) return {
		update() {},
		finish() {}
	};
	let last = -1;
	const tty = stream.isTTY === true;
	const line = (percent) => `${label}: [${String(percent).padStart(3)} %]`;
	return {
		update(percent) {
			const p = Math.max(0, Math.min(100, Math.floor(percent)));
			if (p === last) return;
			last = p;
			if (tty) {
				const filled = Math.round(p * BAR_WIDTH / 100);
				stream.write(`\r${line(p)} [${"#".repeat(filled)}${" ".repeat(BAR_WIDTH - filled)}]`);
			} else stream.write(`${line(p)}\n`);
		},
		finish() {
			if (last < 100) this.update(100);
			if (tty) stream.write("\n");
		}
	};
}
// ../../work/main/packages/cli/dist/commands/save-signals.js
/**
* Ctrl-C or SIGTERM during `savevm save` / `restore` cancels the job instead of ending the
* process at once: the save cancels the migration, removes its temporary file and resumes a
* machine that was running, as virsh's Ctrl-C aborts a save job. The process then exits 130 or
* 143. The process-wide handlers (temporary-file cleanup) are set aside meanwhile and put back.
*/
const SIGNALS = {
	SIGINT: 130,
	SIGTERM: 143
};
async function withSignalAbort(job) {
	const controller = new AbortController();
	let received;
	const saved = /* @__PURE__ */ new Map();
	const onSignal = (signal) => {
		received ??= signal;
		controller.abort();
	};
	for (const signal of Object.keys(SIGNALS)) {
		saved.set(signal, process.listeners(signal));
		process.removeAllListeners(signal);
		process.on(signal, onSignal);
	}
	try {
		return await job(controller.signal);
	} catch (err) {
		if (received !== void 0) {
			process.stderr.write(`savevm: ${err.message}\n`);
			process.exit(SIGNALS[received]);
		}
		throw err;
	} finally {
		for (const [signal, listeners] of saved) {
			process.off(signal, onSignal);
			for (const listener of listeners) process.on(signal, listener);
		}
	}
}
export { openSocketChannel as a, requireCompressionProgram as c, runArgsOfProcess as d, shapeOfRunArgs as f, runOption as g, qemuOption as h, openFdChannel as i, splitShellWords as l, qemuArgsForRestart as m, jobProgress as n, QmpDriver as o, processCommandLine as p, connectedSocketPair as r, UNLIMITED_BANDWIDTH as s, withSignalAbort as t, withoutEnvironment as u };
