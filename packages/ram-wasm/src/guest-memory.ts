import { checkFlags, checkIndex, checkLength, checkRange, RamWasmError } from "./errors.js";
import { CopyBeforeWriteQueue } from "./copy-before-write-queue.js";
import { PageBitmap } from "./page-bitmap.js";
import { PageScanner } from "./page-scanner.js";
import { checkGuestSize, DEFAULT_PAGE_SIZE, pageShiftOf } from "./page-size.js";
import { memoryRegion } from "./snapshot-region.js";
import type { GuestMemoryLike, PageBitmapLike } from "./types.js";
import type { RamWasmVariant } from "./wasm/context.js";
import { resolveVariant } from "./wasm/context.js";
import { MAX_WASM_BYTES, MemoryChunk, SCRATCH_BYTES } from "./wasm/memory-chunk.js";

export const DEFAULT_CHUNK_BYTES = 2 ** 31;
/** Largest chunk: leaves room below 4 GiB for the metadata of 512-byte pages. */
export const MAX_CHUNK_BYTES = 3 * 2 ** 30;

export interface GuestMemoryOptions {
  /** Guest RAM size: a positive multiple of the page size. */
  bytes: number;
  /** Power of two from 512 to 1 MiB; default 4096. */
  pageSize?: number;
  /**
   * Guest bytes per wasm memory; a guest larger than this spans several. Default 2 GiB, at most
   * 3 GiB, a multiple of 64 KiB and of the page size.
   */
  chunkBytes?: number;
  /** true forces the SIMD build, false the scalar one; default: SIMD where the engine has it. */
  simd?: boolean;
  /**
   * Put the guest in shared memories (`SharedArrayBuffer`), so other threads can read and write
   * it; needs SIMD, and in browsers cross-origin isolation. Default false.
   */
  shared?: boolean;
}

/** A segment of a guest byte range that lies inside one chunk. */
interface Segment {
  chunk: MemoryChunk;
  /** Offset inside the chunk's memory. */
  ptr: number;
  /** Offset of the segment inside the requested range. */
  at: number;
  length: number;
}

/**
 * Guest RAM held in WebAssembly linear memory, so the scanner and bitmaps work on it in place.
 * RAM beyond one chunk (2 GiB by default) lives in further memories; indices and offsets are
 * always guest-wide. Pages nobody touched cost no physical memory.
 */
export class GuestMemory implements GuestMemoryLike {
  readonly size: number;
  readonly pageSize: number;
  readonly pageShift: number;
  readonly pages: number;
  readonly chunkBytes: number;
  readonly pagesPerChunk: number;
  readonly variant: RamWasmVariant;
  /** Whether the memories are shared between threads. */
  readonly shared: boolean;
  /** The memories, in guest order. For low-level use together with their raw contexts. */
  readonly chunks: readonly MemoryChunk[];

  static create(options: GuestMemoryOptions): GuestMemory {
    return new GuestMemory(options);
  }

  private constructor(options: GuestMemoryOptions) {
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.pageShift = pageShiftOf(this.pageSize);
    this.pages = checkGuestSize(options.bytes, this.pageSize);
    this.size = options.bytes;
    const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    if (
      !Number.isInteger(chunkBytes) ||
      chunkBytes <= 0 ||
      chunkBytes > MAX_CHUNK_BYTES ||
      chunkBytes % 0x10000 !== 0 ||
      chunkBytes % this.pageSize !== 0
    ) {
      throw new RamWasmError(
        "BAD_SIZE",
        `chunkBytes ${chunkBytes} must be a multiple of 64 KiB and of the page size, at most ${MAX_CHUNK_BYTES}`,
      );
    }
    this.chunkBytes = chunkBytes;
    this.pagesPerChunk = chunkBytes / this.pageSize;
    this.variant = resolveVariant(options.simd);
    this.shared = options.shared ?? false;
    if (this.shared && this.variant !== "simd") {
      throw new RamWasmError("SIMD_UNSUPPORTED", "a shared guest memory needs the SIMD build");
    }
    const simd = this.variant === "simd";
    const chunks: MemoryChunk[] = [];
    for (let start = 0; start < this.size; start += chunkBytes) {
      const length = Math.min(chunkBytes, this.size - start);
      if (length + Math.max(0x10000, this.pageSize) + SCRATCH_BYTES > MAX_WASM_BYTES) {
        throw new RamWasmError("BAD_SIZE", `chunk of ${length} bytes does not fit a wasm32 memory`);
      }
      chunks.push(new MemoryChunk({ start, length, pageSize: this.pageSize, simd, shared: this.shared }));
    }
    this.chunks = chunks;
  }

  /** Chunk holding guest page `page`, and the page's index inside it. */
  chunkOfPage(page: number): { chunk: MemoryChunk; local: number } {
    const c = Math.floor(page / this.pagesPerChunk);
    return { chunk: this.chunks[c] as MemoryChunk, local: page - c * this.pagesPerChunk };
  }

  /** Splits guest bytes [offset, offset + length) at chunk borders. */
  private segments(offset: number, length: number): Segment[] {
    const out: Segment[] = [];
    let at = 0;
    while (at < length) {
      const g = offset + at;
      const c = Math.floor(g / this.chunkBytes);
      const chunk = this.chunks[c] as MemoryChunk;
      const inChunk = g - chunk.start;
      const n = Math.min(length - at, chunk.length - inChunk);
      out.push({ chunk, ptr: chunk.ramPtr + inChunk, at, length: n });
      at += n;
    }
    return out;
  }

  /** Memory offset of guest page `page` in its chunk. */
  private pagePtr(page: number): { chunk: MemoryChunk; ptr: number } {
    const { chunk, local } = this.chunkOfPage(page);
    return { chunk, ptr: chunk.ramPtr + local * this.pageSize };
  }

  page(index: number): Uint8Array {
    checkIndex(index, this.pages, "page");
    const { chunk, ptr } = this.pagePtr(index);
    return new Uint8Array(chunk.ctx.memory.buffer, ptr, this.pageSize);
  }

  span(offset: number, maxLength: number): Uint8Array {
    checkRange(offset, 0, this.size, "offset");
    checkLength(maxLength, "span length");
    const length = Math.min(maxLength, this.size - offset);
    if (length === 0) return new Uint8Array(0);
    const [seg] = this.segments(offset, length) as [Segment];
    return new Uint8Array(seg.chunk.ctx.memory.buffer, seg.ptr, seg.length);
  }

  read(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.readInto(offset, out);
    return out;
  }

  readInto(offset: number, target: Uint8Array): void {
    checkRange(offset, target.length, this.size, "read");
    for (const s of this.segments(offset, target.length)) {
      target.set(s.chunk.bytes().subarray(s.ptr, s.ptr + s.length), s.at);
    }
  }

  write(offset: number, data: Uint8Array): void {
    checkRange(offset, data.length, this.size, "write");
    for (const s of this.segments(offset, data.length)) {
      s.chunk.bytes().set(data.subarray(s.at, s.at + s.length), s.ptr);
    }
  }

  fill(offset: number, length: number, value: number): void {
    checkRange(offset, length, this.size, "fill");
    for (const s of this.segments(offset, length)) {
      s.chunk.bytes().fill(value, s.ptr, s.ptr + s.length);
    }
  }

  uniformValue(page: number): number {
    checkIndex(page, this.pages, "page");
    const { chunk, ptr } = this.pagePtr(page);
    return chunk.ctx.fn.uniformByte(ptr, this.pageSize);
  }

  isZeroPage(page: number): boolean {
    checkIndex(page, this.pages, "page");
    const { chunk, ptr } = this.pagePtr(page);
    return chunk.ctx.fn.isZero(ptr, this.pageSize) !== 0;
  }

  countZeroPages(first: number, count: number, flags?: Uint8Array): number {
    checkRange(first, count, this.pages, "pages");
    checkFlags(flags, count);
    let zero = 0;
    let done = 0;
    while (done < count) {
      const { chunk, local } = this.chunkOfPage(first + done);
      const n = Math.min(count - done, this.pagesPerChunk - local, flags ? SCRATCH_BYTES : Infinity);
      zero += chunk.ctx.fn.countZeroPages(chunk.ramPtr, this.pageShift, local, n, flags ? chunk.scratch : 0);
      if (flags) flags.set(chunk.bytes().subarray(chunk.scratch, chunk.scratch + n), done);
      done += n;
    }
    return zero;
  }

  pagesEqual(a: number, b: number): boolean {
    checkIndex(a, this.pages, "page");
    checkIndex(b, this.pages, "page");
    const pa = this.pagePtr(a);
    const pb = this.pagePtr(b);
    if (pa.chunk === pb.chunk) return pa.chunk.ctx.fn.pagesEqual(pa.ptr, pb.ptr, this.pageSize) !== 0;
    const scratch = pa.chunk.scratchPage;
    pa.chunk.bytes().set(pb.chunk.bytes().subarray(pb.ptr, pb.ptr + this.pageSize), scratch);
    return pa.chunk.ctx.fn.pagesEqual(pa.ptr, scratch, this.pageSize) !== 0;
  }

  digest(offset = 0, length = this.size - offset, seed = 0n): bigint {
    checkRange(offset, length, this.size, "digest");
    const segments = this.segments(offset, length);
    let current = segments[0]?.chunk ?? (this.chunks[0] as MemoryChunk);
    current.ctx.fn.xxh64Reset(current.hashState, BigInt.asIntN(64, seed));
    for (const s of segments) {
      if (s.chunk !== current) {
        const size = current.ctx.layout.XXH_SIZE;
        s.chunk.bytes().set(current.bytes().subarray(current.hashState, current.hashState + size), s.chunk.hashState);
        current = s.chunk;
      }
      current.ctx.fn.xxh64Update(current.hashState, s.ptr, s.length);
    }
    return BigInt.asUintN(64, current.ctx.fn.xxh64Digest(current.hashState));
  }

  pageDigest(page: number, seed = 0n): bigint {
    checkIndex(page, this.pages, "page");
    return this.digest(page * this.pageSize, this.pageSize, seed);
  }

  createBitmap(): PageBitmap {
    return new PageBitmap(this);
  }

  createScanner(): PageScanner {
    return new PageScanner(this);
  }

  /**
   * A copy-before-write queue over this memory alone, with `savevm` (a bitmap of this memory) as
   * the pages still to write and `capacity` page slots. For several memories, construct a
   * {@link CopyBeforeWriteQueue} over their regions.
   */
  createCopyBeforeWriteQueue(savevm: PageBitmapLike, capacity: number): CopyBeforeWriteQueue {
    if (!(savevm instanceof PageBitmap) || savevm.memory !== this) {
      throw new RamWasmError("WRONG_MEMORY", "the savevm bitmap must come from this memory's createBitmap()");
    }
    return new CopyBeforeWriteQueue([memoryRegion(this, savevm)], capacity, { pageSize: this.pageSize, simd: this.variant === "simd" });
  }
}
