import { checkIndex, checkLength, RamWasmError } from "./errors.js";
import type { GuestMemory } from "./guest-memory.js";
import type { PageBitmapLike } from "./types.js";
import type { MemoryChunk } from "./wasm/memory-chunk.js";

/**
 * One bit per guest page in wasm memory, processed a 64-bit word at a time. Each chunk of the
 * guest keeps the bits of its own pages; the methods take guest-wide page numbers.
 */
export class PageBitmap implements PageBitmapLike {
  readonly memory: GuestMemory;
  readonly pages: number;
  /** Offset of the bits of each chunk inside that chunk's memory. */
  private readonly maps: number[];

  constructor(memory: GuestMemory) {
    this.memory = memory;
    this.pages = memory.pages;
    this.maps = memory.chunks.map((chunk) => chunk.alloc(chunk.ctx.fn.bitmapBytes(this.pagesIn(chunk)), 8));
  }

  private pagesIn(chunk: MemoryChunk): number {
    return chunk.length / this.memory.pageSize;
  }

  private at(page: number): { chunk: MemoryChunk; map: number; local: number } {
    checkIndex(page, this.pages, "page");
    const per = this.memory.pagesPerChunk;
    const c = Math.floor(page / per);
    return { chunk: this.memory.chunks[c] as MemoryChunk, map: this.maps[c] as number, local: page - c * per };
  }

  setAll(): void {
    this.memory.chunks.forEach((chunk, i) => chunk.ctx.fn.bitmapSetAll(this.maps[i] as number, this.pagesIn(chunk)));
  }

  clearAll(): void {
    this.memory.chunks.forEach((chunk, i) => chunk.ctx.fn.bitmapClearAll(this.maps[i] as number, this.pagesIn(chunk)));
  }

  set(page: number): void {
    const { chunk, map, local } = this.at(page);
    chunk.ctx.fn.bitmapSet(map, local);
  }

  clear(page: number): void {
    const { chunk, map, local } = this.at(page);
    chunk.ctx.fn.bitmapClear(map, local);
  }

  test(page: number): boolean {
    const { chunk, map, local } = this.at(page);
    return chunk.ctx.fn.bitmapTest(map, local) !== 0;
  }

  testAndClear(page: number): boolean {
    const { chunk, map, local } = this.at(page);
    return chunk.ctx.fn.bitmapTestAndClear(map, local) !== 0;
  }

  findNextSet(from: number): number {
    checkLength(from, "cursor");
    const per = this.memory.pagesPerChunk;
    const chunks = this.memory.chunks;
    for (let c = Math.floor(from / per); c < chunks.length; c++) {
      const chunk = chunks[c] as MemoryChunk;
      const start = Math.max(0, from - c * per);
      const hit = chunk.ctx.fn.bitmapFindNext(this.maps[c] as number, this.pagesIn(chunk), start);
      if (hit >= 0) return c * per + hit;
    }
    return -1;
  }

  count(): number {
    let n = 0;
    this.memory.chunks.forEach((chunk, i) => {
      n += chunk.ctx.fn.bitmapCount(this.maps[i] as number, this.pagesIn(chunk));
    });
    return n;
  }

  /**
   * Copies the bits into `target` (page p is bit `p & 7` of byte `p >> 3`): a snapshot of the
   * whole bitmap for another thread or a display, in one copy of `pages / 8` bytes.
   */
  copyBitsTo(target: Uint8Array): void {
    const bytes = Math.ceil(this.pages / 8);
    if (target.length < bytes) throw new RamWasmError("OUT_OF_RANGE", `copyBitsTo needs ${bytes} bytes, got ${target.length}`);
    const per = this.memory.pagesPerChunk;
    this.memory.chunks.forEach((chunk, i) => {
      const first = i * per;
      const pages = this.pagesIn(chunk);
      const bits = new Uint8Array(chunk.ctx.memory.buffer, this.maps[i] as number, Math.ceil(pages / 8));
      if (first % 8 === 0) {
        target.set(bits, first / 8);
        return;
      }
      for (let p = 0; p < pages; p++) {
        const at = first + p;
        const bit = (bits[p >> 3]! >> (p & 7)) & 1;
        target[at >> 3] = (target[at >> 3]! & ~(1 << (at & 7))) | (bit << (at & 7));
      }
    });
  }

  syncFrom(source: PageBitmapLike): number {
    if (!(source instanceof PageBitmap) || source.memory !== this.memory) {
      throw new RamWasmError("WRONG_MEMORY", "syncFrom needs a bitmap of the same guest memory");
    }
    if (source === this) return 0;
    let fresh = 0;
    this.memory.chunks.forEach((chunk, i) => {
      fresh += chunk.ctx.fn.bitmapSync(this.maps[i] as number, source.maps[i] as number, this.pagesIn(chunk));
    });
    return fresh;
  }
}
