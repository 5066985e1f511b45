import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, openSync, closeSync } from "node:fs";
import type { Stream } from "node:stream";
import { fileURLToPath } from "node:url";
import type { MachineProcessMessage, MachineProcessOptions } from "./machine-process-protocol.js";
import type { MachineRecord } from "./registry/index.js";

export interface SpawnMachineOptions extends MachineProcessOptions {
  /**
   * Register the machine (default true), so `savevm list` shows it and a duplicate name or UUID
   * is refused with libvirt's words.
   */
  register?: boolean;
  /** Run in its own session and outlive this process (`savevm run --detach`). */
  detached?: boolean;
  /**
   * Descriptors the machine inherits as fd 3, 4, …: for example the read end of a pipe for
   * `incoming: "fd:3"` (or `migrate-incoming fd:3` after `incoming: "defer"`).
   */
  stdio?: readonly (number | Stream | "ignore")[];
  /** Append the machine's messages (stderr) to this file. Default: inherited, or dropped when detached. */
  logFile?: string;
  /** Give up when the machine is not listening after this long (default 60 s); it is killed. */
  readyTimeoutMs?: number;
}

export interface SpawnedMachine {
  pid: number;
  /** Bound QMP addresses then the HMP address (`unix:PATH`, `tcp:HOST:PORT`, real ports). */
  addresses: string[];
  /** The registry entry, unless `register: false`. */
  record: MachineRecord | undefined;
  /** The machine's process; after a detached start it is unreferenced and runs on alone. */
  child: ChildProcess;
  /** Resolves with the exit status (null when a signal ended it). */
  exited: Promise<number | null>;
}

/** The machine process refused to start; `code` is its error's code (e.g. DOMAIN_EXISTS). */
export class SpawnMachineError extends Error {
  readonly code: string;
  constructor(message: string, code = "SPAWN_FAILED") {
    super(message);
    this.name = "SpawnMachineError";
    this.code = code;
  }
}

/** The compiled entry file; from the TypeScript sources (tests) the package's dist copy. */
function machineProcessEntry(): string {
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
export async function spawnMachine(options: SpawnMachineOptions): Promise<SpawnedMachine> {
  const { detached = false, stdio: extra = [], logFile, readyTimeoutMs = 60_000, register = true, ...run } = options;
  const processOptions: MachineProcessOptions = { ...run, register };
  const logFd = logFile !== undefined ? openSync(logFile, "a", 0o600) : undefined;
  type Slot = number | Stream | "ignore" | "inherit" | "ipc";
  const err: Slot = logFd ?? (detached ? "ignore" : "inherit");
  const stdio: Slot[] = ["ignore", detached ? "ignore" : "inherit", err, ...extra, "ipc"];
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [machineProcessEntry(), JSON.stringify(processOptions)], { stdio, detached, serialization: "json" });
  } finally {
    if (logFd !== undefined) closeSync(logFd);
  }
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const message = await new Promise<MachineProcessMessage>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new SpawnMachineError(`the machine did not start listening within ${readyTimeoutMs} ms`, "TIMEOUT"));
    }, readyTimeoutMs);
    child.once("message", (m) => {
      clearTimeout(timer);
      resolve(m as MachineProcessMessage);
    });
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(new SpawnMachineError(`cannot start the machine process: ${e.message}`));
    });
    void exited.then((code) => {
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
  return { pid: message.pid, addresses: message.addresses, record: message.record, child, exited };
}
