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

/** Compares a with b and c with d; bit 0 and bit 1 say which pairs are equal. */
// @ts-ignore: decorator
@inline
export function pagesEqual2(a: usize, b: usize, c: usize, d: usize, size: usize): u32 {
  if (ASC_FEATURE_SIMD) return simd.pagesEqual2(a, b, c, d, size);
  else return scalar.pagesEqual2(a, b, c, d, size);
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
