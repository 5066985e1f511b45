import { resolve } from "node:path";
import type { Command } from "commander";
import { parseSize } from "@savevm/machine";
import { runMachine, serveUntilExit, spawnMachine, type RunMachineOptions } from "@savevm/machine/node";
import { UsageError } from "../cli-error.js";

interface RunOptions {
  memory: string;
  name?: string;
  uuid?: string;
  machine?: string;
  qmp: string[];
  hmp?: string;
  incoming?: string;
  guest?: string;
  S?: boolean;
  allowExec?: boolean;
  memoryFile?: string;
  forceFreshBoot?: boolean;
  stateDir?: string;
  snapshots?: string;
  detach?: boolean;
  runtimeDir?: string;
  logFile?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function machineOptions(opts: RunOptions): Omit<RunMachineOptions, "log"> {
  if (opts.qmp.length === 0 && opts.hmp === undefined) throw new UsageError("at least one --qmp or --hmp address is required");
  if (opts.logFile !== undefined && !opts.detach) {
    throw new UsageError("--log-file goes with --detach (in the foreground messages go to stderr)");
  }
  return {
    memory: parseSize(opts.memory, "memory size"),
    qmp: opts.qmp,
    register: true,
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    ...(opts.uuid !== undefined ? { uuid: opts.uuid } : {}),
    ...(opts.machine !== undefined ? { machineType: opts.machine } : {}),
    ...(opts.hmp !== undefined ? { hmp: opts.hmp } : {}),
    ...(opts.incoming !== undefined ? { incoming: opts.incoming } : {}),
    ...(opts.guest !== undefined ? { guest: opts.guest } : {}),
    startPaused: opts.S === true,
    allowExec: opts.allowExec === true,
    ...(opts.memoryFile !== undefined ? { memoryFile: opts.memoryFile } : {}),
    ...(opts.forceFreshBoot ? { forceFreshBoot: true } : {}),
    // Relative device-state file names given to the monitor resolve here: fixed now, absolute.
    stateDir: resolve(opts.stateDir ?? "."),
    ...(opts.snapshots !== undefined ? { snapshots: opts.snapshots } : {}),
    ...(opts.runtimeDir !== undefined ? { runtimeDir: resolve(opts.runtimeDir) } : {}),
  };
}

/** The HMP address as `savevm save` takes a text monitor: `hmp:unix:PATH`. */
function monitorLines(addresses: readonly string[], qmpCount: number): string[] {
  return addresses.map((address, i) => (i < qmpCount ? address : `hmp:${address}`));
}

/** `--detach`: the machine runs in a process of its own; this one says where and exits. */
async function detach(options: Omit<RunMachineOptions, "log">, logFile: string | undefined): Promise<void> {
  const spawned = await spawnMachine({ ...options, detached: true, ...(logFile !== undefined ? { logFile } : {}) });
  const lines = monitorLines(spawned.addresses, options.qmp.length);
  const record = spawned.record;
  if (record) lines.push(`id ${record.id}`, `name ${record.name}`, `uuid ${record.uuid}`);
  lines.push(`pid ${spawned.pid}`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

async function foreground(options: Omit<RunMachineOptions, "log">): Promise<void> {
  await serveUntilExit(await runMachine(options));
}

/** `savevm run`: starts a machine and serves QMP (and HMP) until `quit` or SIGTERM. */
export function registerRun(program: Command): void {
  program
    .command("run")
    .description("start an emulated machine and serve QMP (and HMP) for it until quit or SIGTERM")
    .requiredOption("--memory <size>", "guest RAM size, e.g. 64M or 1G")
    .option("--name <name>", "machine name (default savevm-PID); a running machine of the same name is refused")
    .option("--uuid <uuid>", "machine UUID (default: a random one); a running machine of the same UUID is refused")
    .option("--machine <type>", "machine type written to the configuration record")
    .option("--qmp <address>", "QMP address: unix:PATH or tcp:HOST:PORT (repeatable)", collect, [])
    .option("--hmp <address>", "HMP address: unix:PATH or tcp:HOST:PORT")
    .option("--incoming <uri>", "wait for an incoming migration: 'defer' or a URI (also takes a libvirt save image)")
    .option("--guest <options>", "guest workload: rate=50M,mix=zero:50/uniform:10/duplicate:15/random:25,hot=30:1024,seed=1")
    .option("-S", "do not start the guest (stay in prelaunch until 'cont')")
    .option("--allow-exec", "allow exec: migration URIs")
    .option("--memory-file <path>", "keep guest RAM backed by this file (written back, not mapped) for cpr-reboot restarts")
    .option("--force-fresh-boot", "start on a --memory-file holding an unloaded cpr-reboot checkpoint (fresh devices on that RAM)")
    .option("--state-dir <dir>", "where relative file names given to the monitor resolve (cprsave, file:, …); default: here")
    .option("--snapshots <dir>", "directory for named snapshots (savevm/loadvm, snapshot-save/-load/-delete)")
    .option("--detach", "run in the background; print the monitor addresses, id, name, uuid and pid once it listens")
    .option("--log-file <path>", "with --detach: append the machine's messages to this file")
    .option("--runtime-dir <dir>", "machine registry directory (default $XDG_RUNTIME_DIR/savevm, /run/savevm for root)")
    .action(async (opts: RunOptions) => {
      const options = machineOptions(opts);
      if (opts.detach) await detach(options, opts.logFile);
      else await foreground(options);
    });
}
