/**
 * The program `spawnMachine` starts: one machine per process, like one QEMU per domain. It
 * reads its options from argv[2], says "ready" (or why not) over the IPC channel, then serves
 * until `quit` or SIGTERM. Exit status 1 when the machine could not start or its start-time
 * incoming load failed, as QEMU's.
 */
import type { MachineProcessMessage, MachineProcessOptions } from "./machine-process-protocol.js";
import { runMachine } from "./run-machine.js";
import { serveUntilExit } from "./serve-until-exit.js";

function send(message: MachineProcessMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? "{}") as MachineProcessOptions;
  let running;
  try {
    running = await runMachine(options);
  } catch (err) {
    const e = err as Error & { code?: unknown };
    await send({ type: "error", message: e.message ?? String(err), name: e.name, ...(typeof e.code === "string" ? { code: e.code } : {}) });
    process.exit(1);
  }
  // The parent going away (a detached start) must not end the machine.
  process.on("disconnect", () => undefined);
  await serveUntilExit(running, async () => {
    await send({
      type: "ready",
      pid: process.pid,
      addresses: running.addresses,
      ...(running.registration ? { record: running.registration.record } : {}),
    });
    if (process.connected) process.channel?.unref();
  });
}

void main();
