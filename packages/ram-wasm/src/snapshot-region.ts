import type { GuestMemoryLike, PageBitmapLike, SnapshotRegion } from "./types.js";

/** A memory with its savevm bitmap, as a copy-before-write queue watches it. */
export function memoryRegion(memory: Pick<GuestMemoryLike, "page" | "uniformValue">, savevm: PageBitmapLike): SnapshotRegion {
  return { savevm, page: (index) => memory.page(index), uniformValue: (index) => memory.uniformValue(index) };
}
