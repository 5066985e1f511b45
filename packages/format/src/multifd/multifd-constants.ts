/**
 * Constants of QEMU 7.2's multifd channels (migration/multifd.h and multifd.c). Every multifd
 * channel opens with an init packet; page data then travels in packets whose header has a fixed
 * size (room for one full batch of page offsets), followed by the pages themselves.
 */

/** The magic at the start of the init packet and of every packet header (big-endian). */
export const MULTIFD_MAGIC = 0x11223344;
/** The only multifd version QEMU 7.2 writes or reads. */
export const MULTIFD_VERSION = 1;

/** magic, version, 16-byte uuid, u8 channel id, 7 reserved bytes, 4 reserved be64. */
export const MULTIFD_INIT_PACKET_SIZE = 64;

/** The packet that ends a sync round: the sender waits for all channels to send one. */
export const MULTIFD_FLAG_SYNC = 1 << 0;
/** Three bits name the compression method of a packet's data. */
export const MULTIFD_FLAG_COMPRESSION_MASK = 7 << 1;
export const MULTIFD_FLAG_NOCOMP = 0 << 1;
export const MULTIFD_FLAG_ZLIB = 1 << 1;
export const MULTIFD_FLAG_ZSTD = 2 << 1;

/** Bytes of guest RAM one packet carries at most; a multiple of the target page size. */
export const MULTIFD_PACKET_SIZE = 512 * 1024;

/** The header's fixed part: six be32, be64 packet_num, 4 reserved be64, 256-byte ramblock. */
export const MULTIFD_HEADER_FIXED_SIZE = 6 * 4 + 8 + 4 * 8 + 256;

/** Length of the ramblock name field (NUL-padded; QEMU forces the last byte to NUL). */
export const MULTIFD_RAMBLOCK_FIELD = 256;

/**
 * Most bytes of compressed data a packet may announce. QEMU's zlib receiver reads into a buffer
 * of twice the packet size; compressed data larger than that is refused before it is read.
 */
export const MULTIFD_MAX_COMPRESSED_SIZE = 2 * MULTIFD_PACKET_SIZE;

/** The compression methods of `multifd-compression`, with their flag values. */
export type MultifdCompression = "none" | "zlib" | "zstd";

export const MULTIFD_COMPRESSION_FLAGS: Readonly<Record<MultifdCompression, number>> = {
  none: MULTIFD_FLAG_NOCOMP,
  zlib: MULTIFD_FLAG_ZLIB,
  zstd: MULTIFD_FLAG_ZSTD,
};

/** Offsets one packet can hold: QEMU's page_count (128 with 4 KiB pages). */
export function multifdPagesPerPacket(pageSize: number): number {
  return MULTIFD_PACKET_SIZE / pageSize;
}

/**
 * The size of every packet header on the wire. QEMU always sends (and reads) the whole header
 * with room for all offsets, whatever `normal_pages` says; the unused offsets carry stale data.
 */
export function multifdHeaderSize(pageSize: number): number {
  return MULTIFD_HEADER_FIXED_SIZE + 8 * multifdPagesPerPacket(pageSize);
}
