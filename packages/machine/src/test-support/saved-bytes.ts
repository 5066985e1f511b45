import { MemoryOutputChannel } from "../channel.js";
import type { Machine } from "../machine.js";

/** Runs `migrate` into memory and returns the stream; a migration that did not complete throws. */
export async function savedBytes(machine: Machine): Promise<Uint8Array> {
  const out = new MemoryOutputChannel();
  const migration = machine.migrate(out);
  await migration.done;
  if (migration.status !== "completed") throw new Error(`migration ${migration.status}: ${migration.error ?? ""}`);
  return out.bytes();
}
