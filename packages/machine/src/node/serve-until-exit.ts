import type { RunningMachine } from "./run-machine.js";

/**
 * What a process that holds one machine does once it listens (`savevm run`, the machine process
 * behind `spawnMachine`): say where, shut down on SIGTERM/SIGINT as QEMU does, and exit when the
 * machine ends, with status 1 after a failed start-time load. `ready` runs after the addresses
 * are printed and the signals are caught.
 */
export async function serveUntilExit(running: RunningMachine, ready: () => Promise<void> = async () => undefined): Promise<void> {
  for (const address of running.addresses) process.stderr.write(`savevm: listening on ${address}\n`);
  const onSignal = (signal: NodeJS.Signals): void => {
    process.stderr.write(`savevm: terminating on signal ${signal === "SIGTERM" ? 15 : 2}\n`);
    void running.shutdown("host-signal");
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
  await ready();
  await running.closed;
  process.off("SIGTERM", onSignal);
  process.off("SIGINT", onSignal);
  if (running.failure) process.exitCode = 1;
  // Connections a client left open must not keep a quit machine's process alive.
  setTimeout(() => process.exit(process.exitCode ?? 0), 100).unref();
}
