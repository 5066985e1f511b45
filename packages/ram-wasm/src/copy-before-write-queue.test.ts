import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CopyBeforeWriteQueue } from "./copy-before-write-queue.js";
import { GuestMemory } from "./guest-memory.js";
import { ReferenceCopyBeforeWriteQueue } from "./reference/copy-before-write-queue.js";
import { memoryRegion } from "./snapshot-region.js";
import { implementations } from "./test-support/implementations.js";
import { randomBytes } from "./test-support/page-content.js";
import { type CopyBeforeWriteQueueLike, type GuestMemoryLike, type PendingPage, WriteStatus } from "./types.js";

type QueueOp = { op: "write"; page: number; seed: number } | { op: "next" } | { op: "remaining" };

const opArb: fc.Arbitrary<QueueOp> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant("write" as const), page: fc.nat(), seed: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("next" as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("remaining" as const) }) },
);

function describePage(item: PendingPage | null, queue: CopyBeforeWriteQueueLike): unknown {
  if (!item) return null;
  return { page: item.page, queued: item.queued, bytes: Buffer.from(item.data).toString("base64"), uniform: queue.uniformValue() };
}

/** A guest write through the barrier: copy first if needed, then write unless told to wait. */
function guestWrite(memory: GuestMemoryLike, queue: CopyBeforeWriteQueueLike, page: number, seed: number): WriteStatus {
  const status = queue.beforeWrite(page);
  if (status !== WriteStatus.Wait) memory.write(page * memory.pageSize, randomBytes(seed, memory.pageSize));
  return status;
}

/** One result per implementation, in `implementations` order: the wasm builds must equal the reference. */
function expectAllLikeReference(results: readonly unknown[]): void {
  expect(results[0]).toEqual(results[2]);
  expect(results[1]).toEqual(results[2]);
}

/** After the final drain: every page handed out, never more slots in use than the capacity. */
function expectDrained(setups: readonly { queue: CopyBeforeWriteQueueLike }[], capacity: number): void {
  for (const { queue } of setups) {
    expect(queue.highWater).toBeLessThanOrEqual(capacity);
    expect(queue.remaining()).toBe(0);
  }
}

describe("CopyBeforeWriteQueue", () => {
  it("behaves like the reference queue: statuses, order, copies, counts and high-water mark", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 40 }),
        fc.array(opArb, { minLength: 1, maxLength: 80 }),
        (pages, capacity, fills, ops) => {
          const pageSize = 512;
          const setups = implementations.map((impl) => {
            const memory = impl.create({ bytes: pages * pageSize, pageSize, chunkBytes: 0x10000 });
            fills.slice(0, pages).forEach((b, page) => {
              if (b % 3 === 0) memory.write(page * pageSize, randomBytes(b, pageSize));
              else memory.fill(page * pageSize, pageSize, b % 2 === 0 ? 0 : b);
            });
            const savevm = memory.createBitmap();
            savevm.setAll();
            return { memory, queue: memory.createCopyBeforeWriteQueue(savevm, capacity) };
          });
          for (const o of [...ops, ...Array.from({ length: pages + 2 }, () => ({ op: "next" as const }))]) {
            const out = setups.map(({ memory, queue }) => {
              if (o.op === "write") return guestWrite(memory, queue, o.page % pages, o.seed);
              if (o.op === "next") return describePage(queue.next(), queue);
              return [queue.remaining(), queue.length, queue.highWater];
            });
            expectAllLikeReference(out);
          }
          expectDrained(setups, capacity);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("hands out every page once, with its content at the start, whatever the guest writes meanwhile", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.record({ page: fc.nat(), seed: fc.nat(), drain: fc.boolean() }), { maxLength: 200 }),
        (pages, capacity, writes) => {
          for (const impl of implementations) {
            const pageSize = 1024;
            const memory = impl.create({ bytes: pages * pageSize, pageSize, chunkBytes: 0x10000 });
            for (let p = 0; p < pages; p++) if (p % 4 !== 0) memory.write(p * pageSize, randomBytes(p, pageSize));
            const atStart = memory.read(0, memory.size);
            const savevm = memory.createBitmap();
            savevm.setAll();
            const queue = memory.createCopyBeforeWriteQueue(savevm, capacity);
            const seen = new Map<number, Uint8Array>();
            const take = () => {
              const item = queue.next();
              if (item) {
                expect(seen.has(item.page), impl.name).toBe(false);
                seen.set(item.page, item.data.slice());
              }
              return item;
            };
            for (const w of writes) {
              const page = w.page % pages;
              // The guest retries after the writer made room, as a machine's write barrier would.
              while (guestWrite(memory, queue, page, w.seed) === WriteStatus.Wait) take();
              expect(queue.length).toBeLessThanOrEqual(capacity);
              if (w.drain) take();
            }
            while (take());
            expect(seen.size).toBe(pages);
            for (const [page, bytes] of seen) {
              expect(Buffer.compare(bytes, atStart.subarray(page * pageSize, (page + 1) * pageSize)), `${impl.name} page ${page}`).toBe(0);
            }
            expect(queue.highWater).toBeLessThanOrEqual(capacity);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("keeps the queued copy when the page is written again after beforeWrite", () => {
    for (const impl of implementations) {
      const memory = impl.create({ bytes: 8 * 4096 });
      memory.fill(3 * 4096, 4096, 0x11);
      const savevm = memory.createBitmap();
      savevm.setAll();
      const queue = memory.createCopyBeforeWriteQueue(savevm, 2);
      expect(queue.beforeWrite(3)).toBe(WriteStatus.Copied);
      memory.fill(3 * 4096, 4096, 0x22);
      expect(queue.beforeWrite(3)).toBe(WriteStatus.Proceed);
      memory.fill(3 * 4096, 10, 0x33);
      const item = queue.next();
      expect(item?.page).toBe(3);
      expect(item?.queued).toBe(true);
      expect(item?.data.every((b) => b === 0x11)).toBe(true);
      expect(queue.uniformValue()).toBe(0x11);
    }
  });

  it("says Wait when full, without copying or clearing, and stays within its fixed memory", () => {
    const memory = GuestMemory.create({ bytes: 16 * 4096 });
    const savevm = memory.createBitmap();
    savevm.setAll();
    const queue = memory.createCopyBeforeWriteQueue(savevm, 2) as CopyBeforeWriteQueue;
    const bytes = queue.memoryBytes;
    const guestBytes = memory.chunks.map((c) => c.ctx.memory.buffer.byteLength);
    expect(bytes).toBeLessThanOrEqual(0x10000);
    expect(queue.beforeWrite(1)).toBe(WriteStatus.Copied);
    expect(queue.beforeWrite(2)).toBe(WriteStatus.Copied);
    expect(queue.beforeWrite(3)).toBe(WriteStatus.Wait);
    expect(savevm.test(3)).toBe(true);
    expect(queue.length).toBe(2);
    expect(queue.next()?.page).toBe(1);
    // The handed-out copy still holds its slot until the next call.
    expect(queue.beforeWrite(3)).toBe(WriteStatus.Wait);
    expect(queue.next()?.page).toBe(2);
    expect(queue.beforeWrite(3)).toBe(WriteStatus.Copied);
    for (let i = 0; i < 100; i++) {
      queue.beforeWrite(i % 16);
      queue.next();
    }
    expect(queue.highWater).toBe(2);
    expect(queue.memoryBytes).toBe(bytes);
    expect(memory.chunks.map((c) => c.ctx.memory.buffer.byteLength)).toEqual(guestBytes);
  });

  it("resolves beforeWriteAsync once the writer frees a slot, giving the blocked page priority", async () => {
    for (const impl of implementations) {
      const memory = impl.create({ bytes: 8 * 4096 });
      memory.fill(6 * 4096, 4096, 0x66);
      const savevm = memory.createBitmap();
      savevm.setAll();
      const queue = memory.createCopyBeforeWriteQueue(savevm, 1);
      // A page scanned in place takes no slot; a copy handed out keeps its slot until the next call.
      expect(queue.next()?.page).toBe(0);
      expect(queue.free).toBe(1);
      expect(queue.beforeWrite(5)).toBe(WriteStatus.Copied);
      expect(queue.next()).toMatchObject({ page: 5, queued: true });
      let status: WriteStatus | undefined;
      const pending = queue.beforeWriteAsync(6).then((s) => {
        status = s;
      });
      await Promise.resolve();
      expect(status).toBeUndefined();
      const item = queue.next();
      expect([item?.page, item?.queued, item?.data[0]]).toEqual([6, true, 0x66]);
      await pending;
      expect(status).toBe(WriteStatus.Copied);
      expect(await queue.beforeWriteAsync(6)).toBe(WriteStatus.Proceed);
      expect(queue.next()?.page).toBe(1);
      // Ending the snapshot lets a blocked writer through: nothing is pending any more.
      expect(queue.beforeWrite(2)).toBe(WriteStatus.Copied);
      expect(queue.next()).toMatchObject({ page: 2, queued: true });
      const late = queue.beforeWriteAsync(3);
      queue.clear();
      expect(await late).toBe(WriteStatus.Proceed);
      expect([queue.remaining(), queue.length, queue.next()]).toEqual([0, 0, null]);
    }
  });

  it("reads pages the guest does not write in place: no copy, no slot, a view of the guest page", () => {
    const memory = GuestMemory.create({ bytes: 8 * 4096, chunkBytes: 0x10000 });
    for (let p = 0; p < 8; p++) if (p !== 5) memory.write(p * 4096, randomBytes(p, 4096));
    memory.fill(2 * 4096, 4096, 0x2a);
    const savevm = memory.createBitmap();
    savevm.setAll();
    const queue = memory.createCopyBeforeWriteQueue(savevm, 1);
    const pages: number[] = [];
    for (let item = queue.next(); item; item = queue.next()) {
      expect(item.queued).toBe(false);
      expect(item.data.buffer).toBe(memory.page(item.page).buffer);
      expect(item.data.byteOffset).toBe(memory.page(item.page).byteOffset);
      expect(queue.uniformValue()).toBe(item.page === 2 ? 0x2a : item.page === 5 ? 0 : -1);
      pages.push(item.page);
    }
    expect(pages).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect([queue.copied, queue.highWater, queue.free]).toEqual([0, 0, 1]);
  });

  it("spans several memories with one bound: the same statuses, runs, copies and counts as the reference", () => {
    type Op = { op: "write"; region: number; page: number; seed: number } | { op: "run"; max: number } | { op: "arm" };
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 4, arbitrary: fc.record({ op: fc.constant("write" as const), region: fc.nat(), page: fc.nat(), seed: fc.nat() }) },
      { weight: 3, arbitrary: fc.record({ op: fc.constant("run" as const), max: fc.integer({ min: 1, max: 9 }) }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant("arm" as const) }) },
    );
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 24 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(op, { minLength: 1, maxLength: 120 }),
        (sizes, capacity, ops) => {
          const pageSize = 512;
          const setups = implementations.map((impl) => {
            const memories = sizes.map((pages, m) => {
              const memory = impl.create({ bytes: pages * pageSize, pageSize, chunkBytes: 0x10000 });
              for (let p = 0; p < pages; p++) if ((p + m) % 3 !== 0) memory.write(p * pageSize, randomBytes(p * 7 + m, pageSize));
              return memory;
            });
            const regions = memories.map((memory) => memoryRegion(memory, memory.createBitmap()));
            const queue: CopyBeforeWriteQueueLike =
              impl.name === "reference" ? new ReferenceCopyBeforeWriteQueue(regions, capacity, { pageSize }) : new CopyBeforeWriteQueue(regions, capacity, { pageSize });
            queue.arm();
            return { memories, regions, queue };
          });
          const drain = Array.from({ length: sizes.reduce((a, b) => a + b, 0) + 2 }, () => ({ op: "run" as const, max: 4 }));
          for (const o of [...ops, ...drain]) {
            const out = setups.map(({ memories, regions, queue }) => {
              if (o.op === "arm") return queue.arm();
              if (o.op === "write") {
                const r = o.region % regions.length;
                const memory = memories[r]!;
                const page = o.page % memory.pages;
                const status = queue.beforeWrite(page, regions[r]);
                if (status !== WriteStatus.Wait) memory.write(page * pageSize, randomBytes(o.seed, pageSize));
                return [status, queue.wouldCopy(page, regions[r])];
              }
              const run = queue.nextRun(o.max);
              if (!run) return [null, queue.remaining()];
              const r = regions.indexOf(run.region);
              const bytes = run.data ?? memories[r]!.read(run.first * pageSize, run.count * pageSize);
              return [r, run.first, run.count, run.data !== undefined, Buffer.from(bytes).toString("base64"), queue.uniformValue()];
            });
            const counts = setups.map(({ queue }) => [queue.remaining(), queue.length, queue.free, queue.highWater, queue.copied]);
            expectAllLikeReference(out);
            expectAllLikeReference(counts);
          }
          expectDrained(setups, capacity);
        },
      ),
      { numRuns: 120 },
    );
  });

  it("refuses a bad capacity and a bitmap of another memory", () => {
    for (const impl of implementations) {
      const memory = impl.create({ bytes: 4 * 4096 });
      expect(() => memory.createCopyBeforeWriteQueue(memory.createBitmap(), 0)).toThrow(
        expect.objectContaining({ code: "BAD_CAPACITY" }),
      );
      expect(() => memory.createCopyBeforeWriteQueue(memory.createBitmap(), 2 ** 20)).toThrow(
        expect.objectContaining({ code: "BAD_CAPACITY" }),
      );
      const other = impl.create({ bytes: 4 * 4096 });
      expect(() => memory.createCopyBeforeWriteQueue(other.createBitmap(), 1)).toThrow(
        expect.objectContaining({ code: "WRONG_MEMORY" }),
      );
    }
  });
});
