/**
 * xoshiro128** over four 32-bit words. The four words are the whole generator state, so saving
 * them in the guest's vmstate is enough for a restored guest to draw the same numbers.
 */
export type PrngState = [number, number, number, number];

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Spreads a seed over four non-zero words (splitmix32). */
export function seedPrng(seed: number): PrngState {
  let z = seed >>> 0;
  const next = (): number => {
    z = (z + 0x9e3779b9) >>> 0;
    let t = z;
    t = Math.imul(t ^ (t >>> 16), 0x21f0aaad) >>> 0;
    t = Math.imul(t ^ (t >>> 15), 0x735a2d97) >>> 0;
    return (t ^ (t >>> 15)) >>> 0;
  };
  const state: PrngState = [next(), next(), next(), next()];
  if ((state[0] | state[1] | state[2] | state[3]) === 0) state[0] = 1;
  return state;
}

/** Advances `s` in place and returns the next unsigned 32-bit value. */
export function nextU32(s: PrngState): number {
  const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
  const t = (s[1] << 9) >>> 0;
  s[2] = (s[2] ^ s[0]) >>> 0;
  s[3] = (s[3] ^ s[1]) >>> 0;
  s[1] = (s[1] ^ s[2]) >>> 0;
  s[0] = (s[0] ^ s[3]) >>> 0;
  s[2] = (s[2] ^ t) >>> 0;
  s[3] = rotl(s[3], 11);
  return result;
}

/** A value in [0, bound) for bound ≤ 2^32; the bias of a plain modulo is irrelevant here. */
export function nextBelow(s: PrngState, bound: number): number {
  return bound <= 1 ? 0 : nextU32(s) % bound;
}

/**
 * Fills `words` from a one-off xorshift32 seeded by `seed`. Page content is drawn from this
 * cheaper generator so a random page costs one draw of the guest's PRNG, not a thousand.
 */
export function fillWords(words: Uint32Array, seed: number): void {
  let x = seed >>> 0 || 0x6d2b79f5;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x;
  }
}
