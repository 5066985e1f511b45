import { CopyBeforeWriteQueue, MAX_QUEUE_BYTES, type SnapshotRegion, WriteStatus } from "@savevm/ram-wasm";
import { MachineError } from "../errors.js";
import type { PageBitmap } from "../ram/page-bitmap.js";
import type { PageRun, PageSource } from "../ram/page-source.js";
import { TARGET_PAGE_SIZE, type RamBlock, type RamSet } from "../ram/ram-block.js";
import { defer } from "../save/event-loop.js";

/** How the guest fared during a live snapshot. */
export interface GuestStallStats {
  /** Times a guest step had to wait for room in the queue. */
  stalls: number;
  /** Milliseconds the guest spent waiting. */
  stalledMs: number;
}

/** A RAM block as the copy-before-write queue watches it: its `toSend` bitmap is the savevm bitmap. */
export class BlockRegion implements SnapshotRegion {
  constructor(readonly block: RamBlock) {}

  get savevm(): PageBitmap {
    return this.block.toSend;
  }

  page(index: number): Uint8Array {
    return this.block.page(index);
  }

  uniformValue(index: number): number {
    return this.block.uniformValue(index);
  }
}

/**
 * The page order of a live point-in-time snapshot (QEMU's background-snapshot, without
 * userfaultfd), on @savevm/ram-wasm's copy-before-write queue over every RAM block. At T0 `arm`
 * marks every page pending and puts a hook on the RAM write barrier: a guest write to a page
 * still pending first copies the page into the bounded queue. The writer takes queued copies
 * first, then runs of pending pages read in place, so every page is written exactly once, with
 * the content it had at T0. What is machine-specific lives here: the barrier hook, the dirty log
 * that dedup consults, and the progress the waiting guest listens for.
 */
export class SnapshotPageSource implements PageSource {
  readonly queue: CopyBeforeWriteQueue<BlockRegion>;
  readonly stall: GuestStallStats = { stalls: 0, stalledMs: 0 };
  readonly #ram: RamSet;
  readonly #regions = new Map<RamBlock, BlockRegion>();
  #armed = false;
  #unhook: (() => void) | undefined;
  #failure: MachineError | undefined;
  readonly #progress = new Set<() => void>();

  /** A snapshot of `ram`'s blocks with a queue of `capacity` pages. */
  constructor(ram: RamSet, capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity * TARGET_PAGE_SIZE > MAX_QUEUE_BYTES) {
      throw new MachineError(
        "INVALID_CONFIG",
        `copy-before-write queue of ${capacity} pages: expected 1 to ${MAX_QUEUE_BYTES / TARGET_PAGE_SIZE}`,
      );
    }
    this.#ram = ram;
    for (const block of ram.blocks) this.#regions.set(block, new BlockRegion(block));
    this.queue = new CopyBeforeWriteQueue([...this.#regions.values()], capacity, { pageSize: TARGET_PAGE_SIZE });
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
    this.queue.clear();
    for (const b of this.#ram.blocks) b.dirtyLog.clearAll();
  }

  /** T0 (the guest is paused): every page pending, guest writes copied before they land. */
  arm(): void {
    this.queue.arm();
    // The dirty log tells which written pages the guest changed since (dedup must not point at them).
    this.#ram.startDirtyLog();
    this.#unhook = this.#ram.addWriteHook(this.#barrier);
    this.#armed = true;
  }

  readonly #barrier = (block: RamBlock, page: number): void => {
    const region = this.#regions.get(block);
    if (region === undefined || this.queue.beforeWrite(page, region) !== WriteStatus.Wait) return;
    // Steps are admitted only with room for their pages; a write that still finds the queue
    // full came from elsewhere and cannot wait. Its T0 content is lost, so the snapshot fails.
    this.#failure ??= new MachineError(
      "MIGRATION_FAILED",
      `A guest write to page ${page} of ${block.name} found the copy-before-write queue full (${this.queue.capacity} pages) and could not wait`,
    );
  };

  /** Whether a guest write to `page` now would be copied into the queue. */
  wouldCopy(block: RamBlock, page: number): boolean {
    const region = this.#regions.get(block);
    return this.#armed && region !== undefined && this.queue.wouldCopy(page, region);
  }

  nextRun(maxPages: number): PageRun | undefined {
    if (this.#failure) throw this.#failure;
    const run = this.queue.nextRun(maxPages);
    // The slot of the copy handed out before is free again: a waiting guest may fit now.
    this.#notify();
    if (!run) return undefined;
    const { block } = run.region;
    if (run.data) return { block, first: run.first, count: 1, data: run.data, fill: this.queue.uniformValue() };
    return { block, first: run.first, count: run.count };
  }

  remaining(): number {
    return this.queue.remaining();
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
