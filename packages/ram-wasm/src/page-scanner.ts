import { checkRange } from "./errors.js";
import type { GuestMemory } from "./guest-memory.js";
import { emptyCounts, type ScanCounts, type ScanResult } from "./page-kind.js";
import type { PageScannerLike } from "./types.js";
import { SCRATCH_BYTES, type MemoryChunk } from "./wasm/memory-chunk.js";
import { createScannerState } from "./wasm/scanner-state.js";

/** Pages per wasm call: large enough to hide the call, small enough that a slow first tier ends soon. */
const BATCH_PAGES = 16384;
/** Sampled hashes sent to another chunk per lookup call (4 bytes each, plus 1 byte of answer). */
const QUERY_BATCH = SCRATCH_BYTES / 8;

/**
 * Zero / uniform / duplicate / unique classification of guest pages, in wasm, with memory of
 * what earlier calls saw. Each chunk keeps hash tables of its own pages; a page new to its chunk
 * is then looked up in the other chunks, so duplicates are found across the whole guest.
 */
export class PageScanner implements PageScannerLike {
  readonly memory: GuestMemory;
  private readonly states: number[];

  constructor(memory: GuestMemory) {
    this.memory = memory;
    this.states = memory.chunks.map((chunk) =>
      createScannerState(chunk.ctx, (bytes, align) => chunk.alloc(bytes, align), {
        ramPtr: chunk.ramPtr,
        pageShift: memory.pageShift,
        pages: chunk.length / memory.pageSize,
        base: chunk.start / memory.pageSize,
      }),
    );
  }

  /**
   * True when a table refused an entry. That only happens when recorded pages changed content
   * without a reset() in between; results stay truthful but may miss duplicates.
   */
  get overflowed(): boolean {
    return this.memory.chunks.some((chunk, c) => this.field(chunk, c, chunk.ctx.layout.ST_OVERFLOW) !== 0);
  }

  scan(first: number, count: number): ScanResult {
    checkRange(first, count, this.memory.pages, "pages");
    const kinds = new Uint8Array(count);
    const values = new Uint32Array(count);
    const counts = this.run(first, count, kinds, values);
    return { first, counts, kinds, values };
  }

  scanCounts(first: number, count: number): ScanCounts {
    checkRange(first, count, this.memory.pages, "pages");
    return this.run(first, count, undefined, undefined);
  }

  reset(): void {
    this.memory.chunks.forEach((chunk, c) => chunk.ctx.fn.resetScanner(this.states[c] as number));
  }

  private field(chunk: MemoryChunk, c: number, offset: number): number {
    return chunk.u32()[((this.states[c] as number) + offset) >>> 2] as number;
  }

  private run(first: number, count: number, kinds?: Uint8Array, values?: Uint32Array): ScanCounts {
    const totals = emptyCounts();
    const { chunks, pagesPerChunk } = this.memory;
    let done = 0;
    while (done < count) {
      const page = first + done;
      const c = Math.floor(page / pagesPerChunk);
      const chunk = chunks[c] as MemoryChunk;
      const local = page - c * pagesPerChunk;
      const n = Math.min(count - done, chunk.length / this.memory.pageSize - local, BATCH_PAGES);
      const st = this.states[c] as number;
      const L = chunk.ctx.layout;
      chunk.ctx.fn.scanPages(st, local, n);
      const u32 = chunk.u32();
      const f = st >>> 2;
      let duplicate = u32[f + L.ST_DUPLICATE / 4] as number;
      let unique = u32[f + L.ST_UNIQUE / 4] as number;
      const fresh = u32[f + L.ST_NEW_COUNT / 4] as number;
      if (fresh > 0 && chunks.length > 1) {
        const turned = this.resolveAcrossChunks(c, local, n, fresh);
        duplicate += turned;
        unique -= turned;
      }
      totals.pages += n;
      totals.zero += u32[f + L.ST_ZERO / 4] as number;
      totals.uniform += u32[f + L.ST_UNIFORM / 4] as number;
      totals.duplicate += duplicate;
      totals.unique += unique;
      if (kinds && values) {
        const kindsPtr = (u32[f + L.ST_KINDS / 4] as number) + local;
        const valuesPtr = (u32[f + L.ST_VALUES / 4] as number) + local * 4;
        kinds.set(chunk.bytes().subarray(kindsPtr, kindsPtr + n), done);
        values.set(u32.subarray(valuesPtr >>> 2, (valuesPtr >>> 2) + n), done);
      }
      done += n;
    }
    return totals;
  }

  /**
   * Looks up the pages chunk c just recorded as new in every other chunk. A page found elsewhere
   * becomes a duplicate of that original and leaves chunk c's tables. Returns the pages of
   * [local, local + n) turned from unique into duplicate.
   */
  private resolveAcrossChunks(c: number, local: number, n: number, fresh: number): number {
    const { chunks, pageSize } = this.memory;
    const home = chunks[c] as MemoryChunk;
    const st = this.states[c] as number;
    const L = home.ctx.layout;
    const homeU32 = home.u32();
    const newPagesAt = (homeU32[(st + L.ST_NEW_PAGES) >>> 2] as number) >>> 2;
    const newHashesAt = (homeU32[(st + L.ST_NEW_HASHES) >>> 2] as number) >>> 2;
    const homeOriginAt = (homeU32[(st + L.ST_ORIGIN) >>> 2] as number) >>> 2;
    let pages = homeU32.slice(newPagesAt, newPagesAt + fresh);
    let hashes = homeU32.slice(newHashesAt, newHashesAt + fresh);
    const remapped: number[] = [];
    for (let j = 0; j < chunks.length && pages.length > 0; j++) {
      if (j === c) continue;
      const other = chunks[j] as MemoryChunk;
      const stj = this.states[j] as number;
      if (this.field(other, j, other.ctx.layout.ST_SCOUNT) === 0) continue;
      const otherOriginAt = (other.u32()[(stj + other.ctx.layout.ST_ORIGIN) >>> 2] as number) >>> 2;
      const keep: number[] = [];
      for (let b = 0; b < pages.length; b += QUERY_BATCH) {
        const m = Math.min(QUERY_BATCH, pages.length - b);
        const hashesPtr = other.scratch;
        const outPtr = other.scratch + QUERY_BATCH * 4;
        other.u32().set(hashes.subarray(b, b + m), hashesPtr >>> 2);
        const hits = other.ctx.fn.lookupHashes(stj, hashesPtr, m, outPtr);
        const out = other.bytes();
        for (let i = 0; i < m; i++) {
          if (hits === 0 || out[outPtr + i] === 0) {
            keep.push(b + i);
            continue;
          }
          const p = pages[b + i] as number;
          const src = home.ramPtr + p * pageSize;
          out.set(home.bytes().subarray(src, src + pageSize), other.scratchPage);
          const x = other.ctx.fn.findPage(stj, other.scratchPage);
          if (x < 0) {
            keep.push(b + i);
          } else {
            homeU32[homeOriginAt + p] = other.u32()[otherOriginAt + x] as number;
            remapped.push(p);
          }
        }
      }
      pages = Uint32Array.from(keep, (i) => pages[i] as number);
      hashes = Uint32Array.from(keep, (i) => hashes[i] as number);
    }
    if (remapped.length === 0) return 0;
    // Only originals stay in a table: a stand-in could later change and vouch for bytes the
    // original never held.
    for (let b = 0; b < remapped.length; b += QUERY_BATCH) {
      const m = Math.min(QUERY_BATCH, remapped.length - b);
      home.u32().set(remapped.slice(b, b + m), home.scratch >>> 2);
      home.ctx.fn.forgetPages(st, home.scratch, m);
    }
    return home.ctx.fn.fixupResults(st, local, n);
  }
}
