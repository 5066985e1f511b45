import { encodeModifiedUtf8 } from "./utf8.js";

/**
 * QEMU prints and walks objects in the order of its QDict hash table (512 buckets, newest entry
 * first within a bucket), not in insertion order. That is why a reply reads
 * `{"return": …, "id": …}` but an error reads `{"id": …, "error": …}`. Reproducing the order
 * makes our output byte-identical to QEMU's and makes "which member is reported first"
 * come out the same.
 */

const QDICT_BUCKETS = 512;
const bucketCache = new Map<string, number>();

function keyBytes(key: string): Uint8Array {
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c === 0 || c >= 0x80) return encodeModifiedUtf8(key);
  }
  const out = new Uint8Array(key.length);
  for (let i = 0; i < key.length; i++) out[i] = key.charCodeAt(i);
  return out;
}

/** QDict bucket of `key` (QEMU's tdb-style hash of the modified UTF-8 bytes, modulo 512). */
export function qdictBucket(key: string): number {
  const cached = bucketCache.get(key);
  if (cached !== undefined) return cached;
  const bytes = keyBytes(key);
  let value = Math.imul(0x238f13af, bytes.length) >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    value = (value + ((bytes[i]! << ((i * 5) % 24)) >>> 0)) >>> 0;
  }
  const bucket = ((Math.imul(1103515243, value) + 12345) >>> 0) % QDICT_BUCKETS;
  if (bucketCache.size > 4096) bucketCache.clear();
  bucketCache.set(key, bucket);
  return bucket;
}

/** The order in which QEMU iterates a QDict whose keys were inserted in `keys` order. */
export function qdictOrder(keys: readonly string[]): string[] {
  const n = keys.length;
  if (n < 2) return keys.slice();
  const buckets = new Array<number>(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    buckets[i] = qdictBucket(keys[i]!);
    if (i > 0 && buckets[i]! <= buckets[i - 1]!) sorted = false;
  }
  if (sorted) return keys.slice();
  const index = Array.from({ length: n }, (_, i) => i);
  // ascending bucket; within a bucket the newest insertion comes first
  index.sort((a, b) => buckets[a]! - buckets[b]! || b - a);
  return index.map((i) => keys[i]!);
}

// --- glib's GHashTable, as used by QEMU's input visitor to find leftover (unexpected) members.

const PRIME_MOD = [1, 2, 3, 7, 13, 31, 61, 127, 251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071, 262139, 524287, 1048573, 2097143, 4194301, 8388593, 16777213, 33554393, 67108859, 134217689, 268435399, 536870909, 1073741789, 2147483647];
const MIN_SHIFT = 3;
const UNUSED = 0;
const TOMBSTONE = 1;

function gStrHash(key: string): number {
  const bytes = keyBytes(key);
  let h = 5381;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    h = (Math.imul(h, 33) + (b > 127 ? b - 256 : b)) >>> 0;
  }
  return h < 2 ? 2 : h;
}

/**
 * A model of a glib string-keyed hash table, enough to know which key `g_hash_table_iter_next`
 * returns first after a series of inserts and removes (open addressing with quadratic probing,
 * tombstones, in-place resizing).
 */
export class GHashTableModel {
  private size = 1 << MIN_SHIFT;
  private mod = PRIME_MOD[MIN_SHIFT]!;
  private mask = this.size - 1;
  private hashes: number[] = new Array<number>(this.size).fill(UNUSED);
  private keys: (string | undefined)[] = new Array<string | undefined>(this.size).fill(undefined);
  private nnodes = 0;
  private noccupied = 0;

  /** Builds the table the way QEMU's visitor does: keys inserted in QDict order. */
  static fromKeys(keys: Iterable<string>): GHashTableModel {
    const table = new GHashTableModel();
    for (const key of keys) table.insert(key);
    return table;
  }

  insert(key: string): void {
    const hash = gStrHash(key);
    const index = this.lookup(key, hash);
    if (this.hashes[index]! >= 2) return; // present already
    const wasUnused = this.hashes[index] === UNUSED;
    this.hashes[index] = hash;
    this.keys[index] = key;
    this.nnodes++;
    if (wasUnused) {
      this.noccupied++;
      this.maybeResize();
    }
  }

  remove(key: string): void {
    const index = this.lookup(key, gStrHash(key));
    if (this.hashes[index]! < 2) return;
    this.hashes[index] = TOMBSTONE;
    this.keys[index] = undefined;
    this.nnodes--;
    this.maybeResize();
  }

  /** The key iteration yields first, or undefined when the table is empty. */
  first(): string | undefined {
    for (let i = 0; i < this.size; i++) if (this.hashes[i]! >= 2) return this.keys[i];
    return undefined;
  }

  private toIndex(hash: number): number {
    return (Math.imul(hash, 11) >>> 0) % this.mod;
  }

  private lookup(key: string, hash: number): number {
    let index = this.toIndex(hash);
    let step = 0;
    let tombstone = -1;
    let nodeHash = this.hashes[index]!;
    while (nodeHash !== UNUSED) {
      if (nodeHash === hash && this.keys[index] === key) return index;
      if (nodeHash === TOMBSTONE && tombstone < 0) tombstone = index;
      step++;
      index = (index + step) & this.mask;
      nodeHash = this.hashes[index]!;
    }
    return tombstone >= 0 ? tombstone : index;
  }

  private maybeResize(): void {
    const size = this.size;
    const occupied = this.noccupied;
    if ((size > this.nnodes * 4 && size > 1 << MIN_SHIFT) || size <= occupied + Math.floor(occupied / 16)) this.resize();
  }

  private resize(): void {
    const oldSize = this.size;
    let want = Math.trunc(this.nnodes * 1.333);
    let shift = 0;
    while (want) {
      want >>= 1;
      shift++;
    }
    shift = Math.max(shift, MIN_SHIFT);
    this.size = 1 << shift;
    this.mod = PRIME_MOD[shift]!;
    this.mask = this.size - 1;
    for (let i = oldSize; i < this.size; i++) {
      this.hashes[i] = UNUSED;
      this.keys[i] = undefined;
    }
    const placed = new Array<boolean>(Math.max(oldSize, this.size)).fill(false);
    for (let i = 0; i < oldSize; i++) {
      let nodeHash = this.hashes[i]!;
      if (nodeHash < 2) {
        this.hashes[i] = UNUSED;
        continue;
      }
      if (placed[i]) continue;
      this.hashes[i] = UNUSED;
      let key = this.keys[i];
      this.keys[i] = undefined;
      for (;;) {
        let index = this.toIndex(nodeHash);
        let step = 0;
        while (placed[index]) {
          step++;
          index = (index + step) & this.mask;
        }
        placed[index] = true;
        const replaced = this.hashes[index]!;
        this.hashes[index] = nodeHash;
        const evicted = this.keys[index];
        this.keys[index] = key;
        if (replaced < 2) break;
        nodeHash = replaced;
        key = evicted;
      }
    }
    this.hashes.length = this.size;
    this.keys.length = this.size;
    this.noccupied = this.nnodes;
  }
}
