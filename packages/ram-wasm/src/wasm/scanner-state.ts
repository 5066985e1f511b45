import type { RamWasmContext } from "./context.js";

/** Allocates `bytes` zeroed bytes aligned to `align` in the context's memory. */
export type Allocate = (bytes: number, align: number) => number;

export interface ScannerStateOptions {
  /** Memory offset of local page 0. */
  ramPtr: number;
  pageShift: number;
  /** Pages the state covers. */
  pages: number;
  /** Guest-wide index of local page 0. */
  base: number;
}

/** Table slots for `pages` entries: a power of two at least twice as large, so probes stay short. */
export function tableSlots(pages: number): number {
  return 2 ** Math.max(4, Math.ceil(Math.log2(pages * 2)));
}

/**
 * Lays out one scanner state (record, two hash tables, per-page arrays) and returns the record's
 * offset. Fresh memory is zero, which is an empty table.
 */
export function createScannerState(ctx: RamWasmContext, alloc: Allocate, options: ScannerStateOptions): number {
  const L = ctx.layout;
  const slots = tableSlots(options.pages);
  const st = alloc(L.ST_SIZE, 16);
  const stable = alloc(slots * 8, 64);
  const ftable = alloc(slots * 8, 64);
  const origin = alloc(options.pages * 4, 16);
  const kinds = alloc(options.pages, 16);
  const values = alloc(options.pages * 4, 16);
  const newPages = alloc(options.pages * 4, 16);
  const newHashes = alloc(options.pages * 4, 16);
  const words = new Uint32Array(ctx.memory.buffer, st, L.ST_SIZE / 4);
  const put = (field: number, value: number): void => {
    words[field / 4] = value;
  };
  put(L.ST_RAM, options.ramPtr);
  put(L.ST_SHIFT, options.pageShift);
  put(L.ST_PAGES, options.pages);
  put(L.ST_BASE, options.base);
  put(L.ST_STABLE, stable);
  put(L.ST_SMASK, slots - 1);
  put(L.ST_FTABLE, ftable);
  put(L.ST_FMASK, slots - 1);
  put(L.ST_ORIGIN, origin);
  put(L.ST_KINDS, kinds);
  put(L.ST_VALUES, values);
  put(L.ST_NEW_PAGES, newPages);
  put(L.ST_NEW_HASHES, newHashes);
  return st;
}

/** Reads a u32 field of a scanner state record. */
export function stateField(ctx: RamWasmContext, st: number, field: number): number {
  return new Uint32Array(ctx.memory.buffer, st + field, 1)[0] as number;
}
