import { GuestMemory } from "@savevm/ram-wasm";
import type { PageMemory, PageMemoryFactory } from "./page-memory.js";

/** RAM blocks in @savevm/ram-wasm guest memory (WebAssembly linear memory, SIMD scanning). */
export const wasmMemory: PageMemoryFactory = (_name: string, size: number): PageMemory => GuestMemory.create({ bytes: size });
