// Deterministic benchmark images: every run of every machine scans the same bytes.
import type { ScanCounts } from "@savevm/ram-wasm";

export type Mix = "zero" | "unique" | "mix";
export const mixes: readonly Mix[] = ["zero", "unique", "mix"];

/** xorshift32: fast, seedable, good enough to make pages that never repeat. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const ZERO = 0;
const UNIFORM = 1;
const DUPLICATE = 2;
const UNIQUE = 3;

/**
 * Fills `target` (a whole number of pages, 4-byte aligned) with an image of the given mix and
 * returns the counts a correct classifier reports. "mix": 50% zero, 10% uniform non-zero,
 * 15% duplicates of earlier random pages, 25% unique random pages, in shuffled order.
 */
export function fillImage(target: Uint8Array, mix: Mix, pageSize: number, seed = 0x5eed): ScanCounts {
  const pages = target.length / pageSize;
  const words = new Uint32Array(target.buffer, target.byteOffset, target.length / 4);
  const next = rng(seed);
  if (mix === "zero") {
    target.fill(0);
    return { pages, zero: pages, uniform: 0, duplicate: 0, unique: 0 };
  }
  if (mix === "unique") {
    for (let i = 0; i < words.length; i++) words[i] = next();
    return { pages, zero: 0, uniform: 0, duplicate: 0, unique: pages };
  }
  const kinds = new Uint8Array(pages);
  const zero = Math.round(pages * 0.5);
  const uniform = Math.round(pages * 0.1);
  const duplicate = Math.round(pages * 0.15);
  kinds.fill(UNIFORM, zero, zero + uniform);
  kinds.fill(DUPLICATE, zero + uniform, zero + uniform + duplicate);
  kinds.fill(UNIQUE, zero + uniform + duplicate);
  for (let i = pages - 1; i > 0; i--) {
    const j = next() % (i + 1);
    const t = kinds[i] as number;
    kinds[i] = kinds[j] as number;
    kinds[j] = t;
  }
  // A duplicate needs an earlier random page: swap the first unique page ahead of any duplicate.
  const firstUnique = kinds.indexOf(UNIQUE);
  const firstDuplicate = kinds.indexOf(DUPLICATE);
  if (firstDuplicate >= 0 && firstDuplicate < firstUnique) {
    kinds[firstDuplicate] = UNIQUE;
    kinds[firstUnique] = DUPLICATE;
  }
  const randomPages: number[] = [];
  const wordsPerPage = pageSize / 4;
  for (let p = 0; p < pages; p++) {
    const at = p * pageSize;
    switch (kinds[p]) {
      case ZERO:
        target.fill(0, at, at + pageSize);
        break;
      case UNIFORM:
        target.fill(1 + (next() % 255), at, at + pageSize);
        break;
      case DUPLICATE: {
        const from = (randomPages[next() % randomPages.length] as number) * pageSize;
        target.copyWithin(at, from, from + pageSize);
        break;
      }
      default:
        for (let w = p * wordsPerPage, end = w + wordsPerPage; w < end; w++) words[w] = next();
        randomPages.push(p);
    }
  }
  return { pages, zero, uniform, duplicate, unique: pages - zero - uniform - duplicate };
}
