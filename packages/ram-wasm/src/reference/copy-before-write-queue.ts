import { checkIndex } from "../errors.js";
import { checkCapacity } from "../queue-capacity.js";
import { type CopyBeforeWriteQueueLike, type GuestMemoryLike, type PendingPage, WriteStatus } from "../types.js";
import type { ReferencePageBitmap } from "./page-bitmap.js";
import { referenceUniformValue } from "./uniform-value.js";

/**
 * The oracle for {@link CopyBeforeWriteQueue}: copies are fresh arrays in a JS array, and the
 * capacity is a counter.
 */
export class ReferenceCopyBeforeWriteQueue implements CopyBeforeWriteQueueLike {
  readonly capacity: number;
  private readonly memory: GuestMemoryLike;
  private readonly savevm: ReferencePageBitmap;
  private readonly copies: PendingPage[] = [];
  private out: PendingPage | null = null;
  private peak = 0;
  private cursor = 0;
  private readonly waiters: { page: number; resolve: (status: WriteStatus) => void }[] = [];

  constructor(memory: GuestMemoryLike, savevm: ReferencePageBitmap, capacity: number) {
    checkCapacity(capacity, memory.pageSize);
    this.memory = memory;
    this.savevm = savevm;
    this.capacity = capacity;
  }

  get length(): number {
    return this.copies.length;
  }

  get highWater(): number {
    return this.peak;
  }

  private inUse(): number {
    return this.copies.length + (this.out ? 1 : 0);
  }

  private notePeak(): void {
    this.peak = Math.max(this.peak, this.inUse());
  }

  beforeWrite(page: number): WriteStatus {
    checkIndex(page, this.memory.pages, "page");
    if (!this.savevm.test(page)) return WriteStatus.Proceed;
    if (this.inUse() >= this.capacity) return WriteStatus.Wait;
    this.copies.push({ page, data: this.memory.read(page * this.memory.pageSize, this.memory.pageSize), queued: true });
    this.savevm.clear(page);
    this.notePeak();
    return WriteStatus.Copied;
  }

  beforeWriteAsync(page: number): Promise<WriteStatus> {
    const status = this.beforeWrite(page);
    if (status !== WriteStatus.Wait) return Promise.resolve(status);
    return new Promise((resolve) => this.waiters.push({ page, resolve }));
  }

  next(): PendingPage | null {
    this.out = null;
    while (this.waiters.length > 0 && this.inUse() < this.capacity) {
      const waiter = this.waiters.shift();
      waiter?.resolve(this.beforeWrite(waiter.page));
    }
    const copy = this.copies.shift();
    if (copy) {
      this.out = copy;
      return copy;
    }
    let page = this.savevm.findNextSet(this.cursor);
    if (page < 0) page = this.savevm.findNextSet(0);
    if (page < 0) return null;
    this.savevm.clear(page);
    this.cursor = (page + 1) % this.memory.pages;
    this.out = { page, data: this.memory.read(page * this.memory.pageSize, this.memory.pageSize), queued: false };
    this.notePeak();
    return this.out;
  }

  remaining(): number {
    return this.copies.length + this.savevm.count();
  }

  uniformValue(): number {
    return this.out ? referenceUniformValue(this.out.data) : -1;
  }
}
