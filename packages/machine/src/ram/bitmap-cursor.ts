import type { RamBlock } from "./ram-block.js";
import type { PageRun } from "./page-source.js";

/**
 * Walks the blocks' `toSend` bitmaps from where the last run ended, taking runs of consecutive
 * set pages (and clearing them). Wraps around once, so pages set behind the cursor are found too.
 */
export class BitmapCursor {
  #blockIndex = 0;
  #page = 0;

  reset(): void {
    this.#blockIndex = 0;
    this.#page = 0;
  }

  next(blocks: readonly RamBlock[], maxPages: number): PageRun | undefined {
    for (let visited = 0; visited <= blocks.length; visited++) {
      const block = blocks[this.#blockIndex];
      if (block && this.#page < block.pageCount) {
        const bitmap = block.toSend;
        const first = bitmap.findNextSet(this.#page);
        if (first >= 0) {
          let count = 0;
          while (count < maxPages && first + count < block.pageCount && bitmap.testAndClear(first + count)) count++;
          this.#page = first + count;
          return { block, first, count };
        }
      }
      this.#blockIndex = (this.#blockIndex + 1) % Math.max(1, blocks.length);
      this.#page = 0;
    }
    return undefined;
  }
}
