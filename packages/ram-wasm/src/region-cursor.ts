import type { PageBitmapLike } from "./types.js";

/** A run of consecutive set pages of one region, taken (cleared) from its bitmap. */
export interface RegionRun<R> {
  readonly region: R;
  readonly first: number;
  readonly count: number;
}

/**
 * Walks the bitmaps of several regions (memories, RAM blocks) in order from where the last run
 * ended, taking runs of consecutive set pages and clearing them. It wraps around once, so bits
 * set behind the cursor are found too.
 */
export class RegionCursor<R> {
  readonly #bitmapOf: (region: R) => PageBitmapLike;
  #index = 0;
  #page = 0;

  /** `bitmapOf` picks the bitmap to walk; default: the region's `savevm` bitmap. */
  constructor(bitmapOf?: (region: R) => PageBitmapLike) {
    this.#bitmapOf = bitmapOf ?? ((region) => (region as { savevm: PageBitmapLike }).savevm);
  }

  /** Back to the first page of the first region. */
  reset(): void {
    this.#index = 0;
    this.#page = 0;
  }

  /** The next run of up to `maxPages` set pages (now cleared), or undefined when every bitmap is clear. */
  next(regions: readonly R[], maxPages: number): RegionRun<R> | undefined {
    for (let visited = 0; visited <= regions.length; visited++) {
      const region = regions[this.#index];
      if (region !== undefined) {
        const bitmap = this.#bitmapOf(region);
        if (this.#page < bitmap.pages) {
          const first = bitmap.findNextSet(this.#page);
          if (first >= 0) {
            let count = 0;
            while (count < maxPages && first + count < bitmap.pages && bitmap.testAndClear(first + count)) count++;
            this.#page = first + count;
            return { region, first, count };
          }
        }
      }
      this.#index = (this.#index + 1) % Math.max(1, regions.length);
      this.#page = 0;
    }
    return undefined;
  }
}
