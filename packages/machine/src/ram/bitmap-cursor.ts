import { RegionCursor } from "@savevm/ram-wasm";
import type { RamBlock } from "./ram-block.js";
import type { PageRun } from "./page-source.js";

/**
 * Walks the blocks' `toSend` bitmaps from where the last run ended, taking runs of consecutive
 * set pages (and clearing them). Wraps around once, so pages set behind the cursor are found too.
 * It is @savevm/ram-wasm's RegionCursor over the blocks, the walk a live snapshot's queue makes.
 */
export class BitmapCursor {
  readonly #cursor = new RegionCursor<RamBlock>((block) => block.toSend);

  reset(): void {
    this.#cursor.reset();
  }

  next(blocks: readonly RamBlock[], maxPages: number): PageRun | undefined {
    const run = this.#cursor.next(blocks, maxPages);
    return run && { block: run.region, first: run.first, count: run.count };
  }
}
