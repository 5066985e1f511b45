/**
 * The scanner benchmark's image, the same in Chromium and Node: per 20 pages, 10 zero, 2
 * uniform, 3 duplicates of earlier unique pages and 5 unique pages, from a fixed PRNG.
 */
export function fillMixedImage(write: (offset: number, page: Uint8Array) => void, fill: (offset: number, value: number) => void, pages: number): void {
  let seed = 0x9e3779b9;
  const next = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  const page = new Uint8Array(4096);
  const words = new Uint32Array(page.buffer);
  const uniques: number[] = [];
  for (let p = 0; p < pages; p++) {
    const slot = p % 20;
    if (slot < 10) continue;
    if (slot < 12) {
      fill(p * 4096, 1 + (next() % 255));
    } else if (slot < 15 && uniques.length > 0) {
      const original = uniques[next() % uniques.length]!;
      regenerate(words, original);
      write(p * 4096, page);
    } else {
      regenerate(words, p);
      write(p * 4096, page);
      uniques.push(p);
    }
  }
}

/** A unique page's content depends only on its index, so duplicates can be made again. */
function regenerate(words: Uint32Array, index: number): void {
  let s = (index * 2654435761) >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    words[i] = s >>> 0;
  }
}
