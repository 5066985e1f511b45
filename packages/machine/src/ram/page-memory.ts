import type { PageScannerLike } from "@savevm/ram-wasm";
import type { PageBitmap } from "./page-bitmap.js";

/**
 * Storage behind one RAM block: @savevm/ram-wasm's `GuestMemory` by default (guest RAM in
 * WebAssembly memory, scanned in place). Any implementation of this subset of its interface
 * works. Views it hands out may be invalidated when it allocates (a new bitmap), so they are
 * taken fresh for each use and never kept.
 */
export interface PageMemory {
  readonly size: number;
  readonly pageSize: number;
  readonly pages: number;
  page(index: number): Uint8Array;
  /** Up to `maxLength` contiguous bytes from `offset` (shorter where a memory chunk ends). */
  span(offset: number, maxLength: number): Uint8Array;
  write(offset: number, data: Uint8Array): void;
  fill(offset: number, length: number, value: number): void;
  /** Zero pages among [first, first + count); with `flags`, 1 or 0 per page. */
  countZeroPages(first: number, count: number, flags?: Uint8Array): number;
  createBitmap(): PageBitmap;
  /** The byte every position of the page holds, or -1. */
  uniformValue(page: number): number;
  /**
   * A zero / uniform / duplicate classifier over this memory (@savevm/ram-wasm's PageScanner).
   * Optional: without it, saves with the `x-dedup` capability write duplicates as full pages.
   */
  createScanner?(): PageScannerLike;
}

export interface PageMemoryOptions {
  /**
   * Memory other threads can write (a staging helper's): a factory that cannot share returns
   * ordinary memory, and the load then runs on one thread.
   */
  shared?: boolean;
}

export type PageMemoryFactory = (name: string, size: number, options?: PageMemoryOptions) => PageMemory;
