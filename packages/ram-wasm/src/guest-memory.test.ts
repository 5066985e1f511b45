import { Worker } from "node:worker_threads";
import fc from "fast-check";
import xxhash from "xxhash-wasm";
import { describe, expect, it } from "vitest";
import { GuestMemory } from "./guest-memory.js";
import { PageKind } from "./page-kind.js";
import { ReferenceGuestMemory } from "./reference/guest-memory.js";
import { implementations } from "./test-support/implementations.js";
import { randomBytes } from "./test-support/page-content.js";
import type { GuestMemoryLike } from "./types.js";

type MemoryOp =
  | { op: "write"; offset: number; length: number; seed: number }
  | { op: "fill"; offset: number; length: number; value: number }
  | { op: "read" | "span"; offset: number; length: number }
  | { op: "uniformValue" | "isZeroPage" | "pageDigest"; page: number }
  | { op: "countZeroPages"; page: number; count: number; flags: boolean }
  | { op: "pagesEqual"; page: number; other: number }
  | { op: "digest"; offset: number; length: number; seed: bigint };

const opArb: fc.Arbitrary<MemoryOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant("write" as const), offset: fc.nat(), length: fc.nat(9000), seed: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("fill" as const), offset: fc.nat(), length: fc.nat(20000), value: fc.nat(255) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom("read" as const, "span" as const), offset: fc.nat(), length: fc.nat(20000) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom("uniformValue" as const, "isZeroPage" as const, "pageDigest" as const), page: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("countZeroPages" as const), page: fc.nat(), count: fc.nat(), flags: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("pagesEqual" as const), page: fc.nat(), other: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("digest" as const), offset: fc.nat(), length: fc.nat(), seed: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) }) },
);

/** Byte arrays as base64, which vitest compares far faster than element by element. */
function comparable(value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: Buffer.from(value).toString("base64") };
  if (Array.isArray(value)) return value.map(comparable);
  return value;
}

function apply(m: GuestMemoryLike, o: MemoryOp): unknown {
  const clampOffset = (offset: number) => offset % (m.size + 1);
  switch (o.op) {
    case "write": {
      const at = clampOffset(o.offset);
      return m.write(at, randomBytes(o.seed, Math.min(o.length, m.size - at)));
    }
    case "fill": {
      const at = clampOffset(o.offset);
      return m.fill(at, Math.min(o.length, m.size - at), o.value);
    }
    case "read": {
      const at = clampOffset(o.offset);
      return m.read(at, Math.min(o.length, m.size - at));
    }
    case "span": {
      const at = clampOffset(o.offset);
      const view = m.span(at, o.length);
      // Views may be shorter where a memory ends; what they show must match a read.
      expect(comparable(view)).toEqual(comparable(m.read(at, view.length)));
      return view.length > 0 || o.length === 0 || at === m.size;
    }
    case "uniformValue":
      return m.uniformValue(o.page % m.pages);
    case "isZeroPage":
      return m.isZeroPage(o.page % m.pages);
    case "pageDigest":
      return m.pageDigest(o.page % m.pages);
    case "countZeroPages": {
      const first = o.page % m.pages;
      const count = o.count % (m.pages - first + 1);
      const flags = o.flags ? new Uint8Array(count) : undefined;
      return [m.countZeroPages(first, count, flags), flags];
    }
    case "pagesEqual":
      return m.pagesEqual(o.page % m.pages, o.other % m.pages);
    case "digest": {
      const at = clampOffset(o.offset);
      return m.digest(at, o.length % (m.size - at + 1), o.seed);
    }
  }
}

describe("GuestMemory", () => {
  it("reads, writes, fills, compares, counts and digests like the reference, across chunks", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(512, 1024, 4096),
        fc.integer({ min: 1, max: 64 }),
        fc.array(opArb, { minLength: 1, maxLength: 25 }),
        (pageSize, pages, ops) => {
          const memories = implementations.map((impl) =>
            impl.create({ bytes: pages * pageSize, pageSize, chunkBytes: 0x10000 }),
          );
          for (const o of ops) {
            const out = memories.map((m) => comparable(apply(m, o)));
            expect(out[0]).toEqual(out[2]);
            expect(out[1]).toEqual(out[2]);
          }
          const whole = memories.map((m) => comparable(m.read(0, m.size)));
          expect(whole[0]).toEqual(whole[2]);
          expect(whole[1]).toEqual(whole[2]);
        },
      ),
      { numRuns: 120 },
    );
  });

  it("computes XXH64 exactly as xxhash-wasm does, at every length and seed", async () => {
    const { h64Raw } = await xxhash();
    const memory = GuestMemory.create({ bytes: 3 * 0x10000, chunkBytes: 0x10000 });
    const bytes = randomBytes(9, memory.size);
    memory.write(0, bytes);
    fc.assert(
      fc.property(fc.nat(memory.size), fc.nat(memory.size), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (a, b, seed) => {
        const [from, to] = a < b ? [a, b] : [b, a];
        expect(memory.digest(from, to - from, seed)).toBe(h64Raw(bytes.subarray(from, to), seed));
      }),
      { numRuns: 300 },
    );
    expect(memory.digest()).toBe(h64Raw(bytes));
    expect(new ReferenceGuestMemory({ bytes: 4096 }).digest()).toBe(h64Raw(new Uint8Array(4096)));
  });

  it("holds a sparse 6 GiB guest in several memories: writes, digests, bitmaps and duplicates across them", () => {
    const GiB = 2 ** 30;
    const pageSize = 4096;
    const memory = GuestMemory.create({ bytes: 6 * GiB, pageSize });
    expect(memory.chunks.length).toBe(3);
    expect(memory.pages).toBe((6 * GiB) / pageSize);
    const a = randomBytes(11, pageSize);
    const b = randomBytes(12, pageSize);
    const marks = [0, 2 * GiB - pageSize, 2 * GiB, 4 * GiB + 123 * pageSize, 6 * GiB - pageSize];
    memory.write(marks[0] as number, a);
    memory.write(marks[1] as number, b);
    memory.write(marks[2] as number, a);
    memory.fill(marks[3] as number, pageSize, 0x5a);
    memory.write(marks[4] as number, b);
    // A write straddling the border of the second and third memories.
    const straddle = randomBytes(13, 3000);
    memory.write(4 * GiB - 1000, straddle);
    expect(memory.read(4 * GiB - 1000, 3000)).toEqual(straddle);
    const reference = new ReferenceGuestMemory({ bytes: 6 * GiB, pageSize });
    for (const at of marks) reference.write(at, memory.read(at, pageSize));
    reference.write(4 * GiB - 1000, straddle);
    expect(memory.digest(4 * GiB - 3 * pageSize, 6 * pageSize, 7n)).toBe(reference.digest(4 * GiB - 3 * pageSize, 6 * pageSize, 7n));
    expect(memory.pageDigest(marks[4] as number / pageSize)).toBe(memory.pageDigest(marks[1] as number / pageSize));

    const dirty = memory.createBitmap();
    for (const at of marks) dirty.set(at / pageSize);
    const savevm = memory.createBitmap();
    expect(savevm.syncFrom(dirty)).toBe(5);
    const found: number[] = [];
    for (let p = savevm.findNextSet(0); p >= 0; p = savevm.findNextSet(p + 1)) found.push(p);
    expect(found).toEqual(marks.map((at) => at / pageSize));

    // Every page is read: untouched ones map the kernel's zero page and stay uncommitted.
    const counts = memory.createScanner().scanCounts(0, memory.pages);
    expect(counts).toEqual({ pages: memory.pages, zero: memory.pages - 7, uniform: 1, duplicate: 2, unique: 4 });
    const scanner = memory.createScanner();
    const result = scanner.scan(0, memory.pages);
    const page = (at: number) => at / pageSize;
    expect([result.kinds[page(2 * GiB)], result.values[page(2 * GiB)]]).toEqual([PageKind.Duplicate, 0]);
    expect([result.kinds[page(6 * GiB - pageSize)], result.values[page(6 * GiB - pageSize)]]).toEqual([
      PageKind.Duplicate,
      page(2 * GiB - pageSize),
    ]);
    expect(result.values[page(4 * GiB + 123 * pageSize)]).toBe(0x5a);
  });

  it("rejects bad sizes, page sizes and out-of-range access with typed errors", () => {
    expect(() => GuestMemory.create({ bytes: 4096, pageSize: 1000 })).toThrow(expect.objectContaining({ code: "BAD_PAGE_SIZE" }));
    expect(() => GuestMemory.create({ bytes: 4096, pageSize: 256 })).toThrow(expect.objectContaining({ code: "BAD_PAGE_SIZE" }));
    expect(() => GuestMemory.create({ bytes: 5000 })).toThrow(expect.objectContaining({ code: "BAD_SIZE" }));
    expect(() => GuestMemory.create({ bytes: 0 })).toThrow(expect.objectContaining({ code: "BAD_SIZE" }));
    expect(() => GuestMemory.create({ bytes: 4096, chunkBytes: 5000 })).toThrow(expect.objectContaining({ code: "BAD_SIZE" }));
    const memory = GuestMemory.create({ bytes: 2 * 4096 });
    expect(() => memory.page(2)).toThrow(expect.objectContaining({ code: "OUT_OF_RANGE" }));
    expect(() => memory.write(8000, new Uint8Array(200))).toThrow(expect.objectContaining({ code: "OUT_OF_RANGE" }));
    expect(() => memory.read(-1, 1)).toThrow(expect.objectContaining({ code: "OUT_OF_RANGE" }));
    expect(() => memory.countZeroPages(0, 2, new Uint8Array(1))).toThrow(expect.objectContaining({ code: "OUT_OF_RANGE" }));
  });

  it("in shared memories behaves like the reference, and another thread sees its pages", async () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 48 }), fc.array(opArb, { minLength: 1, maxLength: 25 }), (pages, ops) => {
        const shared = GuestMemory.create({
          bytes: pages * 4096,
          chunkBytes: 0x10000,
          shared: true,
        });
        const reference = new ReferenceGuestMemory({ bytes: pages * 4096 });
        for (const o of ops) expect(comparable(apply(shared, o))).toEqual(comparable(apply(reference, o)));
        expect(comparable(shared.read(0, shared.size))).toEqual(comparable(reference.read(0, reference.size)));
      }),
      { numRuns: 40 },
    );
    const memory = GuestMemory.create({ bytes: 16 * 4096, shared: true });
    expect(memory.shared).toBe(true);
    const chunk = memory.chunks[0]!;
    expect(chunk.ctx.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    const worker = new Worker(
      `require("node:worker_threads").parentPort.once("message", ({ memory, at }) => {
        new Uint8Array(memory.buffer).fill(0xab, at, at + 4096);
        require("node:worker_threads").parentPort.postMessage("done");
      });`,
      { eval: true },
    );
    try {
      const done = new Promise((resolve) => worker.once("message", resolve));
      worker.postMessage({
        memory: chunk.ctx.memory,
        at: chunk.ramPtr + 3 * 4096,
      });
      await done;
    } finally {
      await worker.terminate();
    }
    expect(memory.uniformValue(3)).toBe(0xab);
    expect(memory.countZeroPages(0, 16)).toBe(15);
    memory.createScanner();
    expect(memory.page(3)[100]).toBe(0xab);
  });

  it("gives page views that see writes, and fresh views after the memory grows", () => {
    const memory = GuestMemory.create({ bytes: 4 * 4096 });
    const view = memory.page(1);
    view[7] = 42;
    expect(memory.read(4096 + 7, 1)[0]).toBe(42);
    memory.createScanner();
    expect(memory.page(1)[7]).toBe(42);
  });
});
