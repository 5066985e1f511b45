// 64-bit word kernels for engines without SIMD. Same sampling positions as the SIMD build,
// so both builds meet the same sampled-hash collisions; the hash values themselves differ.

const M64: u64 = 0x9e3779b97f4a7c15;
const SEED0: u64 = 0x165667b19e3779f9;
const SEED1: u64 = 0x27d4eb2f165667c5;

// @ts-ignore: decorator
@inline
function mix(h: u64, x: u64): u64 {
  const m = (h ^ x) * M64;
  return m ^ (m >> 29);
}

// @ts-ignore: decorator
@inline
function fold(h: u64): u32 {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccd;
  h ^= h >> 33;
  return <u32>(h ^ (h >> 32));
}

// @ts-ignore: decorator
@inline
function mix16(h: u64, q: usize): u64 {
  return mix(mix(h, load<u64>(q)), load<u64>(q, 8));
}

// @ts-ignore: decorator
@inline
export function uniformByte(p: usize, size: usize): i32 {
  const b = load<u8>(p);
  const s: u64 = <u64>b * 0x0101010101010101;
  if (((load<u64>(p) ^ s) | (load<u64>(p, 8) ^ s)) != 0) return -1;
  const end = p + size;
  let q = p;
  do {
    const x =
      (load<u64>(q) ^ s) | (load<u64>(q, 8) ^ s) | (load<u64>(q, 16) ^ s) | (load<u64>(q, 24) ^ s) |
      (load<u64>(q, 32) ^ s) | (load<u64>(q, 40) ^ s) | (load<u64>(q, 48) ^ s) | (load<u64>(q, 56) ^ s);
    if (x != 0) return -1;
    q += 64;
  } while (q < end);
  return <i32>b;
}

// @ts-ignore: decorator
@inline
export function startsUniform(p: usize): bool {
  const s: u64 = <u64>load<u8>(p) * 0x0101010101010101;
  return ((load<u64>(p) ^ s) | (load<u64>(p, 8) ^ s)) == 0;
}

// @ts-ignore: decorator
@inline
export function uniformBytes4(a: usize, b: usize, c: usize, d: usize, size: usize, out: usize): void {
  store<i32>(out, uniformByte(a, size));
  store<i32>(out, uniformByte(b, size), 4);
  store<i32>(out, uniformByte(c, size), 8);
  store<i32>(out, uniformByte(d, size), 12);
}

// @ts-ignore: decorator
@inline
export function isZero(p: usize, len: usize): bool {
  const end = p + len;
  let q = p;
  while (q < end) {
    const x =
      load<u64>(q) | load<u64>(q, 8) | load<u64>(q, 16) | load<u64>(q, 24) |
      load<u64>(q, 32) | load<u64>(q, 40) | load<u64>(q, 48) | load<u64>(q, 56);
    if (x != 0) return false;
    q += 64;
  }
  return true;
}

// @ts-ignore: decorator
@inline
export function pagesEqual(a: usize, b: usize, size: usize): bool {
  for (let i: usize = 0; i < size; i += 64) {
    const x = a + i;
    const y = b + i;
    const d =
      (load<u64>(x) ^ load<u64>(y)) | (load<u64>(x, 8) ^ load<u64>(y, 8)) |
      (load<u64>(x, 16) ^ load<u64>(y, 16)) | (load<u64>(x, 24) ^ load<u64>(y, 24)) |
      (load<u64>(x, 32) ^ load<u64>(y, 32)) | (load<u64>(x, 40) ^ load<u64>(y, 40)) |
      (load<u64>(x, 48) ^ load<u64>(y, 48)) | (load<u64>(x, 56) ^ load<u64>(y, 56));
    if (d != 0) return false;
  }
  return true;
}

// @ts-ignore: decorator
@inline
export function pagesEqual4(
  a0: usize, b0: usize, a1: usize, b1: usize, a2: usize, b2: usize, a3: usize, b3: usize, size: usize,
): u32 {
  return (
    <u32>pagesEqual(a0, b0, size) |
    (<u32>pagesEqual(a1, b1, size) << 1) |
    (<u32>pagesEqual(a2, b2, size) << 2) |
    (<u32>pagesEqual(a3, b3, size) << 3)
  );
}

// @ts-ignore: decorator
@inline
export function sampleHash(p: usize, size: usize): u32 {
  const stride = size >> 3;
  let h0 = mix16(SEED0, p);
  let h1 = mix16(SEED1, p + size - 16);
  let q = p + stride + 16;
  for (let k = 0; k < 3; k++) {
    h0 = mix16(h0, q);
    h1 = mix16(h1, q + stride - 16);
    q += stride << 1;
  }
  h0 = mix16(h0, q);
  return fold(mix(h0, h1));
}

// @ts-ignore: decorator
@inline
export function fullHash(p: usize, size: usize): u32 {
  let a = SEED0;
  let b = SEED1;
  let c = ~SEED0;
  let d = ~SEED1;
  const end = p + size;
  let q = p;
  do {
    a = mix(a, load<u64>(q));
    b = mix(b, load<u64>(q, 8));
    c = mix(c, load<u64>(q, 16));
    d = mix(d, load<u64>(q, 24));
    q += 32;
  } while (q < end);
  return fold(mix(mix(mix(a, b), c), d));
}
