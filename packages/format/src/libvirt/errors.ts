import { FormatError } from "../errors.js";

/**
 * Stable codes of {@link SaveImageError}. The messages reuse libvirt's words where libvirt has
 * words for the same failure, so a user who searches for the text finds libvirt's explanations.
 */
export type SaveImageErrorCode =
  /** "failed to read qemu header": fewer than 92 bytes. */
  | "HEADER_TRUNCATED"
  /** "save image is incomplete": the `LibvirtQemudPart` magic of a save that never finished. */
  | "SAVE_IMAGE_INCOMPLETE"
  /** "image magic is incorrect". */
  | "BAD_MAGIC"
  /** "image version is not supported (N > 2)". */
  | "VERSION_UNSUPPORTED"
  /** "unsupported save image format: N". */
  | "UNSUPPORTED_FORMAT"
  /** "invalid header data length: N". */
  | "BAD_DATA_LENGTH"
  /** The cookie offset points past the data area. */
  | "BAD_COOKIE_OFFSET"
  /** "failed to read domain XML": the data ended inside the XML area. */
  | "XML_TRUNCATED"
  /** "failed to read cookie": the data ended inside the cookie area. */
  | "COOKIE_TRUNCATED"
  /** The XML or cookie area holds no NUL terminator. */
  | "XML_NOT_TERMINATED"
  /** The XML or cookie is longer than the configured limit. */
  | "XML_TOO_LARGE"
  /** "new xml too large to fit in file": a rewrite does not fit the existing data area. */
  | "XML_DOES_NOT_FIT"
  /** A value given to the writer cannot be stored (NUL in XML, field out of range, ...). */
  | "INVALID_ARGUMENT"
  /** The compressed payload is damaged (bad gzip data, checksum or length mismatch). */
  | "DECOMPRESS_FAILED"
  /** The format needs an external program and none is configured (browser entry point). */
  | "COMPRESSOR_UNAVAILABLE"
  /** "Compression program for xz image format in configuration file isn't available". */
  | "COMPRESSOR_MISSING"
  /** The external compression program failed (non-zero exit or killed). */
  | "COMPRESSOR_FAILED"
  /** "Failed to open file '<file>': ...". */
  | "OPEN_FAILED"
  /** "bypass cache unsupported by this system": the file system does not do O_DIRECT. */
  | "BYPASS_CACHE_UNSUPPORTED";

/**
 * An error reading or writing a libvirt save image. `detail` is libvirt's message for the same
 * failure where libvirt has one; `message` adds the byte offset when known.
 */
export class SaveImageError extends FormatError<SaveImageErrorCode> {
  override readonly name = "SaveImageError";

  constructor(code: SaveImageErrorCode, detail: string, offset?: number, options?: { cause?: unknown }) {
    super(code, detail, offset === undefined ? {} : { offset });
    if (options && "cause" in options) this.cause = options.cause;
  }
}
