import { formatAddress, QmpRegistry, QmpServer, type QmpAddress } from "@savevm/qmp";
import { listenQmp, type StreamListener } from "@savevm/qmp/node";
import { parseGuestOptions, defaultGuestOptions } from "../guest/workload.js";
import { Machine } from "../machine.js";
import { startIncoming } from "../monitor/incoming-runner.js";
import { registerMachineCommands } from "../monitor/qmp-commands.js";
import { nodeBackends } from "./node-backends.js";
import { NodeMonitorChannels } from "./node-monitor-channels.js";
import { serveHmp } from "./hmp-server.js";

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
  /** Where to report problems that have no client to go to (an incoming load failing). */
  log?: (line: string) => void;
}

export interface RunningMachine {
  readonly machine: Machine;
  readonly server: QmpServer;
  /** The bound QMP (then HMP) addresses, with real ports. */
  readonly addresses: string[];
  /** Resolves when the machine shut down (`quit`, or `shutdown()`). */
  readonly closed: Promise<void>;
  /** Shuts down as on SIGTERM: SHUTDOWN event, listeners closed. */
  shutdown(reason?: string): Promise<void>;
}

/**
 * Starts a machine and serves QMP (and HMP) for it until `quit` or `shutdown()`: the process
 * behind `savevm run`.
 */
export async function runMachine(options: RunMachineOptions): Promise<RunningMachine> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const guest = options.guest ? parseGuestOptions(options.guest) : defaultGuestOptions();
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
  const channels = new NodeMonitorChannels({ allowExec: options.allowExec ?? false });
  const registry = new QmpRegistry();
  const server = new QmpServer({ registry });
  const listeners: StreamListener[] = [];
  const closers: (() => Promise<void>)[] = [];
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let closing = false;
  let hmpAddress: string | undefined;

  const close = async (): Promise<void> => {
    if (closing) return closed;
    closing = true;
    server.close();
    await Promise.all([...listeners.map((l) => l.close()), ...closers.map((c) => c())]).catch(() => undefined);
    resolveClosed();
  };

  registerMachineCommands(registry, machine, { channels, onQuit: () => void close() });
  machine.events.on((e) => server.emitEvent(e.event, e.data as never));

  try {
    for (const address of options.qmp) listeners.push(await listenQmp(server, address));
    if (options.hmp) {
      const hmp = await serveHmp(machine, options.hmp, channels, () => void close());
      closers.push(hmp.close);
      hmpAddress = formatListenerAddress(hmp.address);
    }
  } catch (err) {
    await close();
    throw err;
  }

  machine.start();
  if (options.incoming !== undefined && options.incoming !== "defer") {
    await startIncoming(machine, channels, options.incoming, (message) => log(`savevm: incoming migration failed: ${message}`));
  }

  return {
    machine,
    server,
    addresses: [...listeners.map((l) => formatListenerAddress(l.address)), ...(hmpAddress ? [hmpAddress] : [])],
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
