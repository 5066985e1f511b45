import type { ScanCounts, ScanResult } from "./page-kind.js";

/**
 * Guest RAM as a run of equal pages. Implemented by {@link GuestMemory} (wasm) and by the plain
 * TypeScript reference; tests drive both through this interface.
 */
export interface GuestMemoryLike {
  /** Guest bytes. */
  readonly size: number;
  readonly pageSize: number;
  readonly pages: number;
  /** View of one page. In wasm memory it stays valid until that memory grows (a new scanner or bitmap). */
  page(index: number): Uint8Array;
  /** View of up to `maxLength` contiguous bytes from `offset` (shorter where a memory chunk ends). */
  span(offset: number, maxLength: number): Uint8Array;
  /** Copy of `length` bytes from `offset`. */
  read(offset: number, length: number): Uint8Array;
  readInto(offset: number, target: Uint8Array): void;
  write(offset: number, data: Uint8Array): void;
  fill(offset: number, length: number, value: number): void;
  /** The byte every position of the page holds, or -1. */
  uniformValue(page: number): number;
  isZeroPage(page: number): boolean;
  /** Zero pages among [first, first + count); with `flags` (length ≥ count), 1 or 0 per page. */
  countZeroPages(first: number, count: number, flags?: Uint8Array): number;
  pagesEqual(a: number, b: number): boolean;
  /** XXH64 of `length` bytes from `offset` (defaults: the whole guest, seed 0). */
  digest(offset?: number, length?: number, seed?: bigint): bigint;
  /** XXH64 of one page. */
  pageDigest(page: number, seed?: bigint): bigint;
  createBitmap(): PageBitmapLike;
  createScanner(): PageScannerLike;
  createCopyBeforeWriteQueue(savevm: PageBitmapLike, capacity: number): CopyBeforeWriteQueueLike;
}

/** One bit per guest page. */
export interface PageBitmapLike {
  readonly pages: number;
  setAll(): void;
  clearAll(): void;
  set(page: number): void;
  clear(page: number): void;
  test(page: number): boolean;
  /** Clears the bit and says whether it was set. */
  testAndClear(page: number): boolean;
  /** First set page at or after `from`, or -1. */
  findNextSet(from: number): number;
  count(): number;
  /**
   * Moves every set bit of `source` into this bitmap and clears `source` (QEMU's dirty-log sync:
   * each word is swapped with zero and or-ed in). Returns the bits newly set here.
   */
  syncFrom(source: PageBitmapLike): number;
}

/**
 * Classifies pages and remembers what it saw, so a later range finds duplicates of earlier
 * ones. Results are exact as long as a page recorded as an original keeps its content while the
 * scanner remembers it; after guest writes to scanned pages, `reset()` (a duplicate is still only
 * ever reported after a full compare, so it is never false).
 */
export interface PageScannerLike {
  scan(first: number, count: number): ScanResult;
  /** Like scan, without the per-page arrays. */
  scanCounts(first: number, count: number): ScanCounts;
  /** Forgets every page seen. */
  reset(): void;
}

/** What the copy-before-write barrier tells the writer. */
export const WriteStatus = {
  /** The page was not pending: write. */
  Proceed: 0,
  /** The old content was queued and the page is no longer pending: write. */
  Copied: 1,
  /** The queue is full: do not write yet; retry after the snapshot writer took a page. */
  Wait: 2,
} as const;
export type WriteStatus = (typeof WriteStatus)[keyof typeof WriteStatus];

/** A page handed to the snapshot writer. `data` is a copy, valid until the next `next()` call. */
export interface PendingPage {
  page: number;
  data: Uint8Array;
  /** Whether it came from the queue (copied before a guest write) rather than the bitmap. */
  queued: boolean;
}

/**
 * Copy-before-write priority queue over a savevm bitmap (pages still to be written). Keeps a
 * live snapshot at one instant with a bounded amount of copied memory.
 */
export interface CopyBeforeWriteQueueLike {
  readonly capacity: number;
  /** Copies waiting in the queue. */
  readonly length: number;
  /** Most slots ever in use at once (queued copies plus the page handed out). */
  readonly highWater: number;
  /** Call before the guest writes `page`. */
  beforeWrite(page: number): WriteStatus;
  /** Like beforeWrite, but waits for room instead of returning Wait. */
  beforeWriteAsync(page: number): Promise<WriteStatus>;
  /** Queued copies first (oldest first), then the next pending page of the bitmap; null when done. */
  next(): PendingPage | null;
  /** Pages still to be handed out: queued copies plus pending bits. */
  remaining(): number;
  /** The byte every position of the page last handed out holds, or -1 (also when none is out). */
  uniformValue(): number;
}
