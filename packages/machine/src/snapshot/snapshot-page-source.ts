import { MachineError } from "../errors.js";
import { BitmapCursor } from "../ram/bitmap-cursor.js";
import type { PageRun, PageSource } from "../ram/page-source.js";
import type { RamBlock, RamSet } from "../ram/ram-block.js";
import { defer } from "../save/event-loop.js";
import type { CopyBeforeWriteQueue } from "./copy-before-write-queue.js";

/** How the guest fared during a live snapshot. */
export interface GuestStallStats {
  /** Times a guest step had to wait for room in the queue. */
  stalls: number;
  /** Milliseconds the guest spent waiting. */
  stalledMs: number;
}

/**
 * The page order of a live point-in-time snapshot (QEMU's background-snapshot, without
 * userfaultfd). At T0 `arm` marks every page in the blocks' `toSend` bitmaps (the savevm
 * bitmap) and puts a copy-before-write hook on the RAM write barrier: a guest write to a page
 * still marked first copies the page into the bounded queue and unmarks it. The writer takes
 * queued copies first, then runs of marked pages from a forward scan, so every page is written
 * exactly once, with the content it had at T0.
 */
export class SnapshotPageSource implements PageSource {
  readonly queue: CopyBeforeWriteQueue;
  readonly stall: GuestStallStats = { stalls: 0, stalledMs: 0 };
  readonly #ram: RamSet;
  readonly #cursor = new BitmapCursor();
  #pending = 0;
  #armed = false;
  #unhook: (() => void) | undefined;
  #failure: MachineError | undefined;
  readonly #progress = new Set<() => void>();

  constructor(ram: RamSet, queue: CopyBeforeWriteQueue) {
    this.#ram = ram;
    this.queue = queue;
  }

  /** No dirty-bitmap sync ever happens (QEMU emits no MIGRATION_PASS for a background snapshot). */
  get syncCount(): number {
    return 0;
  }

  /** Whether the barrier is on (between `arm` and `stop`). */
  get armed(): boolean {
    return this.#armed;
  }

  /** Before T0: allocates the bitmaps now, so that arming is only setting bits. */
  start(): void {
    for (const b of this.#ram.blocks) {
      b.toSend.clearAll();
      b.dirtyLog.clearAll();
    }
    this.#cursor.reset();
  }

  /** T0 (the guest is paused): every page pending, guest writes copied before they land. */
  arm(): void {
    this.#pending = 0;
    for (const b of this.#ram.blocks) {
      b.toSend.setAll();
      this.#pending += b.pageCount;
    }
    // The dirty log tells which written pages the guest changed since (dedup must not point at them).
    this.#ram.startDirtyLog();
    this.#unhook = this.#ram.addWriteHook(this.#barrier);
    this.#armed = true;
  }

  readonly #barrier = (block: RamBlock, page: number): void => {
    if (!block.toSend.test(page)) return;
    if (!this.queue.capture(block, page)) {
      // Steps are admitted only with room for their pages; a write that still finds the queue
      // full came from elsewhere and cannot wait. Its T0 content is lost, so the snapshot fails.
      this.#failure ??= new MachineError(
        "MIGRATION_FAILED",
        `A guest write to page ${page} of ${block.name} found the copy-before-write queue full (${this.queue.capacity} pages) and could not wait`,
      );
      return;
    }
    block.toSend.clear(page);
    this.#pending--;
  };

  /** Whether a guest write to `page` now would be copied into the queue. */
  wouldCopy(block: RamBlock, page: number): boolean {
    return this.#armed && block.toSend.test(page);
  }

  nextRun(maxPages: number): PageRun | undefined {
    this.queue.release();
    this.#notify();
    if (this.#failure) throw this.#failure;
    const queued = this.queue.take();
    if (queued) return { block: queued.block, first: queued.page, count: 1, data: queued.data };
    if (this.#pending === 0) return undefined;
    const run = this.#cursor.next(this.#ram.blocks, maxPages);
    if (run) this.#pending -= run.count;
    return run;
  }

  remaining(): number {
    return this.#pending + this.queue.length;
  }

  /** A snapshot never re-sends a page: nothing to fold in. */
  sync(): number {
    return 0;
  }

  stop(): void {
    this.#unhook?.();
    this.#unhook = undefined;
    this.#armed = false;
    this.#ram.stopDirtyLog();
    for (const b of this.#ram.blocks) b.toSend.clearAll();
    this.#pending = 0;
    this.queue.clear();
    this.#notify();
  }

  /**
   * Resolves (from the event loop, never inside the writer) once the writer made progress or the
   * snapshot ended: a waiting guest then checks again whether its step fits.
   */
  progress(): Promise<void> {
    return new Promise((resolve) => {
      const listener = (): void => {
        this.#progress.delete(listener);
        defer(resolve);
      };
      this.#progress.add(listener);
    });
  }

  #notify(): void {
    for (const listener of [...this.#progress]) listener();
  }
}
