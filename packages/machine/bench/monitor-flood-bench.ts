/**
 * `npm run bench -w @savevm/machine` (after the machine bench): the monitor flood of
 * test/monitor-flood.ts — 64 clients on three QMP sockets and one HMP socket, 8 s of garbage and
 * valid commands — against `savevm run` and against QEMU 7.2 with the same monitors, in the same
 * run. Prints `query-status` latency (p50, p99, max) on a probe connection and each process's RSS.
 * `--json` prints machine-readable results.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { QmpClient } from "@savevm/qmp/node";
import { describeFlood, floodMonitors, type FloodReport } from "../test/monitor-flood.js";
import { QEMU } from "./qemu-peer.js";

const CLI = fileURLToPath(new URL("../../../cli/bin/savevm.js", import.meta.url));
const json = process.argv.includes("--json");
const log = (line: string): void => {
  if (!json) process.stderr.write(`${line}\n`);
};

async function waitForSocket(address: string, child: ChildProcess): Promise<QmpClient> {
  const until = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${address}: the process exited with ${child.exitCode}`);
    try {
      return await QmpClient.connect(address);
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function flood(name: string, command: string, args: (qmp: string[], hmp: string) => string[], dir: string): Promise<FloodReport> {
  const qmp = ["a", "b", "c"].map((n) => `unix:${join(dir, `${name}-${n}.qmp`)}`);
  const hmp = `unix:${join(dir, `${name}-m.hmp`)}`;
  const child = spawn(command, args(qmp, hmp), { stdio: ["ignore", "ignore", "ignore"] });
  try {
    const probe = await waitForSocket(qmp[0]!, child);
    for (const other of qmp.slice(1)) await (await waitForSocket(other, child)).close();
    await new Promise((r) => setTimeout(r, 300));
    const report = await floodMonitors({
      qmp,
      hmp: [hmp],
      pid: child.pid!,
      clients: 64,
      durationMs: 8_000,
      seed: 1,
      probe: (ms) => probe.execute("query-status", undefined, { timeoutMs: ms }),
      probeTimeoutMs: 10_000,
    });
    if (child.exitCode !== null) throw new Error(`${name} exited during the flood (${child.exitCode})`);
    await probe.close();
    return report;
  } finally {
    child.kill("SIGKILL");
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "savevm-flood-bench-"));
  try {
    log("flooding savevm run (64 clients, 3 QMP + 1 HMP monitors, 8 s)");
    const savevm = await flood(
      "savevm",
      process.execPath,
      (q, h) => [CLI, "run", ...q.flatMap((a) => ["--qmp", a]), "--hmp", h, "--memory", "32M", "--guest", "rate=2M,fill=8M,seed=3"],
      dir
    );
    log(describeFlood(savevm));
    log("flooding QEMU 7.2 with the same monitors");
    const qemu = await flood(
      "qemu",
      QEMU,
      (q, h) => [
        "-accel",
        "tcg",
        "-display",
        "none",
        "-nodefaults",
        "-m",
        "32",
        ...q.flatMap((a) => ["-qmp", `${a},server=on,wait=off`]),
        "-monitor",
        `${h},server=on,wait=off`,
      ],
      dir
    );
    log(describeFlood(qemu));
    const figure = (r: FloodReport) => ({
      probes: r.probes,
      unanswered: r.unanswered,
      p50Ms: r.p50Ms,
      p99Ms: r.p99Ms,
      maxMs: r.maxMs,
      rssGrowthMiB: (r.rssPeakKiB - r.rssStartKiB) / 1024,
    });
    const results = { savevm: figure(savevm), qemu: figure(qemu), p99Ratio: savevm.p99Ms / qemu.p99Ms };
    if (json) {
      process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      return;
    }
    process.stdout.write(
      [
        "monitor flood (64 clients, 8 s)   probes  unanswered   p50 ms   p99 ms   max ms   RSS growth MiB",
        ...(["savevm", "qemu"] as const).map((k) => {
          const f = results[k];
          return `${k.padEnd(33)} ${String(f.probes).padStart(6)} ${String(f.unanswered).padStart(11)} ${f.p50Ms
            .toFixed(1)
            .padStart(8)} ${f.p99Ms.toFixed(1).padStart(8)} ${f.maxMs.toFixed(1).padStart(8)} ${f.rssGrowthMiB.toFixed(1).padStart(16)}`;
        }),
        `p99 savevm / QEMU: ${results.p99Ratio.toFixed(2)}x`,
      ].join("\n") + "\n"
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
