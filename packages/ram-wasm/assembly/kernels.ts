// Picks the kernel set at compile time: the SIMD build is compiled with `--enable simd`, the
// scalar build without it, and the branch not taken is never compiled.
import * as simd from "./simd/kernels";
import * as scalar from "./scalar/kernels";

// @ts-ignore: decorator
@inline
export function uniformByte(p: usize, size: usize): i32 {
  if (ASC_FEATURE_SIMD) return simd.uniformByte(p, size);
  else return scalar.uniformByte(p, size);
}

/** Whether the page's first 16 bytes all equal its first byte. */
// @ts-ignore: decorator
@inline
export function startsUniform(p: usize): bool {
  if (ASC_FEATURE_SIMD) return simd.startsUniform(p);
  else return scalar.startsUniform(p);
}

/** uniformByte of four pages (they may repeat), written as four i32 to out. */
// @ts-ignore: decorator
@inline
export function uniformBytes4(a: usize, b: usize, c: usize, d: usize, size: usize, out: usize): void {
  if (ASC_FEATURE_SIMD) simd.uniformBytes4(a, b, c, d, size, out);
  else scalar.uniformBytes4(a, b, c, d, size, out);
}

// @ts-ignore: decorator
@inline
export function isZero(p: usize, len: usize): bool {
  if (ASC_FEATURE_SIMD) return simd.isZero(p, len);
  else return scalar.isZero(p, len);
}

// @ts-ignore: decorator
@inline
export function pagesEqual(a: usize, b: usize, size: usize): bool {
  if (ASC_FEATURE_SIMD) return simd.pagesEqual(a, b, size);
  else return scalar.pagesEqual(a, b, size);
}

/** Compares page a_j with page b_j for j < 4 (pairs may repeat); bit j of the result: equal. */
// @ts-ignore: decorator
@inline
export function pagesEqual4(
  a0: usize, b0: usize, a1: usize, b1: usize, a2: usize, b2: usize, a3: usize, b3: usize, size: usize,
): u32 {
  if (ASC_FEATURE_SIMD) return simd.pagesEqual4(a0, b0, a1, b1, a2, b2, a3, b3, size);
  else return scalar.pagesEqual4(a0, b0, a1, b1, a2, b2, a3, b3, size);
}

// @ts-ignore: decorator
@inline
export function sampleHash(p: usize, size: usize): u32 {
  if (ASC_FEATURE_SIMD) return simd.sampleHash(p, size);
  else return scalar.sampleHash(p, size);
}

// @ts-ignore: decorator
@inline
export function fullHash(p: usize, size: usize): u32 {
  if (ASC_FEATURE_SIMD) return simd.fullHash(p, size);
  else return scalar.fullHash(p, size);
}
