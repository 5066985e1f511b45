import { FormatError, hex } from "../errors.js";
import { ByteReader } from "../wire/byte-reader.js";
import { ByteWriter } from "../wire/byte-writer.js";

/** Bytes of QEMU's packed MappedRamHeader: be32 version, be64 page_size, be64 bitmap_offset, be64 pages_offset. */
export const MAPPED_RAM_HEADER_SIZE = 28;
/** The only header version QEMU (9.0 to 10.2) writes; a loader refuses a greater one. */
export const MAPPED_RAM_HEADER_VERSION = 1;
/** QEMU aligns each block's page region to 1 MiB (its loader only checks page alignment). */
export const MAPPED_RAM_ALIGNMENT = 1024 * 1024;
/** The capability name in the configuration record and in migrate-set-capabilities. */
export const MAPPED_RAM_CAPABILITY = "mapped-ram";

/** The per-block header that follows a block's entry in the MEM_SIZE list of a mapped-ram file. */
export interface MappedRamHeader {
  version: number;
  pageSize: number;
  /** Absolute file offset of the block's bitmap of present pages. */
  bitmapOffset: number;
  /** Absolute file offset of the block's first page; page `i` lives at `pagesOffset + i * pageSize`. */
  pagesOffset: number;
}

/** Bytes of the bitmap of a block with `pages` pages: whole 64-bit words, as QEMU's `unsigned long` bitmap. */
export function mappedRamBitmapSize(pages: number): number {
  return Math.ceil(pages / 64) * 8;
}

export function encodeMappedRamHeader(w: ByteWriter, h: MappedRamHeader): void {
  w.u32(h.version).u64(h.pageSize).u64(h.bitmapOffset).u64(h.pagesOffset);
}

/**
 * Reads a block's header and checks it against the block: version, page size, and that the
 * bitmap and page regions lie inside the file and after the header.
 */
export function decodeMappedRamHeader(
  r: ByteReader,
  block: { idstr: string; length: number },
  expect: { pageSize: number; fileSize: number },
): MappedRamHeader {
  const at = r.offset;
  if (r.remaining < MAPPED_RAM_HEADER_SIZE) {
    throw new FormatError("TRUNCATED", `the mapped-ram header of block ${block.idstr} is cut short (${r.remaining} of ${MAPPED_RAM_HEADER_SIZE} bytes)`, {
      offset: at,
      section: "ram",
    });
  }
  const version = r.u32();
  const pageSize = r.u64Number();
  const bitmapOffset = r.u64Number();
  const pagesOffset = r.u64Number();
  const fail = (detail: string): never => {
    throw new FormatError("BAD_MAPPED_RAM", `${detail} in the mapped-ram header of block ${block.idstr}`, { offset: at, section: "ram" });
  };
  if (version === 0 || version > MAPPED_RAM_HEADER_VERSION) {
    fail(`Migration mapped-ram capability version not supported (expected <= ${MAPPED_RAM_HEADER_VERSION}, got ${version})`);
  }
  if (pageSize !== expect.pageSize) fail(`page size ${hex(pageSize)} is not the target page size ${hex(expect.pageSize)}`);
  const bitmapEnd = bitmapOffset + mappedRamBitmapSize(block.length / pageSize);
  if (bitmapOffset < at + MAPPED_RAM_HEADER_SIZE || bitmapEnd > expect.fileSize) {
    fail(`bitmap at ${hex(bitmapOffset)}..${hex(bitmapEnd)} lies outside the file (${hex(expect.fileSize)} bytes) or before the header's end`);
  }
  if (pagesOffset % pageSize !== 0) fail(`Error reading ramblock ${block.idstr} pages, region has bad alignment (${hex(pagesOffset)})`);
  if (pagesOffset < bitmapEnd || pagesOffset + block.length > expect.fileSize) {
    fail(`pages at ${hex(pagesOffset)}..${hex(pagesOffset + block.length)} overlap the bitmap or run past the end of the file (${hex(expect.fileSize)} bytes)`);
  }
  return { version, pageSize, bitmapOffset, pagesOffset };
}
