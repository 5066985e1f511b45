import { SaveImageError } from "./errors.js";
import { gunzipChunks, gzipChunks } from "./gzip.js";
import type { LibvirtSaveHeader, SaveImageFormat } from "./header.js";

/** Formats libvirt compresses by piping through an external program of the same name. */
export type ExternalSaveImageFormat = "bzip2" | "xz" | "lzop" | "zstd";

/**
 * Compression for the formats that need an external program. `@savevm/format/node` provides one
 * that runs the programs exactly as libvirt does; a browser can plug in a wasm implementation.
 */
export interface SaveImageCodec {
  decompress(format: ExternalSaveImageFormat, input: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array>;
  compress(format: ExternalSaveImageFormat, input: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array>;
}

function isExternal(format: SaveImageFormat): format is ExternalSaveImageFormat {
  return format === "bzip2" || format === "xz" || format === "lzop" || format === "zstd";
}

function requireCodec(format: ExternalSaveImageFormat, codec: SaveImageCodec | undefined): SaveImageCodec {
  if (codec) return codec;
  throw new SaveImageError(
    "COMPRESSOR_UNAVAILABLE",
    `${format} save images are compressed by the external ${format} program, which this entry point cannot run: ` +
      `use readSaveImage/writeSaveImage from "@savevm/format/node", or pass a codec (saveImageCodec({ ${format}: { decompress } }) with a wasm or JavaScript ${format} decoder)`,
  );
}

/**
 * The QEMU migration stream inside a payload. Like libvirt, only version 2 images are ever
 * compressed, and a sparse (mapped-ram) payload is handed over untouched.
 */
export function decodePayload(
  header: LibvirtSaveHeader,
  payload: AsyncIterable<Uint8Array>,
  payloadOffset: number,
  codec: SaveImageCodec | undefined,
): AsyncIterable<Uint8Array> {
  const format = header.version === 2 ? header.format : "raw";
  if (format === "gzip") return gunzipChunks(payload, payloadOffset);
  if (isExternal(format)) return requireCodec(format, codec).decompress(format, payload);
  return payload;
}

export interface EncodePayloadOptions {
  codec?: SaveImageCodec | undefined;
  gzipLevel?: number | undefined;
}

/** The payload bytes for a QEMU migration stream, compressed as `format` asks. */
export function encodePayload(
  format: SaveImageFormat,
  stream: AsyncIterable<Uint8Array>,
  options: EncodePayloadOptions,
): AsyncIterable<Uint8Array> {
  if (format === "gzip") return gzipChunks(stream, options.gzipLevel);
  if (isExternal(format)) return requireCodec(format, options.codec).compress(format, stream);
  return stream;
}
