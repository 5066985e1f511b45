import { parseConfiguration } from "../configuration.js";
import {
  DEFAULT_PAGE_SIZE,
  DEFAULT_SUPPORTED_CAPABILITIES,
  QEMU_VM_CONFIGURATION,
  QEMU_VM_SECTION_START,
  RAM_SAVE_FLAG_MEM_SIZE,
} from "../constants.js";
import { FormatError, hex } from "../errors.js";
import type { ConfigurationRecord, HeaderRecord, MigrationRecord, RamBlockInfo, RamMemSizeRecord, SectionRecord } from "../records.js";
import { readMigrationStream } from "../stream/decoder.js";
import type { ReadMigrationOptions } from "../stream/read-options.js";
import { parseHeader, parseSectionHeader, writeRecord } from "../stream/record-codec.js";
import { ByteReader } from "../wire/byte-reader.js";
import { ByteWriter } from "../wire/byte-writer.js";
import { decodeMappedRamHeader, MAPPED_RAM_CAPABILITY, mappedRamBitmapSize, type MappedRamHeader } from "./header.js";
import type { PositionalSource } from "./positional.js";

/** How much of the file's start is read to find the header, configuration and first block entry. */
const HEAD_BYTES = 1 << 20;
/** Longest block entry: u8 len, 255 bytes of idstr, be64 length, be64 addr, the 28-byte header. */
const ENTRY_BYTES = 1 + 255 + 8 + 8 + 28;
/** Pages read with one pread. */
const CHUNK_PAGES = 256;
const DEFAULT_MAX_RAM_BLOCKS = 4096;

export interface MappedRamBlock extends Omit<RamBlockInfo, "pageSize">, MappedRamHeader {}

/** What precedes the pages of a mapped-ram file. */
export interface MappedRamLayout {
  header: HeaderRecord;
  configuration: ConfigurationRecord;
  section: SectionRecord;
  memSize: RamMemSizeRecord;
  pageSize: number;
  blocks: MappedRamBlock[];
  /** Where the stream goes on after the last block's pages (the START section's EOS). */
  resumeOffset: number;
}

/** True when the source starts like a mapped-ram file: a stream header and a configuration naming `mapped-ram`. */
export async function isMappedRam(source: PositionalSource): Promise<boolean> {
  try {
    const head = await source.pread(0, Math.min(source.size, 64 * 1024));
    const r = new ByteReader(head, 0);
    parseHeader(r);
    if (r.remaining === 0 || r.peekU8() !== QEMU_VM_CONFIGURATION) return false;
    return parseConfiguration(r).capabilities.includes(MAPPED_RAM_CAPABILITY);
  } catch {
    return false;
  }
}

/** Reads the header, configuration, RAM START section and the block list with each block's mapped-ram header. */
export async function readMappedRamLayout(source: PositionalSource, options: { maxRamBlocks?: number } = {}): Promise<MappedRamLayout> {
  const fileSize = source.size;
  const r = new ByteReader(await source.pread(0, Math.min(fileSize, HEAD_BYTES)), 0);
  const header = parseHeader(r);
  if (r.remaining === 0 || r.peekU8() !== QEMU_VM_CONFIGURATION) {
    throw new FormatError("BAD_MAPPED_RAM", "no configuration record: a mapped-ram file names the capability there", { offset: r.offset });
  }
  const configuration = parseConfiguration(r);
  if (!configuration.capabilities.includes(MAPPED_RAM_CAPABILITY)) {
    throw new FormatError("BAD_MAPPED_RAM", "the configuration does not list the mapped-ram capability: not a mapped-ram file", {
      offset: configuration.offset,
    });
  }
  const pageSize = configuration.targetPageBits !== undefined ? 2 ** configuration.targetPageBits : DEFAULT_PAGE_SIZE;
  const ignoreShared = configuration.capabilities.includes("x-ignore-shared");
  if (r.peekU8() !== QEMU_VM_SECTION_START) {
    throw new FormatError("BAD_MAPPED_RAM", `expected the RAM section's START record, found byte ${hex(r.peekU8())}`, { offset: r.offset });
  }
  const section = parseSectionHeader(r, new Map());
  if (section.idstr !== "ram") {
    throw new FormatError("BAD_MAPPED_RAM", `section '${section.idstr}' comes before RAM; only RAM can start a mapped-ram file`, {
      offset: section.offset,
    });
  }
  const memAt = r.offset;
  const value = r.u64Number();
  const flags = value % pageSize;
  if (flags !== RAM_SAVE_FLAG_MEM_SIZE) {
    throw new FormatError("BAD_MAPPED_RAM", `RAM section starts with flags ${hex(flags)}, not MEM_SIZE`, { offset: memAt, section: "ram" });
  }
  const total = value - flags;
  const maxBlocks = options.maxRamBlocks ?? DEFAULT_MAX_RAM_BLOCKS;
  const blocks: MappedRamBlock[] = [];
  let left = total;
  let entry = r;
  let resumeOffset = r.offset;
  while (left > 0) {
    if (blocks.length === maxBlocks) throw new FormatError("LIMIT_EXCEEDED", `more than ${maxBlocks} RAM blocks`, { offset: entry.offset });
    const at = entry.offset;
    const idstr = entry.countedString();
    const length = entry.u64Number();
    const addr = ignoreShared ? entry.u64Number() : undefined;
    if (length === 0 || length % pageSize !== 0 || length > left) {
      throw new FormatError("BAD_MEM_SIZE", `block ${idstr} length ${hex(length)} is not a page multiple within the ${hex(left)} bytes left`, {
        offset: at,
        section: "ram",
      });
    }
    const h = decodeMappedRamHeader(entry, { idstr, length }, { pageSize, fileSize });
    blocks.push({ idstr, length, ...(addr !== undefined ? { addr } : {}), ...h });
    left -= length;
    resumeOffset = h.pagesOffset + length;
    if (left > 0) entry = new ByteReader(await source.pread(resumeOffset, Math.min(ENTRY_BYTES, fileSize - resumeOffset)), resumeOffset);
  }
  const memSize: RamMemSizeRecord = {
    kind: "ram",
    type: "mem-size",
    offset: memAt,
    sectionId: section.sectionId,
    address: total,
    continued: false,
    blocks: blocks.map(({ idstr, length, addr }) => ({ idstr, length, ...(addr !== undefined ? { addr } : {}) })),
  };
  return { header, configuration, section, memSize, pageSize, blocks, resumeOffset };
}

/**
 * The records of a mapped-ram file, as a stream decoder yields them for the stream it stands for:
 * the header, configuration and RAM START, the MEM_SIZE list, then for every block one PAGE record
 * per page its bitmap marks present (offset: where the page lies in the file) and a ZERO record for
 * each other page, then the rest of the file (EOS, device sections, EOF, vmdesc) from the decoder.
 * Records are fresh objects that stay valid.
 */
export async function* readMappedRam(source: PositionalSource, options: ReadMigrationOptions = {}): AsyncGenerator<MigrationRecord, void, undefined> {
  const layout = await readMappedRamLayout(source, options);
  yield layout.header;
  yield layout.configuration;
  yield layout.section;
  yield layout.memSize;
  for (const block of layout.blocks) yield* blockPages(source, layout, block);
  yield* rest(source, layout, options);
}

/** One block's bitmap of present pages, one bit per page from the low bit of each byte. */
export async function readMappedRamBitmap(source: PositionalSource, pageSize: number, block: MappedRamBlock): Promise<Uint8Array> {
  const size = mappedRamBitmapSize(block.length / pageSize);
  const bitmap = await source.pread(block.bitmapOffset, size);
  if (bitmap.length !== size) {
    throw new FormatError("TRUNCATED", `bitmap of block ${block.idstr} ends early`, { offset: block.bitmapOffset + bitmap.length });
  }
  return bitmap;
}

async function* blockPages(source: PositionalSource, layout: MappedRamLayout, block: MappedRamBlock): AsyncGenerator<MigrationRecord> {
  const { pageSize } = layout;
  const sectionId = layout.section.sectionId;
  const bitmap = await readMappedRamBitmap(source, pageSize, block);
  const pages = block.length / pageSize;
  for (let first = 0; first < pages; first += CHUNK_PAGES) {
    const count = Math.min(CHUNK_PAGES, pages - first);
    let chunk: Uint8Array | undefined;
    for (let i = first; i < first + count; i++) {
      const address = i * pageSize;
      const base = { kind: "ram" as const, sectionId, address, continued: i !== 0, block: block.idstr };
      if (bitmap[i >>> 3]! & (1 << (i & 7))) {
        if (!chunk) chunk = await readPages(source, block, first * pageSize, count * pageSize);
        const at = (i - first) * pageSize;
        yield { ...base, type: "page", offset: block.pagesOffset + address, data: chunk.subarray(at, at + pageSize) };
      } else {
        yield { ...base, type: "zero", offset: block.pagesOffset + address, fill: 0 };
      }
    }
  }
}

async function readPages(source: PositionalSource, block: MappedRamBlock, start: number, length: number): Promise<Uint8Array> {
  const data = await source.pread(block.pagesOffset + start, length);
  if (data.length !== length) {
    throw new FormatError("TRUNCATED", `pages of block ${block.idstr} end early`, { offset: block.pagesOffset + start + data.length, section: "ram" });
  }
  return data;
}

/**
 * The records after the pages. The stream decoder reads them behind a prefix that re-creates the
 * stream's start (header, configuration, RAM START, a plain MEM_SIZE list), so it knows the RAM
 * section and the capabilities; its offsets are shifted to the file's.
 */
async function* rest(source: PositionalSource, layout: MappedRamLayout, options: ReadMigrationOptions): AsyncGenerator<MigrationRecord> {
  const w = new ByteWriter(1024);
  for (const rec of [layout.header, layout.configuration, layout.section, layout.memSize]) writeRecord(w, rec);
  const prefix = w.finish();
  const baseOffset = layout.resumeOffset - prefix.length;
  if (baseOffset < 0) throw new FormatError("BAD_MAPPED_RAM", "the block list overlaps the pages", { offset: layout.resumeOffset });
  const supported = [...(options.supportedCapabilities ?? DEFAULT_SUPPORTED_CAPABILITIES), MAPPED_RAM_CAPABILITY];
  const reader = readMigrationStream(chunksAfter(source, prefix, layout.resumeOffset), { ...options, baseOffset, supportedCapabilities: supported });
  for await (const rec of reader) {
    if (rec.offset < layout.resumeOffset) continue;
    yield rec;
  }
}

async function* chunksAfter(source: PositionalSource, prefix: Uint8Array, from: number): AsyncGenerator<Uint8Array> {
  yield prefix;
  for (let at = from; at < source.size; ) {
    const chunk = await source.pread(at, Math.min(HEAD_BYTES, source.size - at));
    if (chunk.length === 0) return;
    yield chunk;
    at += chunk.length;
  }
}
