import { checkIndex, checkLength, RamWasmError } from "../errors.js";
import type { PageBitmapLike } from "../types.js";

/** A bitmap as an array of booleans: the oracle for {@link PageBitmap}. */
export class ReferencePageBitmap implements PageBitmapLike {
  readonly pages: number;
  /** The memory whose pages the bits stand for, when made by one. */
  readonly owner: object | undefined;
  private readonly bits: boolean[];

  constructor(pages: number, owner?: object) {
    this.pages = pages;
    this.owner = owner;
    this.bits = new Array<boolean>(pages).fill(false);
  }

  setAll(): void {
    this.bits.fill(true);
  }

  clearAll(): void {
    this.bits.fill(false);
  }

  set(page: number): void {
    checkIndex(page, this.pages, "page");
    this.bits[page] = true;
  }

  clear(page: number): void {
    checkIndex(page, this.pages, "page");
    this.bits[page] = false;
  }

  test(page: number): boolean {
    checkIndex(page, this.pages, "page");
    return this.bits[page] === true;
  }

  testAndClear(page: number): boolean {
    const was = this.test(page);
    this.bits[page] = false;
    return was;
  }

  findNextSet(from: number): number {
    checkLength(from, "cursor");
    for (let i = from; i < this.pages; i++) if (this.bits[i]) return i;
    return -1;
  }

  count(): number {
    return this.bits.filter(Boolean).length;
  }

  syncFrom(source: PageBitmapLike): number {
    if (!(source instanceof ReferencePageBitmap) || source.pages !== this.pages || source.owner !== this.owner) {
      throw new RamWasmError("WRONG_MEMORY", "syncFrom needs a bitmap of the same guest memory");
    }
    if (source === this) return 0;
    let fresh = 0;
    for (let i = 0; i < this.pages; i++) {
      if (source.bits[i]) {
        if (!this.bits[i]) fresh++;
        this.bits[i] = true;
        source.bits[i] = false;
      }
    }
    return fresh;
  }
}
