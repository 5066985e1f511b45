import fc from "fast-check";

/**
 * How a test page is filled. `near` pages share a random body and differ in one byte, so most of
 * them share a sampled hash; `sparse` pages are zero but for a few bytes, like page tables.
 */
export type PageSpec =
  | { t: "zero" }
  | { t: "uniform"; byte: number }
  | { t: "random"; seed: number }
  | { t: "near"; seed: number; at: number; byte: number }
  | { t: "sparse"; seed: number; count: number }
  | { t: "copy"; of: number };

export const pageSpec: fc.Arbitrary<PageSpec> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<PageSpec>({ t: "zero" }) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 255 }).map<PageSpec>((byte) => ({ t: "uniform", byte })) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 5 }).map<PageSpec>((seed) => ({ t: "random", seed })) },
  {
    weight: 3,
    arbitrary: fc
      .record({ seed: fc.integer({ min: 0, max: 2 }), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) })
      .map<PageSpec>((r) => ({ t: "near", ...r })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ seed: fc.integer({ min: 0, max: 3 }), count: fc.integer({ min: 1, max: 3 }) })
      .map<PageSpec>((r) => ({ t: "sparse", ...r })),
  },
  { weight: 3, arbitrary: fc.nat().map<PageSpec>((of) => ({ t: "copy", of })) },
);

/** xorshift32 bytes: deterministic page bodies without fast-check sizing them. */
export function randomBytes(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = (seed * 2654435761 + 1) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** The bytes of a page; `copy` takes the bytes of another page from `current` (mod pages). */
export function pageBytes(spec: PageSpec, pageSize: number, pages: number, current: (page: number) => Uint8Array): Uint8Array {
  switch (spec.t) {
    case "zero":
      return new Uint8Array(pageSize);
    case "uniform":
      return new Uint8Array(pageSize).fill(spec.byte);
    case "random":
      return randomBytes(spec.seed + 1000, pageSize);
    case "near": {
      const bytes = randomBytes(spec.seed + 2000, pageSize);
      bytes[spec.at % pageSize] = spec.byte;
      return bytes;
    }
    case "sparse": {
      const bytes = new Uint8Array(pageSize);
      const r = randomBytes(spec.seed + 3000, spec.count * 3);
      for (let i = 0; i < spec.count; i++) {
        bytes[(((r[i * 3] as number) << 8) | (r[i * 3 + 1] as number)) % pageSize] = (r[i * 3 + 2] as number) | 1;
      }
      return bytes;
    }
    case "copy":
      return current(spec.of % pages).slice();
  }
}
