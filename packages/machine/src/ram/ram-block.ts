import type { PageScannerLike } from "@savevm/ram-wasm";
import { MachineError } from "../errors.js";
import type { PageBitmap } from "./page-bitmap.js";
import type { PageMemory, PageMemoryFactory } from "./page-memory.js";

export const TARGET_PAGE_SIZE = 4096;
export const TARGET_PAGE_BITS = 12;

/** Called before the guest writes a page: the one write barrier every guest write passes. */
export type WriteHook = (block: RamBlock, page: number) => void;

/** One named, fixed-size range of guest RAM (QEMU's RAMBlock). */
export class RamBlock {
  readonly name: string;
  readonly size: number;
  readonly pageCount: number;
  /**
   * Where the block sits in the guest's address space (the blocks one after the other). Streams
   * with x-ignore-shared carry it, and a loader compares it for blocks it keeps in place.
   */
  addr = 0;
  /**
   * Kept outside the stream, in a memory file both processes share (QEMU's shared RAM with
   * x-ignore-shared): a checkpoint for a restart does not write its pages.
   */
  shared = false;
  #memory: PageMemory;
  #dirtyLog: PageBitmap | undefined;
  #toSend: PageBitmap | undefined;
  #scanner: PageScannerLike | null | undefined;
  readonly #replaceListeners = new Set<() => void>();
  /**
   * 1 for pages that may hold non-zero bytes: written by the guest (the barrier sets it) or by
   * a load. A page still 0 is known to be zero, so a save needs not scan it.
   */
  #touched: Uint8Array;

  constructor(name: string, memory: PageMemory) {
    if (name.length === 0 || new TextEncoder().encode(name).length > 255) {
      throw new MachineError("INVALID_CONFIG", `RAM block name '${name}' must be 1 to 255 bytes`);
    }
    if (memory.size <= 0 || memory.size % TARGET_PAGE_SIZE !== 0 || memory.pageSize !== TARGET_PAGE_SIZE) {
      throw new MachineError(
        "INVALID_CONFIG",
        `RAM block '${name}' size ${memory.size} must be a positive multiple of ${TARGET_PAGE_SIZE}-byte pages`,
      );
    }
    this.name = name;
    this.size = memory.size;
    this.pageCount = memory.size / TARGET_PAGE_SIZE;
    this.#memory = memory;
    this.#touched = new Uint8Array(this.pageCount).fill(1);
  }

  /** Marks that `memory` starts all zero (fresh storage): no page needs a zero scan yet. */
  markFresh(): void {
    this.#touched.fill(0);
  }

  /** The may-be-non-zero map (read it, do not keep it: a load replaces it). */
  get touched(): Uint8Array {
    return this.#touched;
  }

  get memory(): PageMemory {
    return this.#memory;
  }

  /**
   * Pages the guest wrote since the last sync (set by the barrier while logging is on).
   * Bitmaps live in the block's memory and are allocated once, then reused by every save.
   */
  get dirtyLog(): PageBitmap {
    this.#dirtyLog ??= this.#memory.createBitmap();
    return this.#dirtyLog;
  }

  /** Pages a running save still has to send. */
  get toSend(): PageBitmap {
    this.#toSend ??= this.#memory.createBitmap();
    return this.#toSend;
  }

  /**
   * The block's page classifier (created once, on first use, in the block's memory), or
   * undefined when the memory has none.
   */
  get scanner(): PageScannerLike | undefined {
    if (this.#scanner === undefined) this.#scanner = this.#memory.createScanner?.() ?? null;
    return this.#scanner ?? undefined;
  }

  /** The byte every position of the page holds, or -1. */
  uniformValue(page: number): number {
    return this.#memory.uniformValue(page);
  }

  /** Calls `listener` whenever a load puts new storage in place; returns its remover. */
  onReplace(listener: () => void): () => void {
    this.#replaceListeners.add(listener);
    return () => this.#replaceListeners.delete(listener);
  }

  /** A fresh view of one page, for reading. Guest writes go through `RamSet.writablePage`. */
  page(page: number): Uint8Array {
    return this.#memory.page(page);
  }

  /** Calls `visit` with views covering the whole block in order. */
  forEachSpan(visit: (bytes: Uint8Array) => void, maxSpan = 1 << 24): void {
    for (let at = 0; at < this.size; ) {
      const span = this.#memory.span(at, Math.min(maxSpan, this.size - at));
      visit(span);
      at += span.length;
    }
  }

  /**
   * Puts `memory` (a loaded staging copy) in place of the current storage; `touched` says which
   * of its pages may be non-zero (all, when not given).
   */
  replaceMemory(memory: PageMemory, touched?: Uint8Array): void {
    if (memory.size !== this.size) {
      throw new MachineError("INVALID_STATE", `RAM block '${this.name}': replacement has size ${memory.size}, expected ${this.size}`);
    }
    this.#memory = memory;
    this.#dirtyLog = undefined;
    this.#toSend = undefined;
    this.#scanner = undefined;
    if (touched && touched.length === this.pageCount) this.#touched = touched;
    else this.#touched.fill(1);
    for (const listener of this.#replaceListeners) listener();
  }
}

/** The machine's RAM blocks in registration order, and the write barrier. */
export class RamSet {
  readonly blocks: RamBlock[] = [];
  readonly #hooks: WriteHook[] = [];
  readonly memoryFactory: PageMemoryFactory;
  /** Whether loads stage into shared memory (a staging helper thread writes into it too). */
  readonly sharedStaging: boolean;
  /** Staging memories made ahead of a load, by block name. */
  readonly #spare = new Map<string, PageMemory>();
  #logging = false;

  constructor(memoryFactory: PageMemoryFactory, options: { sharedStaging?: boolean } = {}) {
    this.memoryFactory = memoryFactory;
    this.sharedStaging = options.sharedStaging ?? false;
  }

  /**
   * Makes the staging memory of every block now, so that a load does not wait for it: a machine
   * waiting for an incoming migration does this, as QEMU has its RAM before the stream comes.
   * The memories are zero and untouched, so they cost address space, not RAM.
   */
  prepareStaging(): void {
    for (const block of this.blocks) {
      if (!this.#spare.has(block.name)) this.#spare.set(block.name, this.#newStaging(block));
    }
  }

  /** A zeroed memory to load `block` into: the one prepared, or a new one. */
  takeStaging(block: RamBlock): PageMemory {
    const spare = this.#spare.get(block.name);
    this.#spare.delete(block.name);
    return spare && spare.size === block.size ? spare : this.#newStaging(block);
  }

  #newStaging(block: RamBlock): PageMemory {
    return this.memoryFactory(block.name, block.size, { shared: this.sharedStaging });
  }

  add(name: string, size: number): RamBlock {
    if (this.find(name)) throw new MachineError("INVALID_CONFIG", `RAM block '${name}' already exists`);
    const block = new RamBlock(name, this.memoryFactory(name, size));
    // A factory hands out zeroed memory, so nothing needs scanning until something is written.
    block.markFresh();
    block.addr = this.totalSize;
    this.blocks.push(block);
    return block;
  }

  find(name: string): RamBlock | undefined {
    return this.blocks.find((b) => b.name === name);
  }

  get totalSize(): number {
    let total = 0;
    for (const b of this.blocks) total += b.size;
    return total;
  }

  get totalPages(): number {
    return this.totalSize / TARGET_PAGE_SIZE;
  }

  /** Adds a hook the barrier calls before every guest page write; returns its remover. */
  addWriteHook(hook: WriteHook): () => void {
    this.#hooks.push(hook);
    return () => {
      const i = this.#hooks.indexOf(hook);
      if (i >= 0) this.#hooks.splice(i, 1);
    };
  }

  /**
   * The write barrier: marks the page dirty for a running save and runs the hooks, then hands
   * out the page for writing. Nothing else gives the guest a writable view.
   */
  writablePage(block: RamBlock, page: number): Uint8Array {
    block.touched[page] = 1;
    if (this.#logging) block.dirtyLog.set(page);
    for (let i = 0; i < this.#hooks.length; i++) this.#hooks[i]!(block, page);
    return block.page(page);
  }

  get logging(): boolean {
    return this.#logging;
  }

  /** Starts dirty logging with clean logs. */
  startDirtyLog(): void {
    for (const b of this.blocks) b.dirtyLog.clearAll();
    this.#logging = true;
  }

  stopDirtyLog(): void {
    this.#logging = false;
  }
}
