export { GuestMemory, DEFAULT_CHUNK_BYTES, MAX_CHUNK_BYTES, type GuestMemoryOptions } from "./guest-memory.js";
export { PageBitmap } from "./page-bitmap.js";
export { PageScanner } from "./page-scanner.js";
export { CopyBeforeWriteQueue, type CopyBeforeWriteQueueOptions } from "./copy-before-write-queue.js";
export { RegionCursor, type RegionRun } from "./region-cursor.js";
export { memoryRegion } from "./snapshot-region.js";
export { PageKind, addCounts, emptyCounts, type ScanCounts, type ScanResult } from "./page-kind.js";
export {
  WriteStatus,
  type CopyBeforeWriteQueueLike,
  type GuestMemoryLike,
  type PageBitmapLike,
  type PageScannerLike,
  type PendingPage,
  type PendingRun,
  type SnapshotRegion,
} from "./types.js";
export { RamWasmError, type RamWasmErrorCode } from "./errors.js";
export { DEFAULT_PAGE_SIZE, MIN_PAGE_SIZE, MAX_PAGE_SIZE } from "./page-size.js";
export { MAX_QUEUE_BYTES } from "./queue-capacity.js";
export {
  compileRamWasm,
  createRamWasmContext,
  simdSupported,
  type RamWasmContext,
  type RamWasmContextOptions,
  type RamWasmFunctions,
  type RamWasmVariant,
  type ScannerLayout,
} from "./wasm/context.js";
export { createScannerState, tableSlots, type Allocate, type ScannerStateOptions } from "./wasm/scanner-state.js";
export type { MemoryChunk } from "./wasm/memory-chunk.js";
export type { WasmMemory, WasmMemoryLike } from "./wasm/wasm-memory.js";
export {
  planParallelScan,
  scanPart,
  newPageCount,
  mergeSlice,
  fixupSlice,
  partCounts,
  partResults,
  type ScanPart,
} from "./wasm/parallel-scan.js";
