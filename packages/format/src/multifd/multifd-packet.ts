import { FormatError } from "../errors.js";
import { ByteWriter } from "../wire/byte-writer.js";
import {
  MULTIFD_FLAG_COMPRESSION_MASK,
  MULTIFD_FLAG_NOCOMP,
  MULTIFD_MAGIC,
  MULTIFD_MAX_COMPRESSED_SIZE,
  MULTIFD_RAMBLOCK_FIELD,
  MULTIFD_VERSION,
  multifdHeaderSize,
  multifdPagesPerPacket,
} from "./multifd-constants.js";
import { multifdLocation as where, multifdReader, type MultifdDecodeContext } from "./multifd-reader.js";

/** One packet header: a batch of pages of one RAM block, or (flag SYNC, no pages) a sync point. */
export interface MultifdPacket {
  flags: number;
  /** The sender's batch capacity; QEMU sends its page_count (128 with 4 KiB pages). */
  pagesAlloc: number;
  /** Bytes of page data after the header: pages × page size uncompressed. */
  nextPacketSize: number;
  /** A number from one counter shared by all channels of a migration. */
  packetNum: bigint;
  /** The RAM block the offsets are in ("" when the packet has no pages). */
  ramblock: string;
  /** Page offsets inside the block, one per page that follows; `normal_pages` is their count. */
  offsets: readonly number[];
}

const encoder = new TextEncoder();

/**
 * The header of `packet`, always the full size with room for every offset (what QEMU reads).
 * A ramblock name that does not fit the 256-byte field (with its NUL) is refused.
 */
export function encodeMultifdPacket(packet: MultifdPacket, pageSize: number): Uint8Array {
  const capacity = multifdPagesPerPacket(pageSize);
  if (packet.offsets.length > packet.pagesAlloc || packet.pagesAlloc > capacity) {
    throw new FormatError(
      "INVALID_VALUE",
      `multifd: ${packet.offsets.length} pages in a packet of ${packet.pagesAlloc} (at most ${capacity})`,
    );
  }
  const name = encoder.encode(packet.ramblock);
  if (name.length >= MULTIFD_RAMBLOCK_FIELD)
    throw new FormatError("INVALID_VALUE", `multifd: RAM block name "${packet.ramblock}" is too long`);
  const size = multifdHeaderSize(pageSize);
  const w = new ByteWriter(size)
    .u32(MULTIFD_MAGIC)
    .u32(MULTIFD_VERSION)
    .u32(packet.flags)
    .u32(packet.pagesAlloc)
    .u32(packet.offsets.length)
    .u32(packet.nextPacketSize)
    .u64(packet.packetNum)
    .fill(32)
    .bytes(name)
    .fill(MULTIFD_RAMBLOCK_FIELD - name.length);
  for (const offset of packet.offsets) w.u64(offset);
  return w.fill(size - w.length).finish();
}

/**
 * Reads a packet header (`multifdHeaderSize(pageSize)` bytes) with QEMU 7.2's checks and words:
 * magic, version, `pages_alloc` at most one batch, `normal_pages` at most `pages_alloc`. Beyond
 * QEMU, every offset must be page-aligned, uncompressed data must be exactly the pages announced,
 * and compressed data at most `MULTIFD_MAX_COMPRESSED_SIZE`; so nothing read later is sized by
 * an unchecked count. Offsets against the block's size are the caller's check.
 */
export function decodeMultifdPacket(bytes: Uint8Array, pageSize: number, ctx: MultifdDecodeContext = {}): MultifdPacket {
  const base = ctx.offset ?? 0;
  const size = multifdHeaderSize(pageSize);
  const r = multifdReader(bytes, size, ctx);
  const magic = r.u32();
  if (magic !== MULTIFD_MAGIC) {
    throw new FormatError(
      "BAD_MAGIC",
      `multifd: received packet magic ${magic.toString(16)} and expected magic ${MULTIFD_MAGIC.toString(16)}`,
      where(ctx, base),
    );
  }
  const version = r.u32();
  if (version !== MULTIFD_VERSION) {
    throw new FormatError(
      "VERSION_UNSUPPORTED",
      `multifd: received packet version ${version} and expected version ${MULTIFD_VERSION}`,
      where(ctx, base + 4),
    );
  }
  const flags = r.u32();
  const pagesAlloc = r.u32();
  const capacity = multifdPagesPerPacket(pageSize);
  if (pagesAlloc > capacity) {
    throw new FormatError(
      "LIMIT_EXCEEDED",
      `multifd: received packet with size ${pagesAlloc} and expected a size of ${capacity}`,
      where(ctx, base + 12),
    );
  }
  const normalPages = r.u32();
  if (normalPages > pagesAlloc) {
    throw new FormatError(
      "LIMIT_EXCEEDED",
      `multifd: received packet with ${normalPages} pages and expected maximum pages are ${pagesAlloc}`,
      where(ctx, base + 16),
    );
  }
  const nextPacketSize = r.u32();
  const compressed = (flags & MULTIFD_FLAG_COMPRESSION_MASK) !== MULTIFD_FLAG_NOCOMP;
  if (normalPages > 0 && (compressed ? nextPacketSize > MULTIFD_MAX_COMPRESSED_SIZE : nextPacketSize !== normalPages * pageSize)) {
    throw new FormatError(
      "LIMIT_EXCEEDED",
      compressed
        ? `multifd: received ${nextPacketSize} bytes of compressed data, more than ${MULTIFD_MAX_COMPRESSED_SIZE}`
        : `multifd: received packet of ${normalPages} pages announcing ${nextPacketSize} bytes of data`,
      where(ctx, base + 20),
    );
  }
  const packetNum = r.u64();
  r.skip(32);
  const nameStart = r.pos;
  const nameBytes = r.bytes(MULTIFD_RAMBLOCK_FIELD);
  let nul = nameBytes.indexOf(0);
  if (nul < 0) nul = MULTIFD_RAMBLOCK_FIELD - 1;
  const ramblock = normalPages === 0 ? "" : new TextDecoder().decode(bytes.subarray(nameStart, nameStart + nul));
  const offsets: number[] = [];
  for (let i = 0; i < normalPages; i++) {
    const at = r.offset;
    const offset = r.u64Number();
    if (offset % pageSize !== 0) {
      throw new FormatError("BAD_RAM_OFFSET", `multifd: page offset 0x${offset.toString(16)} is not page-aligned`, where(ctx, at));
    }
    offsets.push(offset);
  }
  // A packet without pages is followed by no data; QEMU leaves a stale size in it (sync packets).
  return { flags, pagesAlloc, nextPacketSize: normalPages === 0 ? 0 : nextPacketSize, packetNum, ramblock, offsets };
}
