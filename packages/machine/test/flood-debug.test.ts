import { join } from "node:path";
import { it } from "vitest";
import { describeFlood, floodMonitors } from "./monitor-flood.js";
import { processSandbox, startRun, waitFor } from "./savevm-run.js";
const sandbox = processSandbox("savevm-flood-");
it("debug", async () => {
  const dir = sandbox();
  const qmp = ["a", "b", "c"].map((n) => `unix:${join(dir, `${n}.qmp`)}`);
  const hmp = `unix:${join(dir, "m.hmp")}`;
  const p = await startRun(qmp[0]!, ["--qmp", qmp[1]!, "--qmp", qmp[2]!, "--hmp", hmp, "--memory", "32M", "--guest", "rate=2M,fill=8M,seed=3"]);
  console.log("started", p.addresses);
  await waitFor(async () => (p.addresses.length === 4 ? true : undefined), "all four", 10_000);
  console.log("all listening");
  const t = setInterval(() => {}, 3000);
  const report = await floodMonitors({ qmp, hmp: process.env.NOHMP ? [] : [hmp], pid: p.child.pid!, clients: Number(process.env.N ?? 8), durationMs: 3_000, seed: 1, probe: (ms) => p.qmp.execute("query-status", undefined, { timeoutMs: ms }), probeTimeoutMs: 5_000 });
  clearInterval(t);
  console.log(describeFlood(report));
}, 30_000);
