import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addCounts, emptyCounts } from "../page-kind.js";
import { ReferenceGuestMemory } from "../reference/guest-memory.js";
import { pageBytes, pageSpec } from "../test-support/page-content.js";
import { createRamWasmContext } from "./context.js";
import { fixupSlice, mergeSlice, newPageCount, partCounts, partResults, planParallelScan, scanPart } from "./parallel-scan.js";

const RAM = 0x10000;

describe("parallel scan over a shared memory", () => {
  it("equals one sequential scan, whatever the number of parts, how the phases are sliced and the order of the merges", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 160 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(pageSpec, { minLength: 1, maxLength: 160 }),
        fc.boolean(),
        (pages, parts, slices, specs, lastPartFirst) => {
          const pageSize = 512;
          const memory = new WebAssembly.Memory({ initial: 64, maximum: 1024, shared: true });
          const ctx = createRamWasmContext({ memory, shared: true });
          let top = RAM + pages * pageSize;
          const alloc = (bytes: number, align: number) => {
            const at = Math.ceil(top / align) * align;
            top = at + bytes;
            if (top > memory.buffer.byteLength) memory.grow(Math.ceil((top - memory.buffer.byteLength) / 0x10000));
            return at;
          };
          const plan = planParallelScan(ctx, alloc, { ramPtr: RAM, pageShift: 9, pages, parts });
          const reference = new ReferenceGuestMemory({ bytes: pages * pageSize, pageSize });
          for (let p = 0; p < pages; p++) {
            const bytes = pageBytes(specs[p % specs.length] as (typeof specs)[number], pageSize, pages, (q) => reference.page(q));
            reference.write(p * pageSize, bytes);
            new Uint8Array(memory.buffer).set(bytes, RAM + p * pageSize);
          }
          // Each phase runs slice by slice here; threads would run the slices at the same time.
          for (const part of plan) scanPart(ctx, part);
          const cut = (n: number, i: number) => Math.floor((n * i) / slices);
          // Merges of different parts may run at once, so their order must not matter.
          const later = plan.map((_, k) => k).slice(1);
          if (lastPartFirst) later.reverse();
          for (const k of later) {
            const n = newPageCount(ctx, plan[k]!);
            for (let i = 0; i < slices; i++) mergeSlice(ctx, plan, k, cut(n, i), cut(n, i + 1));
          }
          const counts = emptyCounts();
          const kinds: number[] = [];
          const values: number[] = [];
          plan.forEach((part, k) => {
            let turned = 0;
            if (k > 0) for (let i = 0; i < slices; i++) turned += fixupSlice(ctx, part, cut(part.pages, i), cut(part.pages, i + 1));
            addCounts(counts, partCounts(ctx, part, turned));
            const r = partResults(ctx, part);
            kinds.push(...r.kinds);
            values.push(...r.values);
          });
          const expected = reference.createScanner().scan(0, pages);
          expect(counts).toEqual(expected.counts);
          expect(kinds).toEqual([...expected.kinds]);
          expect(values).toEqual([...expected.values]);
        },
      ),
      { numRuns: 120 },
    );
  });
});
