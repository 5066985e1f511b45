import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GuestMemory } from "@savevm/ram-wasm";
import { afterAll, describe, expect, it } from "vitest";
import { createMachine } from "../backends.js";
import { MachineError } from "../errors.js";
import { TARGET_PAGE_SIZE } from "../ram/ram-block.js";
import { stagedMemory } from "../save/staged-memory.js";
import { FileOutputChannel, openFileInput } from "./file-channel.js";
import { nodeBackends } from "./node-backends.js";
import { NodeStagingHelper } from "./staging-thread.js";

const PAGES = 4096;
const dir = mkdtempSync(join(tmpdir(), "savevm-staging-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pattern(seed: number): Uint8Array {
  const page = new Uint8Array(TARGET_PAGE_SIZE);
  for (let i = 0; i < page.length; i += 8) page[i] = (seed * 31 + i) & 0xff;
  return page;
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
}

describe("NodeStagingHelper", () => {
  it("writes pages from another thread exactly as this thread would: ring copies, shared inputs, fills, copies", async () => {
    const helper = new NodeStagingHelper({ slots: 16 });
    try {
      for (let round = 0; round < 2; round++) {
        const aloneMemory = GuestMemory.create({
          bytes: PAGES * TARGET_PAGE_SIZE,
        });
        const alone = stagedMemory(aloneMemory, PAGES);
        const memory = GuestMemory.create({
          bytes: PAGES * TARGET_PAGE_SIZE,
          shared: true,
        });
        const lane = helper.begin(memory);
        expect(lane).toBeDefined();
        await until(() => lane!.ready);
        const helped = stagedMemory(memory, PAGES, lane);
        // Shared input chunks the way the file input makes them: new, never reused.
        let chunk = new Uint8Array(new SharedArrayBuffer(16 * TARGET_PAGE_SIZE));
        let seed = round * 100_000;
        let used = 0;
        for (let i = 0; i < 6000; i++) {
          const page = ((i * 2654435761) >>> 0) % PAGES;
          const address = page * TARGET_PAGE_SIZE;
          const kind = i % 7;
          if (kind < 3) {
            const slot = used++ % 16;
            if (slot === 0) chunk = new Uint8Array(new SharedArrayBuffer(16 * TARGET_PAGE_SIZE));
            const view = chunk.subarray(slot * TARGET_PAGE_SIZE, (slot + 1) * TARGET_PAGE_SIZE);
            view.set(pattern(seed++));
            alone.write(address, view);
            helped.write(address, view);
          } else if (kind < 5) {
            const data = pattern(seed++);
            alone.write(address, data);
            helped.write(address, data);
          } else if (kind === 5) {
            alone.fill(address, i & 0xff);
            helped.fill(address, i & 0xff);
          } else {
            const from = ((page * 7 + 1) % PAGES) * TARGET_PAGE_SIZE;
            if (from === address) continue;
            alone.copy(from, address);
            helped.copy(from, address);
          }
        }
        await helped.settle();
        expect(Buffer.compare(memory.read(0, memory.size), aloneMemory.read(0, aloneMemory.size))).toBe(0);
      }
    } finally {
      helper.close();
    }
  });

  it("declines memory it cannot share", () => {
    const helper = new NodeStagingHelper();
    expect(helper.begin(GuestMemory.create({ bytes: 16 * TARGET_PAGE_SIZE }))).toBeUndefined();
    expect(() => new NodeStagingHelper({ slots: 100 })).toThrow(MachineError);
  });

  it("fails a load whose queued pages the helper never wrote, and starts a new thread afterwards", async () => {
    const helper = new NodeStagingHelper({ slots: 64 });
    const memory = GuestMemory.create({
      bytes: PAGES * TARGET_PAGE_SIZE,
      shared: true,
    });
    const lane = helper.begin(memory)!;
    for (let p = 0; p < 32; p++) lane.write(p * TARGET_PAGE_SIZE, pattern(p));
    helper.close();
    const failure = await lane.finish().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(MachineError);
    expect((failure as MachineError).code).toBe("LOAD_FAILED");
    expect(String((failure as MachineError).message)).toMatch(/RAM staging failed: .*closed|undone/);

    const again = helper.begin(memory)!;
    await until(() => again.ready);
    again.fill(5 * TARGET_PAGE_SIZE, 0x5a);
    await again.finish();
    expect(memory.uniformValue(5)).toBe(0x5a);
    helper.close();
  });

  it("a machine restores the same RAM with and without the helper, plain and x-dedup streams", async () => {
    const source = createMachine(
      {
        memory: 64 << 20,
        startPaused: true,
        guest: {
          seed: 7,
          workload: {
            pagesPerStep: 16,
            mix: { zero: 40, uniform: 15, duplicate: 20, random: 25 },
            hotPercent: 0,
            hotStart: 0,
            hotPages: 0,
            duplicatePatterns: 8,
          },
        },
      },
      nodeBackends({ staging: false }),
    );
    source.populate(0, 12_000);
    source.setParameters({ "max-bandwidth": 0 });
    for (const dedup of [false, true]) {
      source.systemReset();
      source.setCapabilities([{ capability: "x-dedup", state: dedup }]);
      const want = await source.digest();
      const file = join(dir, `m-${dedup}.mig`);
      const migration = source.migrate(new FileOutputChannel(file));
      await migration.done;
      expect(migration.status).toBe("completed");
      for (const staging of [true, false]) {
        const target = createMachine(
          { memory: 64 << 20, incoming: true, startPaused: true },
          nodeBackends({ staging: staging ? { slots: 32 } : false }),
        );
        await target.incoming(await openFileInput(file));
        const got = await target.digest();
        expect({ dedup, staging, ram: got.ram, devices: got.devices }).toEqual({
          dedup,
          staging,
          ram: want.ram,
          devices: want.devices,
        });
        target.destroy();
      }
    }
    source.destroy();
  });
});
