import { emptyCounts, type ScanCounts } from "../page-kind.js";
import type { RamWasmContext } from "./context.js";
import { type Allocate, createScannerState, stateField } from "./scanner-state.js";

/** One part of a guest scanned by one thread: its own scanner state over consecutive pages. */
export interface ScanPart {
  state: number;
  /** Guest index of the part's first page. */
  first: number;
  pages: number;
}

/**
 * Splits `pages` pages at `ramPtr` into `parts` parts with a scanner state each. All live in one
 * (shared) memory, so every thread's instance sees every part. A parallel scan then runs three
 * phases, each split across threads and separated by a barrier: scanPart for every part;
 * mergeSlice for slices of each later part's new pages (slices of different parts may run at
 * the same time: a merge reads only earlier parts' true originals, which no merge rewrites);
 * fixupSlice for slices of each later part's pages. The outcome equals one scan of the whole
 * range.
 */
export function planParallelScan(
  ctx: RamWasmContext,
  alloc: Allocate,
  options: { ramPtr: number; pageShift: number; pages: number; parts: number },
): ScanPart[] {
  const out: ScanPart[] = [];
  const per = Math.ceil(options.pages / options.parts);
  for (let first = 0; first < options.pages; first += per) {
    const pages = Math.min(per, options.pages - first);
    const state = createScannerState(ctx, alloc, {
      ramPtr: options.ramPtr + first * 2 ** options.pageShift,
      pageShift: options.pageShift,
      pages,
      base: first,
    });
    out.push({ state, first, pages });
  }
  return out;
}

/** Phase 1: classifies a part on its own. */
export function scanPart(ctx: RamWasmContext, part: ScanPart): void {
  ctx.fn.scanPages(part.state, 0, part.pages);
}

/** Number of pages part `k` recorded as new in phase 1 (what phase 2 splits into slices). */
export function newPageCount(ctx: RamWasmContext, part: ScanPart): number {
  return stateField(ctx, part.state, ctx.layout.ST_NEW_COUNT);
}

/** Phase 2: resolves new pages [from, to) of part k against every earlier part. */
export function mergeSlice(ctx: RamWasmContext, parts: readonly ScanPart[], k: number, from: number, to: number): void {
  const part = parts[k] as ScanPart;
  for (let j = 0; j < k; j++) ctx.fn.mergeLookup((parts[j] as ScanPart).state, part.state, from, to);
}

/** Phase 3: rewrites results of local pages [from, to) of a part; returns pages turned duplicate. */
export function fixupSlice(ctx: RamWasmContext, part: ScanPart, from: number, to: number): number {
  return ctx.fn.fixupResults(part.state, from, to - from);
}

/** Counts of a part after phase 1, with `turned` pages (from phase 3) moved from unique to duplicate. */
export function partCounts(ctx: RamWasmContext, part: ScanPart, turned: number): ScanCounts {
  const L = ctx.layout;
  const counts = emptyCounts();
  counts.pages = part.pages;
  counts.zero = stateField(ctx, part.state, L.ST_ZERO);
  counts.uniform = stateField(ctx, part.state, L.ST_UNIFORM);
  counts.duplicate = stateField(ctx, part.state, L.ST_DUPLICATE) + turned;
  counts.unique = stateField(ctx, part.state, L.ST_UNIQUE) - turned;
  return counts;
}

/** Kind and value of every page of a part (copies). */
export function partResults(ctx: RamWasmContext, part: ScanPart): { kinds: Uint8Array; values: Uint32Array } {
  const kinds = stateField(ctx, part.state, ctx.layout.ST_KINDS);
  const values = stateField(ctx, part.state, ctx.layout.ST_VALUES);
  return {
    kinds: new Uint8Array(ctx.memory.buffer, kinds, part.pages).slice(),
    values: new Uint32Array(ctx.memory.buffer, values, part.pages).slice(),
  };
}
