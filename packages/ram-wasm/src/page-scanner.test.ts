import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GuestMemory } from "./guest-memory.js";
import { PageKind, type ScanResult } from "./page-kind.js";
import type { PageScanner } from "./page-scanner.js";
import { implementations } from "./test-support/implementations.js";
import { type PageSpec, pageBytes, pageSpec, randomBytes } from "./test-support/page-content.js";
import type { GuestMemoryLike } from "./types.js";

const CHUNK = 0x10000;

type Op =
  | { op: "scan"; first: number; count: number }
  | { op: "write"; page: number; spec: PageSpec }
  | { op: "reset" };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant("scan" as const), first: fc.nat(), count: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("write" as const), page: fc.nat(), spec: pageSpec }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("reset" as const) }) },
);

function checkTruthful(memory: GuestMemoryLike, result: ScanResult): void {
  result.kinds.forEach((kind, i) => {
    const page = result.first + i;
    const value = result.values[i] as number;
    const u = memory.uniformValue(page);
    if (kind === PageKind.Zero) expect(u).toBe(0);
    else if (kind === PageKind.Uniform) expect(u).toBe(value);
    else {
      expect(u).toBe(-1);
      if (kind === PageKind.Duplicate) {
        expect(value).not.toBe(page);
        expect(memory.pagesEqual(page, value)).toBe(true);
      } else {
        expect(value).toBe(page);
      }
    }
  });
}

describe("PageScanner", () => {
  it("classifies like the reference, SIMD and scalar alike, across ranges, chunks and resets", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(512, 1024, 4096),
        fc.integer({ min: 1, max: 200 }),
        fc.array(pageSpec, { minLength: 1, maxLength: 200 }),
        fc.array(opArb, { minLength: 1, maxLength: 14 }),
        (pageSize, pages, specs, ops) => {
          const memories = implementations.map((impl) => impl.create({ bytes: pages * pageSize, pageSize, chunkBytes: CHUNK }));
          const reference = memories[2] as GuestMemoryLike;
          const fillPage = (page: number, spec: PageSpec) => {
            const bytes = pageBytes(spec, pageSize, pages, (p) => reference.page(p));
            for (const m of memories) m.write(page * pageSize, bytes);
          };
          specs.slice(0, pages).forEach((spec, page) => fillPage(page, spec));
          const scanners = memories.map((m) => m.createScanner());
          // Pages the reference reported as originals since the last reset: rewriting one of those
          // needs a reset for exact results (the documented contract).
          const originals = new Set<number>();
          for (const o of [...ops, { op: "scan" as const, first: 0, count: pages }]) {
            if (o.op === "scan") {
              const first = o.first % pages;
              const count = o.count % (pages - first + 1);
              const results = scanners.map((s) => s.scan(first, count));
              const [simd, scalar, ref] = results as [ScanResult, ScanResult, ScanResult];
              expect(simd).toEqual(ref);
              expect(scalar).toEqual(ref);
              ref.kinds.forEach((kind, i) => {
                if (kind === PageKind.Unique) originals.add(first + i);
              });
              checkTruthful(memories[0] as GuestMemoryLike, simd);
            } else if (o.op === "write") {
              const page = o.page % pages;
              fillPage(page, o.spec);
              if (originals.has(page)) {
                for (const s of scanners) s.reset();
                originals.clear();
              }
            } else {
              for (const s of scanners) s.reset();
              originals.clear();
            }
          }
          for (const s of scanners.slice(0, 2)) expect((s as PageScanner).overflowed).toBe(false);
        },
      ),
      { numRuns: 120 },
    );
  });

  it("never reports a false duplicate, even when recorded pages change without a reset", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(512, 4096),
        fc.integer({ min: 2, max: 120 }),
        fc.array(pageSpec, { minLength: 1, maxLength: 120 }),
        fc.array(opArb, { minLength: 1, maxLength: 20 }),
        fc.boolean(),
        (pageSize, pages, specs, ops, simd) => {
          const memory = GuestMemory.create({ bytes: pages * pageSize, pageSize, chunkBytes: CHUNK, simd });
          const fillPage = (page: number, spec: PageSpec) =>
            memory.write(page * pageSize, pageBytes(spec, pageSize, pages, (p) => memory.read(p * pageSize, pageSize)));
          specs.slice(0, pages).forEach((spec, page) => fillPage(page, spec));
          const scanner = memory.createScanner();
          for (const o of ops) {
            if (o.op === "scan") {
              const first = o.first % pages;
              checkTruthful(memory, scanner.scan(first, o.count % (pages - first + 1)));
            } else if (o.op === "write") {
              fillPage(o.page % pages, o.spec);
            } else {
              scanner.reset();
            }
          }
          checkTruthful(memory, scanner.scan(0, pages));
        },
      ),
      { numRuns: 80 },
    );
  });

  it("tells apart pages whose sampled hashes collide and still finds their duplicates", () => {
    for (const impl of implementations) {
      const pageSize = 4096;
      const pages = 600;
      const memory = impl.create({ bytes: pages * pageSize, pageSize, chunkBytes: 0x100000 });
      const body = randomBytes(7, pageSize);
      // Pages 0..299 differ from each other in one byte, away from the start and end of the page;
      // pages 300..599 repeat them in reverse order.
      for (let i = 0; i < 300; i++) {
        const bytes = body.slice();
        const at = 100 + ((i * 7) % 3000);
        bytes[at] = (bytes[at] as number) ^ (1 + (i >> 4));
        bytes[3500] = i & 0xff;
        memory.write(i * pageSize, bytes);
        memory.write((599 - i) * pageSize, bytes);
      }
      const result = memory.createScanner().scan(0, pages);
      expect(result.counts, impl.name).toEqual({ pages, zero: 0, uniform: 0, duplicate: 300, unique: 300 });
      for (let i = 300; i < pages; i++) expect(result.values[i]).toBe(599 - i);
    }
  });

  it("finds duplicates of pages scanned by earlier calls, in other memory chunks", () => {
    for (const impl of implementations.slice(0, 2)) {
      const pageSize = 4096;
      const memory = impl.create({ bytes: 64 * pageSize, pageSize, chunkBytes: 16 * pageSize });
      const a = randomBytes(1, pageSize);
      const b = randomBytes(2, pageSize);
      memory.write(3 * pageSize, a);
      memory.write(20 * pageSize, a);
      memory.write(40 * pageSize, a);
      memory.write(50 * pageSize, b);
      memory.write(10 * pageSize, b);
      const scanner = memory.createScanner();
      expect(scanner.scan(40, 24).counts).toMatchObject({ unique: 2, duplicate: 0 });
      const early = scanner.scan(0, 40);
      expect(early.counts).toMatchObject({ zero: 37, duplicate: 3, unique: 0 });
      expect([early.values[3], early.values[10], early.values[20]]).toEqual([40, 50, 40]);
      // A page that repeats another memory's original leaves its own memory's table: a second
      // copy in that memory still names the first original.
      memory.write(21 * pageSize, a);
      expect(scanner.scan(21, 1).values[0]).toBe(40);
    }
  });

  it("lets a page that repeated another memory's original be rewritten without a false duplicate", () => {
    for (const impl of implementations.slice(0, 2)) {
      const pageSize = 4096;
      const memory = impl.create({ bytes: 32 * pageSize, pageSize, chunkBytes: 16 * pageSize });
      const c = randomBytes(3, pageSize);
      const d = c.slice();
      // Byte 100 lies between the sampled vectors, so c and d share a sampled hash.
      d[100] = (d[100] as number) ^ 0xff;
      memory.write(2 * pageSize, c);
      memory.write(20 * pageSize, c);
      const scanner = memory.createScanner();
      expect(scanner.scan(0, 32).values[20]).toBe(2);
      memory.write(20 * pageSize, d);
      memory.write(21 * pageSize, d);
      const again = scanner.scan(21, 1);
      expect(again.kinds[0], impl.name).toBe(PageKind.Unique);
    }
  });

  it("flags a table overflow caused by rewriting recorded pages without a reset", () => {
    const memory = GuestMemory.create({ bytes: 512, pageSize: 512 });
    const scanner = memory.createScanner();
    memory.write(0, randomBytes(1, 512));
    scanner.scan(0, 1);
    memory.write(0, randomBytes(2, 512));
    expect(scanner.scan(0, 1).kinds[0]).toBe(PageKind.Unique);
    expect(scanner.overflowed).toBe(true);
    scanner.reset();
    expect(scanner.overflowed).toBe(false);
    expect(scanner.scanCounts(0, 1)).toEqual({ pages: 1, zero: 0, uniform: 0, duplicate: 0, unique: 1 });
  });

  it("rejects ranges outside the guest", () => {
    const scanner = GuestMemory.create({ bytes: 8 * 4096 }).createScanner();
    expect(() => scanner.scan(4, 5)).toThrow(expect.objectContaining({ code: "OUT_OF_RANGE" }));
    expect(() => scanner.scanCounts(-1, 1)).toThrow(expect.objectContaining({ code: "OUT_OF_RANGE" }));
    expect(scanner.scan(8, 0).counts.pages).toBe(0);
  });
});
