import { unzlibSync, zlibSync } from "fflate";
import { FormatError } from "../errors.js";

/**
 * Inflates a RAM_SAVE_FLAG_COMPRESS_PAGE payload (zlib, as QEMU's qemu_put_compression_data writes
 * it) into `out`, which must be one page. Anything but a valid zlib stream of exactly one page,
 * with a matching Adler-32, throws BAD_COMPRESSED_PAGE and leaves `out` untouched.
 */
export function inflatePageInto(data: Uint8Array, out: Uint8Array, offset?: number): void {
  const pageSize = out.length;
  let page: Uint8Array;
  try {
    page = unzlibSync(data, { out: new Uint8Array(pageSize + 1) });
  } catch (e) {
    throw new FormatError("BAD_COMPRESSED_PAGE", `decompress data failed: ${(e as Error).message}`, { offset });
  }
  if (page.length !== pageSize) {
    throw new FormatError(
      "BAD_COMPRESSED_PAGE",
      `compressed page inflates to ${page.length > pageSize ? "more than " + pageSize : page.length} bytes, not one page of ${pageSize}`,
      { offset },
    );
  }
  const n = data.length;
  const stored = n >= 4 ? ((data[n - 4]! << 24) | (data[n - 3]! << 16) | (data[n - 2]! << 8) | data[n - 1]!) >>> 0 : -1;
  if (stored !== adler32(page)) {
    throw new FormatError("BAD_COMPRESSED_PAGE", "decompress data failed: Adler-32 checksum mismatch", { offset });
  }
  out.set(page);
}

/** Inflates a compressed page payload into a new page. */
export function inflatePage(data: Uint8Array, pageSize: number, offset?: number): Uint8Array {
  const out = new Uint8Array(pageSize);
  inflatePageInto(data, out, offset);
  return out;
}

/** zlib-compresses a page the way QEMU's compress threads do (level 1 by default). */
export function deflatePage(page: Uint8Array, level: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 = 1): Uint8Array {
  return zlibSync(page, { level });
}

function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length; ) {
    const end = Math.min(i + 3800, data.length);
    for (; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}
