// XXH64 written from the published algorithm with BigInt: slow and obviously correct, the
// oracle for the wasm digest.

const MASK = (1n << 64n) - 1n;
const P1 = 0x9e3779b185ebca87n;
const P2 = 0xc2b2ae3d27d4eb4fn;
const P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n;
const P5 = 0x27d4eb2f165667c5n;

function rotl(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & MASK;
}

function round(acc: bigint, input: bigint): bigint {
  return (rotl((acc + input * P2) & MASK, 31n) * P1) & MASK;
}


/** Streaming XXH64. */
export class ReferenceXxh64 {
  private v1: bigint;
  private v2: bigint;
  private v3: bigint;
  private v4: bigint;
  private total = 0;
  private readonly seed: bigint;
  private buffer = new Uint8Array(0);

  constructor(seed = 0n) {
    this.seed = BigInt.asUintN(64, seed);
    this.v1 = (this.seed + P1 + P2) & MASK;
    this.v2 = (this.seed + P2) & MASK;
    this.v3 = this.seed;
    this.v4 = (this.seed - P1) & MASK;
  }

  update(data: Uint8Array): this {
    this.total += data.length;
    const all = new Uint8Array(this.buffer.length + data.length);
    all.set(this.buffer);
    all.set(data, this.buffer.length);
    const view = new DataView(all.buffer);
    let at = 0;
    for (; at + 32 <= all.length; at += 32) {
      this.v1 = round(this.v1, view.getBigUint64(at, true));
      this.v2 = round(this.v2, view.getBigUint64(at + 8, true));
      this.v3 = round(this.v3, view.getBigUint64(at + 16, true));
      this.v4 = round(this.v4, view.getBigUint64(at + 24, true));
    }
    this.buffer = all.slice(at);
    return this;
  }

  digest(): bigint {
    let h: bigint;
    if (this.total >= 32) {
      h = (rotl(this.v1, 1n) + rotl(this.v2, 7n) + rotl(this.v3, 12n) + rotl(this.v4, 18n)) & MASK;
      for (const v of [this.v1, this.v2, this.v3, this.v4]) {
        h = (((h ^ round(0n, v)) * P1) & MASK) + P4;
        h &= MASK;
      }
    } else {
      h = (this.seed + P5) & MASK;
    }
    h = (h + BigInt(this.total)) & MASK;
    const rest = this.buffer;
    const view = new DataView(rest.buffer, rest.byteOffset, rest.length);
    let at = 0;
    for (; at + 8 <= rest.length; at += 8) {
      h ^= round(0n, view.getBigUint64(at, true));
      h = (rotl(h, 27n) * P1 + P4) & MASK;
    }
    if (at + 4 <= rest.length) {
      h ^= (BigInt(view.getUint32(at, true)) * P1) & MASK;
      h = (rotl(h, 23n) * P2 + P3) & MASK;
      at += 4;
    }
    for (; at < rest.length; at++) {
      h ^= (BigInt(rest[at] as number) * P5) & MASK;
      h = (rotl(h, 11n) * P1) & MASK;
    }
    h ^= h >> 33n;
    h = (h * P2) & MASK;
    h ^= h >> 29n;
    h = (h * P3) & MASK;
    h ^= h >> 32n;
    return h;
  }
}

/** XXH64 of `data`. */
export function referenceXxh64(data: Uint8Array, seed = 0n): bigint {
  return new ReferenceXxh64(seed).update(data).digest();
}
