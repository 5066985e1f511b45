import { webCryptoHasher } from "./digest.js";
import { Machine, type MachineBackends, type MachineConfig } from "./machine.js";
import { wasmMemory } from "./ram/wasm-memory.js";
import { FormatStreamCodec } from "./save/format-codec.js";

/** RAM in @savevm/ram-wasm memory, streams by @savevm/format, SHA-256 by Web Crypto. */
export function defaultBackends(): MachineBackends {
  return { codec: new FormatStreamCodec(), memory: wasmMemory, hasher: webCryptoHasher };
}

/**
 * Creates a machine with the default backends (any of them can be replaced) and puts it in its
 * initial run state: running, or prelaunch with `startPaused`, or inmigrate with `incoming`.
 */
export function createMachine(config: MachineConfig, backends: Partial<MachineBackends> = {}): Machine {
  const machine = new Machine(config, { ...defaultBackends(), ...backends });
  machine.start();
  return machine;
}
