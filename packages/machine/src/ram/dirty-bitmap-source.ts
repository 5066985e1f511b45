import type { RamSet } from "./ram-block.js";
import type { PageRun, PageSource } from "./page-source.js";

/**
 * Pre-copy's page order: every page once, then whatever the guest dirtied since the previous
 * sync, scanning blocks in order from where the last run ended.
 */
export class DirtyBitmapSource implements PageSource {
  readonly #ram: RamSet;
  #remaining = 0;
  #blockIndex = 0;
  #page = 0;
  #syncCount = 0;

  constructor(ram: RamSet) {
    this.#ram = ram;
  }

  get syncCount(): number {
    return this.#syncCount;
  }

  start(): void {
    this.#ram.startDirtyLog();
    for (const b of this.#ram.blocks) b.toSend.setAll();
    this.#remaining = this.#ram.totalPages;
    this.#blockIndex = 0;
    this.#page = 0;
    this.#syncCount = 1;
  }

  remaining(): number {
    return this.#remaining;
  }

  sync(): number {
    let added = 0;
    for (const block of this.#ram.blocks) added += block.toSend.syncFrom(block.dirtyLog);
    this.#remaining += added;
    this.#syncCount++;
    return added;
  }

  nextRun(maxPages: number): PageRun | undefined {
    if (this.#remaining === 0) return undefined;
    const blocks = this.#ram.blocks;
    // Two sweeps at most: from the cursor to the end, then from the start (wrap-around).
    for (let visited = 0; visited <= blocks.length; visited++) {
      const block = blocks[this.#blockIndex];
      if (block && this.#page < block.pageCount) {
        const bitmap = block.toSend;
        const first = bitmap.findNextSet(this.#page);
        if (first >= 0) {
          let count = 0;
          while (count < maxPages && first + count < block.pageCount && bitmap.testAndClear(first + count)) count++;
          this.#page = first + count;
          this.#remaining -= count;
          return { block, first, count };
        }
      }
      this.#blockIndex = (this.#blockIndex + 1) % Math.max(1, blocks.length);
      this.#page = 0;
    }
    return undefined;
  }

  stop(): void {
    this.#ram.stopDirtyLog();
    for (const b of this.#ram.blocks) b.toSend.clearAll();
    this.#remaining = 0;
  }
}
