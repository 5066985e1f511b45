import { randomUUID } from "node:crypto";
import { formatAddress, HmpRegistry, QmpRegistry, QmpServer, type QmpAddress } from "@savevm/qmp";
import { listenQmp, type StreamListener } from "@savevm/qmp/node";
import { parseGuestOptions, defaultGuestOptions } from "../guest/workload.js";
import { MachineError } from "../errors.js";
import { Machine } from "../machine.js";
import { startIncoming } from "../monitor/incoming-runner.js";
import { registerMachineHmpCommands } from "../monitor/hmp-commands.js";
import { registerMachineCommands } from "../monitor/qmp-commands.js";
import { MemoryFile, memoryFileMatches } from "./memory-file.js";
import { SnapshotDirectory } from "./snapshot-directory.js";
import { nodeBackends } from "./node-backends.js";
import { NodeMonitorChannels } from "./node-monitor-channels.js";
import { serveHmp } from "./hmp-server.js";
import { MachineRegistry, type RegisteredMachine } from "./registry/index.js";

export interface RunMachineOptions {
  /** Main RAM size in bytes. */
  memory: number;
  name?: string;
  uuid?: string;
  machineType?: string;
  /** QMP listen addresses (`unix:PATH`, `tcp:HOST:PORT`). */
  qmp: readonly string[];
  /** HMP listen address. */
  hmp?: string;
  /** `defer` (wait for migrate-incoming) or a URI to load from at start. */
  incoming?: string;
  /** The `--guest` option text (rate=…,mix=…). */
  guest?: string;
  /** `-S`: do not start the guest. */
  startPaused?: boolean;
  /** Allow exec: migration URIs. */
  allowExec?: boolean;
  /**
   * Keep guest RAM backed by this file (written back, not mapped). An existing file of the right
   * size becomes the guest's RAM (the guest's `fill` is skipped); cpr-reboot checkpoints leave
   * RAM there.
   */
  memoryFile?: string;
  /**
   * Start even though the memory file holds the RAM of a cpr-reboot checkpoint that was never
   * loaded, and the machine is not waiting for an incoming migration (fresh devices on old RAM).
   */
  forceFreshBoot?: boolean;
  /**
   * Where relative device-state file names given to the monitor (`cprsave file`,
   * `xen-save-devices-state filename`, `migrate file:…`) resolve; the working directory at
   * start by default.
   */
  stateDir?: string;
  /** Directory of named snapshots (savevm/loadvm, snapshot-save/-load/-delete). */
  snapshots?: string;
  /**
   * Register in the machine registry (`savevm list`), refusing a duplicate of a live machine's
   * name or UUID with libvirt's words. A missing name becomes `savevm-PID`, a missing UUID a
   * random one.
   */
  register?: boolean;
  /** The registry's directory (default: `defaultRuntimeDir()`). */
  runtimeDir?: string;
  /** Where to report problems that have no client to go to (an incoming load failing). */
  log?: (line: string) => void;
}

export interface RunningMachine {
  readonly machine: Machine;
  /** The QMP server of the first QMP address (each address has its own; they share the commands). */
  readonly server: QmpServer;
  /** The bound QMP (then HMP) addresses, with real ports. */
  readonly addresses: string[];
  /** The registry entry, with `register`. */
  readonly registration: RegisteredMachine | undefined;
  /** Resolves when the machine shut down (`quit`, or `shutdown()`), or its start-time load failed. */
  readonly closed: Promise<void>;
  /**
   * Why the machine ended on its own: an `--incoming URI` (not `defer`) whose load failed, as
   * QEMU exits 1 with `load of migration failed`. The process behind it should exit non-zero.
   */
  readonly failure: Error | undefined;
  /** Shuts down as on SIGTERM: SHUTDOWN event, listeners closed. */
  shutdown(reason?: string): Promise<void>;
}

/**
 * Starts a machine and serves QMP (and HMP) for it until `quit` or `shutdown()`: the process
 * behind `savevm run`.
 */
export async function runMachine(options: RunMachineOptions): Promise<RunningMachine> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  let registration: RegisteredMachine | undefined;
  if (options.register) {
    // Named and registered before any socket is bound: a duplicate touches nothing.
    options = { ...options, name: options.name ?? `savevm-${process.pid}`, uuid: (options.uuid ?? randomUUID()).toLowerCase() };
    const registry = await MachineRegistry.open(options.runtimeDir !== undefined ? { runtimeDir: options.runtimeDir } : {});
    registration = await registry.register({
      name: options.name!,
      uuid: options.uuid!,
      pid: process.pid,
      kind: "savevm",
      qmp: [],
      state: "prelaunch",
    });
  }
  try {
    return await startMachine(options, log, registration);
  } catch (err) {
    await registration?.unregister();
    throw err;
  }
}

async function startMachine(
  options: RunMachineOptions,
  log: (line: string) => void,
  registration: RegisteredMachine | undefined,
): Promise<RunningMachine> {
  const guest = options.guest ? parseGuestOptions(options.guest) : defaultGuestOptions();
  // RAM comes from an existing memory file: the guest does not fill it again.
  if (options.memoryFile !== undefined && (await memoryFileMatches(options.memoryFile, options.memory))) guest.fill = 0;
  const machine = new Machine(
    {
      memory: options.memory,
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(options.uuid !== undefined ? { uuid: options.uuid } : {}),
      ...(options.machineType !== undefined ? { machineType: options.machineType } : {}),
      guest,
      startPaused: options.startPaused ?? false,
      incoming: options.incoming !== undefined,
      allowExec: options.allowExec ?? false,
    },
    nodeBackends(),
  );
  const memoryFile =
    options.memoryFile !== undefined
      ? await MemoryFile.open(machine, options.memoryFile, { forceFreshBoot: options.forceFreshBoot ?? false, warn: log })
      : undefined;
  const snapshots = options.snapshots !== undefined ? await SnapshotDirectory.open(options.snapshots) : undefined;
  const channels = new NodeMonitorChannels({
    allowExec: options.allowExec ?? false,
    ...(options.stateDir !== undefined ? { baseDir: options.stateDir } : {}),
  });
  const registry = new QmpRegistry();
  // One server per QMP address: each is a monitor of its own with its own client, as each of
  // QEMU's -qmp options is (one shared server would let a single client hold every socket).
  const servers = (options.qmp.length > 0 ? options.qmp : [""]).map(() => new QmpServer({ registry }));
  const server = servers[0]!;
  const listeners: StreamListener[] = [];
  const closers: (() => Promise<void>)[] = [];
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let closing = false;
  let hmpAddress: string | undefined;
  let failure: Error | undefined;

  const close = async (): Promise<void> => {
    if (closing) return closed;
    closing = true;
    for (const s of servers) s.close();
    await Promise.all([...listeners.map((l) => l.close()), ...closers.map((c) => c())]).catch(() => undefined);
    await memoryFile?.close().catch((err: unknown) => log(`savevm: memory file: ${(err as Error).message}`));
    await registration?.unregister().catch(() => undefined);
    resolveClosed();
  };

  const onQuit = (): void => void close();
  const hmp = registerMachineHmpCommands(new HmpRegistry(), machine, { channels, onQuit, ...(snapshots ? { snapshots } : {}) });
  registerMachineCommands(registry, machine, { channels, onQuit, hmp, ...(snapshots ? { snapshots } : {}) });
  machine.events.on((e) => {
    for (const s of servers) s.emitEvent(e.event, e.data as never);
  });
  // A completed cpr-reboot checkpoint ends the process: a new one takes over from the file.
  machine.onMigration((migration) => {
    if (migration.kind !== "REBOOT") return;
    void migration.done.then(() => {
      if (migration.status !== "completed") return;
      // After the reply of a command that waited for the checkpoint (cprsave) went out.
      setTimeout(() => {
        machine.shutdown("host-qmp-quit");
        void close();
      }, 0);
    });
  });

  try {
    for (const [i, address] of options.qmp.entries()) listeners.push(await listenQmp(servers[i]!, address));
    if (options.hmp) {
      const hmpServer = await serveHmp(machine, options.hmp, channels, onQuit, hmp);
      closers.push(hmpServer.close);
      hmpAddress = formatListenerAddress(hmpServer.address);
    }
  } catch (err) {
    await close();
    throw err;
  }

  const addresses = [...listeners.map((l) => formatListenerAddress(l.address)), ...(hmpAddress ? [hmpAddress] : [])];
  if (registration) {
    const record = registration;
    const report = (err: unknown): void => log(`savevm: registry: ${(err as Error).message}`);
    machine.runState.onChange((state) => void record.update({ state }).catch(report));
  }

  machine.start();
  if (registration) {
    // After start, so the entry holds the state the machine entered (running, inmigrate): updates
    // are written in order, so once this one is on disk so is every state change before it, and
    // whoever was told the machine is up (spawnMachine, `savevm run --detach`) reads it complete.
    const qmpAddresses = addresses.slice(0, listeners.length);
    try {
      await registration.update({ qmp: qmpAddresses, ...(hmpAddress ? { hmp: hmpAddress } : {}), state: machine.runState.state });
    } catch (err) {
      machine.destroy();
      await close();
      throw err;
    }
  }
  if (options.incoming !== undefined && options.incoming !== "defer") {
    try {
      await startIncoming(machine, channels, options.incoming, {
        // As QEMU: a load given on the command line that fails ends the process with status 1.
        onError: (message) => {
          failure = new MachineError("LOAD_FAILED", `load of migration failed: ${message}`);
          log(`savevm: ${failure.message}`);
          machine.destroy();
          void close();
        },
        onNote: (line) => log(`savevm: ${line}`),
      });
    } catch (err) {
      machine.destroy();
      await close();
      throw err;
    }
  }

  return {
    machine,
    server,
    addresses,
    registration,
    get failure() {
      return failure;
    },
    closed,
    async shutdown(reason = "host-signal") {
      machine.shutdown(reason);
      await close();
    },
  };
}

function formatListenerAddress(address: unknown): string {
  return formatAddress(address as QmpAddress);
}
