import type { Machine, PageBitmap, RamBlock } from "@savevm/machine";
import { GuestMemory, PageBitmap as WasmBitmap, type PageScannerLike } from "@savevm/ram-wasm";
import { bitmapBytes, KIND_UNIFORM, KIND_UNIQUE, KIND_ZERO, STATE_COUNT, STATE_DIRTY, STATE_PENDING, STATE_QUEUED, STATE_WRITTEN } from "../shared/protocol.js";

/** Pages the background sweep classifies per frame: 64 MiB, a few milliseconds of SIMD scanning. */
const SWEEP_PAGES = 16384;

/** What the current save means for the overlays. */
export type SaveOverlay = "none" | "active" | "done";

/**
 * The page map's data for one machine, kept up to date cheaply and handed out as compact
 * snapshots: one kind byte per page and four bitmaps (dirtied, pending, queued, written).
 *
 * - Kinds come from a sweep of @savevm/ram-wasm's scanner over RAM (its own scanner, so a save's
 *   dedup table is never touched), a slice per frame, plus an immediate zero/uniform check of
 *   each page the guest wrote since the last frame.
 * - Dirtied: a write hook on the machine's barrier; cleared at every frame, or at every pre-copy
 *   pass while one runs.
 * - Pending: the save's `toSend` bitmap (the savevm bitmap of a live snapshot), copied whole.
 * - Queued: the hook sees each copy-before-write (it runs before the snapshot's barrier); the
 *   queue is first in, first out, so its `length` newest copies are what it holds.
 */
export class PageState {
  readonly #machine: Machine;
  readonly #block: RamBlock;
  readonly pages: number;
  readonly #kinds: Uint8Array;
  readonly #dirty: Uint8Array;
  /** Pages written since the last frame, whose kind is checked again. */
  readonly #fresh: Uint8Array;
  #sweepAt = 0;
  #scanner: PageScannerLike | undefined;
  #ring: Int32Array | undefined;
  #ringCount = 0;
  #passDirty = false;
  overlay: SaveOverlay = "none";
  readonly #unhook: () => void;
  readonly #unreplace: () => void;

  constructor(machine: Machine) {
    this.#machine = machine;
    this.#block = machine.mainRam;
    this.pages = this.#block.pageCount;
    this.#kinds = new Uint8Array(this.pages);
    this.#dirty = new Uint8Array(bitmapBytes(this.pages));
    this.#fresh = new Uint8Array(bitmapBytes(this.pages));
    this.#scanner = this.#newScanner();
    this.#unhook = machine.ram.addWriteHook((block, page) => {
      if (block !== this.#block) return;
      this.#dirty[page >> 3]! |= 1 << (page & 7);
      this.#fresh[page >> 3]! |= 1 << (page & 7);
      const snapshot = machine.liveSnapshot;
      if (snapshot?.armed && snapshot.wouldCopy(block, page) && snapshot.queue.free > 0) {
        if (!this.#ring || this.#ring.length !== snapshot.queue.capacity) {
          this.#ring = new Int32Array(snapshot.queue.capacity);
          this.#ringCount = 0;
        }
        this.#ring[this.#ringCount++ % this.#ring.length] = page;
      }
    });
    this.#unreplace = this.#block.onReplace(() => {
      this.#scanner = this.#newScanner();
      this.#dirty.fill(0);
      this.sweepAll();
    });
    this.#sweep(this.pages);
  }

  #newScanner(): PageScannerLike | undefined {
    const memory = this.#block.memory;
    return memory instanceof GuestMemory ? memory.createScanner() : undefined;
  }

  /** Dirtied bits from now on cover a whole pre-copy pass, until `passEnded` or `endPasses`. */
  startPasses(): void {
    this.#passDirty = true;
    this.#dirty.fill(0);
  }

  passEnded(): void {
    this.#dirty.fill(0);
  }

  endPasses(): void {
    this.#passDirty = false;
  }

  /** A fresh snapshot of kinds and overlays (new buffers, for transfer). */
  frame(): { kinds: Uint8Array; bits: Uint8Array } {
    this.#refreshDirtyKinds();
    this.#sweep(SWEEP_PAGES);
    const n = bitmapBytes(this.pages);
    const bits = new Uint8Array(STATE_COUNT * n);
    bits.set(this.#dirty, STATE_DIRTY * n);
    if (!this.#passDirty) this.#dirty.fill(0);
    if (this.overlay === "active") {
      copyBits(this.#block.toSend, bits.subarray(STATE_PENDING * n, (STATE_PENDING + 1) * n), this.pages);
      const snapshot = this.#machine.liveSnapshot;
      if (snapshot?.armed && this.#ring) {
        const queued = bits.subarray(STATE_QUEUED * n, (STATE_QUEUED + 1) * n);
        const length = Math.min(snapshot.queue.length, this.#ringCount, this.#ring.length);
        for (let i = this.#ringCount - length; i < this.#ringCount; i++) {
          const page = this.#ring[i % this.#ring.length]!;
          queued[page >> 3]! |= 1 << (page & 7);
        }
      }
      const written = bits.subarray(STATE_WRITTEN * n, (STATE_WRITTEN + 1) * n);
      const pending = bits.subarray(STATE_PENDING * n, (STATE_PENDING + 1) * n);
      const queued = bits.subarray(STATE_QUEUED * n, (STATE_QUEUED + 1) * n);
      for (let i = 0; i < n; i++) written[i] = ~(pending[i]! | queued[i]!) & 0xff;
      clearTail(written, this.pages);
    } else if (this.overlay === "done") {
      const written = bits.subarray(STATE_WRITTEN * n, (STATE_WRITTEN + 1) * n);
      written.fill(0xff);
      clearTail(written, this.pages);
    }
    return { kinds: this.#kinds.slice(), bits };
  }

  /** The kind of one page as the map shows it. */
  kind(page: number): number {
    return this.#kinds[page]!;
  }

  /** Classifies every page at once (after a load, or for a test that wants exact kinds now). */
  sweepAll(): void {
    this.#sweepAt = 0;
    this.#sweep(this.pages);
  }

  destroy(): void {
    this.#unhook();
    this.#unreplace();
  }

  #refreshDirtyKinds(): void {
    const fresh = this.#fresh;
    for (let i = 0; i < fresh.length; i++) {
      let byte = fresh[i]!;
      if (byte === 0) continue;
      fresh[i] = 0;
      while (byte !== 0) {
        const bit = 31 - Math.clz32(byte & -byte);
        byte &= byte - 1;
        const page = i * 8 + bit;
        if (page >= this.pages) break;
        const value = this.#block.uniformValue(page);
        this.#kinds[page] = value === 0 ? KIND_ZERO : value > 0 ? KIND_UNIFORM : KIND_UNIQUE;
      }
    }
  }

  /** Scans the next `count` pages; a new round forgets what the scanner saw (pages changed since). */
  #sweep(count: number): void {
    const scanner = this.#scanner;
    if (!scanner) return;
    if (this.#sweepAt >= this.pages) this.#sweepAt = 0;
    if (this.#sweepAt === 0) scanner.reset();
    const n = Math.min(count, this.pages - this.#sweepAt);
    const result = scanner.scan(this.#sweepAt, n);
    this.#kinds.set(result.kinds, this.#sweepAt);
    this.#sweepAt += n;
  }
}

function copyBits(bitmap: PageBitmap, target: Uint8Array, pages: number): void {
  if (bitmap instanceof WasmBitmap) {
    bitmap.copyBitsTo(target);
    return;
  }
  for (let p = bitmap.findNextSet(0); p >= 0 && p < pages; p = bitmap.findNextSet(p + 1)) target[p >> 3]! |= 1 << (p & 7);
}

function clearTail(bits: Uint8Array, pages: number): void {
  const rest = pages & 7;
  if (rest !== 0) bits[bits.length - 1]! &= (1 << rest) - 1;
}
