import { checkFlags, checkIndex, checkLength, checkRange, RamWasmError } from "../errors.js";
import { checkGuestSize, DEFAULT_PAGE_SIZE, pageShiftOf } from "../page-size.js";
import { memoryRegion } from "../snapshot-region.js";
import type { GuestMemoryLike, PageBitmapLike } from "../types.js";
import { ReferenceCopyBeforeWriteQueue } from "./copy-before-write-queue.js";
import { ReferencePageBitmap } from "./page-bitmap.js";
import { ReferencePageScanner } from "./page-scanner.js";
import { referenceUniformValue } from "./uniform-value.js";
import { ReferenceXxh64 } from "./xxh64.js";

/**
 * Guest RAM as one ArrayBuffer per page, created on first touch, so even a huge guest costs only
 * the pages written. The oracle for {@link GuestMemory}.
 */
export class ReferenceGuestMemory implements GuestMemoryLike {
  readonly size: number;
  readonly pageSize: number;
  readonly pages: number;
  private readonly store = new Map<number, Uint8Array>();
  private readonly zeroPage: Uint8Array;

  constructor(options: { bytes: number; pageSize?: number }) {
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    pageShiftOf(this.pageSize);
    this.pages = checkGuestSize(options.bytes, this.pageSize);
    this.size = options.bytes;
    this.zeroPage = new Uint8Array(this.pageSize);
  }

  /** The page's bytes without creating it (untouched pages read as zero). */
  private peek(index: number): Uint8Array {
    return this.store.get(index) ?? this.zeroPage;
  }

  page(index: number): Uint8Array {
    checkIndex(index, this.pages, "page");
    let bytes = this.store.get(index);
    if (!bytes) {
      bytes = new Uint8Array(this.pageSize);
      this.store.set(index, bytes);
    }
    return bytes;
  }

  span(offset: number, maxLength: number): Uint8Array {
    checkRange(offset, 0, this.size, "offset");
    checkLength(maxLength, "span length");
    if (offset === this.size || maxLength === 0) return new Uint8Array(0);
    const index = Math.floor(offset / this.pageSize);
    const at = offset - index * this.pageSize;
    return this.page(index).subarray(at, at + Math.min(maxLength, this.pageSize - at));
  }

  private forEachPiece(offset: number, length: number, visit: (index: number, at: number, done: number, n: number) => void): void {
    let done = 0;
    while (done < length) {
      const g = offset + done;
      const index = Math.floor(g / this.pageSize);
      const at = g - index * this.pageSize;
      const n = Math.min(length - done, this.pageSize - at);
      visit(index, at, done, n);
      done += n;
    }
  }

  read(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.readInto(offset, out);
    return out;
  }

  readInto(offset: number, target: Uint8Array): void {
    checkRange(offset, target.length, this.size, "read");
    this.forEachPiece(offset, target.length, (index, at, done, n) => {
      target.set(this.peek(index).subarray(at, at + n), done);
    });
  }

  write(offset: number, data: Uint8Array): void {
    checkRange(offset, data.length, this.size, "write");
    this.forEachPiece(offset, data.length, (index, at, done, n) => {
      this.page(index).set(data.subarray(done, done + n), at);
    });
  }

  fill(offset: number, length: number, value: number): void {
    checkRange(offset, length, this.size, "fill");
    this.forEachPiece(offset, length, (index, at, _done, n) => {
      this.page(index).fill(value, at, at + n);
    });
  }

  uniformValue(page: number): number {
    checkIndex(page, this.pages, "page");
    return referenceUniformValue(this.peek(page));
  }

  isZeroPage(page: number): boolean {
    return this.uniformValue(page) === 0;
  }

  countZeroPages(first: number, count: number, flags?: Uint8Array): number {
    checkRange(first, count, this.pages, "pages");
    checkFlags(flags, count);
    let zero = 0;
    for (let i = 0; i < count; i++) {
      const z = this.isZeroPage(first + i);
      if (z) zero++;
      if (flags) flags[i] = z ? 1 : 0;
    }
    return zero;
  }

  pagesEqual(a: number, b: number): boolean {
    checkIndex(a, this.pages, "page");
    checkIndex(b, this.pages, "page");
    const x = this.peek(a);
    const y = this.peek(b);
    for (let i = 0; i < this.pageSize; i++) if (x[i] !== y[i]) return false;
    return true;
  }

  digest(offset = 0, length = this.size - offset, seed = 0n): bigint {
    checkRange(offset, length, this.size, "digest");
    const hash = new ReferenceXxh64(seed);
    this.forEachPiece(offset, length, (index, at, _done, n) => {
      hash.update(this.peek(index).subarray(at, at + n));
    });
    return hash.digest();
  }

  pageDigest(page: number, seed = 0n): bigint {
    checkIndex(page, this.pages, "page");
    return this.digest(page * this.pageSize, this.pageSize, seed);
  }

  createBitmap(): ReferencePageBitmap {
    return new ReferencePageBitmap(this.pages, this);
  }

  createScanner(): ReferencePageScanner {
    return new ReferencePageScanner(this);
  }

  createCopyBeforeWriteQueue(savevm: PageBitmapLike, capacity: number): ReferenceCopyBeforeWriteQueue {
    if (!(savevm instanceof ReferencePageBitmap) || savevm.owner !== this) {
      throw new RamWasmError("WRONG_MEMORY", "the savevm bitmap must come from this memory's createBitmap()");
    }
    return new ReferenceCopyBeforeWriteQueue([memoryRegion(this, savevm)], capacity, { pageSize: this.pageSize });
  }
}
