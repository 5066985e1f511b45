import { readMigrationStream, summarizeStream, type ReadMigrationOptions } from "@savevm/format";
import type { PageScannerLike, ScanResult } from "@savevm/ram-wasm";
import { afterEach, describe, expect, it } from "vitest";
import { createMachine } from "../backends.js";
import { memoryInputChannel } from "../channel.js";
import type { Machine, MachineConfig } from "../machine.js";
import { nodeBackends } from "../node/node-backends.js";
import { RamSet } from "../ram/ram-block.js";
import { PlainMemory } from "../test-support/plain-memory.js";
import { savedBytes } from "../test-support/saved-bytes.js";
import type { RamBodyWriter } from "./record-sink.js";
import { RamRunWriter } from "./ram-run-writer.js";
import { RamStats } from "./ram-stats.js";

const MiB = 1 << 20;
const machines: Machine[] = [];
afterEach(() => {
  for (const m of machines.splice(0)) m.destroy();
});

function machine(config: Partial<MachineConfig> & { memory: number }): Machine {
  const m = createMachine(config, nodeBackends());
  machines.push(m);
  return m;
}

/** 50% zero, 10% uniform, 15% duplicates of 16 patterns, 25% random, as the benchmark's image. */
const MIXED = { seed: 21, fill: 6 * MiB };

const save = savedBytes;

async function readAll(bytes: Uint8Array, options?: ReadMigrationOptions): Promise<void> {
  for await (const _ of readMigrationStream(bytes, options));
}

describe("dedup extension (x-dedup) in the machine's saves", () => {
  it("off by default: no references, no capability, a QEMU-loadable stream", async () => {
    const m = machine({ memory: 8 * MiB, startPaused: true, guest: MIXED });
    const summary = await summarizeStream(await save(m));
    expect(summary.configuration?.capabilities).toEqual([]);
    expect(summary.ram?.pages.dedup).toBe(0);
  });

  it("on: duplicates become references, the capability is recorded, and the stream loads to the same machine", async () => {
    const plain = machine({ memory: 8 * MiB, startPaused: true, guest: MIXED });
    const plainBytes = await save(plain);
    const m = machine({ memory: 8 * MiB, startPaused: true, guest: MIXED });
    m.setCapabilities([{ capability: "x-dedup", state: true }]);
    const bytes = await save(m);
    const summary = await summarizeStream(bytes);
    expect(summary.configuration?.capabilities).toEqual(["x-dedup"]);
    expect(summary.ram!.pages.dedup).toBeGreaterThan(100);
    expect(summary.ram!.pages.normal).toBeLessThan((await summarizeStream(plainBytes)).ram!.pages.normal);
    expect(bytes.length).toBeLessThan(plainBytes.length * 0.8);
    const stats = m.ramHandler.stats;
    expect(stats.dedup).toBe(summary.ram!.pages.dedup);
    expect(stats.uniform).toBe(summary.ram!.pages.uniform);

    const dst = machine({ memory: 8 * MiB, incoming: true, startPaused: true });
    await dst.incoming(memoryInputChannel(bytes));
    expect(await dst.digest()).toEqual(await m.digest());
  });

  it("a loader without the capability refuses the stream, naming it", async () => {
    const m = machine({ memory: 2 * MiB, startPaused: true, guest: { ...MIXED, fill: 2 * MiB } });
    m.setCapabilities([{ capability: "x-dedup", state: true }]);
    const bytes = await save(m);
    await expect(readAll(bytes, { supportedCapabilities: ["x-ignore-shared"] })).rejects.toMatchObject({
      code: "EXTENSION_UNSUPPORTED",
      message: expect.stringContaining("Received unknown capability x-dedup"),
    });
    await readAll(bytes);
  });

  it("a pre-copy migration of a running guest with dedup reaches the source's state at switchover", async () => {
    const src = machine({ memory: 8 * MiB, guest: { ...MIXED, pacing: { rate: 8 * MiB } } });
    await new Promise((r) => setTimeout(r, 30));
    src.setCapabilities([{ capability: "x-dedup", state: true }]);
    src.setParameters({ "max-bandwidth": 24 * MiB, "downtime-limit": 50 });
    const bytes = await save(src);
    expect((await summarizeStream(bytes)).ram!.pages.dedup).toBeGreaterThan(0);
    const dst = machine({ memory: 8 * MiB, incoming: true, startPaused: true });
    await dst.incoming(memoryInputChannel(bytes));
    expect(await dst.digest()).toEqual(await src.digest());
  });

  it("a live snapshot with dedup while the guest writes equals T0", async () => {
    const config = { memory: 8 * MiB, guest: { ...MIXED, pacing: { rate: 16 * MiB } } };
    const src = machine(config);
    src.setCapabilities([
      { capability: "background-snapshot", state: true },
      { capability: "x-dedup", state: true },
    ]);
    src.setParameters({ "max-bandwidth": 6 * MiB });
    let steps = -1;
    src.events.on((e) => {
      if (e.event === "STOP" && steps < 0) steps = src.guest.state.steps;
    });
    const bytes = await save(src);
    expect((await summarizeStream(bytes)).ram!.pages.dedup).toBeGreaterThan(0);
    expect(src.lastLiveSnapshot!.queue.copied).toBeGreaterThan(0);
    const dst = machine({ memory: 8 * MiB, incoming: true, startPaused: true });
    await dst.incoming(memoryInputChannel(bytes));
    const twin = machine({ ...config, startPaused: true, guest: { ...config.guest, pacing: { rate: 0 } } });
    twin.step(steps);
    expect(await dst.digest()).toEqual(await twin.digest());
  });
});

describe("RamRunWriter references", () => {
  /** A scanner that calls page `dup` a duplicate of page `source`, whatever they hold. */
  function lyingScanner(dup: number, source: number): PageScannerLike {
    return {
      scan(first: number, count: number): ScanResult {
        const kinds = new Uint8Array(count).fill(3);
        const values = Uint32Array.from({ length: count }, (_, i) => first + i);
        if (dup >= first && dup < first + count) {
          kinds[dup - first] = 2;
          values[dup - first] = source;
        }
        return { first, kinds, values, counts: { pages: count, zero: 0, uniform: 0, duplicate: 1, unique: count - 1 } };
      },
      scanCounts: () => ({ pages: 0, zero: 0, uniform: 0, duplicate: 0, unique: 0 }),
      reset() {},
    };
  }

  function setup(dup: number, source: number): { ram: RamSet; records: string[]; out: RamBodyWriter } {
    const ram = new RamSet((_name, size) => Object.assign(new PlainMemory(size), { createScanner: () => lyingScanner(dup, source) }));
    const block = ram.add("ram", 8 * 4096);
    for (let p = 0; p < 8; p++) ram.writablePage(block, p).fill(p + 1, 0, 7);
    const records: string[] = [];
    const out: RamBodyWriter = {
      memSize() {},
      zeroPage: (_b, offset) => void records.push(`zero ${offset / 4096}`),
      page: (_b, offset) => void records.push(`page ${offset / 4096}`),
      dedupPage: (_b, offset, from) => void records.push(`ref ${offset / 4096}->${from / 4096}`),
      eos() {},
    };
    ram.startDirtyLog();
    block.toSend.setAll();
    return { ram, records, out };
  }

  it("refers only to a source written by this save and not written by the guest since", () => {
    for (const [state, expected] of [
      ["clean", "ref 5->0"],
      ["still pending", "page 5"],
      ["dirtied", "page 5"],
    ] as const) {
      const { ram, records, out } = setup(5, 0);
      const block = ram.blocks[0]!;
      const writer = new RamRunWriter(ram, new RamStats(), { uniformAsZero: true, dedup: true });
      if (state !== "still pending") block.toSend.clear(0);
      if (state === "dirtied") ram.writablePage(block, 0);
      writer.write(out, { block, first: 4, count: 2 });
      expect(records).toEqual(["page 4", expected]);
    }
  });

  it("never refers to a page later in its own run", () => {
    const { ram, records, out } = setup(2, 6);
    const block = ram.blocks[0]!;
    // The run's pages left the bitmap together; page 6 is written after page 2.
    for (let p = 0; p < 8; p++) block.toSend.clear(p);
    new RamRunWriter(ram, new RamStats(), { uniformAsZero: true, dedup: true }).write(out, { block, first: 0, count: 8 });
    expect(records.slice(0, 3)).toEqual(["page 0", "page 1", "page 2"]);
  });
});
