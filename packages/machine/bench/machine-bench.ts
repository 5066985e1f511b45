/**
 * `npm run bench -w @savevm/machine`: stop-and-save and restore of a 1 GiB guest holding
 * 768 MiB of mixed content (50% zero, 10% uniform, 15% duplicate, 25% random pages), the same
 * save with the x-dedup extension, a pre-copy migration while the guest dirties 50 MiB/s, a live
 * point-in-time snapshot (background-snapshot) while the guest dirties 100 MiB/s, and QEMU 7.2
 * (TCG, same RAM size, the same content placed with -device loader) saving to a file and loading
 * from it, in the same run.
 * Each timing is reported as the best and the median of --runs (default 5); restores alternate
 * with QEMU's and the median of the pairs' ratios is printed too. `--json` prints
 * machine-readable results. Disk and page-fault costs vary a lot between runs on shared hosts.
 */
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMachine, type Machine } from "@savevm/machine";
import { FileOutputChannel, nodeBackends, openFileInput } from "@savevm/machine/node";
import { killQemus, QemuPeer } from "./qemu-peer.js";

const GiB = 1 << 30;
const CONTENT_PAGES = (768 << 20) / 4096;
const QEMU_CONTENT_ADDR = 0x1000000;
const MIX = { zero: 50, uniform: 10, duplicate: 15, random: 25 };

const args = process.argv.slice(2);
const json = args.includes("--json");
const runsArg = args.indexOf("--runs");
const runs = runsArg >= 0 ? Math.max(1, Number(args[runsArg + 1])) : 5;
const log = (line: string): void => {
  if (!json) process.stderr.write(`${line}\n`);
};

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function best(values: number[]): number {
  return Math.min(...values);
}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

function machine(config: Parameters<typeof createMachine>[0]): Machine {
  return createMachine(config, nodeBackends());
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "savevm-machine-bench-"));
  try {
    log(`preparing a 1 GiB guest with 768 MiB of mixed content in ${dir}`);
    const source = machine({
      memory: GiB,
      startPaused: true,
      guest: { seed: 1, workload: { ...defaultWorkload(), mix: MIX } },
    });
    source.populate(0, CONTENT_PAGES);
    source.setParameters({ "max-bandwidth": 0 });
    const contentFile = join(dir, "content.bin");
    const fd = openSync(contentFile, "w");
    for (let at = 0; at < CONTENT_PAGES * 4096; ) {
      const span = source.mainRam.memory.span(at, 16 << 20);
      writeSync(fd, span);
      at += span.length;
    }
    closeSync(fd);

    // ---- ours: stop-and-save, restore ----------------------------------------------------
    // Saves alternate too, ours then QEMU's (a fresh process each time: QEMU refuses a second
    // migrate after a completed one).
    const ourFile = join(dir, "ours.mig");
    const qemuFile = join(dir, "qemu.mig");
    const saveMs: number[] = [];
    const qemuSaveMs: number[] = [];
    const savePairs: number[] = [];
    let ourBytes = 0;
    let qemuBytes = 0;
    for (let r = 0; r < runs; r++) {
      rmSync(ourFile, { force: true });
      await sleep(200);
      const t0 = performance.now();
      const migration = source.migrate(new FileOutputChannel(ourFile));
      await migration.done;
      saveMs.push(performance.now() - t0);
      if (migration.status !== "completed") throw new Error(`save ${migration.status}: ${migration.error ?? ""}`);
      ourBytes = statSync(ourFile).size;
      // Like QEMU, a machine that completed a migration will not migrate again until it runs
      // or is reset; the reset keeps RAM, so the next save writes the same pages.
      if (r < runs - 1) source.systemReset();
      const peer = await QemuPeer.start(dir, "src", "1G", [
        "-device",
        `loader,file=${contentFile},addr=0x${QEMU_CONTENT_ADDR.toString(16)},force-raw=on`,
      ]);
      await peer.qmp.execute("migrate-set-parameters", { "max-bandwidth": 9223372036853727232n });
      await sleep(200);
      const qemuSave = await peer.save(qemuFile);
      await peer.stop();
      qemuSaveMs.push(qemuSave.ms);
      qemuBytes = qemuSave.bytes;
      savePairs.push(saveMs.at(-1)! / qemuSave.ms);
      log(
        `  save #${r + 1}: savevm ${saveMs.at(-1)!.toFixed(0)} ms, ${ourBytes} bytes; QEMU ${qemuSave.ms.toFixed(0)} ms, ${
          qemuSave.bytes
        } bytes (${savePairs.at(-1)!.toFixed(2)}x)`,
      );
    }
    const expected = await source.digest();
    // ---- ours: the same save with x-dedup --------------------------------------------------
    source.systemReset();
    source.setCapabilities([{ capability: "x-dedup", state: true }]);
    const dedupFile = join(dir, "dedup.mig");
    const dedupStart = performance.now();
    const dedupMigration = source.migrate(new FileOutputChannel(dedupFile));
    await dedupMigration.done;
    const dedupMs = performance.now() - dedupStart;
    if (dedupMigration.status !== "completed") throw new Error(`dedup save ${dedupMigration.status}: ${dedupMigration.error ?? ""}`);
    const dedupBytes = statSync(dedupFile).size;
    const dedupPages = source.ramHandler.stats.dedup;
    {
      const target = machine({
        memory: GiB,
        incoming: true,
        startPaused: true,
      });
      await target.incoming(await openFileInput(dedupFile));
      const got = await target.digest();
      if (got.ram !== expected.ram || got.devices !== expected.devices) throw new Error("the dedup save restored a different machine");
      target.destroy();
    }
    log(`  savevm save with x-dedup: ${dedupMs.toFixed(0)} ms, ${dedupBytes} bytes, ${dedupPages} references`);
    source.destroy();
    gc();

    // ---- ours: live snapshot with the guest dirtying 100 MiB/s ------------------------------
    const snap = await liveSnapshots(dir, runs);
    gc();

    // ---- ours: pre-copy with the guest dirtying 50 MiB/s ----------------------------------
    const live = machine({
      memory: GiB,
      guest: {
        seed: 2,
        workload: { ...defaultWorkload(), mix: MIX },
        pacing: { rate: 50 << 20 },
      },
    });
    live.populate(0, CONTENT_PAGES);
    await sleep(500);
    const liveFile = join(dir, "live.mig");
    const stepsBefore = live.guest.state.steps;
    const t0 = performance.now();
    const liveMigration = live.migrate(new FileOutputChannel(liveFile));
    await liveMigration.done;
    const liveMs = performance.now() - t0;
    const liveInfo = live.queryMigrate();
    const dirtied = (live.guest.state.steps - stepsBefore) * live.guest.state.workload.pagesPerStep * 4096;
    log(`  savevm pre-copy: ${liveInfo.status}, ${liveMs.toFixed(0)} ms, downtime ${liveInfo.downtime} ms`);
    live.destroy();
    gc();

    // Restores alternate, ours then QEMU's, so that a host slowing down or speeding up mid-run
    // weighs on both alike; each pair's ratio is kept as well.
    const restoreMs: number[] = [];
    const qemuRestoreMs: number[] = [];
    const pairRatios: number[] = [];
    for (let r = 0; r < runs; r++) {
      gc();
      await sleep(200);
      const target = machine({
        memory: GiB,
        incoming: true,
        startPaused: true,
      });
      await sleep(100);
      const t0 = performance.now();
      await target.incoming(await openFileInput(ourFile));
      restoreMs.push(performance.now() - t0);
      if (r === 0) {
        const got = await target.digest();
        if (got.ram !== expected.ram || got.devices !== expected.devices) throw new Error("restored machine differs from the saved one");
      }
      target.destroy();
      const dst = await QemuPeer.start(dir, "dst", "1G", ["-incoming", "defer"]);
      await sleep(200);
      qemuRestoreMs.push(await dst.restore(qemuFile));
      await dst.stop();
      pairRatios.push(restoreMs.at(-1)! / qemuRestoreMs.at(-1)!);
      log(
        `  restore #${r + 1}: savevm ${restoreMs.at(-1)!.toFixed(0)} ms, QEMU ${qemuRestoreMs.at(-1)!.toFixed(0)} ms (${pairRatios
          .at(-1)!
          .toFixed(2)}x)`,
      );
    }

    const results = {
      runs,
      guest: { ram: GiB, content: CONTENT_PAGES * 4096, mix: MIX },
      savevm: {
        save: {
          seconds: best(saveMs) / 1000,
          bytes: ourBytes,
          all: saveMs.map((m) => m / 1000),
        },
        dedupSave: {
          seconds: dedupMs / 1000,
          bytes: dedupBytes,
          references: dedupPages,
        },
        liveSnapshot: snap,
        restore: {
          seconds: best(restoreMs) / 1000,
          all: restoreMs.map((m) => m / 1000),
        },
        precopy: {
          status: liveInfo.status,
          seconds: liveMs / 1000,
          downtimeMs: liveInfo.downtime,
          bytes: statSync(liveFile).size,
          passes: liveInfo.ram?.["dirty-sync-count"],
          guestDirtiedBytes: dirtied,
        },
      },
      qemu: {
        save: {
          seconds: best(qemuSaveMs) / 1000,
          bytes: qemuBytes,
          all: qemuSaveMs.map((m) => m / 1000),
        },
        restore: {
          seconds: best(qemuRestoreMs) / 1000,
          all: qemuRestoreMs.map((m) => m / 1000),
        },
      },
      ratio: {
        saveTime: best(saveMs) / best(qemuSaveMs),
        saveTimeMedian: median(saveMs) / median(qemuSaveMs),
        saveTimePairsMedian: median(savePairs),
        saveBytes: ourBytes / qemuBytes,
        restoreTime: best(restoreMs) / best(qemuRestoreMs),
        restoreTimeMedian: median(restoreMs) / median(qemuRestoreMs),
        restoreTimePairsMedian: median(pairRatios),
        dedupBytes: dedupBytes / qemuBytes,
      },
    };
    if (json) {
      process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      return;
    }
    const row = (name: string, seconds: string, med: string, bytes: string, vs: string): string =>
      `${name.padEnd(44)}${seconds.padStart(8)}${med.padStart(8)}${bytes.padStart(12)}  ${vs}`;
    const r = results.ratio;
    const out = [
      row(`case (${runs} runs)`, "best s", "median", "bytes", "savevm / QEMU 7.2 (best; median)"),
      row(
        "savevm stop-and-save 1 GiB (768 MiB mixed)",
        results.savevm.save.seconds.toFixed(3),
        (median(saveMs) / 1000).toFixed(3),
        String(ourBytes),
        `time ${r.saveTime.toFixed(2)}x; ${r.saveTimeMedian.toFixed(2)}x; median of pairs ${r.saveTimePairsMedian.toFixed(
          2,
        )}x (goal <= 0.5x), size ${r.saveBytes.toFixed(4)}x`,
      ),
      row(
        "QEMU 7.2 migrate to file (exec:cat)",
        results.qemu.save.seconds.toFixed(3),
        (median(qemuSaveMs) / 1000).toFixed(3),
        String(qemuBytes),
        "",
      ),
      row(
        "savevm restore (pairs alternate with QEMU's)",
        results.savevm.restore.seconds.toFixed(3),
        (median(restoreMs) / 1000).toFixed(3),
        "",
        `time ${r.restoreTime.toFixed(2)}x; ${r.restoreTimeMedian.toFixed(2)}x; median of pairs ${r.restoreTimePairsMedian.toFixed(
          2,
        )}x (goal <= 0.5x)`,
      ),
      row(
        "QEMU 7.2 incoming from file (exec:cat)",
        results.qemu.restore.seconds.toFixed(3),
        (median(qemuRestoreMs) / 1000).toFixed(3),
        "",
        "",
      ),
      row(
        "savevm save with x-dedup",
        (dedupMs / 1000).toFixed(3),
        "",
        String(dedupBytes),
        `size ${r.dedupBytes.toFixed(3)}x QEMU (goal <= 0.55x), ${dedupPages} references`,
      ),
      row(
        "savevm live snapshot, guest at 100 MiB/s",
        (snap.totalMs.median / 1000).toFixed(3),
        "",
        String(snap.fileBytes),
        `pause at T0 ${snap.pauseMs.median.toFixed(2)} ms median, ${snap.pauseMs.max.toFixed(
          2,
        )} ms max (goal <= 5); guest rate ${snap.rateRatio.median.toFixed(3)}x of ${(snap.baseRate / 2 ** 20).toFixed(
          0,
        )} MiB/s without (goal >= 0.9); file ${(snap.fileBytes / GiB).toFixed(3)}x RAM; queue high-water ${snap.queueHighWater}/${
          snap.queueCapacity
        } pages`,
      ),
      row(
        "savevm pre-copy, guest dirtying 50 MiB/s",
        results.savevm.precopy.seconds.toFixed(3),
        "",
        String(results.savevm.precopy.bytes),
        `downtime ${results.savevm.precopy.downtimeMs} ms, ${results.savevm.precopy.passes} passes, guest wrote ${(
          dirtied /
          2 ** 20
        ).toFixed(0)} MiB`,
      ),
    ];
    process.stdout.write(`${out.join("\n")}\n`);
  } finally {
    killQemus();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Spread {
  median: number;
  best: number;
  max: number;
  all: number[];
}

function spread(values: number[], better: "low" | "high"): Spread {
  return {
    median: median(values),
    best: better === "low" ? Math.min(...values) : Math.max(...values),
    max: Math.max(...values),
    all: values,
  };
}

/**
 * Live snapshots of a 1 GiB guest (768 MiB mixed content) writing 100 MiB/s: its write rate
 * without a snapshot over 2 s, then `runs` snapshots to a file, each timed (pause at T0, total)
 * with the guest's rate while it was written. The first one is restored and compared with the
 * guest replayed to T0.
 */
async function liveSnapshots(dir: string, runs: number) {
  const rate = 100 << 20;
  const guest = { seed: 3, workload: { ...defaultWorkload(), mix: MIX } };
  const live = machine({ memory: GiB, guest: { ...guest, pacing: { rate } } });
  live.populate(0, CONTENT_PAGES);
  await sleep(500);
  const bytesPerStep = live.guest.state.workload.pagesPerStep * 4096;
  const rateOver = async (ms: number): Promise<number> => {
    const s0 = live.guest.state.steps;
    const t0 = performance.now();
    await sleep(ms);
    return ((live.guest.state.steps - s0) * bytesPerStep * 1000) / (performance.now() - t0);
  };
  const baseRate = await rateOver(2000);
  live.setCapabilities([{ capability: "background-snapshot", state: true }]);
  live.setParameters({ "max-bandwidth": 0 });
  const file = join(dir, "snapshot.mig");
  const pause: number[] = [];
  const total: number[] = [];
  const ratio: number[] = [];
  let fileBytes = 0;
  let highWater = 0;
  let capacity = 0;
  for (let r = 0; r < runs; r++) {
    let stepsAtT0 = -1;
    const off = live.events.on((e) => {
      if (e.event === "STOP" && stepsAtT0 < 0) stepsAtT0 = live.guest.state.steps;
    });
    const t0 = performance.now();
    const migration = live.migrate(new FileOutputChannel(file));
    await migration.done;
    const ms = performance.now() - t0;
    off();
    if (migration.status !== "completed") throw new Error(`live snapshot ${migration.status}: ${migration.error ?? ""}`);
    const during = ((live.guest.state.steps - stepsAtT0) * bytesPerStep * 1000) / ms;
    pause.push(migration.pauseMs ?? 0);
    total.push(ms);
    ratio.push(during / baseRate);
    fileBytes = statSync(file).size;
    highWater = Math.max(highWater, live.lastLiveSnapshot!.queue.highWater);
    capacity = live.lastLiveSnapshot!.queue.capacity;
    log(
      `  savevm live snapshot #${r + 1}: pause ${pause.at(-1)!.toFixed(2)} ms, ${ms.toFixed(0)} ms, guest ${(during / 2 ** 20).toFixed(
        1,
      )} MiB/s (${ratio.at(-1)!.toFixed(3)}x), ${fileBytes} bytes`,
    );
    if (r === 0) {
      const target = machine({
        memory: GiB,
        incoming: true,
        startPaused: true,
      });
      await target.incoming(await openFileInput(file));
      const reference = machine({ memory: GiB, startPaused: true, guest });
      reference.populate(0, CONTENT_PAGES);
      reference.step(stepsAtT0);
      const [got, want] = [await target.digest(), await reference.digest()];
      if (got.ram !== want.ram || got.devices !== want.devices) throw new Error("the live snapshot is not the guest at T0");
      target.destroy();
      reference.destroy();
      gc();
    }
    await sleep(300);
  }
  live.destroy();
  return {
    guestRate: rate,
    baseRate,
    pauseMs: spread(pause, "low"),
    totalMs: spread(total, "low"),
    rateRatio: spread(ratio, "high"),
    fileBytes,
    queueHighWater: highWater,
    queueCapacity: capacity,
  };
}

function defaultWorkload() {
  return {
    pagesPerStep: 16,
    mix: MIX,
    hotPercent: 0,
    hotStart: 0,
    hotPages: 0,
    duplicatePatterns: 16,
  };
}

main().catch((err: unknown) => {
  killQemus();
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
