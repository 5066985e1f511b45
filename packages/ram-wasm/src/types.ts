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

/** A page handed to the snapshot writer by `next()`. */
export interface PendingPage {
  page: number;
  /**
   * A queued copy (valid until the next `next()`/`nextRun()`), or for a page scanned in place a
   * view of the guest page itself: write it out before the guest runs again.
   */
  data: Uint8Array;
  /** Whether it came from the queue (copied before a guest write) rather than the bitmap. */
  queued: boolean;
}

/**
 * One memory a copy-before-write queue watches: a `GuestMemory` (through
 * `createCopyBeforeWriteQueue`), or one RAM block of a machine among several.
 */
export interface SnapshotRegion {
  /**
   * The savevm bitmap: a bit is set while the page still has to be written and holds its content
   * of the snapshot's instant. The queue owns it while the snapshot runs: nothing else sets or
   * clears its bits then.
   */
  readonly savevm: PageBitmapLike;
  /** A view of one page as it is now. */
  page(index: number): Uint8Array;
  /** The byte every position of the page holds, or -1. */
  uniformValue(index: number): number;
}

/**
 * What the snapshot writer takes next from `nextRun()`: one queued copy (`data` set, `count` 1),
 * or a run of consecutive pending pages of one region to read in place (`data` undefined; they
 * were not copied, and their bits are clear, so write them before the guest runs again).
 */
export interface PendingRun<R extends SnapshotRegion = SnapshotRegion> {
  readonly region: R;
  readonly first: number;
  readonly count: number;
  readonly data: Uint8Array | undefined;
}

/**
 * Copy-before-write priority queue over the savevm bitmaps of one or more memories (pages still to
 * be written). Keeps a live snapshot at one instant with a bounded amount of copied memory: only
 * pages the guest is about to overwrite are copied; the others are read in place.
 */
export interface CopyBeforeWriteQueueLike<R extends SnapshotRegion = SnapshotRegion> {
  readonly capacity: number;
  /** The memories, in scan order. */
  readonly regions: readonly R[];
  /** Copies waiting in the queue. */
  readonly length: number;
  /** Slots neither queued nor handed out. */
  readonly free: number;
  /** Most slots ever in use at once (queued copies plus the copy handed out). */
  readonly highWater: number;
  /** Pages copied before a guest write so far. */
  readonly copied: number;
  /** The snapshot's instant: marks every page of every region pending. */
  arm(): void;
  /** Whether a guest write to `page` of `region` (default: the first) now would copy it first. */
  wouldCopy(page: number, region?: R): boolean;
  /** Call before the guest writes `page` of `region` (default: the first). */
  beforeWrite(page: number, region?: R): WriteStatus;
  /** Like beforeWrite, but waits for room instead of returning Wait. */
  beforeWriteAsync(page: number, region?: R): Promise<WriteStatus>;
  /** Queued copies first (oldest first), then the next pending page in scan order; null when done. */
  next(): PendingPage | null;
  /** Like next, for several regions and runs of up to `maxPages` pages read in place. */
  nextRun(maxPages: number): PendingRun<R> | null;
  /** Pages still to be handed out: queued copies plus pending bits. */
  remaining(): number;
  /** The byte every position of the page `next()` (or a one-page `nextRun()`) handed out last holds, or -1 (also when none is out). */
  uniformValue(): number;
  /** Ends the snapshot: drops every copy and pending bit; writers waiting for room proceed. */
  clear(): void;
}
