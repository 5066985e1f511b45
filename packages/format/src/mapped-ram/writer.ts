import { DEDUP_CAPABILITY, DEFAULT_PAGE_SIZE, RAM_SAVE_FLAG_MEM_SIZE } from "../constants.js";
import { FormatError, hex } from "../errors.js";
import { RamApplier, type RamBlockAccess } from "../ram/ram-applier.js";
import type { MigrationRecord, RamMemSizeRecord } from "../records.js";
import { writeRecord } from "../stream/record-codec.js";
import { ByteWriter } from "../wire/byte-writer.js";
import { encodeMappedRamHeader, MAPPED_RAM_ALIGNMENT, MAPPED_RAM_CAPABILITY, MAPPED_RAM_HEADER_SIZE, MAPPED_RAM_HEADER_VERSION, mappedRamBitmapSize } from "./header.js";
import { withCapabilities } from "./capabilities.js";
import type { PositionalSink } from "./positional.js";

export interface MappedRamBlockLayout {
  idstr: string;
  length: number;
  bitmapOffset: number;
  pagesOffset: number;
  /** Pages whose bit is set (stored in the file); the others are zero and left as holes. */
  presentPages: number;
}

export interface MappedRamWriteResult {
  /** Length of the file written. */
  size: number;
  pageSize: number;
  blocks: MappedRamBlockLayout[];
}

export interface MappedRamWriteOptions {
  /** Alignment of each block's page region. Default 1 MiB, as QEMU. */
  alignment?: number;
}

/** Capabilities that never go into a mapped-ram file's configuration: the file holds no such records. */
const DROPPED_CAPABILITIES = new Set([DEDUP_CAPABILITY]);
/** Bytes of non-RAM records gathered before one pwrite. */
const FLUSH_AT = 256 * 1024;

interface BlockState extends MappedRamBlockLayout {
  bitmap: Uint8Array;
}

/**
 * Lays out a mapped-ram file from the records of a normal migration stream: the configuration
 * gains the `mapped-ram` capability, each block of the MEM_SIZE list is followed by its header,
 * every page the stream leaves non-zero is written once at its fixed offset (later records of the
 * same page overwrite it in place), zero pages stay holes, and the bitmaps are written at the end.
 * Every other record (EOS, device sections, EOF, vmdesc) follows the last block's pages.
 */
export async function writeMappedRam(
  records: AsyncIterable<MigrationRecord> | Iterable<MigrationRecord>,
  sink: PositionalSink,
  options: MappedRamWriteOptions = {},
): Promise<MappedRamWriteResult> {
  const alignment = options.alignment ?? MAPPED_RAM_ALIGNMENT;
  let pageSize = DEFAULT_PAGE_SIZE;
  let ignoreShared = false;
  let pos = 0;
  const out = new ByteWriter(FLUSH_AT + 8192);
  const flush = (): void => {
    if (out.length === 0) return;
    const bytes = out.peek();
    sink.pwrite(pos, bytes);
    pos += bytes.length;
    out.truncate(0);
  };
  const blocks = new Map<string, BlockState>();
  const applier = new RamApplier({
    block: (idstr) => blockAccess(sink, blocks.get(idstr)!, pageSize),
  });
  let memSizeSeen = false;

  for await (const rec of records) {
    if (rec.kind === "configuration") {
      if (rec.targetPageBits !== undefined) pageSize = 2 ** rec.targetPageBits;
      ignoreShared = rec.capabilities.includes("x-ignore-shared");
      const caps = rec.capabilities.filter((c) => !DROPPED_CAPABILITIES.has(c) && c !== MAPPED_RAM_CAPABILITY);
      writeRecord(out, withCapabilities(rec, [...caps, MAPPED_RAM_CAPABILITY]));
      applier.apply(rec);
    } else if (rec.kind === "ram") {
      if (rec.type === "mem-size") {
        if (memSizeSeen) throw new FormatError("BAD_MAPPED_RAM", "a second MEM_SIZE record cannot be laid out in a mapped-ram file", { offset: rec.offset });
        memSizeSeen = true;
        flush();
        pos = layOutBlocks(rec, { pos, pageSize, alignment, ignoreShared }, sink, blocks);
        applier.apply(rec);
      } else if (rec.type === "eos") {
        writeRecord(out, rec, { pageSize });
      } else if (rec.type !== "multifd-flush") {
        applier.apply(rec);
      }
    } else {
      writeRecord(out, rec, { pageSize });
    }
    if (out.length >= FLUSH_AT) flush();
  }
  flush();
  for (const b of blocks.values()) sink.pwrite(b.bitmapOffset, b.bitmap);
  sink.setSize(pos);
  return { size: pos, pageSize, blocks: [...blocks.values()].map(({ bitmap: _bitmap, ...layout }) => layout) };
}

/**
 * Writes the MEM_SIZE list with a header per block. Each entry after the first starts where the
 * previous block's pages end, as in QEMU's file. Returns the position after the last block's pages.
 */
function layOutBlocks(
  rec: RamMemSizeRecord,
  at: { pos: number; pageSize: number; alignment: number; ignoreShared: boolean },
  sink: PositionalSink,
  blocks: Map<string, BlockState>,
): number {
  const { pageSize, alignment } = at;
  let pos = at.pos;
  const w = new ByteWriter(512);
  w.u64(rec.address + RAM_SAVE_FLAG_MEM_SIZE);
  for (const b of rec.blocks) {
    const fail = (detail: string): never => {
      throw new FormatError("BAD_MAPPED_RAM", `block ${b.idstr}: ${detail}`, { offset: rec.offset, section: "ram" });
    };
    if (b.pageSize !== undefined) fail("carries a postcopy page size: mapped-ram is not compatible with postcopy-ram");
    if (b.length % pageSize !== 0) fail(`length ${hex(b.length)} is not a multiple of the page size ${hex(pageSize)}`);
    if (blocks.has(b.idstr)) fail("listed twice in MEM_SIZE");
    w.countedString(b.idstr).u64(b.length);
    if (at.ignoreShared) w.u64(b.addr ?? 0);
    const bitmapSize = mappedRamBitmapSize(b.length / pageSize);
    const bitmapOffset = pos + w.length + MAPPED_RAM_HEADER_SIZE;
    const pagesOffset = Math.ceil((bitmapOffset + bitmapSize) / alignment) * alignment;
    encodeMappedRamHeader(w, { version: MAPPED_RAM_HEADER_VERSION, pageSize, bitmapOffset, pagesOffset });
    blocks.set(b.idstr, { idstr: b.idstr, length: b.length, bitmapOffset, pagesOffset, presentPages: 0, bitmap: new Uint8Array(bitmapSize) });
    sink.pwrite(pos, w.peek());
    w.truncate(0);
    pos = pagesOffset + b.length;
  }
  if (w.length > 0) {
    sink.pwrite(pos, w.peek());
    pos += w.length;
  }
  return pos;
}

function blockAccess(sink: PositionalSink, block: BlockState, pageSize: number): RamBlockAccess {
  const { pagesOffset, bitmap } = block;
  return {
    length: block.length,
    zeroed: true,
    read(offset, into) {
      const page = offset / pageSize;
      if (bitmap[page >>> 3]! & (1 << (page & 7))) sink.pread(pagesOffset + offset, into);
      else into.fill(0);
    },
    write(offset, data) {
      const page = offset / pageSize;
      const bit = 1 << (page & 7);
      const was = (bitmap[page >>> 3]! & bit) !== 0;
      if (isZero(data)) {
        // QEMU clears the bit of a page that became zero; what lies at its offset is never read.
        if (was) {
          bitmap[page >>> 3]! &= ~bit;
          block.presentPages--;
        }
        return;
      }
      sink.pwrite(pagesOffset + offset, data);
      if (!was) {
        bitmap[page >>> 3]! |= bit;
        block.presentPages++;
      }
    },
  };
}

function isZero(data: Uint8Array): boolean {
  const words = data.byteOffset % 4 === 0 && data.length % 4 === 0 ? new Uint32Array(data.buffer, data.byteOffset, data.length / 4) : data;
  for (let i = 0; i < words.length; i++) if (words[i] !== 0) return false;
  return true;
}
