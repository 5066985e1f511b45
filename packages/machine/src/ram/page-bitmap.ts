/** One bit per page of a `PageMemory` (the subset of @savevm/ram-wasm's bitmap the machine uses). */
export interface PageBitmap {
  readonly pages: number;
  setAll(): void;
  clearAll(): void;
  set(page: number): void;
  clear(page: number): void;
  test(page: number): boolean;
  testAndClear(page: number): boolean;
  /** First set page at or after `from`, or -1. */
  findNextSet(from: number): number;
  count(): number;
  /** Moves every set bit of `source` (same memory) here and clears `source`; returns bits newly set. */
  syncFrom(source: PageBitmap): number;
}
