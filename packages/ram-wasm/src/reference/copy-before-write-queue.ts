import { checkIndex, RamWasmError } from "../errors.js";
import { DEFAULT_PAGE_SIZE } from "../page-size.js";
import { checkCapacity } from "../queue-capacity.js";
import { type CopyBeforeWriteQueueLike, type PendingPage, type PendingRun, type SnapshotRegion, WriteStatus } from "../types.js";
import { referenceUniformValue } from "./uniform-value.js";

interface Copy<R> {
  region: R;
  page: number;
  data: Uint8Array;
}

/**
 * The oracle for {@link CopyBeforeWriteQueue}: copies are fresh arrays in a JS array, the
 * capacity is a counter, and the scan tests every page in order from where it stopped.
 */
export class ReferenceCopyBeforeWriteQueue<R extends SnapshotRegion = SnapshotRegion> implements CopyBeforeWriteQueueLike<R> {
  readonly capacity: number;
  readonly regions: readonly R[];
  private readonly copies: Copy<R>[] = [];
  /** The copy handed out last (it keeps its slot until the next call). */
  private out: Copy<R> | null = null;
  private lastData: Uint8Array | null = null;
  private peak = 0;
  private copiedPages = 0;
  /** Scan position: region index and page. */
  private at = { region: 0, page: 0 };
  private readonly waiters: { region: R; page: number; resolve: (status: WriteStatus) => void }[] = [];

  constructor(regions: readonly R[], capacity: number, options: { pageSize?: number } = {}) {
    checkCapacity(capacity, options.pageSize ?? DEFAULT_PAGE_SIZE);
    if (regions.length === 0) throw new RamWasmError("BAD_SIZE", "a copy-before-write queue needs at least one region");
    this.regions = [...regions];
    this.capacity = capacity;
  }

  get length(): number {
    return this.copies.length;
  }

  get free(): number {
    return this.capacity - this.inUse();
  }

  get highWater(): number {
    return this.peak;
  }

  get copied(): number {
    return this.copiedPages;
  }

  private inUse(): number {
    return this.copies.length + (this.out ? 1 : 0);
  }

  arm(): void {
    this.restart(true);
  }

  /** No copies, the scan at the start, and every page pending or none. */
  private restart(pending: boolean): void {
    this.copies.length = 0;
    this.out = null;
    this.lastData = null;
    for (const region of this.regions) {
      if (pending) region.savevm.setAll();
      else region.savevm.clearAll();
    }
    this.at = { region: 0, page: 0 };
  }

  wouldCopy(page: number, region: R = this.regions[0] as R): boolean {
    return region.savevm.test(page);
  }

  beforeWrite(page: number, region: R = this.regions[0] as R): WriteStatus {
    checkIndex(page, region.savevm.pages, "page");
    if (!region.savevm.test(page)) return WriteStatus.Proceed;
    if (this.inUse() >= this.capacity) return WriteStatus.Wait;
    this.copies.push({ region, page, data: region.page(page).slice() });
    region.savevm.clear(page);
    this.copiedPages++;
    this.peak = Math.max(this.peak, this.inUse());
    return WriteStatus.Copied;
  }

  beforeWriteAsync(page: number, region: R = this.regions[0] as R): Promise<WriteStatus> {
    const status = this.beforeWrite(page, region);
    if (status !== WriteStatus.Wait) return Promise.resolve(status);
    return new Promise((resolve) => this.waiters.push({ region, page, resolve }));
  }

  next(): PendingPage | null {
    const run = this.nextRun(1);
    if (!run) return null;
    return { page: run.first, data: run.data ?? run.region.page(run.first).slice(), queued: run.data !== undefined };
  }

  nextRun(maxPages: number): PendingRun<R> | null {
    this.out = null;
    this.lastData = null;
    this.serveWaiters();
    const copy = this.copies.shift();
    if (copy) {
      this.out = copy;
      this.lastData = copy.data;
      return { region: copy.region, first: copy.page, count: 1, data: copy.data };
    }
    const found = this.findPending();
    if (!found) return null;
    const { region, page } = found;
    let count = 0;
    while (count < maxPages && page + count < region.savevm.pages && region.savevm.test(page + count)) {
      region.savevm.clear(page + count);
      count++;
    }
    this.at = { region: this.regions.indexOf(region), page: page + count };
    // A view: the page as it is when uniformValue() is asked, as the writer reads it in place.
    if (count === 1) this.lastData = region.page(page);
    return { region, first: page, count, data: undefined };
  }

  /** The first pending page at or after the scan position, wrapping around through every region. */
  private findPending(): { region: R; page: number } | undefined {
    const order = [...this.regions.slice(this.at.region), ...this.regions.slice(0, this.at.region + 1)];
    for (let i = 0; i < order.length; i++) {
      const region = order[i] as R;
      const from = i === 0 ? this.at.page : 0;
      for (let page = from; page < region.savevm.pages; page++) if (region.savevm.test(page)) return { region, page };
    }
    return undefined;
  }

  remaining(): number {
    let pending = 0;
    for (const region of this.regions) pending += region.savevm.count();
    return this.copies.length + pending;
  }

  uniformValue(): number {
    return this.lastData ? referenceUniformValue(this.lastData) : -1;
  }

  clear(): void {
    this.restart(false);
    this.serveWaiters();
  }

  private serveWaiters(): void {
    while (this.waiters.length > 0 && this.inUse() < this.capacity) {
      const waiter = this.waiters.shift();
      waiter?.resolve(this.beforeWrite(waiter.page, waiter.region));
    }
  }
}
