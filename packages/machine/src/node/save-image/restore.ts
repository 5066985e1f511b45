import { spawn, execFile, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Writable } from "node:stream";
import { promisify } from "node:util";
import { findProgramInPath, readSaveImageFile } from "@savevm/format/node";
import { MachineRegistry, type MachineRecord, type RegisteredMachine } from "../registry/index.js";
import { spawnMachine } from "../spawn-machine.js";
import { qemuArgsForRestart, qemuOption } from "./command-line.js";
import { requireCompressionProgram } from "./compressor.js";
import { checkAbiStability, readDomainDescription } from "./domain-xml.js";
import type { MonitorDriver } from "./monitor-driver.js";
import { QmpDriver } from "./qmp-driver.js";
import type { SaveProgress } from "./save.js";
import { SaveRestoreError } from "./save-image-error.js";
import { shapeOfRunArgs } from "./savevm-run-options.js";
import { splitShellWords, withoutEnvironment } from "./shell-words.js";
import { connectedSocketPair } from "./stream-channel.js";

const execFileAsync = promisify(execFile);

export interface RestoreFromImageOptions {
  /** The image (`virsh save` output, or `saveToImage`'s). */
  file: string;
  /** Overrides the image's was_running (`virsh restore --running/--paused`). */
  runState?: "running" | "paused";
  /** Domain XML to restore with instead of the image's; it must pass libvirt's ABI check against it. */
  xml?: string;
  /** Read the image with O_DIRECT. */
  bypassCache?: boolean;
  onProgress?: (progress: SaveProgress) => void;
  /** Registry directory (default: the runtime directory); monitors and logs of the machine go there too. */
  runtimeDir?: string;
  /**
   * QEMU's command line for an image that records none (one written by real libvirt). The
   * binary may come first (after `NAME=value` words, which are dropped, as `virsh
   * domxml-to-native` prints them); otherwise {@link qemuBinary} (or the XML's `<emulator>`).
   */
  qemuCommandLine?: readonly string[];
  /** The QEMU binary; default the image's `<emulator>`, else `qemu-system-x86_64`. */
  qemuBinary?: string;
  /** QMP address of the restored machine; default `unix:RUNTIME_DIR/UUID.qmp`. */
  qmp?: string;
  /** HMP address to serve as well (a savevm machine's `--hmp`, QEMU's `-monitor …,server=on,wait=off`). */
  hmp?: string;
  signal?: AbortSignal;
  /** How long the machine may take to start listening and to load, in ms (default 60 000). */
  timeoutMs?: number;
}

/** A machine {@link restoreFromImage} brought back; it runs on after this process exits. */
export interface RestoredMachine {
  kind: "savevm" | "qemu";
  name: string;
  uuid: string;
  pid: number;
  qmp: string[];
  hmp?: string;
  /** The run state after the restore. */
  state: "running" | "paused";
  /** The image header's was_running. */
  wasRunning: boolean;
  record?: MachineRecord;
  /** The machine's stderr, for QEMU (a file in the runtime directory). */
  logFile?: string;
}

interface Started {
  kind: "savevm" | "qemu";
  pid: number;
  qmp: string[];
  hmp?: string;
  /** Where the stream goes: the machine reads the other end as fd 3. */
  input: Writable;
  /** The migrate-incoming URI. */
  incomingUri: string;
  record?: MachineRecord;
  registration?: RegisteredMachine;
  exited: Promise<string>;
  child: ChildProcess;
  logFile?: string;
  kill(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The QEMU command line that `virsh domxml-to-native qemu-argv` gives for an XML, or `undefined` without virsh. */
async function commandLineFromVirsh(xml: string): Promise<string[] | undefined> {
  const virsh = await findProgramInPath("virsh");
  if (virsh === undefined) return undefined;
  const dir = await mkdtemp(join(tmpdir(), "savevm-domxml-"));
  try {
    const file = join(dir, "domain.xml");
    await writeFile(file, xml, { mode: 0o600 });
    const { stdout } = await execFileAsync(virsh, ["domxml-to-native", "qemu-argv", "--xml", file], { timeout: 30_000 });
    return withoutEnvironment(splitShellWords(stdout));
  } catch (err) {
    throw new SaveRestoreError(
      "NO_COMMAND_LINE",
      `virsh domxml-to-native failed: ${(err as { stderr?: string }).stderr?.trim() || (err as Error).message}`,
      {
        cause: err,
      },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function exitText(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `was killed by ${signal}` : `exited with status ${code}`;
}

function readLog(file: string | undefined): string {
  if (file === undefined) return "";
  try {
    return readFileSync(file, "utf8").trim().split("\n").slice(-5).join("\n");
  } catch {
    return "";
  }
}

/** Starts QEMU paused, waiting for an incoming migration on the pipe it inherits as fd 3. */
async function startQemu(
  binary: string,
  argv: readonly string[],
  identity: { name: string; uuid: string },
  registry: MachineRegistry,
  options: RestoreFromImageOptions,
): Promise<Started> {
  const qmp = options.qmp ?? `unix:${join(registry.dir, `${identity.uuid}.qmp`)}`;
  if (!qmp.startsWith("unix:") && !qmp.startsWith("tcp:")) throw new SaveRestoreError("INVALID_ARGUMENT", `invalid QMP address '${qmp}'`);
  const args = qemuArgsForRestart(argv);
  if (qemuOption(args, ["-name"]) === undefined) args.push("-name", `guest=${identity.name.replace(/,/g, ",,")}`);
  if (qemuOption(args, ["-uuid"]) === undefined) args.push("-uuid", identity.uuid);
  args.push("-S", "-incoming", "defer", "-qmp", `${qmp},server=on,wait=off`);
  if (options.hmp !== undefined) args.push("-monitor", `${options.hmp},server=on,wait=off`);
  const logFile = join(registry.dir, `${identity.uuid}.log`);
  const log = openSync(logFile, "w", 0o600);
  let child: ChildProcess;
  try {
    // Its own session, so it outlives `savevm restore`, as libvirt's QEMU outlives virsh.
    child = spawn(binary, args, { detached: true, stdio: ["ignore", log, log, "pipe"] });
  } finally {
    closeSync(log);
  }
  const exited = new Promise<string>((resolve) => {
    child.once("error", (err) => resolve(`cannot run ${binary}: ${err.message}`));
    child.once("exit", (code, signal) => resolve(`QEMU ${exitText(code, signal)}: ${readLog(logFile)}`));
  });
  const input = child.stdio[3] as Writable;
  const started: Started = {
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
    },
  };
  if (options.hmp !== undefined) started.hmp = options.hmp;
  if (child.pid === undefined) throw new SaveRestoreError("START_FAILED", await exited);
  started.registration = await registry
    .register({
      name: identity.name,
      uuid: identity.uuid,
      pid: child.pid,
      kind: "qemu",
      qmp: [qmp],
      ...(options.hmp !== undefined ? { hmp: options.hmp } : {}),
      state: "inmigrate",
      commandLine: [binary, ...args],
    })
    .catch(async (err: unknown) => {
      child.kill("SIGKILL");
      throw err;
    });
  started.record = started.registration.record;
  return started;
}

/** Starts a savevm machine (its own process) paused, waiting for an incoming migration on fd 3. */
async function startSavevm(
  runArgs: readonly string[],
  identity: { name: string; uuid: string },
  registry: MachineRegistry,
  options: RestoreFromImageOptions,
): Promise<Started> {
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
      ...(options.hmp !== undefined ? { hmp: options.hmp } : {}),
      incoming: "defer",
      startPaused: true,
      register: true,
      runtimeDir: registry.dir,
      detached: true,
      logFile,
      stdio: [remote],
      ...(options.timeoutMs !== undefined ? { readyTimeoutMs: options.timeoutMs } : {}),
    });
  } catch (err) {
    local.destroy();
    throw err;
  } finally {
    // The machine has its copy as fd 3.
    remote.destroy();
  }
  const child = spawned.child;
  const exited = spawned.exited.then((code) => `the machine ${exitText(code, child.signalCode)}: ${readLog(logFile)}`);
  const started: Started = {
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
    },
  };
  if (options.hmp !== undefined) started.hmp = spawned.addresses[spawned.addresses.length - 1]!;
  if (spawned.record) started.record = spawned.record;
  return started;
}

async function connectWhenListening(address: string, exited: Promise<string>, timeoutMs: number): Promise<MonitorDriver> {
  const deadline = Date.now() + timeoutMs;
  let gone: string | undefined;
  void exited.then((text) => (gone = text));
  for (;;) {
    if (gone !== undefined) throw new SaveRestoreError("START_FAILED", gone);
    try {
      return await QmpDriver.connect(address, { timeoutMs: 5_000 });
    } catch (err) {
      if (Date.now() > deadline)
        throw new SaveRestoreError("START_FAILED", `the machine's monitor ${address} did not answer: ${(err as Error).message}`);
      await sleep(50);
    }
  }
}

function write(input: Writable, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void =>
      reject(new SaveRestoreError("CHANNEL", `the machine stopped reading the stream: ${err.message}`, { cause: err }));
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
export async function restoreFromImage(options: RestoreFromImageOptions): Promise<RestoredMachine> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  // Progress is told in bytes of the file read, so a compressed image shows it as well.
  let fileBytes = 0;
  const image = await readSaveImageFile(options.file, {
    ...(options.bypassCache ? { bypassCache: true } : {}),
    onFileBytes: (n) => (fileBytes = n),
  });
  let started: Started | undefined;
  let driver: MonitorDriver | undefined;
  const onAbort = (): void => void started?.kill();
  try {
    await requireCompressionProgram(image.header.format);
    if (options.xml !== undefined) checkAbiStability(image.domainXml, options.xml);
    const xml = options.xml ?? image.domainXml;
    const description = readDomainDescription(xml);
    if (!description.name || !description.uuid) throw new SaveRestoreError("INVALID_ARGUMENT", "the domain XML has no <name> or no <uuid>");
    const identity = { name: description.name, uuid: description.uuid };
    const registry = await MachineRegistry.open(options.runtimeDir !== undefined ? { runtimeDir: options.runtimeDir } : {});
    await registry.checkConflict(identity.name, identity.uuid);
    if (options.signal?.aborted) throw new SaveRestoreError("ABORTED", "operation aborted: restore canceled by client");

    if (description.savevm?.kind === "savevm" && options.qemuCommandLine === undefined) {
      started = await startSavevm(description.savevm.runArgs, identity, registry, options);
    } else {
      // A line pasted from `virsh domxml-to-native` starts with its environment (LC_ALL=C PATH=…).
      let argv = options.qemuCommandLine ? withoutEnvironment(options.qemuCommandLine) : undefined;
      let binary = options.qemuBinary;
      if (argv === undefined && description.savevm?.kind === "qemu") {
        argv = description.savevm.argv;
        binary ??= description.savevm.binary;
      }
      if (argv === undefined) {
        const native = await commandLineFromVirsh(xml);
        if (native === undefined) {
          throw new SaveRestoreError(
            "NO_COMMAND_LINE",
            "the image records no QEMU command line (it was not written by savevm) and virsh is not installed to derive one: give the QEMU command line",
          );
        }
        argv = native;
      }
      if (argv[0] !== undefined && !argv[0].startsWith("-")) binary ??= argv.shift();
      binary ??= description.emulator ?? "qemu-system-x86_64";
      started = await startQemu(binary, argv, identity, registry, options);
    }
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const machine = started;
    driver = await connectWhenListening(machine.qmp[0]!, machine.exited, timeoutMs);
    await driver.migrateIncoming(machine.incomingUri);

    // Feed the stream; a machine that dies or refuses it ends the feeding with its reason.
    const total = (await stat(options.file)).size;
    let lastReport = 0;
    // QEMU stops reading at the stream's EOF section and closes its end, before the vmdesc
    // trailer: a write that fails then is no failure. Whether the load worked is asked below.
    let fedUntil: Error | undefined;
    const feeding = (async () => {
      for await (const chunk of image.stream) {
        try {
          await write(machine.input, chunk);
        } catch (err) {
          fedUntil = err as Error;
          return;
        }
        if (options.onProgress && Date.now() - lastReport >= 200) {
          lastReport = Date.now();
          options.onProgress({ percent: total > 0 ? Math.min(99, Math.floor((fileBytes * 100) / total)) : 0, bytes: fileBytes, total });
        }
      }
      machine.input.end();
    })();
    const death = machine.exited.then((text) => {
      throw new SaveRestoreError("START_FAILED", text);
    });
    death.catch(() => undefined);
    await Promise.race([feeding, death]);

    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const info = await Promise.race([driver.migration(), death]);
      if (info.status === "completed") break;
      if (info.status === "failed" || info.status === "cancelled") {
        const reason = info.error ?? (readLog(machine.logFile) || fedUntil?.message || "unexpectedly failed");
        throw new SaveRestoreError("MIGRATION_FAILED", `operation failed: job 'migration in' failed: ${reason}`);
      }
      if (Date.now() > deadline)
        throw new SaveRestoreError("MIGRATION_FAILED", `the incoming migration is still ${info.status} after ${timeoutMs} ms`);
      await sleep(20);
    }
    options.onProgress?.({ percent: 100, bytes: total, total });

    const resume = options.runState ? options.runState === "running" : image.header.wasRunning;
    if (resume) await driver.cont();
    const state = resume ? "running" : "paused";
    await machine.registration?.update({ state });
    machine.child.unref();
    const restored: RestoredMachine = {
      kind: machine.kind,
      name: identity.name,
      uuid: identity.uuid,
      pid: machine.pid,
      qmp: machine.qmp,
      state,
      wasRunning: image.header.wasRunning,
    };
    if (machine.hmp !== undefined) restored.hmp = machine.hmp;
    if (machine.record) restored.record = machine.registration?.record ?? machine.record;
    if (machine.logFile !== undefined) restored.logFile = machine.logFile;
    return restored;
  } catch (err) {
    await started?.kill().catch(() => undefined);
    if (options.signal?.aborted && !(err instanceof SaveRestoreError && err.code === "ABORTED")) {
      throw new SaveRestoreError("ABORTED", "operation aborted: restore canceled by client", { cause: err });
    }
    throw err;
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    await image.stream.close().catch(() => undefined);
    await driver?.close().catch(() => undefined);
  }
}
