import { GuestMemory } from "../guest-memory.js";
import { ReferenceGuestMemory } from "../reference/guest-memory.js";
import type { GuestMemoryLike } from "../types.js";

export interface MemoryShape {
  bytes: number;
  pageSize?: number;
  /** Only the wasm memories use it: small chunks put multi-memory paths under test. */
  chunkBytes?: number;
}

export interface Implementation {
  name: string;
  create(shape: MemoryShape): GuestMemoryLike;
}

/** The three implementations every differential test runs side by side. */
export const implementations: readonly Implementation[] = [
  { name: "wasm-simd", create: (shape) => GuestMemory.create({ ...shape, simd: true }) },
  { name: "wasm-scalar", create: (shape) => GuestMemory.create({ ...shape, simd: false }) },
  { name: "reference", create: (shape) => new ReferenceGuestMemory(shape) },
];

/** Runs `f` on each implementation and returns the results in implementation order. */
export function onEach<T>(memories: readonly GuestMemoryLike[], f: (memory: GuestMemoryLike, i: number) => T): T[] {
  return memories.map(f);
}
