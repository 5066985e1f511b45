import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FormatError } from "../errors.js";
import type { RamRecord } from "../records.js";
import { sameBytes } from "../test-support/bytes.js";
import { ByteReader } from "../wire/byte-reader.js";
import { ByteWriter } from "../wire/byte-writer.js";
import { deflatePage, inflatePage } from "./compressed-page.js";
import { MemoryRamSink, type RamBlockAccess, RamApplier, type RamSink } from "./ram-applier.js";
import { RamRecordParser, writeRamRecord } from "./ram-records.js";
import { applyXbzrle, decodeXbzrle, encodeXbzrle } from "./xbzrle.js";

const PAGE = 4096;

/** A page with a few changed runs, as a guest that writes sparsely produces. */
const pagePair = fc
  .tuple(fc.uint8Array({ minLength: PAGE, maxLength: PAGE }), fc.array(fc.tuple(fc.nat(PAGE - 1), fc.uint8Array({ minLength: 1, maxLength: 40 })), { maxLength: 30 }))
  .map(([old, edits]) => {
    const next = old.slice();
    for (const [at, bytes] of edits) next.set(bytes.subarray(0, PAGE - at), at);
    return { old, next };
  });

function badXbzrle(encoded: number[]): string {
  try {
    decodeXbzrle(new Uint8Array(PAGE), Uint8Array.from(encoded));
    return "accepted";
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    expect((e as FormatError).code).toBe("BAD_XBZRLE");
    return (e as FormatError).message;
  }
}

describe("XBZRLE", () => {
  it("decodes zrun/nzrun pairs against the old page", () => {
    const page = decodeXbzrle(new Uint8Array(PAGE), Uint8Array.from([10, 2, 5, 6, 0x80, 0x01, 1, 7]));
    expect(Array.from(page.subarray(9, 13))).toEqual([0, 5, 6, 0]);
    expect(page[12 + 128]).toBe(7);
    expect(page.reduce((n, b) => n + (b ? 1 : 0), 0)).toBe(3);
  });

  it("follows QEMU's decoder rules", () => {
    expect(badXbzrle([])).toBe("accepted");
    expect(badXbzrle([0, 1, 9])).toBe("accepted");
    expect(badXbzrle([1, 0])).toMatch(/decode error/);
    expect(badXbzrle([1, 1, 5, 0, 1, 5])).toMatch(/decode error/);
    expect(badXbzrle([0x80, 0x80, 0x01, 1, 1])).toMatch(/decode error/);
    expect(badXbzrle([1])).toMatch(/decode error/);
    expect(badXbzrle([1, 1, 5, 3])).toMatch(/decode error/);
    expect(badXbzrle([0xff, 0x7f, 1, 1])).toMatch(/decode error/);
    expect(badXbzrle([0x80, 0x20, 1, 0])).toMatch(/decode error/);
    expect(badXbzrle([0x80, 0x20, 0x01, 0])).toMatch(/decode error/);
  });

  it("leaves the page untouched when the encoding is bad", () => {
    const page = new Uint8Array(PAGE).fill(3);
    expect(() => applyXbzrle(page, Uint8Array.from([0, 2, 9, 9, 4, 0]))).toThrow(FormatError);
    expect(page.every((b) => b === 3)).toBe(true);
  });

  it("round-trips whatever the encoder produces", () => {
    fc.assert(
      fc.property(pagePair, ({ old, next }) => {
        const encoded = encodeXbzrle(old, next);
        if (encoded === undefined) return;
        expect(encoded.length).toBeLessThan(PAGE);
        expect(sameBytes(decodeXbzrle(old, encoded), next)).toBe(true);
      }),
      { numRuns: 200 },
    );
    expect(encodeXbzrle(new Uint8Array(PAGE), new Uint8Array(PAGE))?.length).toBe(0);
    const noisy = Uint8Array.from({ length: PAGE }, (_, i) => (i * 31 + 7) & 0xff);
    expect(encodeXbzrle(new Uint8Array(PAGE), noisy)).toBeUndefined();
  });
});

describe("compressed pages", () => {
  it("inflate what deflate made, and nothing but one page", () => {
    const page = Uint8Array.from({ length: PAGE }, (_, i) => i % 251);
    expect(sameBytes(inflatePage(deflatePage(page), PAGE), page)).toBe(true);
    expect(() => inflatePage(deflatePage(page.subarray(0, PAGE - 1)), PAGE)).toThrow(/not one page/);
    expect(() => inflatePage(deflatePage(new Uint8Array(PAGE + 1)), PAGE)).toThrow(/more than 4096/);
    expect(() => inflatePage(Uint8Array.from([1, 2, 3, 4, 5]), PAGE)).toThrow(expect.objectContaining({ code: "BAD_COMPRESSED_PAGE" }));
  });
});

const address = fc.nat(1 << 20).map((n) => n * PAGE);
const pageBase = { kind: fc.constant("ram" as const), offset: fc.constant(0), sectionId: fc.constant(2), address, continued: fc.constant(false), block: fc.constantFrom("pc.ram", "pc.bios") };

const ramRecord: fc.Arbitrary<RamRecord> = fc.oneof(
  fc.record({ ...pageBase, type: fc.constant("zero" as const), fill: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ ...pageBase, type: fc.constant("page" as const), data: fc.uint8Array({ minLength: PAGE, maxLength: PAGE }) }),
  fc.record({ ...pageBase, type: fc.constant("xbzrle" as const), data: fc.uint8Array({ maxLength: PAGE }) }),
  fc.record({ ...pageBase, type: fc.constant("compressed" as const), data: fc.uint8Array({ minLength: 1, maxLength: 4110 }) }),
  fc
    .record({ ...pageBase, type: fc.constant("dedup" as const), source: address })
    .filter((r) => r.source !== r.address),
  fc.record({
    kind: fc.constant("ram" as const),
    type: fc.constantFrom("eos" as const, "multifd-flush" as const),
    offset: fc.constant(0),
    sectionId: fc.constant(2),
    address: fc.constant(0),
    continued: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("ram" as const),
    type: fc.constant("mem-size" as const),
    offset: fc.constant(0),
    sectionId: fc.constant(2),
    address: fc.constant(0),
    continued: fc.constant(false),
    // A zero-length block cannot be on the wire: the loader stops once the total is used up.
    blocks: fc.array(fc.record({ idstr: fc.string({ unit: "binary-ascii", minLength: 1, maxLength: 20 }), length: address.map((a) => a + PAGE) }), { maxLength: 4 }),
  }),
);

describe("RAM records", () => {
  it("parse back to what was written, CONTINUE included", () => {
    fc.assert(
      fc.property(fc.array(ramRecord, { maxLength: 20 }), (records) => {
        const w = new ByteWriter();
        let last: string | undefined;
        const expected = records.map((rec) => {
          let r = rec;
          if (r.type === "mem-size") {
            r = { ...r, address: r.blocks.reduce((n, b) => n + b.length, 0) };
          } else if ("block" in r) {
            r = { ...r, continued: r.block === last };
            last = r.block;
          }
          return r;
        });
        for (const r of expected) writeRamRecord(w, r, PAGE);
        const bytes = w.finish();
        const parser = new RamRecordParser({ pageSize: PAGE, lastBlock: undefined, blocks: undefined, ignoreShared: false, dedup: true, postcopyPageSize: () => false, maxBlocks: 100 });
        const reader = new ByteReader(bytes, 1000);
        let at = 1000;
        for (const r of expected) {
          parser.state.blocks = undefined;
          const got = parser.parse(reader, 2);
          expect({ ...got, offset: 0 }).toEqual(r);
          expect(got.offset).toBe(at);
          at = reader.offset;
        }
        expect(reader.remaining).toBe(0);
      }),
      { numRuns: 150 },
    );
  });
});

function pageRecords(): RamRecord[] {
  const base = { kind: "ram" as const, offset: 0, sectionId: 2, continued: false, block: "b" };
  const page = Uint8Array.from({ length: PAGE }, (_, i) => i & 0xff);
  const changed = page.slice();
  changed.fill(0xee, 100, 200);
  return [
    { kind: "ram", type: "mem-size", offset: 0, sectionId: 2, address: 8 * PAGE, continued: false, blocks: [{ idstr: "b", length: 8 * PAGE }] },
    { ...base, type: "page", address: 0, data: page },
    { ...base, type: "zero", address: PAGE, fill: 0x5a },
    { ...base, type: "page", address: 2 * PAGE, data: page },
    { ...base, type: "xbzrle", address: 2 * PAGE, data: encodeXbzrle(page, changed)! },
    { ...base, type: "compressed", address: 3 * PAGE, data: deflatePage(changed) },
    { ...base, type: "zero", address: 0, fill: 0 },
    { kind: "ram", type: "eos", offset: 0, sectionId: 2, address: 0, continued: false },
  ];
}

describe("RamApplier", () => {
  it("applies every page kind the same way into memory and through read/write", () => {
    const memory = new MemoryRamSink();
    const store = new Uint8Array(8 * PAGE);
    const access: RamSink = {
      block: (_idstr, length): RamBlockAccess => ({
        length,
        read: (offset, into) => into.set(store.subarray(offset, offset + into.length)),
        write: (offset, data) => store.set(data, offset),
      }),
    };
    const a = new RamApplier(memory);
    const b = new RamApplier(access);
    for (const rec of pageRecords()) {
      a.apply(rec);
      b.apply(rec);
    }
    const mem = memory.blocks.get("b")!;
    expect(sameBytes(mem, store)).toBe(true);
    expect(mem.subarray(0, PAGE).every((x) => x === 0)).toBe(true);
    expect(mem.subarray(PAGE, 2 * PAGE).every((x) => x === 0x5a)).toBe(true);
    expect(mem[2 * PAGE + 150]).toBe(0xee);
    expect(mem[2 * PAGE + 250]).toBe(250);
    expect(sameBytes(mem.subarray(2 * PAGE, 3 * PAGE), mem.subarray(3 * PAGE, 4 * PAGE))).toBe(true);
  });

  it("refuses unknown blocks, offsets past the end and size mismatches", () => {
    const sink = new MemoryRamSink();
    const applier = new RamApplier(sink);
    const [memSize, page] = pageRecords();
    expect(() => applier.apply(page!)).toThrow('Unknown ramblock "b", cannot accept migration');
    applier.apply(memSize!);
    expect(() => applier.apply({ ...page!, address: 8 * PAGE } as RamRecord)).toThrow(expect.objectContaining({ code: "BAD_RAM_OFFSET" }));
    expect(() => sink.block("b", 4 * PAGE)).toThrow("Size mismatch: b: 0x4000 != 0x8000: Invalid argument");
    expect(() => new MemoryRamSink({ maxBytes: PAGE }).block("big", 2 * PAGE)).toThrow(expect.objectContaining({ code: "LIMIT_EXCEEDED" }));
  });
});
