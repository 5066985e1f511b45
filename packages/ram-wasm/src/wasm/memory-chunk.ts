import { RamWasmError } from "../errors.js";
import { createRamWasmContext, type RamWasmContext } from "./context.js";

/** A wasm32 memory must stay below 4 GiB so that `pointer + length` never wraps in u32. */
export const MAX_WASM_BYTES = 0xffff * 0x10000;
const WASM_PAGE = 0x10000;
export const SCRATCH_BYTES = 0x10000;

/**
 * One WebAssembly memory with its instance: a slice of guest RAM at `ramPtr`, then metadata
 * (bitmaps, scanner tables, scratch) allocated upwards and never freed. Allocation grows the
 * memory, which detaches every earlier view: callers fetch views through `bytes()`.
 */
export class MemoryChunk {
  readonly ctx: RamWasmContext;
  /** Guest byte offset of this chunk's first byte. */
  readonly start: number;
  /** Guest bytes held here. */
  readonly length: number;
  /** Offset of guest byte `start` inside this memory. */
  readonly ramPtr: number;
  private top: number;
  private view: Uint8Array;
  /** A page-sized buffer for bringing a page of another memory here. */
  readonly scratchPage: number;
  /** Room for one streaming-hash state. */
  readonly hashState: number;
  /** SCRATCH_BYTES of general scratch (batched flags, hash lists). */
  readonly scratch: number;

  constructor(options: { start: number; length: number; pageSize: number; simd: boolean | undefined; shared?: boolean }) {
    this.start = options.start;
    this.length = options.length;
    this.ramPtr = Math.max(WASM_PAGE, options.pageSize);
    this.top = this.ramPtr + options.length;
    let memory: WebAssembly.Memory;
    try {
      const initial = Math.ceil(this.top / WASM_PAGE);
      // A shared memory must declare its maximum; the largest lets metadata grow as usual.
      memory = options.shared
        ? new WebAssembly.Memory({ initial, maximum: MAX_WASM_BYTES / WASM_PAGE, shared: true })
        : new WebAssembly.Memory({ initial });
    } catch (err) {
      throw new RamWasmError("OUT_OF_MEMORY", `could not reserve a wasm memory of ${this.top} bytes: ${String(err)}`);
    }
    this.ctx = createRamWasmContext({ memory, simd: options.simd, shared: options.shared ?? false });
    this.view = new Uint8Array(memory.buffer);
    this.scratchPage = this.alloc(options.pageSize, 128);
    this.hashState = this.alloc(this.ctx.layout.XXH_SIZE, 16);
    this.scratch = this.alloc(SCRATCH_BYTES, 16);
  }

  /** The whole memory as bytes; valid until the next allocation grows it. */
  bytes(): Uint8Array {
    if (this.view.byteLength === 0 || this.view.buffer !== this.ctx.memory.buffer) {
      this.view = new Uint8Array(this.ctx.memory.buffer);
    }
    return this.view;
  }

  u32(): Uint32Array {
    const b = this.bytes();
    return new Uint32Array(b.buffer, 0, b.byteLength >>> 2);
  }

  /** Reserves `bytes` zeroed bytes aligned to `align` (a power of two) and returns their offset. */
  alloc(bytes: number, align = 8): number {
    const at = Math.ceil(this.top / align) * align;
    const end = at + bytes;
    if (end > MAX_WASM_BYTES) {
      throw new RamWasmError(
        "OUT_OF_MEMORY",
        `a memory chunk would need ${end} bytes, more than a wasm32 memory holds: use a smaller chunkBytes`,
      );
    }
    const have = this.ctx.memory.buffer.byteLength;
    if (end > have) {
      try {
        this.ctx.memory.grow(Math.ceil((end - have) / WASM_PAGE));
      } catch (err) {
        throw new RamWasmError("OUT_OF_MEMORY", `could not grow a wasm memory to ${end} bytes: ${String(err)}`);
      }
    }
    this.top = end;
    return at;
  }
}
