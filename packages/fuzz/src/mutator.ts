/** xorshift128+: fast, seeded, good enough to drive mutations reproducibly. */
export class Random {
  #a: number;
  #b: number;

  constructor(seed: number) {
    this.#a = (seed ^ 0x9e3779b9) >>> 0 || 1;
    this.#b = (Math.imul(seed, 0x85ebca6b) ^ 0xc2b2ae35) >>> 0 || 2;
  }

  /** A 32-bit unsigned integer. */
  next(): number {
    let s1 = this.#a;
    const s0 = this.#b;
    this.#a = s0;
    s1 ^= s1 << 23;
    s1 ^= s1 >>> 17;
    s1 ^= s0 ^ (s0 >>> 26);
    this.#b = s1 >>> 0;
    return (this.#b + s0) >>> 0;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return n <= 1 ? 0 : this.next() % n;
  }
}

/** Values that sit on the edges decoders check: lengths, signs, limits. */
const INTERESTING_8 = [0, 1, 0x7f, 0x80, 0xff, 0x10, 0x20, 0x40];
const INTERESTING_32 = [0, 1, 0xff, 0x100, 0x1000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe];

export interface MutateOptions {
  maxLength: number;
  /** Tokens of the input language (keywords, magic numbers, names), inserted or written over. */
  dictionary: readonly Uint8Array[];
  /** Other corpus entries, for splicing. */
  pick: () => Uint8Array;
}

/** AFL-style havoc: one to eight stacked mutations of `input` (never changed in place). */
export function mutate(input: Uint8Array, random: Random, options: MutateOptions): Uint8Array {
  let out: Uint8Array = input.slice();
  const rounds = 1 << random.below(4);
  for (let r = 0; r < rounds; r++) out = mutateOnce(out, random, options);
  return out.length > options.maxLength ? out.subarray(0, options.maxLength) : out;
}

function mutateOnce(data: Uint8Array, random: Random, options: MutateOptions): Uint8Array {
  const n = data.length;
  const at = random.below(n + 1);
  switch (random.below(11)) {
    case 0:
      if (n > 0) data[random.below(n)]! ^= 1 << random.below(8);
      return data;
    case 1:
      if (n > 0) data[random.below(n)] = random.below(256);
      return data;
    case 2:
      if (n > 0) data[random.below(n)] = INTERESTING_8[random.below(INTERESTING_8.length)]!;
      return data;
    case 3: {
      if (n < 4) return data;
      const p = random.below(n - 3);
      new DataView(data.buffer, data.byteOffset).setUint32(p, INTERESTING_32[random.below(INTERESTING_32.length)]!);
      return data;
    }
    case 4: {
      // Small arithmetic on a big-endian 16- or 32-bit field (a length or a count).
      if (n < 4) return data;
      const p = random.below(n - 3);
      const view = new DataView(data.buffer, data.byteOffset);
      const delta = random.below(35) - 17;
      if (random.below(2) === 0) view.setUint16(p, (view.getUint16(p) + delta) & 0xffff);
      else view.setUint32(p, (view.getUint32(p) + delta) >>> 0);
      return data;
    }
    case 5:
      return splice(data, at, random.below(Math.min(n - at, 64) + 1), new Uint8Array(0));
    case 6: {
      const bytes = new Uint8Array(1 + random.below(16));
      for (let i = 0; i < bytes.length; i++) bytes[i] = random.below(256);
      return splice(data, at, 0, bytes);
    }
    case 7: {
      // A copy of a piece of the input elsewhere in it (repeated records, nested values).
      if (n === 0) return data;
      const from = random.below(n);
      const piece = data.slice(from, from + 1 + random.below(Math.min(n - from, 256)));
      return splice(data, at, 0, piece);
    }
    case 8: {
      const token = options.dictionary[random.below(options.dictionary.length)];
      if (!token) return data;
      return random.below(2) === 0 ? splice(data, at, 0, token) : splice(data, at, Math.min(token.length, n - at), token);
    }
    case 9: {
      // Cross-over: this input up to a point, another one from a point.
      const other = options.pick();
      const from = random.below(other.length + 1);
      return splice(data, at, n - at, other.subarray(from, from + options.maxLength));
    }
    default:
      return n > 1 ? data.subarray(0, random.below(n)) : data;
  }
}

function splice(data: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length - remove + insert.length);
  out.set(data.subarray(0, at));
  out.set(insert, at);
  out.set(data.subarray(at + remove), at + insert.length);
  return out;
}
