import type { Command } from "commander";
import { parseSize } from "@savevm/machine";
import { runMachine } from "@savevm/machine/node";
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
  snapshots?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `savevm run`: starts a machine and serves QMP (and HMP) until `quit` or SIGTERM. */
export function registerRun(program: Command): void {
  program
    .command("run")
    .description("start an emulated machine and serve QMP (and HMP) for it until quit or SIGTERM")
    .requiredOption("--memory <size>", "guest RAM size, e.g. 64M or 1G")
    .option("--name <name>", "machine name")
    .option("--uuid <uuid>", "machine UUID")
    .option("--machine <type>", "machine type written to the configuration record")
    .option("--qmp <address>", "QMP address: unix:PATH or tcp:HOST:PORT (repeatable)", collect, [])
    .option("--hmp <address>", "HMP address: unix:PATH or tcp:HOST:PORT")
    .option("--incoming <uri>", "wait for an incoming migration: 'defer' or a URI")
    .option("--guest <options>", "guest workload: rate=50M,mix=zero:50/uniform:10/duplicate:15/random:25,hot=30:1024,seed=1")
    .option("-S", "do not start the guest (stay in prelaunch until 'cont')")
    .option("--allow-exec", "allow exec: migration URIs")
    .option("--memory-file <path>", "keep guest RAM backed by this file (written back, not mapped) for cpr-reboot restarts")
    .option("--snapshots <dir>", "directory for named snapshots (savevm/loadvm, snapshot-save/-load/-delete)")
    .action(async (opts: RunOptions) => {
      if (opts.qmp.length === 0) throw new UsageError("at least one --qmp address is required");
      const memory = parseSize(opts.memory, "memory size");
      const running = await runMachine({
        memory,
        qmp: opts.qmp,
        ...(opts.name !== undefined ? { name: opts.name } : {}),
        ...(opts.uuid !== undefined ? { uuid: opts.uuid } : {}),
        ...(opts.machine !== undefined ? { machineType: opts.machine } : {}),
        ...(opts.hmp !== undefined ? { hmp: opts.hmp } : {}),
        ...(opts.incoming !== undefined ? { incoming: opts.incoming } : {}),
        ...(opts.guest !== undefined ? { guest: opts.guest } : {}),
        startPaused: opts.S === true,
        allowExec: opts.allowExec === true,
        ...(opts.memoryFile !== undefined ? { memoryFile: opts.memoryFile } : {}),
        ...(opts.snapshots !== undefined ? { snapshots: opts.snapshots } : {}),
      });
      for (const address of running.addresses) process.stderr.write(`savevm: listening on ${address}\n`);
      const onSignal = (signal: NodeJS.Signals): void => {
        process.stderr.write(`savevm: terminating on signal ${signal === "SIGTERM" ? 15 : 2}\n`);
        void running.shutdown("host-signal");
      };
      process.once("SIGTERM", onSignal);
      process.once("SIGINT", onSignal);
      await running.closed;
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      // Connections a client left open must not keep a quit machine's process alive.
      setTimeout(() => process.exit(process.exitCode ?? 0), 100).unref();
    });
}
