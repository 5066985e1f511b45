import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FormatError } from "../errors.js";
import { SaveImageError } from "./errors.js";
import {
  encodeLibvirtHeader,
  LIBVIRT_HEADER_SIZE,
  parseLibvirtHeader,
  SAVE_IMAGE_FORMATS,
  saveImageFormatNumber,
  sniffLibvirtSaveImage,
  type LibvirtSaveHeader,
} from "./header.js";

function hex(text: string): Uint8Array {
  const digits = text.replace(/\s+/g, "");
  return Uint8Array.from({ length: digits.length / 2 }, (_, i) => Number.parseInt(digits.slice(i * 2, i * 2 + 2), 16));
}

/** The first 36 bytes of a header written by `virsh save` (libvirt 9.0), padded with the zero tail. */
function observedHeader(): Uint8Array {
  const bytes = new Uint8Array(LIBVIRT_HEADER_SIZE);
  bytes.set(hex("4c69 6276 6972 7451 656d 7564 5361 7665  0200 0000 e003 0100 0100 0000 0000 0000  f402 0000"));
  return bytes;
}

function withUint32(bytes: Uint8Array, at: number, value: number, littleEndian = true): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(at, value, littleEndian);
  return copy;
}

function caught(run: () => unknown): SaveImageError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SaveImageError);
    return error as SaveImageError;
  }
  throw new Error("expected a SaveImageError");
}

describe("parseLibvirtHeader", () => {
  it("decodes the header virsh save wrote for a running 32 MiB domain", () => {
    expect(parseLibvirtHeader(observedHeader())).toEqual({
      complete: true,
      version: 2,
      dataLen: 66528,
      wasRunning: true,
      format: "raw",
      cookieOffset: 756,
      littleEndian: true,
    });
  });

  it("encodes the same bytes libvirt wrote", () => {
    expect(encodeLibvirtHeader({ dataLen: 66528, wasRunning: true, cookieOffset: 756 })).toEqual(observedHeader());
  });

  it("reads a header at an offset inside a larger buffer", () => {
    const buffer = new Uint8Array(10 + LIBVIRT_HEADER_SIZE + 5);
    buffer.set(observedHeader(), 10);
    expect(parseLibvirtHeader(buffer, 10).dataLen).toBe(66528);
    const bad = withUint32(buffer, 10 + 28, 9);
    expect(caught(() => parseLibvirtHeader(bad, 10)).offset).toBe(10 + 28);
  });

  it("refuses a short header at every length with libvirt's words and the offset where the data ended", () => {
    const full = observedHeader();
    for (let length = 0; length < LIBVIRT_HEADER_SIZE; length++) {
      const error = caught(() => parseLibvirtHeader(full.subarray(0, length)));
      expect(error.code).toBe("HEADER_TRUNCATED");
      expect(error.detail).toBe("failed to read qemu header");
      expect(error.offset).toBe(length);
    }
  });

  it("refuses the partial magic unless asked to read it", () => {
    const partial = encodeLibvirtHeader({ complete: false, dataLen: 100, wasRunning: false });
    expect(new TextDecoder().decode(partial.subarray(0, 16))).toBe("LibvirtQemudPart");
    const error = caught(() => parseLibvirtHeader(partial));
    expect([error.code, error.detail, error.offset]).toEqual(["SAVE_IMAGE_INCOMPLETE", "save image is incomplete", 0]);
    expect(error.message).toBe("save image is incomplete (at byte 0x0)");
    expect(error).toBeInstanceOf(FormatError);
    expect(error.name).toBe("SaveImageError");
    expect(parseLibvirtHeader(partial, 0, { allowPartial: true }).complete).toBe(false);
  });

  it("refuses a wrong magic", () => {
    const bytes = observedHeader();
    bytes[15] = 0x45;
    const error = caught(() => parseLibvirtHeader(bytes));
    expect([error.code, error.detail, error.offset]).toEqual(["BAD_MAGIC", "image magic is incorrect", 0]);
  });

  it("reports a newer version with the byte-swapped number, as libvirt 9.0 printed it", () => {
    const error = caught(() => parseLibvirtHeader(withUint32(observedHeader(), 16, 3)));
    expect([error.code, error.detail, error.offset]).toEqual([
      "VERSION_UNSUPPORTED",
      "image version is not supported (50331648 > 2)",
      16,
    ]);
    // libvirt formats the unsigned field with %d.
    expect(caught(() => parseLibvirtHeader(withUint32(observedHeader(), 16, 0xffff_ffff))).detail).toBe(
      "image version is not supported (-1 > 2)",
    );
  });

  it("reads a header written by a big-endian host", () => {
    const fields = { dataLen: 66528, wasRunning: true, format: "xz" as const, cookieOffset: 756 };
    const bigEndian = encodeLibvirtHeader({ ...fields, littleEndian: false });
    expect(bigEndian.subarray(16, 20)).toEqual(hex("0000 0002"));
    expect(parseLibvirtHeader(bigEndian)).toEqual({ ...fields, complete: true, version: 2, littleEndian: false });
  });

  it("refuses an unknown format number", () => {
    const error = caught(() => parseLibvirtHeader(withUint32(observedHeader(), 28, 9)));
    expect([error.code, error.detail, error.offset]).toEqual(["UNSUPPORTED_FORMAT", "unsupported save image format: 9", 28]);
  });

  it("refuses a zero data length", () => {
    const error = caught(() => parseLibvirtHeader(withUint32(withUint32(observedHeader(), 32, 0), 20, 0)));
    expect([error.code, error.detail, error.offset]).toEqual(["BAD_DATA_LENGTH", "invalid header data length: 0", 20]);
  });

  it("refuses a cookie offset past the data area", () => {
    const error = caught(() => parseLibvirtHeader(withUint32(observedHeader(), 32, 66529)));
    expect([error.code, error.offset]).toEqual(["BAD_COOKIE_OFFSET", 32]);
  });

  it("checks in libvirt's order: version before format before data length", () => {
    let bytes = withUint32(observedHeader(), 20, 0);
    bytes = withUint32(bytes, 28, 7);
    expect(caught(() => parseLibvirtHeader(bytes)).code).toBe("UNSUPPORTED_FORMAT");
    expect(caught(() => parseLibvirtHeader(withUint32(bytes, 16, 5))).code).toBe("VERSION_UNSUPPORTED");
  });

  it("accepts versions 0 and 1 and any non-zero was_running", () => {
    expect(parseLibvirtHeader(withUint32(observedHeader(), 16, 1)).version).toBe(1);
    expect(parseLibvirtHeader(withUint32(observedHeader(), 16, 0)).version).toBe(0);
    expect(parseLibvirtHeader(withUint32(observedHeader(), 24, 7)).wasRunning).toBe(true);
    expect(parseLibvirtHeader(withUint32(observedHeader(), 24, 0)).wasRunning).toBe(false);
  });
});

describe("encodeLibvirtHeader", () => {
  it("numbers the formats as libvirt does", () => {
    expect(SAVE_IMAGE_FORMATS.map(saveImageFormatNumber)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(SAVE_IMAGE_FORMATS).toEqual(["raw", "gzip", "bzip2", "xz", "lzop", "zstd", "sparse"]);
    expect(encodeLibvirtHeader({ dataLen: 1, wasRunning: false, format: "zstd" })[28]).toBe(5);
  });

  it("refuses fields a header cannot hold", () => {
    for (const fields of [
      { dataLen: 0, wasRunning: false },
      { dataLen: 2 ** 32, wasRunning: false },
      { dataLen: 1.5, wasRunning: false },
      { dataLen: 10, cookieOffset: 11, wasRunning: false },
      { dataLen: 10, version: 3, wasRunning: false },
      { dataLen: 10, format: "lzma" as never, wasRunning: false },
    ]) {
      expect(caught(() => encodeLibvirtHeader(fields)).code).toBe("INVALID_ARGUMENT");
    }
  });

  it("round-trips every field combination", () => {
    const fieldsArbitrary = fc
      .record({
        complete: fc.boolean(),
        version: fc.integer({ min: 0, max: 2 }),
        dataLen: fc.integer({ min: 1, max: 0xffff_ffff }),
        wasRunning: fc.boolean(),
        format: fc.constantFrom(...SAVE_IMAGE_FORMATS),
        cookieFraction: fc.double({ min: 0, max: 1, noNaN: true }),
        littleEndian: fc.boolean(),
      })
      .map(({ cookieFraction, ...rest }) => ({
        ...rest,
        cookieOffset: Math.floor(rest.dataLen * cookieFraction),
        // Byte order is told by the version field alone, as in libvirt: a big-endian version 0
        // reads as a little-endian 0, so it cannot round-trip.
        littleEndian: rest.littleEndian || rest.version === 0,
      }));
    fc.assert(
      fc.property(fieldsArbitrary, (fields) => {
        const bytes = encodeLibvirtHeader(fields);
        expect(bytes.length).toBe(LIBVIRT_HEADER_SIZE);
        expect(bytes.subarray(36).every((b) => b === 0)).toBe(true);
        const parsed: LibvirtSaveHeader = parseLibvirtHeader(bytes, 0, { allowPartial: true });
        expect(parsed).toEqual(fields);
      }),
    );
  });

  it("decodes or refuses any 92 bytes with a typed error", () => {
    const magics = fc.constantFrom("LibvirtQemudSave", "LibvirtQemudPart", "LibvirtQemudSavf");
    fc.assert(
      fc.property(magics, fc.uint8Array({ minLength: 76, maxLength: 76 }), (magic, tail) => {
        const bytes = new Uint8Array(LIBVIRT_HEADER_SIZE);
        bytes.set(new TextEncoder().encode(magic));
        bytes.set(tail, 16);
        try {
          const header = parseLibvirtHeader(bytes);
          expect(header.version).toBeLessThanOrEqual(2);
          expect(header.cookieOffset).toBeLessThanOrEqual(header.dataLen);
        } catch (error) {
          expect(error).toBeInstanceOf(SaveImageError);
        }
      }),
    );
  });
});

describe("sniffLibvirtSaveImage", () => {
  it("tells complete, partial and other files apart", () => {
    expect(sniffLibvirtSaveImage(observedHeader())).toBe("complete");
    expect(sniffLibvirtSaveImage(encodeLibvirtHeader({ complete: false, dataLen: 1, wasRunning: true }))).toBe("partial");
    expect(sniffLibvirtSaveImage(new TextEncoder().encode("QEVM\0\0\0\x03"))).toBeNull();
    expect(sniffLibvirtSaveImage(new TextEncoder().encode("LibvirtQemud"))).toBeNull();
  });
});
