import { describe, expect, it } from "vitest";
import { FormatError } from "../errors.js";
import { ByteWriter } from "./byte-writer.js";

describe("ByteWriter", () => {
  it("chains big-endian writes and grows past its first buffer", () => {
    const w = new ByteWriter(16);
    w.u8(1).u16(0x0203).u32(0x04050607).u64(0x08090a0b0c0d0e0fn).countedString("ram").fill(20, 0xaa);
    const out = w.finish();
    expect(Array.from(out.subarray(0, 15))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(Array.from(out.subarray(15, 19))).toEqual([3, 0x72, 0x61, 0x6d]);
    expect(out.length).toBe(39);
    expect(out[38]).toBe(0xaa);
  });

  it("never writes into an array it handed out", () => {
    const w = new ByteWriter(16);
    const first = w.u32(0xdeadbeef).finish();
    w.u32(0);
    expect(Array.from(first)).toEqual([0xde, 0xad, 0xbe, 0xef]);
    expect(w.length).toBe(4);
  });

  it("refuses values that do not fit their wire type", () => {
    const w = new ByteWriter();
    for (const bad of [() => w.u8(256), () => w.u16(-1), () => w.u32(2 ** 32), () => w.i8(200), () => w.u32(1.5), () => w.u64(-1n), () => w.latin1("\u0100"), () => w.countedString("x".repeat(256))]) {
      expect(bad).toThrow(FormatError);
    }
    try {
      w.u8(256);
    } catch (e) {
      expect((e as FormatError).code).toBe("INVALID_VALUE");
    }
  });
});
