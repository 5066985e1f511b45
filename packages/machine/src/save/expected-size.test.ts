import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createMachine } from "../backends.js";
import { DEFAULT_WORKLOAD } from "../guest/workload.js";
import type { Machine, MachineConfig } from "../machine.js";
import { FileOutputChannel } from "../node/file-channel.js";
import { nodeBackends } from "../node/node-backends.js";

const dir = mkdtempSync(join(tmpdir(), "savevm-expected-size-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MEMORY = 4 << 20;

function machine(config: Partial<MachineConfig>): Machine {
  return createMachine(
    {
      memory: MEMORY,
      ramBlocks: [{ name: "extra.ram", size: 256 << 10 }],
      ...config,
    },
    nodeBackends(),
  );
}

/** Starts a save to `name`, reads x-expected-size before any byte is written, and returns both sizes. */
async function save(m: Machine, name: string): Promise<{ expected: number | undefined; actual: number }> {
  const file = join(dir, name);
  const migration = m.migrate(() => Promise.resolve(new FileOutputChannel(file)));
  expect(m.queryMigrate().status).toBe("setup");
  const expected = m.queryMigrate()["x-expected-size"];
  await migration.done;
  expect(migration.status).toBe("completed");
  expect(m.queryMigrate()["x-expected-size"]).toBe(expected);
  return { expected, actual: statSync(file).size };
}

const RANDOM = {
  ...DEFAULT_WORKLOAD,
  mix: { zero: 0, uniform: 0, duplicate: 0, random: 1 },
};
const MIXED = {
  ...DEFAULT_WORKLOAD,
  mix: { zero: 30, uniform: 20, duplicate: 25, random: 25 },
};

describe("query-migrate's x-expected-size", () => {
  it("bounds the file of an incompressible (all random) stopped guest, and is close to it", async () => {
    const m = machine({
      startPaused: true,
      ramBlocks: [],
      guest: { seed: 2, workload: RANDOM, fill: MEMORY },
    });
    m.step(50);
    const { expected, actual } = await save(m, "random.mig");
    expect(expected).toBeDefined();
    expect(actual).toBeLessThanOrEqual(expected!);
    expect(actual).toBeGreaterThan(MEMORY);
    // The bound is the worst case per page: a percent or so above what the guest needs.
    expect(expected! / actual).toBeLessThan(1.02);
    m.destroy();
  });

  it("bounds a live snapshot of a running mixed guest that keeps writing", async () => {
    const m = machine({
      guest: {
        seed: 3,
        workload: MIXED,
        fill: MEMORY,
        pacing: { rate: 16 << 20 },
      },
    });
    m.setCapabilities([{ capability: "background-snapshot", state: true }]);
    m.setParameters({ "max-bandwidth": 32 << 20 });
    const { expected, actual } = await save(m, "snapshot.mig");
    expect(m.guest.state.steps).toBeGreaterThan(0);
    expect(actual).toBeLessThanOrEqual(expected!);
    m.destroy();
  });

  it("bounds a cpr-reboot checkpoint (RAM left in the memory file) with every device at its largest", async () => {
    const m = machine({
      startPaused: true,
      guest: { seed: 4, workload: MIXED, fill: MEMORY },
    });
    m.attachRamBacking({ location: "test", flush: async () => undefined });
    // The serial FIFOs fill: their subsections join the stream.
    m.step(200);
    m.setParameters({ mode: "cpr-reboot" });
    const { expected, actual } = await save(m, "checkpoint.mig");
    expect(actual).toBeLessThanOrEqual(expected!);
    // Only the extra block's pages can be in the stream.
    expect(expected!).toBeLessThan(MEMORY / 4);
    m.destroy();
  });

  it("is absent for a pre-copy of a running guest, which re-sends what the guest writes again", async () => {
    const m = machine({
      guest: { seed: 5, workload: MIXED, pacing: { rate: 4 << 20 } },
    });
    const { expected } = await save(m, "precopy.mig");
    expect(expected).toBeUndefined();
    m.destroy();
  });
});
