import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GuestMemory } from "./guest-memory.js";
import { implementations } from "./test-support/implementations.js";
import type { PageBitmapLike } from "./types.js";

type BitmapOp =
  | { op: "set" | "clear" | "test" | "testAndClear" | "findNextSet"; page: number }
  | { op: "setAll" | "clearAll" | "count" | "syncFrom" | "syncInto" };

const opArb: fc.Arbitrary<BitmapOp> = fc.oneof(
  fc.record({
    op: fc.constantFrom("set" as const, "clear" as const, "test" as const, "testAndClear" as const, "findNextSet" as const),
    page: fc.nat(),
  }),
  fc.record({ op: fc.constantFrom("setAll" as const, "clearAll" as const, "count" as const, "syncFrom" as const, "syncInto" as const) }),
);

/** Applies an op to a pair (main, other) of bitmaps of one memory and returns what it returned. */
function apply(o: BitmapOp, main: PageBitmapLike, other: PageBitmapLike, pages: number): unknown {
  switch (o.op) {
    case "set":
      other.set(o.page % pages);
      return main.set(o.page % pages);
    case "clear":
      return main.clear(o.page % pages);
    case "test":
      return main.test(o.page % pages);
    case "testAndClear":
      return main.testAndClear(o.page % pages);
    case "findNextSet":
      return main.findNextSet(o.page % (pages + 2));
    case "setAll":
      return main.setAll();
    case "clearAll":
      return main.clearAll();
    case "count":
      return [main.count(), other.count()];
    case "syncFrom":
      return main.syncFrom(other);
    case "syncInto":
      return other.syncFrom(main);
  }
}

describe("PageBitmap", () => {
  it("behaves like the reference bitmap for every operation, across memory chunks", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 700 }),
        fc.constantFrom(512, 4096),
        fc.array(opArb, { minLength: 1, maxLength: 60 }),
        (pages, pageSize, ops) => {
          const pairs = implementations.map((impl) => {
            const memory = impl.create({ bytes: pages * pageSize, pageSize, chunkBytes: 0x10000 });
            return [memory.createBitmap(), memory.createBitmap()] as const;
          });
          for (const o of ops) {
            const out = pairs.map(([main, other]) => apply(o, main, other, pages));
            expect(out[0]).toEqual(out[2]);
            expect(out[1]).toEqual(out[2]);
          }
          const walk = (b: PageBitmapLike) => {
            const set: number[] = [];
            for (let p = b.findNextSet(0); p >= 0; p = b.findNextSet(p + 1)) set.push(p);
            return set;
          };
          const walks = pairs.map(([main]) => walk(main));
          expect(walks[0]).toEqual(walks[2]);
          expect(walks[1]).toEqual(walks[2]);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("keeps bits past the last page clear, so setAll counts exactly the pages", () => {
    const memory = GuestMemory.create({ bytes: 70 * 4096 });
    const bitmap = memory.createBitmap();
    bitmap.setAll();
    expect(bitmap.count()).toBe(70);
    expect(bitmap.findNextSet(69)).toBe(69);
    expect(bitmap.findNextSet(70)).toBe(-1);
  });

  it("moves dirty bits into the savevm bitmap on sync and reports the newly set ones", () => {
    const memory = GuestMemory.create({ bytes: 200 * 512, pageSize: 512, chunkBytes: 0x10000 });
    const savevm = memory.createBitmap();
    const dirty = memory.createBitmap();
    savevm.set(5);
    for (const p of [5, 6, 150, 199]) dirty.set(p);
    expect(savevm.syncFrom(dirty)).toBe(3);
    expect(dirty.count()).toBe(0);
    expect([savevm.test(5), savevm.test(6), savevm.test(150), savevm.test(199), savevm.test(7)]).toEqual([
      true,
      true,
      true,
      true,
      false,
    ]);
  });

  it("refuses pages outside the guest and bitmaps of another memory", () => {
    for (const impl of implementations) {
      const memory = impl.create({ bytes: 8 * 4096 });
      const bitmap = memory.createBitmap();
      expect(() => bitmap.set(8)).toThrow(expect.objectContaining({ code: "OUT_OF_RANGE" }));
      expect(() => bitmap.test(1.5)).toThrow(expect.objectContaining({ code: "OUT_OF_RANGE" }));
      expect(() => bitmap.findNextSet(-1)).toThrow(expect.objectContaining({ code: "OUT_OF_RANGE" }));
      const stranger = impl.create({ bytes: 8 * 4096 }).createBitmap();
      expect(() => bitmap.syncFrom(stranger)).toThrow(expect.objectContaining({ code: "WRONG_MEMORY" }));
    }
  });
});

describe("PageBitmap.copyBitsTo", () => {
  it.each([
    { pageSize: 4096, pages: 40, marked: [0, 7, 8, 15, 16, 17, 31, 32, 39] }, // 16 pages a chunk: byte-aligned seams
    { pageSize: 16384, pages: 11, marked: [0, 3, 4, 6, 9, 10] }, // 4 pages a chunk: seams inside a byte
  ])("gives page p as bit p & 7 of byte p >> 3 ($pageSize-byte pages)", ({ pageSize, pages, marked }) => {
    const memory = GuestMemory.create({ bytes: pages * pageSize, chunkBytes: 64 << 10, pageSize });
    expect(memory.chunks.length).toBeGreaterThan(1);
    const bitmap = memory.createBitmap();
    for (const p of marked) bitmap.set(p);
    const bits = new Uint8Array(Math.ceil(pages / 8)).fill(0xff);
    bitmap.copyBitsTo(bits);
    const seen: number[] = [];
    for (let p = 0; p < pages; p++) if ((bits[p >> 3]! >> (p & 7)) & 1) seen.push(p);
    expect(seen).toEqual(marked);
    expect(() => bitmap.copyBitsTo(new Uint8Array(0))).toThrow(expect.objectContaining({ code: "OUT_OF_RANGE" }));
  });
});
