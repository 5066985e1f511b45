import { concatBytes, pullChunks, type ByteSource } from "../source/byte-source.js";
import { closingIterator } from "../source/closing-iterator.js";
import { ChunkReader } from "./chunk-reader.js";
import { decodePayload, type SaveImageCodec } from "./codec.js";
import { SaveImageError, type SaveImageErrorCode } from "./errors.js";
import { LIBVIRT_HEADER_SIZE, parseLibvirtHeader, type LibvirtSaveHeader } from "./header.js";

/** Default cap on the domain XML and on the cookie (each), so a bad header cannot make us buffer gigabytes. */
export const DEFAULT_MAX_XML_BYTES = 16 * 1024 * 1024;

export interface ReadSaveImageOptions {
  /** Read a `LibvirtQemudPart` image instead of refusing it with SAVE_IMAGE_INCOMPLETE. */
  allowPartial?: boolean;
  /** Longest domain XML or cookie accepted, in bytes; default {@link DEFAULT_MAX_XML_BYTES}. */
  maxXmlBytes?: number;
  /** Decompressor for bzip2, xz, lzop and zstd payloads (the Node entry point supplies one). */
  codec?: SaveImageCodec;
}

/** The QEMU migration stream of an image. It can be iterated once. */
export interface SaveImageStream extends AsyncIterable<Uint8Array> {
  /** Releases the source without reading the stream (e.g. after printing the header). */
  close(): Promise<void>;
}

export interface SaveImage {
  header: LibvirtSaveHeader;
  domainXml: string;
  /** The `<cookie>` document libvirt stores after the XML; absent when `cookieOffset` is 0. */
  cookieXml?: string;
  /** Bytes of the data area after the last NUL-terminated string (libvirt writes 64 KiB of zeros). */
  paddingLength: number;
  /** Offset of the (possibly compressed) payload in the image: 92 + dataLen. */
  payloadOffset: number;
  /**
   * The decompressed QEMU migration stream. Decompression starts on the first read, so a
   * missing compressor is reported there (COMPRESSOR_MISSING / COMPRESSOR_UNAVAILABLE), not by
   * `readSaveImage`: the header and XML of any image can always be inspected.
   */
  stream: SaveImageStream;
}

interface AreaText {
  text: string;
  /** Bytes used by the string and its NUL. */
  used: number;
}

const utf8 = new TextDecoder("utf-8");

/**
 * Reads an area of `length` bytes holding a NUL-terminated string followed by anything
 * (libvirt's padding), keeping at most `limit` bytes of string in memory.
 */
async function readTerminatedArea(
  reader: ChunkReader,
  length: number,
  limit: number,
  what: { truncated: SaveImageErrorCode; message: string; label: string },
): Promise<AreaText> {
  const start = reader.position;
  const pieces: Uint8Array[] = [];
  let stringLength = -1;
  let scanned = 0;
  while (scanned < length) {
    const piece = await reader.take(length - scanned);
    if (piece === undefined) throw new SaveImageError(what.truncated, what.message, reader.position);
    if (stringLength < 0) {
      const nul = piece.indexOf(0);
      const keep = nul < 0 ? piece.length : nul;
      if (scanned + keep > limit) {
        throw new SaveImageError(
          "XML_TOO_LARGE",
          `${what.label} is longer than the limit of ${limit} bytes (maxXmlBytes)`,
          start + limit,
        );
      }
      pieces.push(piece.subarray(0, keep));
      if (nul >= 0) stringLength = scanned + nul;
    }
    scanned += piece.length;
  }
  if (stringLength < 0) {
    throw new SaveImageError("XML_NOT_TERMINATED", `${what.label} is not NUL-terminated`, start + length);
  }
  const joined = concatBytes(pieces);
  return { text: utf8.decode(joined), used: stringLength + 1 };
}

/**
 * Reads a libvirt save image from the front, never seeking: the header, the domain XML, the
 * cookie, then hands out the QEMU migration stream that follows, decompressed. raw and gzip are
 * built in; the other formats need `options.codec` (see `@savevm/format/node`).
 */
export async function readSaveImage(source: ByteSource, options: ReadSaveImageOptions = {}): Promise<SaveImage> {
  const limit = options.maxXmlBytes ?? DEFAULT_MAX_XML_BYTES;
  const reader = new ChunkReader(pullChunks(source));
  try {
    const headerBytes = await reader.read(LIBVIRT_HEADER_SIZE);
    const header = parseLibvirtHeader(headerBytes, 0, { allowPartial: options.allowPartial ?? false });
    const xmlAreaLength = header.cookieOffset || header.dataLen;
    const xml = await readTerminatedArea(reader, xmlAreaLength, limit, {
      truncated: "XML_TRUNCATED",
      message: "failed to read domain XML",
      label: "domain XML",
    });
    const cookieAreaLength = header.dataLen - xmlAreaLength;
    const cookie =
      header.cookieOffset !== 0 && cookieAreaLength > 0
        ? await readTerminatedArea(reader, cookieAreaLength, limit, {
            truncated: "COOKIE_TRUNCATED",
            message: "failed to read cookie",
            label: "cookie",
          })
        : undefined;

    const payloadOffset = LIBVIRT_HEADER_SIZE + header.dataLen;
    const codec = options.codec;
    let opened = false;
    const image: SaveImage = {
      header,
      domainXml: xml.text,
      paddingLength: header.dataLen - xml.used - (cookie?.used ?? 0),
      payloadOffset,
      stream: {
        [Symbol.asyncIterator]() {
          if (opened) throw new SaveImageError("INVALID_ARGUMENT", "the save image stream can be read only once");
          opened = true;
          const payload = (async function* () {
            yield* decodePayload(header, reader.rest(), payloadOffset, codec);
          })();
          return closingIterator(payload, () => reader.close());
        },
        close: () => reader.close(),
      },
    };
    if (cookie) image.cookieXml = cookie.text;
    return image;
  } catch (error) {
    await reader.close().catch(() => undefined);
    throw error;
  }
}
