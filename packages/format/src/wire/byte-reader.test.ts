import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FormatError } from "../errors.js";
import { ByteReader, NEED_MORE } from "./byte-reader.js";
import { ByteWriter } from "./byte-writer.js";

describe("ByteReader", () => {
  it("reads big-endian integers of every width", () => {
    const r = new ByteReader(Uint8Array.from([0x81, 0x01, 0x02, 0xff, 0xfe, 0, 0, 1, 0, 0xff, 0xff, 0xff, 0xfe]));
    expect(r.u8()).toBe(0x81);
    expect(r.u16()).toBe(0x0102);
    expect(r.i16()).toBe(-2);
    expect(r.u32()).toBe(0x00000100);
    expect(r.i32()).toBe(-2);
    expect(r.remaining).toBe(0);
  });

  it("reads 64-bit values as bigint, as a safe number, and as halves", () => {
    const bytes = new ByteWriter().u64(0x0011_2233_4455_6677n).i64(-5n).u64(2n ** 53n).finish();
    const r = new ByteReader(bytes);
    expect(r.u64()).toBe(0x0011_2233_4455_6677n);
    expect(r.i64()).toBe(-5n);
    r.pos = 0;
    expect(r.u64Number()).toBe(0x0011_2233_4455_6677);
    const h = { hi: 0, lo: 0 };
    r.u64Halves(h);
    expect(h).toEqual({ hi: 0xffff_ffff, lo: 0xffff_fffb });
    const at = r.offset;
    expect(() => r.u64Number()).toThrow(FormatError);
    try {
      r.u64Number();
    } catch (e) {
      expect((e as FormatError).code).toBe("LIMIT_EXCEEDED");
      expect((e as FormatError).offset).toBe(at);
    }
  });

  it("reads counted strings byte for byte", () => {
    const r = new ByteReader(Uint8Array.from([3, 0x70, 0xe9, 0x2e, 0]));
    expect(r.countedString()).toBe("p\u00e9.");
    expect(r.countedString()).toBe("");
  });

  it("reports truncation with the absolute offset of the read", () => {
    const r = new ByteReader(Uint8Array.from([1, 2, 3, 4, 5]), 0x1a28);
    r.skip(3);
    let err: FormatError | undefined;
    try {
      r.u32();
    } catch (e) {
      err = e as FormatError;
    }
    expect(err?.code).toBe("TRUNCATED");
    expect(err?.offset).toBe(0x1a2b);
    expect(err?.message).toContain("at byte 0x1a2b");
    expect(r.pos).toBe(3);
  });

  it("gives views for bytes() and a bounded reader for sub()", () => {
    const data = Uint8Array.from([9, 8, 7, 6, 5]);
    const r = new ByteReader(data, 100);
    const view = r.bytes(2);
    expect(view.buffer).toBe(data.buffer);
    const sub = r.sub(2);
    expect(sub.offset).toBe(102);
    expect(sub.u16()).toBe(0x0706);
    expect(() => sub.u8()).toThrow(/at byte 0x68/);
    expect(r.u8()).toBe(5);
  });

  it("asks for more input in partial mode instead of failing", () => {
    const r = new ByteReader(Uint8Array.from([1, 2]), 50, true);
    r.u8();
    let thrown: unknown;
    try {
      r.u32();
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBe(NEED_MORE);
    expect(NEED_MORE.wanted).toBe(55);
  });

  it("reads back whatever the writer wrote", () => {
    type Op =
      | { t: "u8" | "u16" | "u32" | "i8" | "i16" | "i32"; v: number }
      | { t: "u64" | "i64"; v: bigint }
      | { t: "str"; v: string }
      | { t: "bytes"; v: Uint8Array };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.integer({ min: 0, max: 0xff }).map((v) => ({ t: "u8" as const, v })),
      fc.integer({ min: 0, max: 0xffff }).map((v) => ({ t: "u16" as const, v })),
      fc.integer({ min: 0, max: 0xffff_ffff }).map((v) => ({ t: "u32" as const, v })),
      fc.integer({ min: -128, max: 127 }).map((v) => ({ t: "i8" as const, v })),
      fc.integer({ min: -32768, max: 32767 }).map((v) => ({ t: "i16" as const, v })),
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((v) => ({ t: "i32" as const, v })),
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((v) => ({ t: "u64" as const, v })),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((v) => ({ t: "i64" as const, v })),
      fc.string({ unit: "binary-ascii", maxLength: 255 }).map((v) => ({ t: "str" as const, v })),
      fc.uint8Array({ maxLength: 300 }).map((v) => ({ t: "bytes" as const, v })),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const w = new ByteWriter(16);
        for (const o of ops) {
          if (o.t === "str") w.countedString(o.v);
          else if (o.t === "bytes") w.bytes(o.v);
          else (w[o.t] as (v: number | bigint) => ByteWriter)(o.v);
        }
        const r = new ByteReader(w.finish());
        for (const o of ops) {
          if (o.t === "str") expect(r.countedString()).toBe(o.v);
          else if (o.t === "bytes") expect(r.bytes(o.v.length)).toEqual(o.v);
          else expect((r[o.t] as () => number | bigint)()).toBe(o.v);
        }
        expect(r.remaining).toBe(0);
      }),
    );
  });
});
