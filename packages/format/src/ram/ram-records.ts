import {
  ENCODING_FLAG_XBZRLE,
  RAM_SAVE_FLAG_COMPRESS_PAGE,
  RAM_SAVE_FLAG_CONTINUE,
  RAM_SAVE_FLAG_EOS,
  RAM_SAVE_FLAG_HOOK,
  RAM_SAVE_FLAG_MEM_SIZE,
  RAM_SAVE_FLAG_MULTIFD_FLUSH,
  RAM_SAVE_FLAG_PAGE,
  RAM_SAVE_FLAG_XBZRLE,
  RAM_SAVE_FLAG_X_DEDUP,
  RAM_SAVE_FLAG_ZERO,
} from "../constants.js";
import { FormatError, hex } from "../errors.js";
import type {
  RamBlockInfo,
  RamCompressedRecord,
  RamDedupRecord,
  RamPageRecord,
  RamRecord,
  RamXbzrleRecord,
  RamZeroRecord,
} from "../records.js";
import type { ByteReader } from "../wire/byte-reader.js";
import type { ByteWriter } from "../wire/byte-writer.js";

const TWO_POW_32 = 0x1_0000_0000;

/** zlib's compressBound(): the largest compressed page QEMU accepts. */
export function compressBound(n: number): number {
  return n + (n >>> 12) + (n >>> 14) + (n >>> 25) + 13;
}

/** What the RAM loader remembers between records (and between sections). */
export interface RamParseState {
  pageSize: number;
  /** Block of the previous page record, for RAM_SAVE_FLAG_CONTINUE (kept across sections). */
  lastBlock: string | undefined;
  /** used_length by block name, once a MEM_SIZE record was read. */
  blocks: Map<string, number> | undefined;
  /** x-ignore-shared: MEM_SIZE entries carry the block's GPA. */
  ignoreShared: boolean;
  /** x-dedup: the configuration announced the dedup extension, so its records may appear. */
  dedup: boolean;
  /** Whether a MEM_SIZE entry carries a be64 page size (postcopy-ram with a non-host page size). */
  postcopyPageSize: (idstr: string) => boolean;
  maxBlocks: number;
}

interface Halves {
  hi: number;
  lo: number;
}

/**
 * Parses RAM records. Zero, page, XBZRLE and compressed records are written into one reused
 * object per type, and their `data` is a view of the input: both are valid until the next parse.
 */
export class RamRecordParser {
  private readonly h: Halves = { hi: 0, lo: 0 };
  private readonly zero: RamZeroRecord = { kind: "ram", type: "zero", offset: 0, sectionId: 0, address: 0, continued: false, block: "", fill: 0 };
  private readonly page: RamPageRecord = { kind: "ram", type: "page", offset: 0, sectionId: 0, address: 0, continued: false, block: "", data: new Uint8Array(0) };
  private readonly xbzrle: RamXbzrleRecord = { kind: "ram", type: "xbzrle", offset: 0, sectionId: 0, address: 0, continued: false, block: "", data: new Uint8Array(0) };
  private readonly compressed: RamCompressedRecord = { kind: "ram", type: "compressed", offset: 0, sectionId: 0, address: 0, continued: false, block: "", data: new Uint8Array(0) };
  private readonly dedup: RamDedupRecord = { kind: "ram", type: "dedup", offset: 0, sectionId: 0, address: 0, continued: false, block: "", source: 0 };

  constructor(readonly state: RamParseState) {}

  parse(r: ByteReader, sectionId: number): RamRecord {
    const st = this.state;
    const offset = r.base + r.pos;
    const h = this.h;
    r.u64Halves(h);
    const flags = h.lo & (st.pageSize - 1);
    if (h.hi > 0x1f_ffff) {
      throw new FormatError("BAD_RAM_OFFSET", `Illegal RAM offset ${hex(BigInt(h.hi) << 32n)}`, { offset });
    }
    const address = h.hi * TWO_POW_32 + (h.lo - flags);
    const continued = (flags & RAM_SAVE_FLAG_CONTINUE) !== 0;
    const base = flags & ~RAM_SAVE_FLAG_CONTINUE;

    let rec: RamZeroRecord | RamPageRecord | RamXbzrleRecord | RamCompressedRecord | RamDedupRecord;
    switch (base) {
      case RAM_SAVE_FLAG_ZERO:
        rec = this.zero;
        break;
      case RAM_SAVE_FLAG_PAGE:
        rec = this.page;
        break;
      case RAM_SAVE_FLAG_XBZRLE:
        rec = this.xbzrle;
        break;
      case RAM_SAVE_FLAG_COMPRESS_PAGE:
        rec = this.compressed;
        break;
      case RAM_SAVE_FLAG_X_DEDUP:
        // Without the capability in the configuration this is a flag QEMU does not know either.
        if (!st.dedup || st.pageSize <= RAM_SAVE_FLAG_X_DEDUP) {
          throw new FormatError("UNKNOWN_RAM_FLAGS", `Unknown combination of migration flags: ${hex(flags)} (x-dedup was not announced in the configuration)`, { offset });
        }
        rec = this.dedup;
        break;
      case RAM_SAVE_FLAG_EOS:
        return { kind: "ram", type: "eos", offset, sectionId, address, continued };
      case RAM_SAVE_FLAG_MULTIFD_FLUSH:
        return { kind: "ram", type: "multifd-flush", offset, sectionId, address, continued };
      case RAM_SAVE_FLAG_MEM_SIZE:
        return { kind: "ram", type: "mem-size", offset, sectionId, address, continued, blocks: this.memSize(r, address, offset) };
      default:
        if (base & RAM_SAVE_FLAG_HOOK) {
          throw new FormatError(
            "RAM_HOOK_UNSUPPORTED",
            `RAM hook record (flags ${hex(flags)}): RDMA control data cannot be loaded from a stream`,
            { offset },
          );
        }
        throw new FormatError("UNKNOWN_RAM_FLAGS", `Unknown combination of migration flags: ${hex(flags)}`, { offset });
    }

    let block: string;
    if (continued) {
      if (st.lastBlock === undefined) {
        throw new FormatError("BAD_RAM_CONTINUE", "Ack, bad migration stream! (RAM_SAVE_FLAG_CONTINUE with no previous block)", { offset });
      }
      block = st.lastBlock;
    } else {
      block = r.countedString();
      if (st.blocks && !st.blocks.has(block)) {
        throw new FormatError("UNKNOWN_RAM_BLOCK", `Can't find block ${block}`, { offset });
      }
      st.lastBlock = block;
    }
    if (st.blocks) {
      const length = st.blocks.get(block)!;
      if (address >= length) {
        throw new FormatError("BAD_RAM_OFFSET", `Illegal RAM offset ${hex(address)} (block ${block} is ${hex(length)} bytes)`, { offset });
      }
    }

    rec.offset = offset;
    rec.sectionId = sectionId;
    rec.address = address;
    rec.continued = continued;
    rec.block = block;
    if (rec.type === "zero") {
      rec.fill = r.u8();
    } else if (rec.type === "page") {
      rec.data = r.bytes(st.pageSize);
    } else if (rec.type === "dedup") {
      const at = r.offset;
      const source = r.u64Number();
      const length = st.blocks?.get(block);
      if (source % st.pageSize !== 0 || source === address || (length !== undefined && source >= length)) {
        throw new FormatError(
          "BAD_RAM_REFERENCE",
          `Bad page reference: page ${hex(address)} of ${block} refers to ${hex(source)}, which is ${source === address ? "the page itself" : "not a page of the block"}`,
          { offset: at },
        );
      }
      rec.source = source;
    } else if (rec.type === "xbzrle") {
      const at = r.offset;
      if (r.u8() !== ENCODING_FLAG_XBZRLE) {
        throw new FormatError("BAD_XBZRLE", "Failed to load XBZRLE page - wrong compression!", { offset: at });
      }
      const len = r.u16();
      if (len > st.pageSize) {
        throw new FormatError("BAD_XBZRLE", `Failed to load XBZRLE page - len overflow! (${len} > ${st.pageSize})`, { offset: at });
      }
      rec.data = r.bytes(len);
    } else {
      const at = r.offset;
      const len = r.u32();
      if (len === 0 || len > compressBound(st.pageSize)) {
        throw new FormatError("BAD_COMPRESSED_PAGE", `Invalid compressed data length: ${len | 0}`, { offset: at });
      }
      rec.data = r.bytes(len);
    }
    return rec;
  }

  private memSize(r: ByteReader, total: number, offset: number): RamBlockInfo[] {
    const st = this.state;
    const blocks: RamBlockInfo[] = [];
    let left = total;
    while (left > 0) {
      if (blocks.length >= st.maxBlocks) {
        throw new FormatError("LIMIT_EXCEEDED", `more than ${st.maxBlocks} RAM blocks in MEM_SIZE`, { offset });
      }
      const at = r.offset;
      const idstr = r.countedString();
      if (idstr.length === 0) throw new FormatError("BAD_MEM_SIZE", `Unknown ramblock "", cannot accept migration`, { offset: at });
      const info: RamBlockInfo = { idstr, length: r.u64Number() };
      if (st.postcopyPageSize(idstr)) info.pageSize = r.u64Number();
      if (st.ignoreShared) info.addr = r.u64Number();
      if (info.length > left) {
        throw new FormatError(
          "BAD_MEM_SIZE",
          `RAM block ${idstr} of ${hex(info.length)} bytes is larger than the ${hex(left)} bytes left of the announced total ${hex(total)}`,
          { offset: at },
        );
      }
      left -= info.length;
      blocks.push(info);
    }
    st.blocks = new Map(blocks.map((b) => [b.idstr, b.length]));
    return blocks;
  }
}

const TYPE_FLAG: Record<RamRecord["type"], number> = {
  "mem-size": RAM_SAVE_FLAG_MEM_SIZE,
  zero: RAM_SAVE_FLAG_ZERO,
  page: RAM_SAVE_FLAG_PAGE,
  xbzrle: RAM_SAVE_FLAG_XBZRLE,
  compressed: RAM_SAVE_FLAG_COMPRESS_PAGE,
  eos: RAM_SAVE_FLAG_EOS,
  "multifd-flush": RAM_SAVE_FLAG_MULTIFD_FLUSH,
  dedup: RAM_SAVE_FLAG_X_DEDUP,
};

/**
 * Writes a RAM record exactly as described (the block name is left out when `continued`). Every
 * field is checked before the first byte goes out, so a refused record leaves nothing behind.
 */
export function writeRamRecord(w: ByteWriter, rec: RamRecord, pageSize: number): void {
  checkRamRecord(rec, pageSize);
  const flags = TYPE_FLAG[rec.type] | (rec.continued ? RAM_SAVE_FLAG_CONTINUE : 0);
  const a = rec.address;
  w.u64Halves(Math.floor(a / TWO_POW_32), ((a % TWO_POW_32) | flags) >>> 0);
  switch (rec.type) {
    case "mem-size":
      for (const b of rec.blocks) {
        w.countedString(b.idstr).u64(b.length);
        if (b.pageSize !== undefined) w.u64(b.pageSize);
        if (b.addr !== undefined) w.u64(b.addr);
      }
      return;
    case "eos":
    case "multifd-flush":
      return;
  }
  if (!rec.continued) w.countedString(rec.block);
  switch (rec.type) {
    case "zero":
      w.u8(rec.fill);
      return;
    case "page":
      w.bytes(rec.data);
      return;
    case "xbzrle":
      w.u8(ENCODING_FLAG_XBZRLE).u16(rec.data.length).bytes(rec.data);
      return;
    case "compressed":
      w.u32(rec.data.length).bytes(rec.data);
      return;
    case "dedup":
      w.u64(rec.source);
      return;
  }
}

/** Refuses what writeRamRecord cannot write whole, or what QEMU's loader would refuse to read. */
export function checkRamRecord(rec: RamRecord, pageSize: number): void {
  const a = rec.address;
  if (!Number.isSafeInteger(a) || a < 0 || a % pageSize !== 0) {
    throw new FormatError("INVALID_VALUE", `RAM record address ${a} is not a multiple of the page size ${pageSize}`);
  }
  switch (rec.type) {
    case "mem-size": {
      let total = 0;
      for (const b of rec.blocks) {
        checkBlockName(b.idstr);
        for (const [what, n] of [["length", b.length], ["page size", b.pageSize ?? 0], ["address", b.addr ?? 0]] as const) {
          if (!Number.isSafeInteger(n) || n < 0) throw new FormatError("INVALID_VALUE", `RAM block ${b.idstr}: ${what} ${n} is not a byte count`);
        }
        total += b.length;
      }
      if (total !== a) {
        throw new FormatError("INVALID_VALUE", `MEM_SIZE total ${a} is not the sum of its block lengths (${total})`);
      }
      return;
    }
    case "eos":
    case "multifd-flush":
      return;
  }
  if (!rec.continued) checkBlockName(rec.block);
  switch (rec.type) {
    case "zero":
      if (!Number.isInteger(rec.fill) || rec.fill < 0 || rec.fill > 0xff) {
        throw new FormatError("INVALID_VALUE", `zero page fill ${rec.fill} is not a byte`);
      }
      return;
    case "page":
      if (rec.data.length !== pageSize) {
        throw new FormatError("INVALID_VALUE", `page of ${rec.data.length} bytes, the page size is ${pageSize}`);
      }
      return;
    case "xbzrle":
      if (rec.data.length > pageSize) {
        throw new FormatError("INVALID_VALUE", `XBZRLE data of ${rec.data.length} bytes is longer than a page (${pageSize})`);
      }
      return;
    case "compressed":
      if (rec.data.length === 0 || rec.data.length > compressBound(pageSize)) {
        throw new FormatError("INVALID_VALUE", `compressed page of ${rec.data.length} bytes: expected 1 to ${compressBound(pageSize)}`);
      }
      return;
    case "dedup":
      if (!Number.isSafeInteger(rec.source) || rec.source < 0 || rec.source % pageSize !== 0 || rec.source === a) {
        throw new FormatError("INVALID_VALUE", `page reference source ${rec.source} must be another page of the block`);
      }
      return;
  }
}

/** The last name checkBlockName passed: a stream names the same few blocks again and again. */
let validName = "";

/** A RAM block idstr as a counted string holds it: 1 to 255 one-byte characters. */
function checkBlockName(name: string): void {
  if (name === validName) return;
  if (name.length === 0 || name.length > 0xff) {
    throw new FormatError("INVALID_VALUE", `RAM block name ${JSON.stringify(name.slice(0, 40))} must be 1 to 255 bytes`);
  }
  for (let i = 0; i < name.length; i++) {
    if (name.charCodeAt(i) > 0xff) throw new FormatError("INVALID_VALUE", `RAM block name ${JSON.stringify(name)} has a character that is not one byte`);
  }
  validName = name;
}
