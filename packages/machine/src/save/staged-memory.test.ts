import fc from "fast-check";
import { GuestMemory } from "@savevm/ram-wasm";
import { describe, expect, it } from "vitest";
import type { PageMemory } from "../ram/page-memory.js";
import { TARGET_PAGE_SIZE } from "../ram/ram-block.js";
import type { StagingLane } from "../ram/staging-helper.js";
import { stagedMemory } from "./staged-memory.js";

type Op =
  | { op: "write"; page: number; seed: number }
  | { op: "fill"; page: number; value: number }
  | { op: "copy"; from: number; to: number };

/**
 * A lane that carries out its queue only when it must (full queue, flush, finish), so work
 * queued for the "helper" lands as late as possible: any page written out of order shows.
 */
class LazyLane implements StagingLane {
  readonly queue: (() => void)[] = [];
  readonly capacity: number;
  ready = false;
  done = 0;
  readonly #view: Uint8Array;

  constructor(memory: PageMemory, capacity: number) {
    this.capacity = capacity;
    this.#view = memory.span(0, memory.size);
  }

  get backlog(): number {
    return this.queue.length;
  }

  write(address: number, data: Uint8Array): void {
    const copy = data.slice();
    this.#push(() => this.#view.set(copy, address));
  }

  fill(address: number, value: number): void {
    this.#push(() => this.#view.fill(value, address, address + TARGET_PAGE_SIZE));
  }

  copy(from: number, to: number): void {
    this.#push(() => this.#view.copyWithin(to, from, from + TARGET_PAGE_SIZE));
  }

  flush(): void {
    for (let op = this.queue.shift(); op; op = this.queue.shift()) {
      op();
      this.done++;
    }
  }

  finish(): Promise<void> {
    this.flush();
    return Promise.resolve();
  }

  cancel(): void {
    this.queue.length = 0;
  }

  #push(op: () => void): void {
    if (this.queue.length >= this.capacity) {
      this.queue.shift()!();
      this.done++;
    }
    this.queue.push(op);
  }
}

function pageOf(seed: number): Uint8Array {
  const page = new Uint8Array(TARGET_PAGE_SIZE);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < page.length; i += 4) {
    x = (x * 1103515245 + 12345) >>> 0;
    page[i] = x & 0xff;
  }
  return page;
}

/** Eight of the 512-page regions the work is split by. */
const PAGES = 4096;

/** Few distinct pages, spread over every region, so that ops keep meeting pages still queued. */
const pageArb = fc.record({ region: fc.nat(7), at: fc.nat(3) }).map(({ region, at }) => region * 512 + at * 97);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant("write" as const),
      page: pageArb,
      seed: fc.nat(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("fill" as const),
      page: pageArb,
      value: fc.nat(255),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant("copy" as const), from: pageArb, to: pageArb }).filter((o) => o.from !== o.to),
  },
);

function apply(
  staged: {
    write(a: number, d: Uint8Array): void;
    fill(a: number, v: number): void;
    copy(f: number, t: number): void;
  },
  o: Op,
): void {
  if (o.op === "write") staged.write(o.page * TARGET_PAGE_SIZE, pageOf(o.seed));
  else if (o.op === "fill") staged.fill(o.page * TARGET_PAGE_SIZE, o.value);
  else staged.copy(o.from * TARGET_PAGE_SIZE, o.to * TARGET_PAGE_SIZE);
}

describe("staged memory shared with a helper lane", () => {
  it("ends with the same bytes as writing alone, whatever the helper delays (repeated pages, copies across owners)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 40 }),
        fc.nat(6),
        async (ops, capacity, readyAt) => {
          const aloneMemory = GuestMemory.create({
            bytes: PAGES * TARGET_PAGE_SIZE,
          });
          const alone = stagedMemory(aloneMemory, PAGES);
          const memory = GuestMemory.create({
            bytes: PAGES * TARGET_PAGE_SIZE,
          });
          const lane = new LazyLane(memory, capacity);
          const helped = stagedMemory(memory, PAGES, lane);
          ops.forEach((o, i) => {
            // The helper may start late; until then everything is written here.
            if (i === readyAt) lane.ready = true;
            apply(alone, o);
            apply(helped, o);
          });
          await helped.settle();
          expect(Buffer.compare(memory.read(0, memory.size), aloneMemory.read(0, aloneMemory.size))).toBe(0);
        },
      ),
      { numRuns: 80 },
    );
  });

  it("gives the helper whole regions while its queue has room, and keeps the rest here", async () => {
    const memory = GuestMemory.create({ bytes: PAGES * TARGET_PAGE_SIZE });
    const lane = new LazyLane(memory, 1024);
    lane.ready = true;
    const staged = stagedMemory(memory, PAGES, lane);
    // 512-page regions: the first goes to the helper; its queue is then full past half, so the
    // next region stays here.
    for (let p = 0; p < 1024; p++) staged.write(p * TARGET_PAGE_SIZE, pageOf(p));
    expect(lane.backlog).toBe(512);
    await staged.settle();
    expect(lane.done).toBe(512);
    for (const p of [0, 511, 512, 1023]) expect(Buffer.compare(memory.page(p), pageOf(p))).toBe(0);
  });

  it("drops the helper's queue on cancel", () => {
    const memory = GuestMemory.create({ bytes: PAGES * TARGET_PAGE_SIZE });
    const lane = new LazyLane(memory, 64);
    lane.ready = true;
    const staged = stagedMemory(memory, PAGES, lane);
    staged.write(0, pageOf(1));
    staged.cancel();
    expect(lane.backlog).toBe(0);
    expect(memory.countZeroPages(0, PAGES)).toBe(PAGES);
  });
});
