import { checkIndex, RamWasmError } from "./errors.js";
import { DEFAULT_PAGE_SIZE, pageShiftOf } from "./page-size.js";
import { checkCapacity } from "./queue-capacity.js";
import { RegionCursor } from "./region-cursor.js";
import { type CopyBeforeWriteQueueLike, type PendingPage, type PendingRun, type SnapshotRegion, WriteStatus } from "./types.js";
import { createRamWasmContext, type RamWasmContext } from "./wasm/context.js";

export interface CopyBeforeWriteQueueOptions {
  /** Page size of every region; default 4096. */
  pageSize?: number;
  /** true forces the SIMD build, false the scalar one; default: SIMD where the engine has it. */
  simd?: boolean;
}

interface Waiter<R> {
  region: R;
  page: number;
  resolve: (status: WriteStatus) => void;
}

/**
 * The copy-before-write priority queue of a live snapshot, over one or more memories (regions).
 * Before the guest overwrites a page the snapshot has not written yet, the page's content is
 * copied into a slot and its savevm bit cleared; the writer takes these copies first, oldest
 * first, then runs of the pages still pending, which it reads in place (they are never copied).
 *
 * The slots live in a wasm memory of the queue's own, sized once for `capacity` pages and never
 * grown: when all are in use the guest write has to wait. A copy handed to the writer holds its
 * slot until the writer asks for the next page, so the guest can never change bytes the writer
 * still holds.
 */
export class CopyBeforeWriteQueue<R extends SnapshotRegion = SnapshotRegion> implements CopyBeforeWriteQueueLike<R> {
  readonly capacity: number;
  readonly pageSize: number;
  readonly regions: readonly R[];
  readonly #ctx: RamWasmContext;
  readonly #slots: Uint8Array;
  readonly #free: number[] = [];
  /** FIFO ring of queued copies: region, page and slot. */
  readonly #ringRegions: (R | undefined)[];
  readonly #ringPages: Float64Array;
  readonly #ringSlots: Int32Array;
  #head = 0;
  #queued = 0;
  /** Slot of the copy last handed out, or -1. */
  #handedOut = -1;
  /** The page handed out in place last, for uniformValue(). */
  #inPlace: { region: R; page: number } | undefined;
  #peak = 0;
  #copied = 0;
  /** Pending bits over all regions: kept here, so remaining() needs no count of the bitmaps. */
  #pending = 0;
  readonly #cursor = new RegionCursor<R>();
  readonly #waiters: Waiter<R>[] = [];

  /** Regions' pending bits are taken as they are now; `arm()` marks every page pending. */
  constructor(regions: readonly R[], capacity: number, options: CopyBeforeWriteQueueOptions = {}) {
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    pageShiftOf(this.pageSize);
    checkCapacity(capacity, this.pageSize);
    if (regions.length === 0) throw new RamWasmError("BAD_SIZE", "a copy-before-write queue needs at least one region");
    this.regions = [...regions];
    this.capacity = capacity;
    const wasmPages = Math.ceil((capacity * this.pageSize) / 0x10000);
    this.#ctx = createRamWasmContext({ memory: new WebAssembly.Memory({ initial: wasmPages, maximum: wasmPages }), simd: options.simd });
    // The memory never grows, so one view serves for its whole life.
    this.#slots = new Uint8Array(this.#ctx.memory.buffer);
    for (let slot = capacity - 1; slot >= 0; slot--) this.#free.push(slot);
    this.#ringRegions = new Array<R | undefined>(capacity);
    this.#ringPages = new Float64Array(capacity);
    this.#ringSlots = new Int32Array(capacity);
    for (const region of this.regions) this.#pending += region.savevm.count();
  }

  get length(): number {
    return this.#queued;
  }

  get free(): number {
    return this.#free.length;
  }

  get highWater(): number {
    return this.#peak;
  }

  get copied(): number {
    return this.#copied;
  }

  /** Bytes of the queue's own memory: fixed at creation. */
  get memoryBytes(): number {
    return this.#slots.byteLength;
  }

  /** Async writers waiting for a slot. */
  get waiting(): number {
    return this.#waiters.length;
  }

  arm(): void {
    this.#dropCopies();
    this.#pending = 0;
    for (const region of this.regions) {
      region.savevm.setAll();
      this.#pending += region.savevm.pages;
    }
    this.#cursor.reset();
  }

  wouldCopy(page: number, region: R = this.regions[0] as R): boolean {
    return region.savevm.test(page);
  }

  beforeWrite(page: number, region: R = this.regions[0] as R): WriteStatus {
    const savevm = region.savevm;
    checkIndex(page, savevm.pages, "page");
    if (!savevm.test(page)) return WriteStatus.Proceed;
    const slot = this.#free.pop();
    if (slot === undefined) return WriteStatus.Wait;
    this.#slots.set(region.page(page), slot * this.pageSize);
    savevm.clear(page);
    this.#pending--;
    const tail = (this.#head + this.#queued) % this.capacity;
    this.#ringRegions[tail] = region;
    this.#ringPages[tail] = page;
    this.#ringSlots[tail] = slot;
    this.#queued++;
    this.#copied++;
    const used = this.capacity - this.#free.length;
    if (used > this.#peak) this.#peak = used;
    return WriteStatus.Copied;
  }

  beforeWriteAsync(page: number, region: R = this.regions[0] as R): Promise<WriteStatus> {
    const status = this.beforeWrite(page, region);
    if (status !== WriteStatus.Wait) return Promise.resolve(status);
    return new Promise((resolve) => this.#waiters.push({ region, page, resolve }));
  }

  next(): PendingPage | null {
    const run = this.nextRun(1);
    if (!run) return null;
    return { page: run.first, data: run.data ?? run.region.page(run.first), queued: run.data !== undefined };
  }

  nextRun(maxPages: number): PendingRun<R> | null {
    this.#release();
    this.#inPlace = undefined;
    if (this.#queued > 0) {
      const at = this.#head;
      const region = this.#ringRegions[at] as R;
      this.#ringRegions[at] = undefined;
      this.#head = (at + 1) % this.capacity;
      this.#queued--;
      const slot = this.#ringSlots[at] as number;
      this.#handedOut = slot;
      return {
        region,
        first: this.#ringPages[at] as number,
        count: 1,
        data: this.#slots.subarray(slot * this.pageSize, (slot + 1) * this.pageSize),
      };
    }
    if (this.#pending === 0) return null;
    const run = this.#cursor.next(this.regions, maxPages);
    if (!run) return null;
    this.#pending -= run.count;
    if (run.count === 1) this.#inPlace = { region: run.region, page: run.first };
    return { region: run.region, first: run.first, count: run.count, data: undefined };
  }

  remaining(): number {
    return this.#queued + this.#pending;
  }

  uniformValue(): number {
    if (this.#handedOut >= 0) return this.#ctx.fn.uniformByte(this.#handedOut * this.pageSize, this.pageSize);
    return this.#inPlace ? this.#inPlace.region.uniformValue(this.#inPlace.page) : -1;
  }

  clear(): void {
    this.#dropCopies();
    for (const region of this.regions) region.savevm.clearAll();
    this.#pending = 0;
    this.#cursor.reset();
    this.#serveWaiters();
  }

  /** Frees the slot of the copy handed out last, and gives freed slots to waiting writers. */
  #release(): void {
    if (this.#handedOut >= 0) {
      this.#free.push(this.#handedOut);
      this.#handedOut = -1;
    }
    this.#serveWaiters();
  }

  #dropCopies(): void {
    this.#inPlace = undefined;
    if (this.#handedOut >= 0) this.#free.push(this.#handedOut);
    this.#handedOut = -1;
    while (this.#queued > 0) {
      this.#free.push(this.#ringSlots[this.#head] as number);
      this.#ringRegions[this.#head] = undefined;
      this.#head = (this.#head + 1) % this.capacity;
      this.#queued--;
    }
  }

  /** Writers blocked in beforeWriteAsync retry, oldest first, while there is room. */
  #serveWaiters(): void {
    while (this.#waiters.length > 0 && this.#free.length > 0) {
      const waiter = this.#waiters.shift() as Waiter<R>;
      waiter.resolve(this.beforeWrite(waiter.page, waiter.region));
    }
  }
}
