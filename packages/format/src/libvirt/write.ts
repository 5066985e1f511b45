import type { ByteSource } from "../source/byte-source.js";
import { encodePayload, type SaveImageCodec } from "./codec.js";
import { SaveImageError } from "./errors.js";
import {
  DEFAULT_SAVE_IMAGE_PADDING,
  encodeLibvirtHeader,
  LIBVIRT_HEADER_SIZE,
  type LibvirtSaveHeader,
  type SaveImageFormat,
} from "./header.js";
import { readSaveImage } from "./read.js";

/**
 * Where an image is written. `rewrite` overwrites bytes already written; it is called once, at
 * the end, to turn the `LibvirtQemudPart` header into `LibvirtQemudSave`.
 */
export interface SaveImageSink {
  write(chunk: Uint8Array): void | Promise<void>;
  rewrite(position: number, bytes: Uint8Array): void | Promise<void>;
}

/** A sink that keeps the image in memory (browsers, tests, small images). */
export class MemorySaveImageSink implements SaveImageSink {
  #chunks: Uint8Array[] = [];
  #length = 0;
  #joined: Uint8Array | undefined;

  write(chunk: Uint8Array): void {
    // Copy: a producer may reuse its buffer once write() returns.
    this.#chunks.push(chunk.slice());
    this.#length += chunk.length;
    this.#joined = undefined;
  }

  rewrite(position: number, bytes: Uint8Array): void {
    if (position < 0 || position + bytes.length > this.#length) {
      throw new SaveImageError("INVALID_ARGUMENT", `rewrite of ${bytes.length} bytes at ${position} is outside the ${this.#length} written`);
    }
    const all = this.bytes();
    all.set(bytes, position);
  }

  /** The image written so far. */
  bytes(): Uint8Array {
    if (!this.#joined) {
      const all = new Uint8Array(this.#length);
      let at = 0;
      for (const chunk of this.#chunks) {
        all.set(chunk, at);
        at += chunk.length;
      }
      this.#chunks = [all];
      this.#joined = all;
    }
    return this.#joined;
  }
}

export interface WriteSaveImageOptions {
  domainXml: string;
  cookieXml?: string;
  wasRunning: boolean;
  /** Default "raw". bzip2, xz, lzop and zstd need `codec` (the Node entry point supplies one). */
  format?: SaveImageFormat;
  /** Zero bytes after the XML and cookie so the XML can grow in place later; default 64 KiB. */
  padding?: number;
  codec?: SaveImageCodec;
  /** gzip level 0-9; default 6, as `gzip -c`. */
  gzipLevel?: number;
}

export interface WrittenSaveImage {
  /** The final header (with the `LibvirtQemudSave` magic). */
  header: LibvirtSaveHeader;
  /** Offset of the payload: 92 + dataLen. */
  payloadOffset: number;
  /** Bytes of QEMU migration stream consumed. */
  streamLength: number;
  /** Bytes of payload written (after compression). */
  payloadLength: number;
  /** Size of the whole image. */
  totalLength: number;
}

const utf8 = new TextEncoder();

function terminated(text: string, label: string): Uint8Array {
  if (text.includes("\0")) throw new SaveImageError("INVALID_ARGUMENT", `${label} must not contain a NUL character`);
  const encoded = utf8.encode(text);
  const out = new Uint8Array(encoded.length + 1);
  out.set(encoded);
  return out;
}

interface DataArea {
  /** XML, cookie and zero padding: exactly `dataLen` bytes. */
  bytes: Uint8Array;
  dataLen: number;
  cookieOffset: number;
}

/**
 * Lays out the data area as libvirt does: XML and cookie, each NUL-terminated, then zeros. With
 * `fixedLength` (a rewrite) the area keeps its size, or fails with libvirt's words.
 */
function encodeDataArea(domainXml: string, cookieXml: string | undefined, size: { padding: number } | { fixedLength: number }): DataArea {
  const xml = terminated(domainXml, "domain XML");
  const cookie = cookieXml === undefined ? undefined : terminated(cookieXml, "cookie XML");
  const used = xml.length + (cookie?.length ?? 0);
  let dataLen: number;
  if ("fixedLength" in size) {
    if (used > size.fixedLength) throw new SaveImageError("XML_DOES_NOT_FIT", "new xml too large to fit in file");
    dataLen = size.fixedLength;
  } else {
    if (!Number.isInteger(size.padding) || size.padding < 0) {
      throw new SaveImageError("INVALID_ARGUMENT", `padding must be a non-negative integer, got ${size.padding}`);
    }
    dataLen = used + size.padding;
  }
  if (dataLen > 0xffff_ffff) {
    throw new SaveImageError("INVALID_ARGUMENT", `XML, cookie and padding take ${dataLen} bytes; the header holds at most 4 GiB - 1`);
  }
  const bytes = new Uint8Array(dataLen);
  bytes.set(xml, 0);
  if (cookie) bytes.set(cookie, xml.length);
  return { bytes, dataLen, cookieOffset: cookie ? xml.length : 0 };
}

async function* counted(source: AsyncIterable<Uint8Array>, count: { bytes: number }): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    count.bytes += chunk.length;
    yield chunk;
  }
}

/**
 * Writes a libvirt save image the way libvirt does: header with the `LibvirtQemudPart` magic,
 * XML, cookie and padding, the (compressed) QEMU migration stream, and last the header again
 * with the `LibvirtQemudSave` magic, so an interrupted save is recognisable as incomplete.
 */
export async function writeSaveImage(
  sink: SaveImageSink,
  options: WriteSaveImageOptions,
  streamBytes: AsyncIterable<Uint8Array>,
): Promise<WrittenSaveImage> {
  const format = options.format ?? "raw";
  const area = encodeDataArea(options.domainXml, options.cookieXml, { padding: options.padding ?? DEFAULT_SAVE_IMAGE_PADDING });
  const fields = {
    dataLen: area.dataLen,
    wasRunning: options.wasRunning,
    format,
    cookieOffset: area.cookieOffset,
  };
  const consumed = { bytes: 0 };
  const payload = encodePayload(format, counted(streamBytes, consumed), options)[Symbol.asyncIterator]();
  let payloadLength = 0;
  try {
    // The first payload chunk is produced before anything is written, so a missing compressor
    // or a source that fails at once leaves the sink untouched.
    let next = await payload.next();
    await sink.write(encodeLibvirtHeader({ ...fields, complete: false }));
    await sink.write(area.bytes);
    while (!next.done) {
      payloadLength += next.value.length;
      await sink.write(next.value);
      next = await payload.next();
    }
  } catch (error) {
    await Promise.resolve(payload.return?.()).catch(() => undefined);
    throw error;
  }
  await sink.rewrite(0, encodeLibvirtHeader({ ...fields, complete: true }));

  const payloadOffset = LIBVIRT_HEADER_SIZE + area.dataLen;
  return {
    header: { ...fields, complete: true, version: 2, littleEndian: true },
    payloadOffset,
    streamLength: consumed.bytes,
    payloadLength,
    totalLength: payloadOffset + payloadLength,
  };
}

export interface RewriteSaveImageXmlOptions {
  /** Also change the run state restored (`virsh save-image-define --running/--paused`). */
  wasRunning?: boolean;
  /** Replace the cookie; by default the existing one is kept. */
  cookieXml?: string;
}

/** The new header and data area for replacing the XML of an image in place. */
export async function rewrittenHeaderAndData(
  image: ByteSource,
  newXml: string,
  options: RewriteSaveImageXmlOptions = {},
): Promise<Uint8Array> {
  const current = await readSaveImage(image);
  await current.stream.close();
  const cookieXml = options.cookieXml ?? current.cookieXml;
  const area = encodeDataArea(newXml, cookieXml, { fixedLength: current.header.dataLen });
  const out = new Uint8Array(LIBVIRT_HEADER_SIZE + area.dataLen);
  out.set(
    encodeLibvirtHeader({
      ...current.header,
      wasRunning: options.wasRunning ?? current.header.wasRunning,
      cookieOffset: area.cookieOffset,
    }),
  );
  out.set(area.bytes, LIBVIRT_HEADER_SIZE);
  return out;
}

/**
 * Replaces the domain XML of a complete image held in memory, keeping the data area's size so
 * the payload does not move (`virsh save-image-define`). Returns a new array; fails with
 * XML_DOES_NOT_FIT ("new xml too large to fit in file") when the XML and cookie outgrow it.
 */
export async function rewriteSaveImageXml(
  image: Uint8Array,
  newXml: string,
  options: RewriteSaveImageXmlOptions = {},
): Promise<Uint8Array> {
  const front = await rewrittenHeaderAndData(image, newXml, options);
  const out = image.slice();
  out.set(front);
  return out;
}
