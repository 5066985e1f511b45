import { webCryptoHasher } from "../digest.js";
import { Machine, type MachineConfig } from "../machine.js";
import type { StreamCodec } from "../save/stream-codec.js";
import { PlainMemory } from "./plain-memory.js";
import { RecordLogCodec } from "./record-log-codec.js";
import { wasmMemory } from "../ram/wasm-memory.js";

/** A small machine on plain memory and the record-log codec. */
export function logMachine(config: Partial<MachineConfig> = {}, codec: StreamCodec = new RecordLogCodec()): Machine {
  const machine = new Machine(
    { memory: 1 << 20, startPaused: true, ...config },
    { codec, memory: (_name, size) => new PlainMemory(size), hasher: webCryptoHasher },
  );
  machine.start();
  return machine;
}

/** The same, with RAM in @savevm/ram-wasm memory. */
export function wasmLogMachine(config: Partial<MachineConfig> = {}, codec: StreamCodec = new RecordLogCodec()): Machine {
  const machine = new Machine(
    { memory: 1 << 20, startPaused: true, ...config },
    { codec, memory: wasmMemory, hasher: webCryptoHasher },
  );
  machine.start();
  return machine;
}
