/**
 * A mapped-ram reader written only from the layout documents (QEMU's docs/devel/migration/mapped-ram.rst
 * and ../shared/spec/qemu-migration-stream.md §2.2), apart from src/mapped-ram/: it shares nothing
 * with the writer but the byte-level reader. It loads the RAM of a mapped-ram file into memory.
 */
import { ByteReader } from "../src/wire/index.js";

export interface IndependentRam {
  capabilities: string[];
  pageSize: number;
  blocks: Map<string, Uint8Array>;
}

/** Reads `length` bytes at `offset` of the file (whole file in memory here: the files in tests are small). */
function at(file: Uint8Array, offset: number, length: number): ByteReader {
  if (offset + length > file.length) throw new Error(`read of ${length} bytes at ${offset} past the end (${file.length})`);
  return new ByteReader(file.subarray(offset, offset + length), offset);
}

export function readMappedRamIndependently(file: Uint8Array): IndependentRam {
  const r = new ByteReader(file, 0);
  if (r.u32() !== 0x5145564d) throw new Error("not QEVM");
  if (r.u32() !== 3) throw new Error("not version 3");
  // QEMU_VM_CONFIGURATION, then the vmstate "configuration": be32 len + machine name, subsections.
  if (r.u8() !== 0x07) throw new Error("configuration expected");
  r.skip(r.u32());
  const capabilities: string[] = [];
  let pageBits = 12;
  while (r.peekU8() === 0x05) {
    r.u8();
    const name = r.countedString();
    r.u32(); // subsection version
    if (name === "configuration/target-page-bits") pageBits = r.u32();
    else if (name === "configuration/capabilities") {
      for (let n = r.u32(); n > 0; n--) capabilities.push(r.countedString());
    } else if (name === "configuration/uuid") r.skip(16);
    else throw new Error(`unknown configuration subsection ${name}`);
  }
  if (!capabilities.includes("mapped-ram")) throw new Error("mapped-ram capability missing");
  const pageSize = 2 ** pageBits;
  // QEMU_VM_SECTION_START for "ram".
  if (r.u8() !== 0x01) throw new Error("section start expected");
  r.u32();
  if (r.countedString() !== "ram") throw new Error("ram section expected first");
  r.u32();
  r.u32();
  const sizeAndFlags = r.u64();
  if ((sizeAndFlags & BigInt(pageSize - 1)) !== 4n) throw new Error("MEM_SIZE expected");
  let left = Number(sizeAndFlags & ~BigInt(pageSize - 1));
  const blocks = new Map<string, Uint8Array>();
  let entry = r;
  while (left > 0) {
    const idstr = entry.countedString();
    const usedLength = Number(entry.u64());
    if (capabilities.includes("x-ignore-shared")) entry.u64();
    // MappedRamHeader: be32 version, be64 page_size, be64 bitmap_offset, be64 pages_offset.
    const version = entry.u32();
    const headerPageSize = Number(entry.u64());
    const bitmapOffset = Number(entry.u64());
    const pagesOffset = Number(entry.u64());
    if (version !== 1) throw new Error(`header version ${version}`);
    if (headerPageSize !== pageSize) throw new Error("page size differs");
    const pages = usedLength / pageSize;
    // The bitmap is an array of 64-bit little-endian longs (x86-64 host): bit i of the array is page i.
    const bitmap = at(file, bitmapOffset, Math.ceil(pages / 64) * 8).bytes(Math.ceil(pages / 64) * 8);
    const memory = new Uint8Array(usedLength);
    for (let i = 0; i < pages; i++) {
      const word = new DataView(bitmap.buffer, bitmap.byteOffset + Math.floor(i / 64) * 8, 8).getBigUint64(0, true);
      if ((word >> BigInt(i % 64)) & 1n) memory.set(at(file, pagesOffset + i * pageSize, pageSize).bytes(pageSize), i * pageSize);
    }
    blocks.set(idstr, memory);
    left -= usedLength;
    entry = new ByteReader(file.subarray(pagesOffset + usedLength), pagesOffset + usedLength);
  }
  // What follows the last block's pages is the stream again: RAM_SAVE_FLAG_EOS ends the START section.
  if (left === 0 && entry.remaining >= 8 && entry.u64() !== 0x10n) throw new Error("EOS expected after the last block's pages");
  return { capabilities, pageSize, blocks };
}
