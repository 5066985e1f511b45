import type { RamBlock } from "./ram-block.js";

/**
 * A run of consecutive pages of one block that a save should write now. With `data`, the pages'
 * content is that copy (`count` pages), not what the block holds now.
 */
export interface PageRun {
  readonly block: RamBlock;
  readonly first: number;
  readonly count: number;
  readonly data?: Uint8Array;
  /**
   * With a one-page `data`: the byte every position of the copy holds, or -1 (the queue that
   * made the copy knows it). Without it the copy is written as a PAGE record whatever it holds.
   */
  readonly fill?: number;
}

/**
 * Decides which pages the RAM handler writes next. Pre-copy uses the dirty bitmap
 * (`DirtyBitmapSource`); a point-in-time snapshot can plug in its own order (queued copies
 * first, then a scan) without the handler changing.
 */
export interface PageSource {
  /** Begins the first pass. */
  start(): void;
  /** Takes up to `maxPages` pages out of the set still to send, or undefined when it is empty. */
  nextRun(maxPages: number): PageRun | undefined;
  /** Pages still to send in the current pass. */
  remaining(): number;
  /** Folds guest writes since the last sync into the set to send; returns the pages added. */
  sync(): number;
  /** Number of syncs so far (QEMU's dirty-sync-count). */
  readonly syncCount: number;
  stop(): void;
}
