import { checkIndex } from "./errors.js";
import type { GuestMemory } from "./guest-memory.js";
import type { PageBitmap } from "./page-bitmap.js";
import { checkCapacity } from "./queue-capacity.js";
import { type CopyBeforeWriteQueueLike, type PendingPage, WriteStatus } from "./types.js";
import { createRamWasmContext, type RamWasmContext } from "./wasm/context.js";

interface Waiter {
  page: number;
  resolve: (status: WriteStatus) => void;
}

/**
 * The copy-before-write priority queue of a live snapshot. Its page slots live in a wasm memory
 * of its own, sized once for `capacity` pages and never grown. Every page handed to the writer
 * is a copy in a slot, so a guest write can never change bytes the writer still holds.
 */
export class CopyBeforeWriteQueue implements CopyBeforeWriteQueueLike {
  readonly capacity: number;
  readonly memory: GuestMemory;
  readonly savevm: PageBitmap;
  private readonly ctx: RamWasmContext;
  private readonly pageSize: number;
  private readonly free: number[] = [];
  /** FIFO ring of queued copies: page number and slot. */
  private readonly ringPages: Float64Array;
  private readonly ringSlots: Int32Array;
  private head = 0;
  private queued = 0;
  private handedOut = -1;
  private used = 0;
  private peak = 0;
  private cursor = 0;
  private readonly waiters: Waiter[] = [];

  constructor(memory: GuestMemory, savevm: PageBitmap, capacity: number) {
    checkCapacity(capacity, memory.pageSize);
    this.memory = memory;
    this.savevm = savevm;
    this.capacity = capacity;
    this.pageSize = memory.pageSize;
    const bytes = capacity * memory.pageSize;
    const wasmPages = Math.ceil(bytes / 0x10000);
    this.ctx = createRamWasmContext({
      memory: new WebAssembly.Memory({ initial: wasmPages, maximum: wasmPages }),
      simd: memory.variant === "simd",
    });
    for (let slot = capacity - 1; slot >= 0; slot--) this.free.push(slot);
    this.ringPages = new Float64Array(capacity);
    this.ringSlots = new Int32Array(capacity);
  }

  get length(): number {
    return this.queued;
  }

  get highWater(): number {
    return this.peak;
  }

  /** Bytes of the queue's own memory: fixed at creation. */
  get memoryBytes(): number {
    return this.ctx.memory.buffer.byteLength;
  }

  /** Async writers waiting for a slot. */
  get waiting(): number {
    return this.waiters.length;
  }

  private slotView(slot: number): Uint8Array {
    return new Uint8Array(this.ctx.memory.buffer, slot * this.pageSize, this.pageSize);
  }

  /** Copies guest page `page` into a free slot (there must be one) and counts the slot used. */
  private capture(page: number): number {
    const slot = this.free.pop() as number;
    this.slotView(slot).set(this.memory.page(page));
    this.used++;
    if (this.used > this.peak) this.peak = this.used;
    return slot;
  }

  beforeWrite(page: number): WriteStatus {
    checkIndex(page, this.memory.pages, "page");
    if (!this.savevm.test(page)) return WriteStatus.Proceed;
    if (this.free.length === 0) return WriteStatus.Wait;
    const slot = this.capture(page);
    this.savevm.clear(page);
    const tail = (this.head + this.queued) % this.capacity;
    this.ringPages[tail] = page;
    this.ringSlots[tail] = slot;
    this.queued++;
    return WriteStatus.Copied;
  }

  beforeWriteAsync(page: number): Promise<WriteStatus> {
    const status = this.beforeWrite(page);
    if (status !== WriteStatus.Wait) return Promise.resolve(status);
    return new Promise((resolve) => this.waiters.push({ page, resolve }));
  }

  /** Gives freed slots to writers blocked in beforeWriteAsync, oldest first. */
  private serveWaiters(): void {
    while (this.waiters.length > 0 && this.free.length > 0) {
      const waiter = this.waiters.shift() as Waiter;
      waiter.resolve(this.beforeWrite(waiter.page));
    }
  }

  next(): PendingPage | null {
    if (this.handedOut >= 0) {
      this.free.push(this.handedOut);
      this.handedOut = -1;
      this.used--;
    }
    this.serveWaiters();
    if (this.queued > 0) {
      const page = this.ringPages[this.head] as number;
      const slot = this.ringSlots[this.head] as number;
      this.head = (this.head + 1) % this.capacity;
      this.queued--;
      this.handedOut = slot;
      return { page, data: this.slotView(slot), queued: true };
    }
    let page = this.savevm.findNextSet(this.cursor);
    if (page < 0 && this.cursor > 0) page = this.savevm.findNextSet(0);
    if (page < 0) return null;
    this.savevm.clear(page);
    this.cursor = page + 1 < this.memory.pages ? page + 1 : 0;
    this.handedOut = this.capture(page);
    return { page, data: this.slotView(this.handedOut), queued: false };
  }

  remaining(): number {
    return this.queued + this.savevm.count();
  }

  uniformValue(): number {
    if (this.handedOut < 0) return -1;
    return this.ctx.fn.uniformByte(this.handedOut * this.pageSize, this.pageSize);
  }
}
