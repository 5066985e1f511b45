import { BitmapCursor } from "./bitmap-cursor.js";
import type { RamBlock, RamSet } from "./ram-block.js";
import type { PageRun, PageSource } from "./page-source.js";

/**
 * Pre-copy's page order: every page once, then whatever the guest dirtied since the previous
 * sync, scanning blocks in order from where the last run ended. `include` leaves blocks out (a
 * checkpoint for a restart skips the blocks kept in a memory file).
 */
export class DirtyBitmapSource implements PageSource {
  readonly #ram: RamSet;
  readonly #include: (block: RamBlock) => boolean;
  readonly #cursor = new BitmapCursor();
  #remaining = 0;
  #syncCount = 0;

  constructor(ram: RamSet, include: (block: RamBlock) => boolean = () => true) {
    this.#ram = ram;
    this.#include = include;
  }

  get syncCount(): number {
    return this.#syncCount;
  }

  start(): void {
    this.#ram.startDirtyLog();
    this.#remaining = 0;
    for (const b of this.#ram.blocks) {
      if (this.#include(b)) {
        b.toSend.setAll();
        this.#remaining += b.pageCount;
      } else {
        b.toSend.clearAll();
      }
    }
    this.#cursor.reset();
    this.#syncCount = 1;
  }

  remaining(): number {
    return this.#remaining;
  }

  sync(): number {
    let added = 0;
    for (const block of this.#ram.blocks) {
      if (this.#include(block)) added += block.toSend.syncFrom(block.dirtyLog);
      else block.dirtyLog.clearAll();
    }
    this.#remaining += added;
    this.#syncCount++;
    return added;
  }

  nextRun(maxPages: number): PageRun | undefined {
    if (this.#remaining === 0) return undefined;
    const run = this.#cursor.next(this.#ram.blocks, maxPages);
    if (run) this.#remaining -= run.count;
    return run;
  }

  stop(): void {
    this.#ram.stopDirtyLog();
    for (const b of this.#ram.blocks) b.toSend.clearAll();
    this.#remaining = 0;
  }
}
