/**
 * Page contents the browser and Node both generate, so their scans can be compared: zero pages,
 * uniform fills, duplicates of earlier pages and unique pages, interleaved.
 */
export const PAGES = 96;

export function fillMixedPages(page: number): Uint8Array {
  const data = new Uint8Array(4096);
  switch (page % 4) {
    case 0:
      return data;
    case 1:
      return data.fill((page * 7) & 0xff);
    case 2: {
      // Every other such page repeats the content of page 3.
      const seed = page % 8 === 2 ? 3 : page;
      return unique(data, seed);
    }
    default:
      return unique(data, page);
  }
}

function unique(data: Uint8Array, seed: number): Uint8Array {
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < data.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    data[i] = x & 0xff;
  }
  return data;
}
