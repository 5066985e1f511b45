// One bit per page in little-endian u64 words; bits past the last page stay clear so counts and
// searches never see them.

// @ts-ignore: decorator
@inline
function wordPtr(map: usize, bit: u32): usize {
  return map + ((<usize>bit >> 6) << 3);
}

/** Bytes a bitmap of `bits` bits occupies. */
export function bitmapBytes(bits: u32): u32 {
  return ((bits + 63) >> 6) << 3;
}

export function bitmapSetAll(map: usize, bits: u32): void {
  const full = bits >> 6;
  memory.fill(map, 0xff, <usize>full << 3);
  const rest = bits & 63;
  if (rest != 0) store<u64>(map + (<usize>full << 3), (<u64>1 << rest) - 1);
}

export function bitmapClearAll(map: usize, bits: u32): void {
  memory.fill(map, 0, bitmapBytes(bits));
}

export function bitmapSet(map: usize, bit: u32): void {
  const w = wordPtr(map, bit);
  store<u64>(w, load<u64>(w) | (<u64>1 << (bit & 63)));
}

export function bitmapClear(map: usize, bit: u32): void {
  const w = wordPtr(map, bit);
  store<u64>(w, load<u64>(w) & ~(<u64>1 << (bit & 63)));
}

export function bitmapTest(map: usize, bit: u32): bool {
  return ((load<u64>(wordPtr(map, bit)) >> (bit & 63)) & 1) != 0;
}

export function bitmapTestAndClear(map: usize, bit: u32): bool {
  const w = wordPtr(map, bit);
  const word = load<u64>(w);
  const mask = <u64>1 << (bit & 63);
  if ((word & mask) == 0) return false;
  store<u64>(w, word & ~mask);
  return true;
}

/** First set bit at or after `from`, or -1. */
export function bitmapFindNext(map: usize, bits: u32, from: u32): i32 {
  if (from >= bits) return -1;
  const words = (bits + 63) >> 6;
  let i = from >> 6;
  let word = load<u64>(map + (<usize>i << 3)) & (~(<u64>0) << (from & 63));
  while (word == 0) {
    i++;
    if (i >= words) return -1;
    word = load<u64>(map + (<usize>i << 3));
  }
  return <i32>((i << 6) + <u32>ctz(word));
}

export function bitmapCount(map: usize, bits: u32): u32 {
  const words = (bits + 63) >> 6;
  let n: u64 = 0;
  for (let i: u32 = 0; i < words; i++) n += popcnt(load<u64>(map + (<usize>i << 3)));
  return <u32>n;
}

/**
 * Moves every set bit of `src` into `dst` and clears `src` (each word is swapped with zero, then
 * merged). Returns how many bits were newly set in `dst`.
 */
export function bitmapSync(dst: usize, src: usize, bits: u32): u32 {
  const words = (bits + 63) >> 6;
  let fresh: u64 = 0;
  for (let i: u32 = 0; i < words; i++) {
    const o = <usize>i << 3;
    const w = load<u64>(src + o);
    if (w != 0) {
      store<u64>(src + o, 0);
      const d = load<u64>(dst + o);
      fresh += popcnt(w & ~d);
      store<u64>(dst + o, d | w);
    }
  }
  return <u32>fresh;
}
