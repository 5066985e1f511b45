import { MachineError } from "../errors.js";
import { TARGET_PAGE_SIZE, type RamBlock } from "../ram/ram-block.js";

/** Most pages a queue may hold (1 GiB of copies): anything above is a configuration mistake. */
export const MAX_QUEUE_PAGES = 1 << 18;

/** A copy handed to the snapshot writer: valid until the next `take()` or `release()`. */
export interface QueuedPage {
  readonly block: RamBlock;
  readonly page: number;
  readonly data: Uint8Array;
}

/**
 * The bounded priority queue of a live snapshot: before the guest overwrites a page the snapshot
 * has not written yet, the page's old content is copied into a slot here, and the writer takes
 * these copies before it goes on with its scan. The slots are one buffer allocated up front, so
 * the queue never grows; when every slot is in use, `capture` refuses and the guest has to wait.
 *
 * It does what @savevm/ram-wasm's CopyBeforeWriteQueue does for one memory, across all of a
 * machine's RAM blocks (each its own memory) with one bound, and without copying the pages the
 * scan writes in place.
 */
export class CopyBeforeWriteQueue {
  readonly capacity: number;
  readonly #slots: Uint8Array;
  readonly #free: number[] = [];
  readonly #ringBlocks: (RamBlock | undefined)[];
  readonly #ringPages: Float64Array;
  readonly #ringSlots: Int32Array;
  #head = 0;
  #length = 0;
  #handedOut = -1;
  #peak = 0;
  #copied = 0;
  readonly #roomListeners = new Set<() => void>();

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_QUEUE_PAGES) {
      throw new MachineError("INVALID_CONFIG", `copy-before-write queue of ${capacity} pages: expected 1 to ${MAX_QUEUE_PAGES}`);
    }
    this.capacity = capacity;
    this.#slots = new Uint8Array(capacity * TARGET_PAGE_SIZE);
    for (let slot = capacity - 1; slot >= 0; slot--) this.#free.push(slot);
    this.#ringBlocks = new Array<RamBlock | undefined>(capacity);
    this.#ringPages = new Float64Array(capacity);
    this.#ringSlots = new Int32Array(capacity);
  }

  /** Copies waiting for the writer. */
  get length(): number {
    return this.#length;
  }

  /** Slots not in use (neither queued nor handed to the writer). */
  get free(): number {
    return this.#free.length;
  }

  /** Most slots ever in use at once. */
  get highWater(): number {
    return this.#peak;
  }

  /** Pages copied so far. */
  get copied(): number {
    return this.#copied;
  }

  /** Bytes of the queue's own buffer, fixed at creation. */
  get memoryBytes(): number {
    return this.#slots.byteLength;
  }

  #slot(slot: number): Uint8Array {
    return this.#slots.subarray(slot * TARGET_PAGE_SIZE, (slot + 1) * TARGET_PAGE_SIZE);
  }

  /** Copies the page's current content to the back of the queue; false when no slot is free. */
  capture(block: RamBlock, page: number): boolean {
    const slot = this.#free.pop();
    if (slot === undefined) return false;
    this.#slot(slot).set(block.page(page));
    const tail = (this.#head + this.#length) % this.capacity;
    this.#ringBlocks[tail] = block;
    this.#ringPages[tail] = page;
    this.#ringSlots[tail] = slot;
    this.#length++;
    this.#copied++;
    const used = this.capacity - this.#free.length;
    if (used > this.#peak) this.#peak = used;
    return true;
  }

  /** The oldest copy (the previous one handed out is released first), or undefined. */
  take(): QueuedPage | undefined {
    this.release();
    if (this.#length === 0) return undefined;
    const at = this.#head;
    const block = this.#ringBlocks[at]!;
    this.#ringBlocks[at] = undefined;
    this.#head = (at + 1) % this.capacity;
    this.#length--;
    this.#handedOut = this.#ringSlots[at]!;
    return { block, page: this.#ringPages[at]!, data: this.#slot(this.#handedOut) };
  }

  /** Gives back the slot of the copy last handed out. */
  release(): void {
    if (this.#handedOut < 0) return;
    this.#free.push(this.#handedOut);
    this.#handedOut = -1;
    for (const listener of [...this.#roomListeners]) listener();
  }

  /** Drops every copy (a snapshot that ended). */
  clear(): void {
    this.release();
    while (this.#length > 0) {
      this.#free.push(this.#ringSlots[this.#head]!);
      this.#ringBlocks[this.#head] = undefined;
      this.#head = (this.#head + 1) % this.capacity;
      this.#length--;
    }
    for (const listener of [...this.#roomListeners]) listener();
  }

  /** Calls `listener` (synchronously) each time a slot is freed; returns its remover. */
  onRoom(listener: () => void): () => void {
    this.#roomListeners.add(listener);
    return () => this.#roomListeners.delete(listener);
  }
}
