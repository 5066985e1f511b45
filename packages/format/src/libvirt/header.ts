import { SaveImageError } from "./errors.js";

/** Size of libvirt's save-image header; it has been 92 bytes in every version. */
export const LIBVIRT_HEADER_SIZE = 92;
/** Magic of a finished image. The "Qemud" spelling is ABI and never changes. */
export const LIBVIRT_SAVE_MAGIC = "LibvirtQemudSave";
/** Magic written first and replaced by {@link LIBVIRT_SAVE_MAGIC} once the save has finished. */
export const LIBVIRT_PARTIAL_MAGIC = "LibvirtQemudPart";
/** The newest header version libvirt writes and reads. */
export const LIBVIRT_SAVE_VERSION = 2;
/** Zero padding libvirt leaves after the XML so the XML can be edited in place later. */
export const DEFAULT_SAVE_IMAGE_PADDING = 64 * 1024;

/**
 * The `format` field, by on-disk number (the index). Numbers are never reused; 3 was briefly
 * "lzma" before any release and has meant xz since.
 */
export const SAVE_IMAGE_FORMATS = ["raw", "gzip", "bzip2", "xz", "lzop", "zstd", "sparse"] as const;
export type SaveImageFormat = (typeof SAVE_IMAGE_FORMATS)[number];

/** The decoded 92-byte header. */
export interface LibvirtSaveHeader {
  /** `true` for `LibvirtQemudSave`, `false` for `LibvirtQemudPart` (a save that did not finish). */
  complete: boolean;
  /** 1 or 2 in practice (0 is accepted too, as libvirt does). Only version 2 images are compressed. */
  version: number;
  /** Bytes of XML + cookie + padding between the header and the QEMU stream. */
  dataLen: number;
  /** Whether the domain was running when it was saved, so a restore resumes it. */
  wasRunning: boolean;
  format: SaveImageFormat;
  /** Where the cookie starts inside the data area (= XML length including its NUL); 0: no cookie. */
  cookieOffset: number;
  /**
   * `false` when the header was written by a big-endian host. As in libvirt, the byte order is
   * told by the version field alone (a version above 2 is byte-swapped).
   */
  littleEndian: boolean;
}

/** Fields for {@link encodeLibvirtHeader}; the defaults are what libvirt writes today. */
export interface LibvirtHeaderFields {
  complete?: boolean;
  version?: number;
  dataLen: number;
  wasRunning: boolean;
  format?: SaveImageFormat;
  cookieOffset?: number;
  littleEndian?: boolean;
}

const VERSION_AT = 16;
const DATA_LEN_AT = 20;
const WAS_RUNNING_AT = 24;
const FORMAT_AT = 28;
const COOKIE_OFFSET_AT = 32;

const SAVE_MAGIC_BYTES = asciiBytes(LIBVIRT_SAVE_MAGIC);
const PARTIAL_MAGIC_BYTES = asciiBytes(LIBVIRT_PARTIAL_MAGIC);

function asciiBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function startsWith(bytes: Uint8Array, at: number, prefix: Uint8Array): boolean {
  if (bytes.length - at < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false;
  return true;
}

/**
 * Tells from the first bytes of a file whether it is a libvirt save image, for format
 * auto-detection. Needs at least 16 bytes.
 */
export function sniffLibvirtSaveImage(prefix: Uint8Array): "complete" | "partial" | null {
  if (startsWith(prefix, 0, SAVE_MAGIC_BYTES)) return "complete";
  if (startsWith(prefix, 0, PARTIAL_MAGIC_BYTES)) return "partial";
  return null;
}

/** libvirt prints these unsigned fields with `%d`; reproduce its numbers exactly. */
function asLibvirtInt(value: number): number {
  return value | 0;
}

export interface ParseLibvirtHeaderOptions {
  /** Decode a `LibvirtQemudPart` header instead of refusing it (for inspection and recovery). */
  allowPartial?: boolean;
}

/**
 * Decodes the header at `offset` in `bytes`, checking what libvirt checks, in libvirt's order:
 * length, magic, version (byte-swapping a header from a host of the other endianness), format,
 * data length. It also refuses a cookie offset past the data area, which libvirt would turn
 * into an enormous allocation.
 */
export function parseLibvirtHeader(
  bytes: Uint8Array,
  offset = 0,
  options: ParseLibvirtHeaderOptions = {},
): LibvirtSaveHeader {
  if (bytes.length - offset < LIBVIRT_HEADER_SIZE) {
    throw new SaveImageError("HEADER_TRUNCATED", "failed to read qemu header", Math.max(bytes.length, offset));
  }
  let complete = true;
  if (!startsWith(bytes, offset, SAVE_MAGIC_BYTES)) {
    if (!startsWith(bytes, offset, PARTIAL_MAGIC_BYTES)) {
      throw new SaveImageError("BAD_MAGIC", "image magic is incorrect", offset);
    }
    if (!options.allowPartial) {
      throw new SaveImageError("SAVE_IMAGE_INCOMPLETE", "save image is incomplete", offset);
    }
    complete = false;
  }

  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, LIBVIRT_HEADER_SIZE);
  let littleEndian = true;
  if (view.getUint32(VERSION_AT, true) > LIBVIRT_SAVE_VERSION) littleEndian = false;
  const version = view.getUint32(VERSION_AT, littleEndian);
  if (version > LIBVIRT_SAVE_VERSION) {
    throw new SaveImageError(
      "VERSION_UNSUPPORTED",
      `image version is not supported (${asLibvirtInt(version)} > ${LIBVIRT_SAVE_VERSION})`,
      offset + VERSION_AT,
    );
  }

  const formatNumber = view.getUint32(FORMAT_AT, littleEndian);
  const format = SAVE_IMAGE_FORMATS[formatNumber];
  if (format === undefined) {
    throw new SaveImageError(
      "UNSUPPORTED_FORMAT",
      `unsupported save image format: ${asLibvirtInt(formatNumber)}`,
      offset + FORMAT_AT,
    );
  }

  const dataLen = view.getUint32(DATA_LEN_AT, littleEndian);
  if (dataLen === 0) {
    throw new SaveImageError("BAD_DATA_LENGTH", "invalid header data length: 0", offset + DATA_LEN_AT);
  }

  const cookieOffset = view.getUint32(COOKIE_OFFSET_AT, littleEndian);
  if (cookieOffset > dataLen) {
    throw new SaveImageError(
      "BAD_COOKIE_OFFSET",
      `invalid cookie offset: ${cookieOffset} is past the data length ${dataLen}`,
      offset + COOKIE_OFFSET_AT,
    );
  }

  return {
    complete,
    version,
    dataLen,
    wasRunning: view.getUint32(WAS_RUNNING_AT, littleEndian) !== 0,
    format,
    cookieOffset,
    littleEndian,
  };
}

function checkUint32(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new SaveImageError("INVALID_ARGUMENT", `header field ${name} must be a 32-bit unsigned integer, got ${value}`);
  }
  return value;
}

/** Numeric on-disk value of a format name. */
export function saveImageFormatNumber(format: SaveImageFormat): number {
  const index = SAVE_IMAGE_FORMATS.indexOf(format);
  if (index < 0) throw new SaveImageError("INVALID_ARGUMENT", `unknown save image format: ${String(format)}`);
  return index;
}

/** Encodes the 92-byte header; the unused tail is zero. */
export function encodeLibvirtHeader(fields: LibvirtHeaderFields): Uint8Array {
  const version = checkUint32("version", fields.version ?? LIBVIRT_SAVE_VERSION);
  if (version > LIBVIRT_SAVE_VERSION) {
    throw new SaveImageError("INVALID_ARGUMENT", `header version ${version} is newer than ${LIBVIRT_SAVE_VERSION}`);
  }
  const dataLen = checkUint32("dataLen", fields.dataLen);
  const cookieOffset = checkUint32("cookieOffset", fields.cookieOffset ?? 0);
  if (dataLen === 0 || cookieOffset > dataLen) {
    throw new SaveImageError("INVALID_ARGUMENT", `header dataLen ${dataLen} must be positive and hold cookieOffset ${cookieOffset}`);
  }
  const littleEndian = fields.littleEndian ?? true;
  const bytes = new Uint8Array(LIBVIRT_HEADER_SIZE);
  bytes.set(fields.complete === false ? PARTIAL_MAGIC_BYTES : SAVE_MAGIC_BYTES, 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(VERSION_AT, version, littleEndian);
  view.setUint32(DATA_LEN_AT, dataLen, littleEndian);
  view.setUint32(WAS_RUNNING_AT, fields.wasRunning ? 1 : 0, littleEndian);
  view.setUint32(FORMAT_AT, saveImageFormatNumber(fields.format ?? "raw"), littleEndian);
  view.setUint32(COOKIE_OFFSET_AT, cookieOffset, littleEndian);
  return bytes;
}
