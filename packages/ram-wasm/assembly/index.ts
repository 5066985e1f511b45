// Entry of every build (SIMD, scalar, SIMD with shared memory). All functions take raw pointers
// into the imported memory; the TypeScript side owns the layout and every bounds check.
import { isZero as isZeroKernel, pagesEqual as pagesEqualKernel, uniformByte as uniformByteKernel } from "./kernels";

export {
  ST_RAM,
  ST_SHIFT,
  ST_PAGES,
  ST_BASE,
  ST_STABLE,
  ST_SMASK,
  ST_FTABLE,
  ST_FMASK,
  ST_ORIGIN,
  ST_KINDS,
  ST_VALUES,
  ST_NEW_PAGES,
  ST_NEW_HASHES,
  ST_NEW_COUNT,
  ST_ZERO,
  ST_UNIFORM,
  ST_DUPLICATE,
  ST_UNIQUE,
  ST_SCOUNT,
  ST_FCOUNT,
  ST_OVERFLOW,
  ST_SIZE,
  XXH_SIZE,
} from "./common/layout";
export {
  scanPages,
  countZeroPages,
  lookupHashes,
  findPage,
  mergeLookup,
  fixupResults,
  forgetPages,
  resetScanner,
} from "./common/scanner";
export {
  bitmapBytes,
  bitmapSetAll,
  bitmapClearAll,
  bitmapSet,
  bitmapClear,
  bitmapTest,
  bitmapTestAndClear,
  bitmapFindNext,
  bitmapCount,
  bitmapSync,
} from "./common/bitmap";
export { xxh64Reset, xxh64Update, xxh64Digest } from "./common/xxh64";

/** The byte every position of the page holds, or -1. `size` is a power of two ≥ 512. */
export function uniformByte(p: usize, size: usize): i32 {
  return uniformByteKernel(p, size);
}

/** Whether `len` bytes (a multiple of 128) at p are zero. */
export function isZero(p: usize, len: usize): bool {
  return isZeroKernel(p, len);
}

/** Whether the pages at a and b (size a power of two ≥ 512) are equal. */
export function pagesEqual(a: usize, b: usize, size: usize): bool {
  return pagesEqualKernel(a, b, size);
}
