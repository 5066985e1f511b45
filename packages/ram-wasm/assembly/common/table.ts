// Open-addressing tables of a scanner state. The sampled-hash table (S) holds one slot per
// distinct sampled hash: either the one page recorded with it, or COLLIDED once two different
// contents shared it; those groups live in the full-hash table (F). A page therefore costs at most
// one sampled hash, one full hash and the compares against pages with its full hash, however
// adversarial the contents are. Equality is always decided by comparing the bytes.
import {
  COLLIDED,
  ST_FCOUNT,
  ST_FMASK,
  ST_FTABLE,
  ST_OVERFLOW,
  ST_PAGES,
  ST_RAM,
  ST_SCOUNT,
  ST_SHIFT,
  ST_SMASK,
  ST_STABLE,
} from "./layout";
import { fullHash, pagesEqual, sampleHash } from "../kernels";

// @ts-ignore: decorator
@inline
export function pagePtr(st: usize, local: u32): usize {
  return <usize>load<u32>(st, ST_RAM) + (<usize>local << load<u32>(st, ST_SHIFT));
}

// @ts-ignore: decorator
@inline
function pageSize(st: usize): usize {
  return <usize>1 << load<u32>(st, ST_SHIFT);
}

function fInsertAt(st: usize, slot: usize, f: u32, local: u32): bool {
  const n = load<u32>(st, ST_FCOUNT);
  if (n >= load<u32>(st, ST_PAGES)) {
    store<u32>(st, 1, ST_OVERFLOW);
    return false;
  }
  store<u32>(st, n + 1, ST_FCOUNT);
  store<u32>(slot, f);
  store<u32>(slot, local + 1, 4);
  return true;
}

/** Adds an already recorded page to the F table (its S group just became COLLIDED). */
function fAdd(st: usize, local: u32): void {
  const f = fullHash(pagePtr(st, local), pageSize(st));
  const table = <usize>load<u32>(st, ST_FTABLE);
  const mask = load<u32>(st, ST_FMASK);
  let i = f & mask;
  while (true) {
    const slot = table + (<usize>i << 3);
    if (load<u32>(slot, 4) == 0) {
      fInsertAt(st, slot, f, local);
      return;
    }
    i = (i + 1) & mask;
  }
}

/**
 * Finds a recorded page equal to the page at p (whose full hash is f), or records `local` when
 * `insert` is set. Returns the matching local page, or -1.
 */
function fFind(st: usize, p: usize, f: u32, local: u32, insert: bool): i32 {
  const table = <usize>load<u32>(st, ST_FTABLE);
  const mask = load<u32>(st, ST_FMASK);
  const size = pageSize(st);
  let i = f & mask;
  while (true) {
    const slot = table + (<usize>i << 3);
    const v = load<u32>(slot, 4);
    if (v == 0) {
      if (insert) fInsertAt(st, slot, f, local);
      return -1;
    }
    if (load<u32>(slot) == f) {
      const x = v - 1;
      if (x == local || pagesEqual(p, pagePtr(st, x), size)) return <i32>x;
    }
    i = (i + 1) & mask;
  }
}

/**
 * Looks up the page at p (sampled hash s). With `insert`, a page with no match is recorded as
 * local page `local`. Returns the matching local page or -1.
 */
export function findOrInsert(st: usize, p: usize, s: u32, local: u32, insert: bool): i32 {
  const slot = sampledSlot(st, s);
  const v = load<u32>(slot, 4);
  if (v == 0) {
    if (insert) insertSampled(st, slot, s, local);
    return -1;
  }
  const size = pageSize(st);
  if (v != COLLIDED) {
    const x = v - 1;
    if (x == local || pagesEqual(p, pagePtr(st, x), size)) return <i32>x;
    if (!insert) return -1;
    // Two contents share this sampled hash: from now on the group is told apart by full hash.
    store<u32>(slot, COLLIDED, 4);
    fAdd(st, x);
  }
  return fFind(st, p, fullHash(p, size), local, insert);
}

/** The S-table slot holding sampled hash s, or the empty slot where it would go. */
// @ts-ignore: decorator
@inline
export function sampledSlot(st: usize, s: u32): usize {
  const table = <usize>load<u32>(st, ST_STABLE);
  const mask = load<u32>(st, ST_SMASK);
  let i = s & mask;
  while (true) {
    const slot = table + (<usize>i << 3);
    if (load<u32>(slot, 4) == 0 || load<u32>(slot) == s) return slot;
    i = (i + 1) & mask;
  }
}

/** Records `local` in the empty S slot `slot`, unless the table is at its limit (then flags overflow). */
export function insertSampled(st: usize, slot: usize, s: u32, local: u32): void {
  const n = load<u32>(st, ST_SCOUNT);
  if (n >= load<u32>(st, ST_PAGES)) {
    store<u32>(st, 1, ST_OVERFLOW);
    return;
  }
  store<u32>(st, n + 1, ST_SCOUNT);
  store<u32>(slot, s);
  store<u32>(slot, local + 1, 4);
}

/** Whether the S table has a slot for sampled hash s. */
export function hasSampledHash(st: usize, s: u32): bool {
  return load<u32>(sampledSlot(st, s), 4) != 0;
}

/** Empties slot i of a linear-probing table, moving later entries back so no probe chain breaks. */
function deleteSlot(table: usize, mask: u32, i: u32): void {
  let j = i;
  while (true) {
    j = (j + 1) & mask;
    const from = table + (<usize>j << 3);
    if (load<u32>(from, 4) == 0) break;
    const home = load<u32>(from) & mask;
    const stays = i <= j ? i < home && home <= j : i < home || home <= j;
    if (!stays) {
      store<u64>(table + (<usize>i << 3), load<u64>(from));
      i = j;
    }
  }
  store<u64>(table + (<usize>i << 3), 0);
}

/** Finds the slot of `table` whose key is `key` and value `value`; -1 when absent. */
function slotOf(table: usize, mask: u32, key: u32, value: u32): i32 {
  let i = key & mask;
  while (true) {
    const slot = table + (<usize>i << 3);
    const v = load<u32>(slot, 4);
    if (v == 0) return -1;
    if (v == value && load<u32>(slot) == key) return <i32>i;
    i = (i + 1) & mask;
  }
}

/**
 * Removes recorded page `local` (whose bytes have not changed since it was recorded) from the
 * tables, so that every entry is an original of this state.
 */
export function forget(st: usize, local: u32): void {
  const p = pagePtr(st, local);
  const size = pageSize(st);
  const s = sampleHash(p, size);
  const stable = <usize>load<u32>(st, ST_STABLE);
  const smask = load<u32>(st, ST_SMASK);
  const i = slotOf(stable, smask, s, local + 1);
  if (i >= 0) {
    deleteSlot(stable, smask, <u32>i);
    store<u32>(st, load<u32>(st, ST_SCOUNT) - 1, ST_SCOUNT);
    return;
  }
  const ftable = <usize>load<u32>(st, ST_FTABLE);
  const fmask = load<u32>(st, ST_FMASK);
  const k = slotOf(ftable, fmask, fullHash(p, size), local + 1);
  if (k >= 0) {
    deleteSlot(ftable, fmask, <u32>k);
    store<u32>(st, load<u32>(st, ST_FCOUNT) - 1, ST_FCOUNT);
  }
}
