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
  ST_UNIFORM4,
  ST_TALLY,
  ST_TOUCHED,
  ST_SHIFT,
  ST_UNIFORM,
  ST_UNIQUE,
  ST_VALUES,
  ST_ZERO,
} from "./layout";
import { findOrInsert, forget, hasSampledHash, insertSampled, sampledSlot } from "./table";
import { isZero, pagesEqual4, sampleHash, startsUniform, uniformBytes4 } from "../kernels";

const NO_PAGE: u32 = 0xffffffff;
/** Pages per stage batch: their table slots and candidate pages are fetched together. */
const BATCH: u32 = 128;
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
  /** Pages of the current batch left for the table stage. */
  pending: u32 = 0;
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
 * Records the sampled hash of a page that is neither zero nor uniform, for the table stage, and
 * loads the table slot that hash goes to so the probe finds it in cache. Returns the loaded word.
 */
// @ts-ignore: decorator
@inline
function markPending(st: usize, local: u32, p: usize, size: usize, t: Tally): u32 {
  const s = sampleHash(p, size);
  store<u8>(<usize>load<u32>(st, ST_KINDS) + local, KIND_PENDING);
  store<u32>(<usize>load<u32>(st, ST_VALUES) + (<usize>local << 2), s);
  t.pending++;
  return load<u32>(<usize>load<u32>(st, ST_STABLE) + (<usize>(s & load<u32>(st, ST_SMASK)) << 3));
}

/**
 * Decides the first n of four pages that start uniform (the rest repeat page l0): zero, uniform,
 * or pending. Returns the sum of markPending's loads.
 */
function checkUniform4(st: usize, n: u32, l0: u32, l1: u32, l2: u32, l3: u32, t: Tally): u32 {
  const ram = <usize>load<u32>(st, ST_RAM);
  const shift = load<u32>(st, ST_SHIFT);
  const size = <usize>1 << shift;
  const out = st + ST_UNIFORM4;
  uniformBytes4(ram + (<usize>l0 << shift), ram + (<usize>l1 << shift), ram + (<usize>l2 << shift), ram + (<usize>l3 << shift), size, out);
  let touched: u32 = 0;
  for (let j: u32 = 0; j < n; j++) {
    const local = j == 0 ? l0 : j == 1 ? l1 : j == 2 ? l2 : l3;
    const b = load<i32>(out + (<usize>j << 2));
    const kp = <usize>load<u32>(st, ST_KINDS) + local;
    const vp = <usize>load<u32>(st, ST_VALUES) + (<usize>local << 2);
    if (b == 0) {
      store<u8>(kp, KIND_ZERO);
      store<u32>(vp, 0);
      t.zero++;
    } else if (b > 0) {
      store<u8>(kp, KIND_UNIFORM);
      store<u32>(vp, <u32>b);
      t.uniform++;
    } else {
      touched += markPending(st, local, ram + (<usize>local << shift), size, t);
    }
  }
  return touched;
}

/**
 * Classifies local pages [first, first + count). Writes kind and value per page at the page's
 * local index, the counts of this call, and the list of pages recorded as new originals.
 *
 * Pages go in batches through three stages so that memory latency overlaps instead of adding
 * up: (1) zero/uniform check — pages whose first 16 bytes differ go straight on, the others are
 * checked four at a time, a line of each in turn — then the sampled hash of every other page and
 * a load of its table slot; (2) table probes, where a page whose hash names a single recorded page
 * becomes a candidate; (3) the candidates' originals, at random places, are touched back to back,
 * then compared four pairs at a time, a line of each in turn.
 */
export function scanPages(st: usize, first: u32, count: u32): void {
  const ram = <usize>load<u32>(st, ST_RAM);
  const shift = load<u32>(st, ST_SHIFT);
  const size = <usize>1 << shift;
  const kinds = <usize>load<u32>(st, ST_KINDS);
  const values = <usize>load<u32>(st, ST_VALUES);
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
    t.pending = 0;
    // Pages whose first bytes differ are hashed at once; the others are checked four at a time.
    let w: u32 = 0;
    let l0: u32 = 0;
    let l1: u32 = 0;
    let l2: u32 = 0;
    for (let local = batch; local < batchEnd; local++) {
      const p = ram + (<usize>local << shift);
      if (!startsUniform(p)) {
        touched += markPending(st, local, p, size, t);
      } else if (w == 0) {
        l0 = local;
        w = 1;
      } else if (w == 1) {
        l1 = local;
        w = 2;
      } else if (w == 2) {
        l2 = local;
        w = 3;
      } else {
        touched += checkUniform4(st, 4, l0, l1, l2, local, t);
        w = 0;
      }
    }
    if (w > 0) touched += checkUniform4(st, w, l0, w > 1 ? l1 : l0, w > 2 ? l2 : l0, l0, t);
    const pending = t.pending;
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
    // The originals sit at random places: touch them back to back so that their address
    // translations and first lines are fetched in parallel rather than one compare at a time.
    for (let i: u32 = 0; i < n; i++) {
      const x = load<u32>(values + (<usize>load<u32>(list + (<usize>i << 2)) << 2));
      touched += load<u32>(ram + (<usize>x << shift));
    }
    for (let g: u32 = 0; g < n; g += 4) {
      const m = min<u32>(4, n - g);
      const l0 = load<u32>(list + (<usize>g << 2));
      const l1 = load<u32>(list + (<usize>(g + min<u32>(1, m - 1)) << 2));
      const l2 = load<u32>(list + (<usize>(g + min<u32>(2, m - 1)) << 2));
      const l3 = load<u32>(list + (<usize>(g + min<u32>(3, m - 1)) << 2));
      const eq = pagesEqual4(
        ram + (<usize>l0 << shift), ram + (<usize>load<u32>(values + (<usize>l0 << 2)) << shift),
        ram + (<usize>l1 << shift), ram + (<usize>load<u32>(values + (<usize>l1 << 2)) << shift),
        ram + (<usize>l2 << shift), ram + (<usize>load<u32>(values + (<usize>l2 << 2)) << shift),
        ram + (<usize>l3 << shift), ram + (<usize>load<u32>(values + (<usize>l3 << 2)) << shift),
        size,
      );
      for (let j: u32 = 0; j < m; j++) {
        const l = load<u32>(list + (<usize>(g + j) << 2));
        settleCandidate(st, l, ram + (<usize>l << shift), load<u32>(values + (<usize>l << 2)), ((eq >> j) & 1) != 0, t);
      }
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
  const ramA = <usize>load<u32>(a, ST_RAM);
  const ramB = <usize>load<u32>(b, ST_RAM);
  const shift = load<u32>(b, ST_SHIFT);
  const stableA = <usize>load<u32>(a, ST_STABLE);
  const smaskA = load<u32>(a, ST_SMASK);
  const baseB = load<u32>(b, ST_BASE);
  let remapped: u32 = 0;
  let touched: u32 = 0;
  // Several threads resolve slices of b at once, so the pending pairs live in locals, not in
  // the state record.
  let n: u32 = 0;
  let l0: u32 = 0;
  let x0: u32 = 0;
  let l1: u32 = 0;
  let x1: u32 = 0;
  let l2: u32 = 0;
  let x2: u32 = 0;
  for (let block = from; block < to; block += BATCH) {
    const blockEnd = min<u32>(to, block + BATCH);
    // Pages are spread over a's table and a's pages are at random places: fetch each in one
    // pass of independent loads before the probes and compares that wait on them.
    for (let i = block; i < blockEnd; i++) {
      touched += load<u32>(stableA + (<usize>(load<u32>(newHashes + (<usize>i << 2)) & smaskA) << 3));
    }
    for (let i = block; i < blockEnd; i++) {
      const v = load<u32>(sampledSlot(a, load<u32>(newHashes + (<usize>i << 2))), 4);
      if (v != 0 && v != COLLIDED) touched += load<u32>(ramA + (<usize>(v - 1) << shift));
    }
    for (let i = block; i < blockEnd; i++) {
      const local = load<u32>(newPages + (<usize>i << 2));
      if (load<u32>(originB + (<usize>local << 2)) != baseB + local) continue;
      const s = load<u32>(newHashes + (<usize>i << 2));
      const v = load<u32>(sampledSlot(a, s), 4);
      if (v == 0) continue;
      if (v == COLLIDED) {
        const m = findOrInsert(a, ramB + (<usize>local << shift), s, NO_PAGE, false);
        if (m >= 0) {
          store<u32>(originB + (<usize>local << 2), load<u32>(originA + (<usize>m << 2)));
          remapped++;
        }
        continue;
      }
      if (n == 0) {
        l0 = local;
        x0 = v - 1;
      } else if (n == 1) {
        l1 = local;
        x1 = v - 1;
      } else if (n == 2) {
        l2 = local;
        x2 = v - 1;
      } else {
        remapped += remapEqual(a, b, 4, l0, x0, l1, x1, l2, x2, local, v - 1);
        n = 0;
        continue;
      }
      n++;
    }
  }
  if (n > 0) remapped += remapEqual(a, b, n, l0, x0, l1, x1, l2, x2, l0, x0);
  store<u32>(b, touched, ST_TOUCHED);
  return remapped;
}

/**
 * Compares the first n of four (b page, a page) pairs and points each equal b page's origin at
 * the a page's origin. Returns how many were equal.
 */
function remapEqual(
  a: usize, b: usize, n: u32, l0: u32, x0: u32, l1: u32, x1: u32, l2: u32, x2: u32, l3: u32, x3: u32,
): u32 {
  const ramA = <usize>load<u32>(a, ST_RAM);
  const ramB = <usize>load<u32>(b, ST_RAM);
  const shift = load<u32>(b, ST_SHIFT);
  const originA = <usize>load<u32>(a, ST_ORIGIN);
  const originB = <usize>load<u32>(b, ST_ORIGIN);
  if (n < 2) {
    l1 = l0;
    x1 = x0;
  }
  if (n < 3) {
    l2 = l0;
    x2 = x0;
  }
  const eq = pagesEqual4(
    ramB + (<usize>l0 << shift), ramA + (<usize>x0 << shift),
    ramB + (<usize>l1 << shift), ramA + (<usize>x1 << shift),
    ramB + (<usize>l2 << shift), ramA + (<usize>x2 << shift),
    ramB + (<usize>l3 << shift), ramA + (<usize>x3 << shift),
    <usize>1 << shift,
  );
  let equal: u32 = 0;
  if (eq & 1) {
    store<u32>(originB + (<usize>l0 << 2), load<u32>(originA + (<usize>x0 << 2)));
    equal++;
  }
  if (n > 1 && (eq & 2) != 0) {
    store<u32>(originB + (<usize>l1 << 2), load<u32>(originA + (<usize>x1 << 2)));
    equal++;
  }
  if (n > 2 && (eq & 4) != 0) {
    store<u32>(originB + (<usize>l2 << 2), load<u32>(originA + (<usize>x2 << 2)));
    equal++;
  }
  if (n > 3 && (eq & 8) != 0) {
    store<u32>(originB + (<usize>l3 << 2), load<u32>(originA + (<usize>x3 << 2)));
    equal++;
  }
  return equal;
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
