import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readMigrationStream, summarizeStream } from "@savevm/format";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createMachine } from "../backends.js";
import { MemoryOutputChannel, memoryInputChannel } from "../channel.js";
import type { MachineEvent } from "../events.js";
import type { Machine, MachineConfig } from "../machine.js";
import { FileOutputChannel, openFileInput } from "../node/file-channel.js";
import { nodeBackends } from "../node/node-backends.js";
import { failAfter } from "../test-support/failing-channel.js";
import { logMachine } from "../test-support/machines.js";
import { RecordLogCodec, type LoggedRecord } from "../test-support/record-log-codec.js";

const MiB = 1 << 20;
const PAGE = 4096;

let dir: string;
const machines: Machine[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "savevm-live-"));
});
afterEach(() => {
  for (const m of machines.splice(0)) m.destroy();
  rmSync(dir, { recursive: true, force: true });
});

function machine(config: Partial<MachineConfig> & { memory: number }): Machine {
  const m = createMachine(config, nodeBackends());
  machines.push(m);
  return m;
}

/** What the source looked like at T0: caught from the STOP event, while the guest is paused. */
function watchT0(m: Machine): { steps?: number; ram?: Uint8Array } {
  const t0: { steps?: number; ram?: Uint8Array } = {};
  const off = m.events.on((e) => {
    if (e.event !== "STOP" || t0.steps !== undefined) return;
    t0.steps = m.guest.state.steps;
    t0.ram = m.mainRam.memory.span(0, m.mainRam.size).slice();
    off();
  });
  return t0;
}

/** A machine that ran exactly `steps` steps from the same start: the T0 state, by determinism. */
async function twinAt(config: Partial<MachineConfig> & { memory: number }, steps: number): Promise<Machine> {
  const twin = machine({ ...config, startPaused: true, guest: { ...config.guest, pacing: { rate: 0 } } });
  twin.step(steps);
  return twin;
}

async function restore(config: Partial<MachineConfig> & { memory: number }, bytes: Uint8Array): Promise<Machine> {
  const dst = machine({ memory: config.memory, incoming: true, startPaused: true });
  await dst.incoming(memoryInputChannel(bytes));
  return dst;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
}

describe("live point-in-time snapshot (background-snapshot)", () => {
  it("holds the state of T0 while the guest keeps writing, also to pages not saved yet", async () => {
    const config = { memory: 8 * MiB, guest: { seed: 5, fill: 6 * MiB, pacing: { rate: 24 * MiB } } };
    const src = machine(config);
    await new Promise((r) => setTimeout(r, 50));
    src.setCapabilities([
      { capability: "background-snapshot", state: true },
      { capability: "events", state: true },
    ]);
    // Slow enough for the guest to overwrite many pages before the writer reaches them.
    src.setParameters({ "max-bandwidth": 4 * MiB });
    const events: string[] = [];
    src.events.on((e: MachineEvent) => events.push(e.event === "MIGRATION" ? `MIGRATION ${String(e.data?.["status"])}` : e.event));
    const t0 = watchT0(src);
    const out = new MemoryOutputChannel();
    const migration = src.migrate(out);
    const progress: number[] = [];
    while (migration.active) {
      const info = src.queryMigrate();
      if (info.status === "active" && info.ram) progress.push(info.ram.remaining);
      await new Promise((r) => setTimeout(r, 100));
    }
    await migration.done;
    expect(migration.status).toBe("completed");
    expect(events).toEqual(["MIGRATION setup", "MIGRATION active", "STOP", "RESUME", "MIGRATION completed"]);
    expect(src.runState.state).toBe("running");
    // The guest went on writing: it copied pages into the queue and ran steps after T0.
    expect(src.guest.state.steps).toBeGreaterThan(t0.steps! + 10);
    expect(lastSnapshot(src).queue.copied).toBeGreaterThan(0);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)!).toBeLessThan(progress[0]!);
    const info = src.queryMigrate();
    expect(info.status).toBe("completed");
    expect(info.ram?.remaining).toBe(0);
    expect(info.downtime).toBeGreaterThanOrEqual(0);
    expect(migration.pauseMs).toBeGreaterThan(0);

    const dst = await restore(config, out.bytes());
    expect(sameBytes(dst.mainRam.memory.span(0, config.memory).slice(), t0.ram!)).toBe(true);
    const twin = await twinAt(config, t0.steps!);
    expect(await dst.digest()).toEqual(await twin.digest());
    // ... which is not the state at the end.
    expect((await dst.digest()).ram).not.toBe((await src.digest()).ram);
    // The snapshot says the source was running: without -S the destination would run.
    expect(dst.runState.state).toBe("paused");
  });

  it("with a queue small enough to force back-pressure: the guest waits, memory stays bounded, the snapshot is still T0", async () => {
    // Running, but only stepped by hand (no pacing): runSteps plays the vCPU.
    const config = { memory: 4 * MiB, snapshotQueuePages: 24, guest: { seed: 9, fill: 4 * MiB } };
    const src = machine(config);
    src.setCapabilities([{ capability: "background-snapshot", state: true }]);
    src.setParameters({ "max-bandwidth": 2 * MiB });
    const t0 = watchT0(src);
    const out = new MemoryOutputChannel();
    const migration = src.migrate(out);
    let stepped = 0;
    // The guest hammers RAM from another task while the writer is throttled.
    const guest = (async () => {
      while (migration.active) {
        await src.runSteps(1);
        stepped++;
        // A real vCPU runs beside the writer; here the guest leaves it the event loop now and then.
        if (stepped % 4 === 0) await new Promise((r) => setImmediate(r));
      }
    })();
    await migration.done;
    await guest;
    expect(migration.status).toBe("completed");
    const snapshot = lastSnapshot(src);
    expect(snapshot.queue.highWater).toBeLessThanOrEqual(24);
    expect(snapshot.queue.highWater).toBeGreaterThan(16);
    expect(snapshot.queue.copied).toBeGreaterThan(24);
    expect(snapshot.stall.stalls).toBeGreaterThan(0);
    expect(stepped).toBeGreaterThan(20);
    const dst = await restore(config, out.bytes());
    expect(sameBytes(dst.mainRam.memory.span(0, config.memory).slice(), t0.ram!)).toBe(true);
    expect(await dst.digest()).toEqual(await (await twinAt(config, t0.steps!)).digest());
  });

  it("writes every page exactly once: START, PARTs, the device state of T0, EOF (no END)", async () => {
    const codec = new RecordLogCodec();
    const src = logMachine({ memory: 2 * MiB, startPaused: false, guest: { seed: 3, fill: 2 * MiB, pacing: { rate: 16 * MiB } } }, codec);
    machines.push(src);
    src.setCapabilities([{ capability: "background-snapshot", state: true }]);
    src.setParameters({ "max-bandwidth": 4 * MiB });
    const t0 = watchT0(src);
    const migration = src.migrate(new MemoryOutputChannel());
    await migration.done;
    expect(migration.status).toBe("completed");
    const log = codec.logs[0]!;
    const shape = log.filter((r) => r.t === "section").map((r) => (r.t === "section" ? `${r.type}:${r.entry.idstr}` : ""));
    expect(shape[0]).toBe("start:ram");
    expect(shape).not.toContain("end:ram");
    const firstFull = shape.indexOf("full:globalstate");
    expect(shape.slice(1, firstFull).every((s) => s === "part:ram")).toBe(true);
    expect(shape.slice(firstFull)).toEqual(["full:globalstate", "full:cpu", "full:clock", "full:serial"]);
    expect(log.at(-2)?.t).toBe("eof");
    const seen = new Map<number, number>();
    for (const r of log) if (r.t === "zero" || r.t === "page" || r.t === "dedup") seen.set(r.addr, (seen.get(r.addr) ?? 0) + 1);
    expect(seen.size).toBe((2 * MiB) / PAGE);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    // The cpu section is the guest of T0, not of the end.
    const cpu = log.find((r): r is Extract<LoggedRecord, { t: "device" }> => r.t === "device" && r.vmsd === "cpu")!;
    expect(cpu.state["steps"]).toBe(BigInt(t0.steps!));
    expect(src.guest.state.steps).toBeGreaterThan(t0.steps!);
  });

  it("the file is never larger than RAM + record headers + device state, and far smaller for mixed content", async () => {
    for (const mix of [{ zero: 0, uniform: 0, duplicate: 0, random: 1 }, undefined]) {
      const config = { memory: 4 * MiB, guest: { seed: 2, fill: 4 * MiB, ...(mix ? { workload: { ...defaultWorkload(), mix } } : {}) } };
      const src = machine({ ...config, startPaused: true });
      src.setCapabilities([{ capability: "background-snapshot", state: true }]);
      src.setParameters({ "max-bandwidth": 0 });
      const path = join(dir, "snap.mig");
      const migration = src.migrate(new FileOutputChannel(path));
      await migration.done;
      expect(migration.status).toBe("completed");
      const size = statSync(path).size;
      const summary = await summarizeStream(await openFileInput(path));
      const deviceBytes = summary.devices.reduce((n, d) => n + d.size, 0);
      const pages = config.memory / PAGE;
      // 8 bytes of record header per page; the block name once; header, configuration, section
      // headers and footers and the vmdesc trailer on top of the device bodies.
      const framing = size - (summary.vmdesc?.size ?? 0) - deviceBytes;
      expect(framing).toBeLessThanOrEqual(config.memory + pages * 8 + 1024);
      if (mix) expect(size).toBeGreaterThan(config.memory);
      else expect(size).toBeLessThan(config.memory * 0.5);
    }
  });

  it("a cancelled snapshot leaves no file, the guest keeps running, and the next snapshot works", async () => {
    const config = { memory: 8 * MiB, guest: { seed: 4, fill: 8 * MiB, pacing: { rate: 8 * MiB } } };
    const src = machine(config);
    src.setCapabilities([
      { capability: "background-snapshot", state: true },
      { capability: "events", state: true },
    ]);
    src.setParameters({ "max-bandwidth": 2 * MiB });
    const statuses: unknown[] = [];
    src.events.on((e) => e.event === "MIGRATION" && statuses.push(e.data?.["status"]));
    const path = join(dir, "cancel.mig");
    const migration = src.migrate(new FileOutputChannel(path));
    await new Promise((r) => setTimeout(r, 300));
    src.cancelMigration();
    await migration.done;
    expect(migration.status).toBe("cancelled");
    expect(statuses).toEqual(["setup", "active", "cancelling", "cancelled"]);
    expect(src.runState.state).toBe("running");
    expect(readdirSync(dir)).toEqual([]);
    const steps = src.guest.state.steps;
    await new Promise((r) => setTimeout(r, 100));
    expect(src.guest.state.steps).toBeGreaterThan(steps);
    // The barrier is gone: guest writes copy nothing any more.
    expect(src.ram.logging).toBe(false);

    src.setParameters({ "max-bandwidth": 0 });
    const again = src.migrate(new FileOutputChannel(path));
    await again.done;
    expect(again.status).toBe("completed");
    expect(readdirSync(dir)).toEqual(["cancel.mig"]);
  });

  it("a channel failing at any byte fails the snapshot, leaves no file and keeps the guest running", async () => {
    const config = { memory: 4 * MiB, guest: { seed: 6, fill: 4 * MiB, pacing: { rate: 8 * MiB } } };
    const src = machine(config);
    src.setCapabilities([{ capability: "background-snapshot", state: true }]);
    src.setParameters({ "max-bandwidth": 0 });
    const path = join(dir, "fail.mig");
    const sizeNow = async (): Promise<number> => {
      const whole = new MemoryOutputChannel();
      await src.migrate(whole).done;
      return whole.bytes().length;
    };
    const fails = async (failAt: number): Promise<void> => {
      const migration = src.migrate(failAfter(new FileOutputChannel(path), failAt));
      await migration.done;
      expect(migration.status).toBe("failed");
      expect(migration.error).toContain("No space left on device");
      expect(src.ram.logging).toBe(false);
      expect(readdirSync(dir)).toEqual([]);
    };
    // The guest keeps changing RAM, so the size varies a little from one snapshot to the next.
    const half = Math.floor((await sizeNow()) / 2);
    for (const failAt of [1, 9, 100, 70_000, half, 1 + Math.floor(Math.random() * half)]) {
      await fails(failAt);
      expect(src.runState.state).toBe("running");
    }
    // With the guest stopped the size is exact: even the very last byte failing fails the snapshot.
    src.stop();
    await fails((await sizeNow()) - 1);
    src.cont();
    const steps = src.guest.state.steps;
    await new Promise((r) => setTimeout(r, 60));
    expect(src.guest.state.steps).toBeGreaterThan(steps);
  });

  it("loads with the ordinary incoming path from a file, and QEMU's decoder reads it", async () => {
    const config = { memory: 4 * MiB, guest: { seed: 8, fill: 3 * MiB, pacing: { rate: 16 * MiB } } };
    const src = machine(config);
    src.setCapabilities([{ capability: "background-snapshot", state: true }]);
    src.setParameters({ "max-bandwidth": 8 * MiB });
    const t0 = watchT0(src);
    const path = join(dir, "live.mig");
    const migration = src.migrate(new FileOutputChannel(path));
    await migration.done;
    const records: string[] = [];
    for await (const r of readMigrationStream(await openFileInput(path))) if (r.kind === "configuration") records.push(...r.capabilities);
    expect(records).toEqual([]);
    const dst = machine({ memory: config.memory, incoming: true, startPaused: true });
    await dst.incoming(await openFileInput(path));
    expect(await dst.digest()).toEqual(await (await twinAt(config, t0.steps!)).digest());
  });

  it("refuses capabilities QEMU refuses with it and a synchronous step that would have to wait", async () => {
    const src = machine({ memory: 1 * MiB, snapshotQueuePages: 1, startPaused: true, guest: { fill: 1 * MiB } });
    expect(() => src.setCapabilities([{ capability: "background-snapshot", state: true }, { capability: "xbzrle", state: true }])).toThrow(
      "Background-snapshot is not compatible with xbzrle",
    );
    src.setCapabilities([{ capability: "background-snapshot", state: true }]);
    src.setParameters({ "max-bandwidth": 64 * 1024 });
    const migration = src.migrate(new MemoryOutputChannel());
    await new Promise((r) => setTimeout(r, 30));
    expect(() => src.step(1)).toThrow("use runSteps()");
    expect(() => src.populate(0, 4)).toThrow("live snapshot");
    src.cancelMigration();
    await migration.done;
    src.step(1);
  });
});

/** The snapshot source of the last live snapshot (kept on the migration's page source). */
function lastSnapshot(m: Machine): NonNullable<Machine["liveSnapshot"]> {
  const s = m.lastLiveSnapshot;
  if (!s) throw new Error("no live snapshot ran");
  return s;
}

function defaultWorkload() {
  return { pagesPerStep: 16, mix: { zero: 50, uniform: 10, duplicate: 15, random: 25 }, hotPercent: 0, hotStart: 0, hotPages: 0, duplicatePatterns: 16 };
}
