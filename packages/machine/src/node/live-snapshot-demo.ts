import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MachineDigest } from "../digest.js";
import { PAGE_SIZE } from "../guest/guest.js";
import { createMachine } from "../backends.js";
import type { Machine, MachineConfig } from "../machine.js";
import { FileOutputChannel, openFileInput } from "./file-channel.js";
import { nodeBackends } from "./node-backends.js";

export interface LiveSnapshotDemoOptions {
  /** Guest RAM in bytes (default 256 MiB). */
  memory?: number;
  /** Bytes of RAM the guest fills with its mix before it starts (default 3/4 of RAM). */
  fill?: number;
  /** Bytes per second the guest writes while it runs (default 64 MiB/s). */
  rate?: number;
  /** Milliseconds the guest runs before the snapshot (its write rate is measured then). */
  warmupMs?: number;
  /** Pages of the copy-before-write queue (default: the machine's). */
  queuePages?: number;
  /** Turn on the `x-dedup` extension. */
  dedup?: boolean;
  /** Where the snapshot goes (default: a temporary file, removed afterwards). */
  file?: string;
  seed?: number;
  /** Told about each step, for progress output. */
  onStep?: (line: string) => void;
}

export interface LiveSnapshotDemoReport {
  memory: number;
  fileBytes: number;
  file: string | undefined;
  /** Guest paused at T0, in milliseconds. */
  pauseMs: number;
  snapshotMs: number;
  restoreMs: number;
  /** Records the RAM section holds, by kind. */
  pages: { zero: number; uniform: number; dedup: number; normal: number };
  queue: { capacity: number; highWater: number; copied: number };
  guest: {
    /** Bytes per second before the snapshot and while it was written. */
    rateBefore: number;
    rateDuring: number;
    stalls: number;
    stalledMs: number;
    stepsAtT0: number;
    stepsAtEnd: number;
  };
  digests: { t0: MachineDigest; restored: MachineDigest; sourceAtEnd: MachineDigest };
  /** The restored machine equals the source at T0. */
  equal: boolean;
}

/**
 * The README's main job, as a function: a machine whose guest keeps writing RAM takes a live
 * point-in-time snapshot to a file; a second machine is restored from that file; the restored
 * digest is compared with the source's state at T0 (reproduced by replaying the deterministic
 * guest to T0's step count, so nothing has to be hashed while the guest is paused).
 */
export async function liveSnapshotDemo(options: LiveSnapshotDemoOptions = {}): Promise<LiveSnapshotDemoReport> {
  const memory = options.memory ?? 256 << 20;
  const fill = options.fill ?? Math.floor((memory * 3) / 4 / PAGE_SIZE) * PAGE_SIZE;
  const rate = options.rate ?? 64 << 20;
  const say = options.onStep ?? (() => undefined);
  const guest = { seed: options.seed ?? 1, fill };
  const config: MachineConfig = { memory, guest: { ...guest, pacing: { rate } }, ...(options.queuePages ? { snapshotQueuePages: options.queuePages } : {}) };
  const tempDir = options.file ? undefined : mkdtempSync(join(tmpdir(), "savevm-demo-"));
  const file = options.file ?? join(tempDir!, "live.mig");
  const machines: Machine[] = [];
  const machine = (c: MachineConfig): Machine => {
    const m = createMachine(c, nodeBackends());
    machines.push(m);
    return m;
  };
  try {
    say(`machine A: ${memory >> 20} MiB of RAM, ${fill >> 20} MiB filled, the guest writing ${(rate / 2 ** 20).toFixed(0)} MiB/s`);
    const source = machine(config);
    const warmup = options.warmupMs ?? 500;
    const before = { steps: source.guest.state.steps, at: performance.now() };
    await new Promise((r) => setTimeout(r, warmup));
    const bytesPerStep = source.guest.state.workload.pagesPerStep * PAGE_SIZE;
    const rateBefore = ((source.guest.state.steps - before.steps) * bytesPerStep * 1000) / (performance.now() - before.at);

    source.setCapabilities([
      { capability: "background-snapshot", state: true },
      { capability: "x-dedup", state: options.dedup ?? false },
    ]);
    source.setParameters({ "max-bandwidth": 0 });
    let stepsAtT0 = -1;
    source.events.on((e) => {
      if (e.event === "STOP" && stepsAtT0 < 0) stepsAtT0 = source.guest.state.steps;
    });
    say(`live snapshot of A to ${file} while its guest keeps writing`);
    const started = performance.now();
    const migration = source.migrate(new FileOutputChannel(file));
    await migration.done;
    const snapshotMs = performance.now() - started;
    if (migration.status !== "completed") throw new Error(`the snapshot ${migration.status}: ${migration.error ?? ""}`);
    const stepsAtEnd = source.guest.state.steps;
    const rateDuring = ((stepsAtEnd - stepsAtT0) * bytesPerStep * 1000) / snapshotMs;
    source.stop();
    const sourceAtEnd = await source.digest();
    const stats = source.ramHandler.stats;
    const snapshot = source.lastLiveSnapshot!;

    say("machine B: restored from the file");
    const restoredMachine = machine({ memory, incoming: true, startPaused: true });
    const restoreStart = performance.now();
    await restoredMachine.incoming(await openFileInput(file));
    const restoreMs = performance.now() - restoreStart;
    const restored = await restoredMachine.digest();

    say(`machine R: A's guest replayed to T0 (step ${stepsAtT0})`);
    const reference = machine({ memory, startPaused: true, guest });
    reference.step(stepsAtT0);
    const t0 = await reference.digest();

    return {
      memory,
      fileBytes: statSync(file).size,
      file: options.file,
      pauseMs: migration.pauseMs ?? 0,
      snapshotMs,
      restoreMs,
      pages: { zero: stats.duplicate - stats.uniform, uniform: stats.uniform, dedup: stats.dedup, normal: stats.normal },
      queue: { capacity: snapshot.queue.capacity, highWater: snapshot.queue.highWater, copied: snapshot.queue.copied },
      guest: { rateBefore, rateDuring, stalls: snapshot.stall.stalls, stalledMs: snapshot.stall.stalledMs, stepsAtT0, stepsAtEnd },
      digests: { t0, restored, sourceAtEnd },
      equal: t0.ram === restored.ram && t0.devices === restored.devices && t0.steps === restored.steps,
    };
  } finally {
    for (const m of machines) m.destroy();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  }
}
