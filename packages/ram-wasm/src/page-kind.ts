/** What the scanner found in a page. */
export const PageKind = {
  /** Every byte is 0. */
  Zero: 0,
  /** Every byte holds the same non-zero value; the value is reported. */
  Uniform: 1,
  /** Same content as an earlier page; the index of that original is reported. */
  Duplicate: 2,
  /** None of the above: the first page seen with this content. Its own index is reported. */
  Unique: 3,
} as const;
export type PageKind = (typeof PageKind)[keyof typeof PageKind];

/** Page counts of one scan. `pages` is the sum of the four kinds. */
export interface ScanCounts {
  pages: number;
  zero: number;
  uniform: number;
  duplicate: number;
  unique: number;
}

/** Per-page outcome of scanning pages [first, first + kinds.length). */
export interface ScanResult {
  first: number;
  counts: ScanCounts;
  /** {@link PageKind} per page. */
  kinds: Uint8Array;
  /** Per page: 0 for zero, the byte for uniform, the original's index for duplicate, its own index for unique. */
  values: Uint32Array;
}

export function emptyCounts(): ScanCounts {
  return { pages: 0, zero: 0, uniform: 0, duplicate: 0, unique: 0 };
}

export function addCounts(into: ScanCounts, more: ScanCounts): void {
  into.pages += more.pages;
  into.zero += more.zero;
  into.uniform += more.uniform;
  into.duplicate += more.duplicate;
  into.unique += more.unique;
}
