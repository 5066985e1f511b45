import type { GuestMemoryLike, PageScannerLike } from "@savevm/ram-wasm";
import { ReferencePageScanner, referenceUniformValue } from "@savevm/ram-wasm/reference";
import type { PageBitmap } from "../ram/page-bitmap.js";
import type { PageMemory } from "../ram/page-memory.js";

/** A PageMemory on a plain ArrayBuffer, for tests that do not need wasm. */
export class PlainMemory implements PageMemory {
  readonly size: number;
  readonly pageSize = 4096;
  readonly pages: number;
  readonly bytes: Uint8Array;

  constructor(size: number) {
    this.size = size;
    this.pages = size / 4096;
    this.bytes = new Uint8Array(size);
  }

  page(index: number): Uint8Array {
    return this.bytes.subarray(index * 4096, index * 4096 + 4096);
  }

  span(offset: number, maxLength: number): Uint8Array {
    return this.bytes.subarray(offset, Math.min(this.size, offset + maxLength));
  }

  write(offset: number, data: Uint8Array): void {
    this.bytes.set(data, offset);
  }

  fill(offset: number, length: number, value: number): void {
    this.bytes.fill(value, offset, offset + length);
  }

  countZeroPages(first: number, count: number, flags?: Uint8Array): number {
    let zero = 0;
    for (let i = 0; i < count; i++) {
      const isZero = this.page(first + i).every((b) => b === 0);
      if (flags) flags[i] = isZero ? 1 : 0;
      if (isZero) zero++;
    }
    return zero;
  }

  createBitmap(): PageBitmap {
    return new PlainBitmap(this.pages);
  }

  uniformValue(page: number): number {
    return referenceUniformValue(this.page(page));
  }

  /** @savevm/ram-wasm's plain-TypeScript scanner (it only reads pages through `read`). */
  createScanner(): PageScannerLike {
    const view = { pages: this.pages, pageSize: this.pageSize, read: (offset: number, length: number) => this.bytes.slice(offset, offset + length) };
    return new ReferencePageScanner(view as unknown as GuestMemoryLike);
  }
}

class PlainBitmap implements PageBitmap {
  readonly pages: number;
  readonly bits: Uint8Array;

  constructor(pages: number) {
    this.pages = pages;
    this.bits = new Uint8Array(pages);
  }

  setAll(): void {
    this.bits.fill(1);
  }

  clearAll(): void {
    this.bits.fill(0);
  }

  set(page: number): void {
    this.bits[page] = 1;
  }

  clear(page: number): void {
    this.bits[page] = 0;
  }

  test(page: number): boolean {
    return this.bits[page] === 1;
  }

  testAndClear(page: number): boolean {
    const was = this.bits[page] === 1;
    this.bits[page] = 0;
    return was;
  }

  findNextSet(from: number): number {
    const i = this.bits.indexOf(1, from);
    return i;
  }

  count(): number {
    let n = 0;
    for (const b of this.bits) n += b;
    return n;
  }

  syncFrom(source: PageBitmap): number {
    let added = 0;
    for (let p = source.findNextSet(0); p >= 0; p = source.findNextSet(p + 1)) {
      if (this.bits[p] === 0) added++;
      this.bits[p] = 1;
      source.clear(p);
    }
    return added;
  }
}
