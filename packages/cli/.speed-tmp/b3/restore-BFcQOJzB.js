import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { execFile, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { r as findProgramInPath } from "./node-programs-CCgYb48K.js";
import { t as readSaveImageFile } from "./node-file-CH9CdP6H.js";
import { t as MachineRegistry } from "./machine-registry-QkcVjJSj.js";
import { t as spawnMachine } from "./spawn-machine-55ujPUY8.js";
import { c as requireCompressionProgram, f as shapeOfRunArgs, h as qemuOption, l as splitShellWords, m as qemuArgsForRestart, n as jobProgress, o as QmpDriver, r as connectedSocketPair, t as withSignalAbort, u as withoutEnvironment } from "./save-signals-Bk2ivfjs.js";
import { a as runStateFromFlags, i as SaveRestoreError, n as checkAbiStability, r as readDomainDescription } from "./domain-xml-B_anFjwW.js";
// ../../work/main/packages/machine/dist/node/save-image/restore.js
const execFileAsync = promisify(execFile);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** The QEMU command line that `virsh domxml-to-native qemu-argv` gives for an XML, or `undefined` without virsh. */
async function commandLineFromVirsh(xml) {
	const virsh = await findProgramInPath("virsh");
	if (virsh === void 0) return void 0;
	const dir = await mkdtemp(join(tmpdir(), "savevm-domxml-"));
	try {
		const file = join(dir, "domain.xml");
		await writeFile(file, xml, { mode: 384 });
		const { stdout } = await execFileAsync(virsh, [
			"domxml-to-native",
			"qemu-argv",
			"--xml",
			file
		], { timeout: 3e4 });
		return withoutEnvironment(splitShellWords(stdout));
	} catch (err) {
		throw new SaveRestoreError("NO_COMMAND_LINE", `virsh domxml-to-native failed: ${err.stderr?.trim() || err.message}`, { cause: err });
	} finally {
		await rm(dir, {
			recursive: true,
			force: true
		});
	}
}
function exitText(code, signal) {
	return signal ? `was killed by ${signal}` : `exited with status ${code}`;
}
function readLog(file) {
	if (file === void 0) return "";
	try {
		return readFileSync(file, "utf8").trim().split("\n").slice(-5).join("\n");
	} catch {
		return "";
	}
}
/** Starts QEMU paused, waiting for an incoming migration on the pipe it inherits as fd 3. */
async function startQemu(binary, argv, identity, registry, options) {
	const qmp = options.qmp ?? `unix:${join(registry.dir, `${identity.uuid}.qmp`)}`;
	if (!qmp.startsWith("unix:") && !qmp.startsWith("tcp:")) throw new SaveRestoreError("INVALID_ARGUMENT", `invalid QMP address '${qmp}'`);
	const args = qemuArgsForRestart(argv);
	if (qemuOption(args, ["-name"]) === void 0) args.push("-name", `guest=${identity.name.replace(/,/g, ",,")}`);
	if (qemuOption(args, ["-uuid"]) === void 0) args.push("-uuid", identity.uuid);
	args.push("-S", "-incoming", "defer", "-qmp", `${qmp},server=on,wait=off`);
	if (options.hmp !== void 0) args.push("-monitor", `${options.hmp},server=on,wait=off`);
	const logFile = join(registry.dir, `${identity.uuid}.log`);
	const log = openSync(logFile, "w", 384);
	let child;
	try {
		child = spawn(binary, args, {
			detached: true,
			stdio: [
				"ignore",
				log,
				log,
				"pipe"
			]
		});
	} finally {
		closeSync(log);
	}
	const exited = new Promise((resolve) => {
		child.once("error", (err) => resolve(`cannot run ${binary}: ${err.message}`));
		child.once("exit", (code, signal) => resolve(`QEMU ${exitText(code, signal)}: ${readLog(logFile)}`));
	});
	const input = child.stdio[3];
	const started = {
		kind: "qemu",
		pid: child.pid ?? -1,
		qmp: [qmp],
		input,
		incomingUri: "fd:3",
		exited,
		child,
		logFile,
		async kill() {
			if (child.exitCode === null && child.signalCode === null) {
				child.kill("SIGKILL");
				await exited;
			}
			await started.registration?.unregister();
		}
	};
	if (options.hmp !== void 0) started.hmp = options.hmp;
	if (child.pid === void 0) throw new SaveRestoreError("START_FAILED", await exited);
	started.registration = await registry.register({
		name: identity.name,
		uuid: identity.uuid,
		pid: child.pid,
		kind: "qemu",
		qmp: [qmp],
		...options.hmp !== void 0 ? { hmp: options.hmp } : {},
		state: "inmigrate",
		commandLine: [binary, ...args]
	}).catch(async (err) => {
		child.kill("SIGKILL");
		throw err;
	});
	started.record = started.registration.record;
	return started;
}
/** Starts a savevm machine (its own process) paused, waiting for an incoming migration on fd 3. */
async function startSavevm(runArgs, identity, registry, options) {
	const qmp = options.qmp ?? `unix:${join(registry.dir, `${identity.uuid}.qmp`)}`;
	const logFile = join(registry.dir, `${identity.uuid}.log`);
	const { local, remote } = await connectedSocketPair();
	let spawned;
	try {
		spawned = await spawnMachine({
			...shapeOfRunArgs(runArgs),
			name: identity.name,
			uuid: identity.uuid,
			qmp: [qmp],
			...options.hmp !== void 0 ? { hmp: options.hmp } : {},
			incoming: "defer",
			startPaused: true,
			register: true,
			runtimeDir: registry.dir,
			detached: true,
			logFile,
			stdio: [remote],
			...options.timeoutMs !== void 0 ? { readyTimeoutMs: options.timeoutMs } : {}
		});
	} catch (err) {
		local.destroy();
		throw err;
	} finally {
		remote.destroy();
	}
	const child = spawned.child;
	const exited = spawned.exited.then((code) => `the machine ${exitText(code, child.signalCode)}: ${readLog(logFile)}`);
	const started = {
		kind: "savevm",
		pid: spawned.pid,
		qmp: spawned.addresses.filter((a) => a !== options.hmp).slice(0, 1),
		input: local,
		incomingUri: "fd:3",
		exited,
		child,
		logFile,
		async kill() {
			local.destroy();
			if (child.exitCode === null && child.signalCode === null) {
				child.kill("SIGKILL");
				await exited;
			}
		}
	};
	if (options.hmp !== void 0) started.hmp = spawned.addresses[spawned.addresses.length - 1];
	if (spawned.record) started.record = spawned.record;
	return started;
}
async function connectWhenListening(address, exited, timeoutMs) {
	const deadline = Date.now() + timeoutMs;
	let gone;
	exited.then((text) => gone = text);
	for (;;) {
		if (gone !== void 0) throw new SaveRestoreError("START_FAILED", gone);
		try {
			return await QmpDriver.connect(address, { timeoutMs: 5e3 });
		} catch (err) {
			if (Date.now() > deadline) throw new SaveRestoreError("START_FAILED", `the machine's monitor ${address} did not answer: ${err.message}`);
			await sleep(50);
		}
	}
}
function write(input, chunk) {
	return new Promise((resolve, reject) => {
		const onError = (err) => reject(new SaveRestoreError("CHANNEL", `the machine stopped reading the stream: ${err.message}`, { cause: err }));
		input.once("error", onError);
		const ok = input.write(chunk, (err) => {
			input.off("error", onError);
			if (err) onError(err);
			else if (ok) resolve();
		});
		if (!ok) input.once("drain", () => resolve());
	});
}
/**
* Brings a libvirt save image back as a running machine, as `virsh restore` does: refuses a
* name or UUID that is active (libvirt's words), starts the machine paused waiting for an
* incoming migration (a savevm machine from its savevm metadata, or QEMU from the recorded
* command line, an option, or `virsh domxml-to-native`), feeds it the stream through a pipe it
* inherits — never the image's path — through the decompressor when compressed,
* `migrate-incoming fd:3`, waits for completion, and `cont`s iff was_running (or `runState`).
*/
async function restoreFromImage(options) {
	const timeoutMs = options.timeoutMs ?? 6e4;
	let fileBytes = 0;
	const image = await readSaveImageFile(options.file, {
		...options.bypassCache ? { bypassCache: true } : {},
		onFileBytes: (n) => fileBytes = n
	});
	let started;
	let driver;
	const onAbort = () => void started?.kill();
	try {
		await requireCompressionProgram(image.header.format);
		if (options.xml !== void 0) checkAbiStability(image.domainXml, options.xml);
		const xml = options.xml ?? image.domainXml;
		const description = readDomainDescription(xml);
		if (!description.name || !description.uuid) throw new SaveRestoreError("INVALID_ARGUMENT", "the domain XML has no <name> or no <uuid>");
		const identity = {
			name: description.name,
			uuid: description.uuid
		};
		const registry = await MachineRegistry.open(options.runtimeDir !== void 0 ? { runtimeDir: options.runtimeDir } : {});
		await registry.checkConflict(identity.name, identity.uuid);
		if (options.signal?.aborted) throw new SaveRestoreError("ABORTED", "operation aborted: restore canceled by client");
		if (description.savevm?.kind === "savevm" && options.qemuCommandLine === void 0) started = await startSavevm(description.savevm.runArgs, identity, registry, options);
		else {
			let argv = options.qemuCommandLine ? withoutEnvironment(options.qemuCommandLine) : void 0;
			let binary = options.qemuBinary;
			if (argv === void 0 && description.savevm?.kind === "qemu") {
				argv = description.savevm.argv;
				binary ??= description.savevm.binary;
			}
			if (argv === void 0) {
				const native = await commandLineFromVirsh(xml);
				if (native === void 0) throw new SaveRestoreError("NO_COMMAND_LINE", "the image records no QEMU command line (it was not written by savevm) and virsh is not installed to derive one: give the QEMU command line");
				argv = native;
			}
			if (argv[0] !== void 0 && !argv[0].startsWith("-")) binary ??= argv.shift();
			binary ??= description.emulator ?? "qemu-system-x86_64";
			started = await startQemu(binary, argv, identity, registry, options);
		}
		options.signal?.addEventListener("abort", onAbort, { once: true });
		const machine = started;
		driver = await connectWhenListening(machine.qmp[0], machine.exited, timeoutMs);
		await driver.migrateIncoming(machine.incomingUri);
		const total = (await stat(options.file)).size;
		let lastReport = 0;
		let fedUntil;
		const feeding = (async () => {
			for await (const chunk of image.stream) {
				try {
					await write(machine.input, chunk);
				} catch (err) {
					fedUntil = err;
					return;
				}
				if (options.onProgress && Date.now() - lastReport >= 200) {
					lastReport = Date.now();
					options.onProgress({
						percent: total > 0 ? Math.min(99, Math.floor(fileBytes * 100 / total)) : 0,
						bytes: fileBytes,
						total
					});
				}
			}
			machine.input.end();
		})();
		const death = machine.exited.then((text) => {
			throw new SaveRestoreError("START_FAILED", text);
		});
		death.catch(() => void 0);
		await Promise.race([feeding, death]);
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const info = await Promise.race([driver.migration(), death]);
			if (info.status === "completed") break;
			if (info.status === "failed" || info.status === "cancelled") {
				const reason = info.error ?? (readLog(machine.logFile) || fedUntil?.message || "unexpectedly failed");
				throw new SaveRestoreError("MIGRATION_FAILED", `operation failed: job 'migration in' failed: ${reason}`);
			}
			if (Date.now() > deadline) throw new SaveRestoreError("MIGRATION_FAILED", `the incoming migration is still ${info.status} after ${timeoutMs} ms`);
			await sleep(20);
		}
		options.onProgress?.({
			percent: 100,
			bytes: total,
			total
		});
		const resume = options.runState ? options.runState === "running" : image.header.wasRunning;
		if (resume) await driver.cont();
		const state = resume ? "running" : "paused";
		await machine.registration?.update({ state });
		machine.child.unref();
		const restored = {
			kind: machine.kind,
			name: identity.name,
			uuid: identity.uuid,
			pid: machine.pid,
			qmp: machine.qmp,
			state,
			wasRunning: image.header.wasRunning
		};
		if (machine.hmp !== void 0) restored.hmp = machine.hmp;
		if (machine.record) restored.record = machine.registration?.record ?? machine.record;
		if (machine.logFile !== void 0) restored.logFile = machine.logFile;
		return restored;
	} catch (err) {
		await started?.kill().catch(() => void 0);
		if (options.signal?.aborted && !(err instanceof SaveRestoreError && err.code === "ABORTED")) throw new SaveRestoreError("ABORTED", "operation aborted: restore canceled by client", { cause: err });
		throw err;
	} finally {
		options.signal?.removeEventListener("abort", onAbort);
		await image.stream.close().catch(() => void 0);
		await driver?.close().catch(() => void 0);
	}
}
// ../../work/main/packages/cli/dist/commands/restore.js
/** `savevm restore FILE`: `virsh restore` into a savevm machine or QEMU. */
function registerRestore(program) {
	program.command("restore").description("bring a libvirt save image back as a running machine, as virsh restore does").argument("<file>", "the image (written by savevm save or virsh save)").option("--running", "start the machine running, whatever the image says").option("--paused", "leave the machine paused, whatever the image says").option("--xml <file>", "restore with this domain XML (it must describe the same machine)").option("--bypass-cache", "read the image with O_DIRECT").option("--verbose", "show progress: Restore: [ 42 %]").option("--qemu-cmdline <args>", "QEMU command line (binary first, shell quoting) for an image that records none (written by libvirt)").option("--qemu-binary <path>", "QEMU binary to run (default: the image's emulator)").option("--qmp <address>", "QMP address for the restored machine (default: unix:RUNTIME_DIR/UUID.qmp)").option("--hmp <address>", "also serve a text monitor at this address").option("--runtime-dir <dir>", "registry directory (default $XDG_RUNTIME_DIR/savevm, /run/savevm for root)").action(async (file, opts) => {
		const runState = runStateFromFlags(opts);
		const progress = jobProgress("Restore", opts.verbose === true);
		await withSignalAbort(async (signal) => {
			const restored = await restoreFromImage({
				file,
				...runState ? { runState } : {},
				...opts.xml !== void 0 ? { xml: await readFile(opts.xml, "utf8") } : {},
				...opts.bypassCache ? { bypassCache: true } : {},
				...opts.qemuCmdline !== void 0 ? { qemuCommandLine: splitShellWords(opts.qemuCmdline) } : {},
				...opts.qemuBinary !== void 0 ? { qemuBinary: opts.qemuBinary } : {},
				...opts.qmp !== void 0 ? { qmp: opts.qmp } : {},
				...opts.hmp !== void 0 ? { hmp: opts.hmp } : {},
				...opts.runtimeDir !== void 0 ? { runtimeDir: opts.runtimeDir } : {},
				onProgress: (p) => progress.update(p.percent),
				signal
			});
			progress.finish();
			let out = `Domain restored from ${file}\n`;
			out += `Name: ${restored.name}  UUID: ${restored.uuid}  pid ${restored.pid}  ${restored.state}\n`;
			for (const address of restored.qmp) out += `QMP: ${address}\n`;
			if (restored.hmp !== void 0) out += `HMP: ${restored.hmp}\n`;
			process.stdout.write(`${out}\n`);
		});
	});
}
export { registerRestore };
