import { FormatError } from "../errors.js";
import { ByteWriter } from "../wire/byte-writer.js";
import { MULTIFD_INIT_PACKET_SIZE, MULTIFD_MAGIC, MULTIFD_VERSION } from "./multifd-constants.js";
import { multifdLocation as context, multifdReader, type MultifdDecodeContext } from "./multifd-reader.js";

export type { MultifdDecodeContext };

/** What a multifd channel says first: who sent it (the source's UUID) and which channel it is. */
export interface MultifdInit {
  /** The 16 bytes of the source machine's UUID; QEMU's destination requires its own UUID here. */
  uuid: Uint8Array;
  /** Channel number, 0 to channels − 1. */
  channel: number;
}

/** The 64-byte init packet. */
export function encodeMultifdInit(init: MultifdInit): Uint8Array {
  if (init.uuid.length !== 16) throw new FormatError("INVALID_VALUE", `multifd: a UUID has 16 bytes, not ${init.uuid.length}`);
  if (!Number.isInteger(init.channel) || init.channel < 0 || init.channel > 255) {
    throw new FormatError("INVALID_VALUE", `multifd: channel id ${init.channel} is not a byte`);
  }
  const w = new ByteWriter(MULTIFD_INIT_PACKET_SIZE).u32(MULTIFD_MAGIC).u32(MULTIFD_VERSION).bytes(init.uuid).u8(init.channel);
  return w.fill(MULTIFD_INIT_PACKET_SIZE - w.length).finish();
}

/** Whether `bytes` (at least 4 of them) start like a multifd channel rather than a QEVM stream. */
export function startsWithMultifdMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0 === MULTIFD_MAGIC;
}

/**
 * Reads an init packet. Wrong magic and any version but 1 are refused with QEMU's words; a
 * channel id of `channels` or more is refused too (QEMU 7.2 lets id == channels through, one
 * past its array). The UUID is returned for the caller to compare with its own.
 */
export function decodeMultifdInit(bytes: Uint8Array, channels: number, ctx: MultifdDecodeContext = {}): MultifdInit {
  const base = ctx.offset ?? 0;
  const r = multifdReader(bytes, MULTIFD_INIT_PACKET_SIZE, ctx);
  const magic = r.u32();
  if (magic !== MULTIFD_MAGIC) {
    throw new FormatError(
      "BAD_MAGIC",
      `multifd: received packet magic ${magic.toString(16)} expected ${MULTIFD_MAGIC.toString(16)}`,
      context(ctx, base),
    );
  }
  const version = r.u32();
  if (version !== MULTIFD_VERSION) {
    throw new FormatError(
      "VERSION_UNSUPPORTED",
      `multifd: received packet version ${version} expected ${MULTIFD_VERSION}`,
      context(ctx, base + 4),
    );
  }
  const uuid = r.bytes(16).slice();
  const channel = r.u8();
  if (channel >= channels) {
    throw new FormatError(
      "LIMIT_EXCEEDED",
      `multifd: received channel id ${channel}, expected one below ${channels}`,
      context(ctx, base + 24),
    );
  }
  return { uuid, channel };
}
