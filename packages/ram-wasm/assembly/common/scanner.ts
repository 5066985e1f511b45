// Page classification over a range of a scanner state. One call handles many pages, so the
// JS↔wasm boundary is crossed per batch, never per page.
import {
  COLLIDED,
  KIND_DUPLICATE,
  KIND_UNIFORM,
  KIND_UNIQUE,
  KIND_ZERO,
  ST_BASE,
  ST_DUPLICATE,
  ST_FCOUNT,
  ST_FMASK,
  ST_FTABLE,
  ST_KINDS,
  ST_NEW_COUNT,
  ST_NEW_HASHES,
  ST_NEW_PAGES,
  ST_ORIGIN,
  ST_OVERFLOW,
  ST_PAGES,
  ST_RAM,
  ST_SCOUNT,
  ST_SMASK,
  ST_STABLE,
  ST_CANDIDATES,
  ST_TALLY,
  ST_TOUCHED,
  ST_SHIFT,
  ST_UNIFORM,
  ST_UNIQUE,
  ST_VALUES,
  ST_ZERO,
} from "./layout";
import { findOrInsert, forget, hasSampledHash, insertSampled, pagePtr, sampledSlot } from "./table";
import { isZero, pagesEqual, pagesEqual2, sampleHash, uniformByte } from "../kernels";

const NO_PAGE: u32 = 0xffffffff;
/** Pages per stage batch: their table slots and candidate pages are fetched together. */
const BATCH: u32 = 64;
// Kinds used inside one batch only, before a page's final kind is known.
const KIND_PENDING: u8 = 4;
const KIND_CANDIDATE: u8 = 5;

/** Per-call tallies, kept in the state record while a call runs. */
// @ts-ignore: decorator
@unmanaged
class Tally {
  zero: u32 = 0;
  uniform: u32 = 0;
  duplicate: u32 = 0;
  unique: u32 = 0;
  fresh: u32 = 0;
}

/**
 * Writes the final kind of a non-uniform page: `m` is the recorded page it matched, or -1 when it
 * was recorded as new (or refused by a full table).
 */
// @ts-ignore: decorator
@inline
function settle(st: usize, local: u32, s: u32, m: i32, t: Tally): void {
  const self = load<u32>(st, ST_BASE) + local;
  const origin = <usize>load<u32>(st, ST_ORIGIN);
  const kp = <usize>load<u32>(st, ST_KINDS) + local;
  const vp = <usize>load<u32>(st, ST_VALUES) + (<usize>local << 2);
  if (m < 0) {
    store<u32>(origin + (<usize>local << 2), self);
    store<u32>(<usize>load<u32>(st, ST_NEW_PAGES) + (<usize>t.fresh << 2), local);
    store<u32>(<usize>load<u32>(st, ST_NEW_HASHES) + (<usize>t.fresh << 2), s);
    t.fresh++;
    store<u8>(kp, KIND_UNIQUE);
    store<u32>(vp, self);
    t.unique++;
    return;
  }
  const g = load<u32>(origin + (<usize>m << 2));
  if (g == self) {
    store<u8>(kp, KIND_UNIQUE);
    store<u32>(vp, self);
    t.unique++;
  } else {
    store<u8>(kp, KIND_DUPLICATE);
    store<u32>(vp, g);
    t.duplicate++;
  }
}

/** Settles a candidate: equal to recorded page x, or (rarely) sharing only its sampled hash. */
// @ts-ignore: decorator
@inline
function settleCandidate(st: usize, local: u32, p: usize, x: u32, equal: bool, t: Tally): void {
  if (equal) {
    settle(st, local, 0, <i32>x, t);
  } else {
    // The general path splits the sampled-hash group by full hash.
    const s = sampleHash(p, <usize>1 << load<u32>(st, ST_SHIFT));
    settle(st, local, s, findOrInsert(st, p, s, local, true), t);
  }
}

/**
 * Classifies local pages [first, first + count). Writes kind and value per page at the page's
 * local index, the counts of this call, and the list of pages recorded as new originals.
 *
 * Pages go in batches through three stages so that memory latency overlaps instead of adding
 * up: (1) zero/uniform check, sampled hash of the rest, and a load of each hash's table slot;
 * (2) table probes, where a page whose hash names a single recorded page becomes a candidate and
 * that page's first line is loaded; (3) full compares of the candidates, two pairs at a time.
 */
export function scanPages(st: usize, first: u32, count: u32): void {
  const ram = <usize>load<u32>(st, ST_RAM);
  const shift = load<u32>(st, ST_SHIFT);
  const size = <usize>1 << shift;
  const kinds = <usize>load<u32>(st, ST_KINDS);
  const values = <usize>load<u32>(st, ST_VALUES);
  const stable = <usize>load<u32>(st, ST_STABLE);
  const smask = load<u32>(st, ST_SMASK);
  const t = changetype<Tally>(st + ST_TALLY);
  t.zero = 0;
  t.uniform = 0;
  t.duplicate = 0;
  t.unique = 0;
  t.fresh = 0;
  // Sum of the prefetching loads, stored at the end so no optimiser drops them.
  let touched: u32 = 0;
  const end = first + count;
  for (let batch = first; batch < end; batch += BATCH) {
    const batchEnd = min<u32>(end, batch + BATCH);
    let pending: u32 = 0;
    for (let local = batch; local < batchEnd; local++) {
      const p = ram + (<usize>local << shift);
      const b = uniformByte(p, size);
      const vp = values + (<usize>local << 2);
      if (b == 0) {
        store<u8>(kinds + local, KIND_ZERO);
        store<u32>(vp, 0);
        t.zero++;
      } else if (b > 0) {
        store<u8>(kinds + local, KIND_UNIFORM);
        store<u32>(vp, <u32>b);
        t.uniform++;
      } else {
        const s = sampleHash(p, size);
        store<u8>(kinds + local, KIND_PENDING);
        store<u32>(vp, s);
        touched += load<u32>(stable + (<usize>(s & smask) << 3));
        pending++;
      }
    }
    if (pending == 0) continue;
    let candidates: u32 = 0;
    for (let local = batch; local < batchEnd; local++) {
      if (load<u8>(kinds + local) != KIND_PENDING) continue;
      const vp = values + (<usize>local << 2);
      const s = load<u32>(vp);
      const slot = sampledSlot(st, s);
      const v = load<u32>(slot, 4);
      if (v == 0) {
        insertSampled(st, slot, s, local);
        settle(st, local, s, -1, t);
      } else if (v == COLLIDED) {
        settle(st, local, s, findOrInsert(st, ram + (<usize>local << shift), s, local, true), t);
      } else if (v - 1 == local) {
        settle(st, local, s, <i32>local, t);
      } else {
        store<u8>(kinds + local, KIND_CANDIDATE);
        store<u32>(vp, v - 1);
        touched += load<u32>(ram + (<usize>(v - 1) << shift));
        candidates++;
      }
    }
    if (candidates == 0) continue;
    // Candidates in page order; compared two at a time, settled strictly in order.
    const list = st + ST_CANDIDATES;
    let n: u32 = 0;
    for (let local = batch; local < batchEnd; local++) {
      if (load<u8>(kinds + local) == KIND_CANDIDATE) {
        store<u32>(list + (<usize>n << 2), local);
        n++;
      }
    }
    for (let i: u32 = 0; i < n; i += 2) {
      const l1 = load<u32>(list + (<usize>i << 2));
      const p1 = ram + (<usize>l1 << shift);
      const x1 = load<u32>(values + (<usize>l1 << 2));
      if (i + 1 == n) {
        settleCandidate(st, l1, p1, x1, pagesEqual(p1, ram + (<usize>x1 << shift), size), t);
        break;
      }
      const l2 = load<u32>(list + (<usize>(i + 1) << 2));
      const p2 = ram + (<usize>l2 << shift);
      const x2 = load<u32>(values + (<usize>l2 << 2));
      const eq = pagesEqual2(p1, ram + (<usize>x1 << shift), p2, ram + (<usize>x2 << shift), size);
      settleCandidate(st, l1, p1, x1, (eq & 1) != 0, t);
      settleCandidate(st, l2, p2, x2, (eq & 2) != 0, t);
    }
  }
  store<u32>(st, t.zero, ST_ZERO);
  store<u32>(st, t.uniform, ST_UNIFORM);
  store<u32>(st, t.duplicate, ST_DUPLICATE);
  store<u32>(st, t.unique, ST_UNIQUE);
  store<u32>(st, t.fresh, ST_NEW_COUNT);
  store<u32>(st, touched, ST_TOUCHED);
}

/**
 * Counts the zero pages among [first, first + count) of the page array at ram; with a non-zero
 * `flags`, also writes 1 (zero) or 0 per page there.
 */
export function countZeroPages(ram: usize, shift: u32, first: u32, count: u32, flags: usize): u32 {
  const size = <usize>1 << shift;
  let n: u32 = 0;
  const end = first + count;
  for (let i = first; i < end; i++) {
    const z = isZero(ram + (<usize>i << shift), size);
    if (z) n++;
    if (flags != 0) store<u8>(flags + (i - first), <u8>z);
  }
  return n;
}

/**
 * For each sampled hash in hashes[0..n), writes 1 to out[i] when this state has a page with that
 * sampled hash, else 0. Returns the number of hits: only those need a full lookup.
 */
export function lookupHashes(st: usize, hashes: usize, n: u32, out: usize): u32 {
  let hits: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const hit = hasSampledHash(st, load<u32>(hashes + (<usize>i << 2)));
    store<u8>(out + i, <u8>hit);
    if (hit) hits++;
  }
  return hits;
}

/** The local page of this state whose content equals the page at p, or -1. */
export function findPage(st: usize, p: usize): i32 {
  const size = <usize>1 << load<u32>(st, ST_SHIFT);
  return findOrInsert(st, p, sampleHash(p, size), NO_PAGE, false);
}

/**
 * Resolves the new pages new[from..to) of state b against state a, both in this memory: parts of
 * one guest scanned in parallel, a covering earlier pages than b. Call it for each earlier part
 * in ascending order: a page already resolved is skipped, so it ends up naming the first part
 * that holds its content, whose entry is the true original. Only b's origin array is written,
 * so several threads may resolve disjoint slices at once. b's tables keep the resolved pages:
 * the states serve this one parallel pass. Returns the number of pages resolved here.
 */
export function mergeLookup(a: usize, b: usize, from: u32, to: u32): u32 {
  const newPages = <usize>load<u32>(b, ST_NEW_PAGES);
  const newHashes = <usize>load<u32>(b, ST_NEW_HASHES);
  const originA = <usize>load<u32>(a, ST_ORIGIN);
  const originB = <usize>load<u32>(b, ST_ORIGIN);
  let remapped: u32 = 0;
  const baseB = load<u32>(b, ST_BASE);
  for (let i = from; i < to; i++) {
    const local = load<u32>(newPages + (<usize>i << 2));
    if (load<u32>(originB + (<usize>local << 2)) != baseB + local) continue;
    const m = findOrInsert(a, pagePtr(b, local), load<u32>(newHashes + (<usize>i << 2)), NO_PAGE, false);
    if (m >= 0) {
      store<u32>(originB + (<usize>local << 2), load<u32>(originA + (<usize>m << 2)));
      remapped++;
    }
  }
  return remapped;
}

/**
 * After originals of this state were remapped to pages elsewhere, rewrites the results of local
 * pages [first, first + count): duplicates follow their original's new origin, and a remapped
 * original becomes a duplicate. Returns the number of pages turned from unique into duplicate.
 */
export function fixupResults(st: usize, first: u32, count: u32): u32 {
  const base = load<u32>(st, ST_BASE);
  const pages = load<u32>(st, ST_PAGES);
  const kinds = <usize>load<u32>(st, ST_KINDS);
  const values = <usize>load<u32>(st, ST_VALUES);
  const origin = <usize>load<u32>(st, ST_ORIGIN);
  let turned: u32 = 0;
  const end = first + count;
  for (let local = first; local < end; local++) {
    const k = load<u8>(kinds + local);
    const vp = values + (<usize>local << 2);
    if (k == KIND_DUPLICATE) {
      const v = load<u32>(vp) - base;
      if (v < pages) store<u32>(vp, load<u32>(origin + (<usize>v << 2)));
    } else if (k == KIND_UNIQUE) {
      const g = load<u32>(origin + (<usize>local << 2));
      if (g != base + local) {
        store<u8>(kinds + local, KIND_DUPLICATE);
        store<u32>(vp, g);
        turned++;
      }
    }
  }
  return turned;
}

/**
 * Forgets the local pages listed at list[0..n): pages just found to repeat an original of
 * another memory, which stand for that original from now on (origin already points there).
 */
export function forgetPages(st: usize, list: usize, n: u32): void {
  for (let i: u32 = 0; i < n; i++) forget(st, load<u32>(list + (<usize>i << 2)));
}

/** Forgets every recorded page. */
export function resetScanner(st: usize): void {
  memory.fill(<usize>load<u32>(st, ST_STABLE), 0, (<usize>load<u32>(st, ST_SMASK) + 1) << 3);
  memory.fill(<usize>load<u32>(st, ST_FTABLE), 0, (<usize>load<u32>(st, ST_FMASK) + 1) << 3);
  store<u32>(st, 0, ST_SCOUNT);
  store<u32>(st, 0, ST_FCOUNT);
  store<u32>(st, 0, ST_OVERFLOW);
}
