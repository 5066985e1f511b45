// v128 kernels. Pages are a power of two ≥ 512 bytes, so every loop below runs whole 128-byte
// blocks; each block is folded into one vector and tested once, so a page that differs early
// costs one or two blocks.

// @ts-ignore: decorator
@inline
function hashMultiplier(): v128 {
  return i32x4(0x9e3779b1, 0x85ebca77, 0xc2b2ae3d, 0x27d4eb2f);
}
// @ts-ignore: decorator
@inline
function hashSeed0(): v128 {
  return i32x4(0x165667b1, 0x61c88647, 0x2545f491, 0x7feb352d);
}
// @ts-ignore: decorator
@inline
function hashSeed1(): v128 {
  return i32x4(0x846ca68b, 0x3c6ef372, 0xa54ff53a, 0x510e527f);
}

// @ts-ignore: decorator
@inline
function mix(h: v128, x: v128): v128 {
  const m = i32x4.mul(v128.xor(h, x), hashMultiplier());
  return v128.xor(m, i32x4.shr_u(m, 15));
}

// @ts-ignore: decorator
@inline
function fold(h: v128): u32 {
  let r =
    i32x4.extract_lane(h, 0) ^
    rotl<u32>(i32x4.extract_lane(h, 1), 8) ^
    rotl<u32>(i32x4.extract_lane(h, 2), 16) ^
    rotl<u32>(i32x4.extract_lane(h, 3), 24);
  r ^= r >>> 16;
  r *= 0x85ebca6b;
  r ^= r >>> 13;
  r *= 0xc2b2ae35;
  return r ^ (r >>> 16);
}

/** The byte every position of the page holds, or -1 when two bytes differ. */
// @ts-ignore: decorator
@inline
export function uniformByte(p: usize, size: usize): i32 {
  const b = load<u8>(p);
  const s = i8x16.splat(b);
  if (v128.any_true(v128.xor(v128.load(p), s))) return -1;
  const end = p + size;
  let q = p;
  do {
    const x = v128.or(
      v128.or(
        v128.or(v128.xor(v128.load(q), s), v128.xor(v128.load(q, 16), s)),
        v128.or(v128.xor(v128.load(q, 32), s), v128.xor(v128.load(q, 48), s)),
      ),
      v128.or(
        v128.or(v128.xor(v128.load(q, 64), s), v128.xor(v128.load(q, 80), s)),
        v128.or(v128.xor(v128.load(q, 96), s), v128.xor(v128.load(q, 112), s)),
      ),
    );
    if (v128.any_true(x)) return -1;
    q += 128;
  } while (q < end);
  return <i32>b;
}

/** Whether the first 16 bytes of the page all hold its first byte: most non-uniform pages fail here. */
// @ts-ignore: decorator
@inline
export function startsUniform(p: usize): bool {
  return !v128.any_true(v128.xor(v128.load(p), i8x16.splat(load<u8>(p))));
}

// @ts-ignore: decorator
@inline
function lineDiff(p: usize, s: v128): v128 {
  return v128.or(
    v128.or(v128.xor(v128.load(p), s), v128.xor(v128.load(p, 16), s)),
    v128.or(v128.xor(v128.load(p, 32), s), v128.xor(v128.load(p, 48), s)),
  );
}

/**
 * uniformByte of four pages at once, a line of each in turn: four streams in flight, where one
 * page after another leaves the memory system idle at every page start. Stops (checked every
 * 512 bytes) once all four have differed. Writes four i32 to out.
 */
// @ts-ignore: decorator
@inline
export function uniformBytes4(a: usize, b: usize, c: usize, d: usize, size: usize, out: usize): void {
  if ((load<u8>(a) | load<u8>(b) | load<u8>(c) | load<u8>(d)) == 0) {
    zeroBytes4(a, b, c, d, size, out);
    return;
  }
  const sa = i8x16.splat(load<u8>(a));
  const sb = i8x16.splat(load<u8>(b));
  const sc = i8x16.splat(load<u8>(c));
  const sd = i8x16.splat(load<u8>(d));
  let xa = i64x2.splat(0);
  let xb = i64x2.splat(0);
  let xc = i64x2.splat(0);
  let xd = i64x2.splat(0);
  let i: usize = 0;
  do {
    xa = v128.or(xa, lineDiff(a + i, sa));
    xb = v128.or(xb, lineDiff(b + i, sb));
    xc = v128.or(xc, lineDiff(c + i, sc));
    xd = v128.or(xd, lineDiff(d + i, sd));
    i += 64;
    if ((i & 511) == 0 && v128.any_true(xa) && v128.any_true(xb) && v128.any_true(xc) && v128.any_true(xd)) break;
  } while (i < size);
  store<i32>(out, v128.any_true(xa) ? -1 : <i32>load<u8>(a));
  store<i32>(out, v128.any_true(xb) ? -1 : <i32>load<u8>(b), 4);
  store<i32>(out, v128.any_true(xc) ? -1 : <i32>load<u8>(c), 8);
  store<i32>(out, v128.any_true(xd) ? -1 : <i32>load<u8>(d), 12);
}

// @ts-ignore: decorator
@inline
function lineOr(p: usize): v128 {
  return v128.or(v128.or(v128.load(p), v128.load(p, 16)), v128.or(v128.load(p, 32), v128.load(p, 48)));
}

/** uniformBytes4 for four pages that start with a zero byte, the common case: no xor needed. */
function zeroBytes4(a: usize, b: usize, c: usize, d: usize, size: usize, out: usize): void {
  let xa = i64x2.splat(0);
  let xb = i64x2.splat(0);
  let xc = i64x2.splat(0);
  let xd = i64x2.splat(0);
  let i: usize = 0;
  do {
    xa = v128.or(xa, lineOr(a + i));
    xb = v128.or(xb, lineOr(b + i));
    xc = v128.or(xc, lineOr(c + i));
    xd = v128.or(xd, lineOr(d + i));
    i += 64;
    if ((i & 511) == 0 && v128.any_true(xa) && v128.any_true(xb) && v128.any_true(xc) && v128.any_true(xd)) break;
  } while (i < size);
  store<i32>(out, v128.any_true(xa) ? -1 : 0);
  store<i32>(out, v128.any_true(xb) ? -1 : 0, 4);
  store<i32>(out, v128.any_true(xc) ? -1 : 0, 8);
  store<i32>(out, v128.any_true(xd) ? -1 : 0, 12);
}

/** Whether `len` bytes (a multiple of 128) at p are all zero. */
// @ts-ignore: decorator
@inline
export function isZero(p: usize, len: usize): bool {
  const end = p + len;
  let q = p;
  while (q < end) {
    const x = v128.or(
      v128.or(
        v128.or(v128.load(q), v128.load(q, 16)),
        v128.or(v128.load(q, 32), v128.load(q, 48)),
      ),
      v128.or(
        v128.or(v128.load(q, 64), v128.load(q, 80)),
        v128.or(v128.load(q, 96), v128.load(q, 112)),
      ),
    );
    if (v128.any_true(x)) return false;
    q += 128;
  }
  return true;
}

/** OR of the differences of 128 bytes at x and y: zero when they are equal. */
// @ts-ignore: decorator
@inline
function blockDiff(x: usize, y: usize): v128 {
  return v128.or(
    v128.or(
      v128.or(v128.xor(v128.load(x), v128.load(y)), v128.xor(v128.load(x, 16), v128.load(y, 16))),
      v128.or(v128.xor(v128.load(x, 32), v128.load(y, 32)), v128.xor(v128.load(x, 48), v128.load(y, 48))),
    ),
    v128.or(
      v128.or(v128.xor(v128.load(x, 64), v128.load(y, 64)), v128.xor(v128.load(x, 80), v128.load(y, 80))),
      v128.or(v128.xor(v128.load(x, 96), v128.load(y, 96)), v128.xor(v128.load(x, 112), v128.load(y, 112))),
    ),
  );
}

/** Whether `size` bytes (a multiple of 128) at a and b are equal; stops at the first differing block. */
// @ts-ignore: decorator
@inline
export function pagesEqual(a: usize, b: usize, size: usize): bool {
  for (let i: usize = 0; i < size; i += 128) {
    if (v128.any_true(blockDiff(a + i, b + i))) return false;
  }
  return true;
}

/** OR of the differences of the 64-byte lines at x and y. */
// @ts-ignore: decorator
@inline
function lineXor(x: usize, y: usize): v128 {
  return v128.or(
    v128.or(v128.xor(v128.load(x), v128.load(y)), v128.xor(v128.load(x, 16), v128.load(y, 16))),
    v128.or(v128.xor(v128.load(x, 32), v128.load(y, 32)), v128.xor(v128.load(x, 48), v128.load(y, 48))),
  );
}

/**
 * Compares four pairs of pages a line of each in turn: eight streams in flight, where one pair
 * after another waits on the two pages' misses. Stops when all four pairs have differed. Bit j
 * of the result: pair j is equal. Pairs may repeat.
 */
// @ts-ignore: decorator
@inline
export function pagesEqual4(
  a0: usize, b0: usize, a1: usize, b1: usize, a2: usize, b2: usize, a3: usize, b3: usize, size: usize,
): u32 {
  let x0 = i64x2.splat(0);
  let x1 = i64x2.splat(0);
  let x2 = i64x2.splat(0);
  let x3 = i64x2.splat(0);
  let i: usize = 0;
  do {
    x0 = v128.or(x0, lineXor(a0 + i, b0 + i));
    x1 = v128.or(x1, lineXor(a1 + i, b1 + i));
    x2 = v128.or(x2, lineXor(a2 + i, b2 + i));
    x3 = v128.or(x3, lineXor(a3 + i, b3 + i));
    i += 64;
    if (v128.any_true(x0) && v128.any_true(x1) && v128.any_true(x2) && v128.any_true(x3)) return 0;
  } while (i < size);
  return (
    <u32>!v128.any_true(x0) |
    (<u32>!v128.any_true(x1) << 1) |
    (<u32>!v128.any_true(x2) << 2) |
    (<u32>!v128.any_true(x3) << 3)
  );
}

/**
 * Hash of 9 vectors spread over the page: first, last, and one per eighth. Equal pages get
 * equal hashes; pages that differ only between the samples collide, which the table resolves
 * with fullHash, so this only has to be cheap.
 */
// @ts-ignore: decorator
@inline
export function sampleHash(p: usize, size: usize): u32 {
  const stride = size >> 3;
  let h0 = mix(hashSeed0(), v128.load(p));
  let h1 = mix(hashSeed1(), v128.load(p + size - 16));
  let q = p + stride + 16;
  for (let k = 0; k < 3; k++) {
    h0 = mix(h0, v128.load(q));
    h1 = mix(h1, v128.load(q + stride - 16));
    q += stride << 1;
  }
  h0 = mix(h0, v128.load(q));
  return fold(mix(h0, h1));
}

/** Hash of every byte of the page, four independent lanes of 16 bytes. */
// @ts-ignore: decorator
@inline
export function fullHash(p: usize, size: usize): u32 {
  let a = hashSeed0();
  let b = hashSeed1();
  let c = v128.not(hashSeed0());
  let d = v128.not(hashSeed1());
  const end = p + size;
  let q = p;
  do {
    a = mix(a, v128.load(q));
    b = mix(b, v128.load(q, 16));
    c = mix(c, v128.load(q, 32));
    d = mix(d, v128.load(q, 48));
    q += 64;
  } while (q < end);
  return fold(mix(mix(mix(a, b), c), d));
}
