import { FormatError } from "../errors.js";

/**
 * XBZRLE as QEMU's migration/xbzrle.c defines it: repeated pairs of a ULEB128 count of unchanged
 * bytes (zrun) and a ULEB128 count of new bytes followed by those bytes (nzrun). Counts are at most
 * two ULEB128 bytes (< 16384); only the first zrun may be 0; an nzrun is never 0; at least two
 * bytes must be left before reading each count. The encoding is applied to the page's current
 * content.
 */

/** Checks `encoded` against a page of `pageSize` bytes; returns QEMU's reason when invalid. */
function check(encoded: Uint8Array, pageSize: number): string | undefined {
  const slen = encoded.length;
  let i = 0;
  let d = 0;
  while (i < slen) {
    if (slen - i < 2) return "decode error!";
    let n = uleb(encoded, i);
    if (n < 0) return "decode error!";
    const z = n & 0x7fff;
    if (z === 0 && i !== 0) return "decode error!";
    i += n >>> 15;
    d += z;
    if (d > pageSize) return "decode error!";
    if (slen - i < 2) return "decode error!";
    n = uleb(encoded, i);
    if (n < 0) return "decode error!";
    const nz = n & 0x7fff;
    i += n >>> 15;
    if (nz === 0) return "decode error!";
    if (d + nz > pageSize || i + nz > slen) return "decode error!";
    d += nz;
    i += nz;
  }
  return undefined;
}

/**
 * uleb128_decode_small: value in the low 15 bits, bytes used (1 or 2) above them, -1 when the
 * value needs more than 14 bits.
 */
function uleb(buf: Uint8Array, i: number): number {
  const b0 = buf[i]!;
  if ((b0 & 0x80) === 0) return b0 | (1 << 15);
  const b1 = buf[i + 1]!;
  if (b1 & 0x80) return -1;
  return (b0 & 0x7f) | (b1 << 7) | (2 << 15);
}

/**
 * Applies an XBZRLE encoding to `page` in place. The whole encoding is checked first, so a bad one
 * throws BAD_XBZRLE and leaves the page untouched.
 */
export function applyXbzrle(page: Uint8Array, encoded: Uint8Array, offset?: number): void {
  const problem = check(encoded, page.length);
  if (problem) throw new FormatError("BAD_XBZRLE", `Failed to load XBZRLE page - ${problem}`, { offset });
  let i = 0;
  let d = 0;
  while (i < encoded.length) {
    let n = uleb(encoded, i);
    i += n >>> 15;
    d += n & 0x7fff;
    n = uleb(encoded, i);
    i += n >>> 15;
    const nz = n & 0x7fff;
    page.set(encoded.subarray(i, i + nz), d);
    d += nz;
    i += nz;
  }
}

/** Decodes `encoded` against the previous content of the page; returns the new page. */
export function decodeXbzrle(previous: Uint8Array, encoded: Uint8Array): Uint8Array {
  const page = previous.slice();
  applyXbzrle(page, encoded);
  return page;
}

const MAX_RUN = 0x3fff;

function putUleb(out: number[], n: number): void {
  if (n < 0x80) out.push(n);
  else out.push((n & 0x7f) | 0x80, n >>> 7);
}

/**
 * Encodes the change from `previous` to `next` (same length). Returns undefined when the encoding
 * would not be smaller than a page, as QEMU then sends the page whole. Identical pages encode to
 * zero bytes.
 */
export function encodeXbzrle(previous: Uint8Array, next: Uint8Array): Uint8Array | undefined {
  if (previous.length !== next.length) throw new RangeError("XBZRLE pages must have the same length");
  const size = next.length;
  const out: number[] = [];
  let i = 0;
  while (i < size) {
    let z = 0;
    while (i + z < size && z < MAX_RUN && previous[i + z] === next[i + z]) z++;
    if (i + z === size) break;
    // A zrun is capped at MAX_RUN; the byte after it is then sent as "new" even if unchanged.
    let nz = 1;
    while (i + z + nz < size && nz < MAX_RUN && previous[i + z + nz] !== next[i + z + nz]) nz++;
    putUleb(out, z);
    putUleb(out, nz);
    for (let k = 0; k < nz; k++) out.push(next[i + z + k]!);
    i += z + nz;
    if (out.length >= size) return undefined;
  }
  return Uint8Array.from(out);
}
