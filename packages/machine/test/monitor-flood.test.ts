/**
 * 64 clients flood a real `savevm run` on three QMP sockets and one HMP socket for 8 s with
 * garbage and valid commands. The server keeps answering `query-status` on a probe connection
 * (every probe answered, p99 reported and under 2 s), its RSS stays bounded (by the per-session
 * limits, well below what was sent), it does not exit,
 * and afterwards it still saves.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeFlood, floodMonitors } from "./monitor-flood.js";
import { migrationStatus, processSandbox, startRun, waitFor } from "./savevm-run.js";

const sandbox = processSandbox("savevm-flood-");

describe("monitor flood", () => {
  it("keeps answering, stays bounded in memory and still saves after 64 clients sent garbage for 8 s", async () => {
    const dir = sandbox();
    const qmp = ["a", "b", "c"].map((n) => `unix:${join(dir, `${n}.qmp`)}`);
    const hmp = `unix:${join(dir, "m.hmp")}`;
    const p = await startRun(qmp[0]!, [
      "--qmp",
      qmp[1]!,
      "--qmp",
      qmp[2]!,
      "--hmp",
      hmp,
      "--memory",
      "32M",
      "--guest",
      "rate=2M,fill=8M,seed=3",
    ]);
    await waitFor(async () => (p.addresses.length === 4 ? true : undefined), "all four monitors listening", 10_000);
    let exitedDuringFlood: number | null | undefined;
    void p.exited.then((code) => (exitedDuringFlood = code));

    const report = await floodMonitors({
      qmp,
      hmp: [hmp],
      pid: p.child.pid!,
      clients: 64,
      durationMs: 8_000,
      seed: 1,
      pauseMs: 5,
      probe: (ms) => p.qmp.execute("query-status", undefined, { timeoutMs: ms }),
      probeTimeoutMs: 5_000,
    });
    console.log(describeFlood(report));

    expect(exitedDuringFlood).toBeUndefined();
    expect(report.probes).toBeGreaterThan(20);
    expect(report.unanswered).toBe(0);
    expect(report.p99Ms).toBeLessThan(2_000);
    // Bounded by the limits, not by what was sent (~0.5–0.9 GiB): each of the three QMP sessions may
    // hold one message up to QEMU's 64 MiB limit (and its parsed part), the HMP session one piece of
    // echo, waiting clients nothing; V8 also collects garbage lazily.
    expect(report.rssPeakKiB - report.rssStartKiB).toBeLessThan(400 * 1024);
    expect(report.bytesSent).toBeGreaterThan(2 * (report.rssPeakKiB - report.rssStartKiB) * 1024);
    // The flood reached the server: garbage and valid messages, and it answered them.
    expect(report.sent["invalid"]).toBeGreaterThan(100);
    expect(report.sent["valid"]).toBeGreaterThan(100);
    expect(report.sent["over-limit string"]).toBe(1);
    expect(report.replyLines).toBeGreaterThan(1000);

    // Afterwards the machine works as before: its own connection still talks, and a save completes.
    expect((await p.qmp.execute("query-status")).status).toBe("running");
    const file = join(dir, "after-flood.state");
    await p.qmp.execute("migrate", { uri: `file:${file}` });
    expect((await migrationStatus(p, ["completed", "failed"]))["status"]).toBe("completed");
    expect(statSync(file).size).toBeGreaterThan(1 << 20);
    await p.qmp.execute("quit");
    expect(await p.exited).toBe(0);
  }, 40_000);
});
