import { execFile } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createMachine } from "../src/backends.js";
import { nodeBackends } from "../src/node/node-backends.js";
import { CLI, digestOf, migrationStatus, processSandbox, startRun, type Digest } from "./savevm-run.js";

const sandbox = processSandbox("savevm-live-run-");

describe("live snapshots through savevm run and savevm demo", () => {
  it("QMP: background-snapshot + migrate file: while the guest runs; another process loads the guest of T0", async () => {
    const file = join(sandbox(), "live.mig");
    const src = await startRun(`unix:${join(sandbox(), "src.qmp")}`, ["--memory", "16M", "--guest", "rate=16M,fill=12M,seed=5"]);
    await src.qmp.execute("migrate-set-capabilities", {
      capabilities: [
        { capability: "background-snapshot", state: true },
        { capability: "events", state: true },
      ],
    });
    await src.qmp.execute("migrate-set-parameters", { "max-bandwidth": 8 << 20 });
    await src.qmp.execute("migrate", { uri: `file:${file}` });
    const info = await migrationStatus(src, ["completed", "failed"]);
    expect(info["status"]).toBe("completed");
    const names = src.events.map((e) => (e.event === "MIGRATION" ? `MIGRATION ${String(e.data?.["status"])}` : e.event));
    expect(names).toEqual(["MIGRATION setup", "MIGRATION active", "STOP", "RESUME", "MIGRATION completed"]);
    expect((await src.qmp.execute("query-status")).status).toBe("running");

    const dst = await startRun(`unix:${join(sandbox(), "dst.qmp")}`, ["--memory", "16M", "--incoming", "defer", "-S"]);
    await dst.qmp.execute("migrate-incoming", { uri: `file:${file}` });
    expect((await migrationStatus(dst, ["completed", "failed"]))["status"]).toBe("completed");
    const restored = await digestOf(dst);
    const twin = createMachine({ memory: 16 << 20, startPaused: true, guest: { seed: 5, fill: 12 << 20 } }, nodeBackends());
    twin.step(restored.steps);
    expect(restored).toEqual(await twin.digest());
    twin.destroy();
    // The source went on: its guest is past T0.
    expect((await digestOf(src)).steps).toBeGreaterThan(restored.steps);
  });

  it("savevm demo: the restored machine equals the source at T0", async () => {
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [CLI, "demo", "--memory", "16M", "--rate", "16M", "--dedup", "--json"], { timeout: 60_000 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.message}: ${stderr}`));
        else resolve(stdout);
      });
    });
    const report = JSON.parse(out) as {
      equal: boolean;
      pages: Record<string, number>;
      fileBytes: number;
      memory: number;
      digests: { t0: Digest; restored: Digest; sourceAtEnd: Digest };
    };
    expect(report.equal).toBe(true);
    expect(report.digests.restored).toEqual(report.digests.t0);
    expect(report.digests.sourceAtEnd.steps).toBeGreaterThan(report.digests.t0.steps);
    expect(Object.values(report.pages).reduce((a, b) => a + b, 0)).toBe((16 << 20) / 4096);
    expect(report.pages["dedup"]).toBeGreaterThan(0);
    expect(report.fileBytes).toBeLessThan(report.memory);
  });
});
