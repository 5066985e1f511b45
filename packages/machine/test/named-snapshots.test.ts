import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { QmpEvent } from "@savevm/qmp";
import { describe, expect, it } from "vitest";
import { digestOf, processSandbox, startRun, waitFor, type RunProcess } from "./savevm-run.js";

const sandbox = processSandbox("savevm-snapshots-");


/** Runs a snapshot job to its end: the job's status changes and its query-jobs entry. */
async function job(p: RunProcess, command: string, args: Record<string, unknown>): Promise<{ statuses: string[]; info: Record<string, unknown> }> {
  const id = String(args["job-id"]);
  const from = p.events.length;
  expect(await p.qmp.execute(command, args)).toEqual({});
  const info = await waitFor(async () => {
    const jobs = (await p.qmp.execute("query-jobs")) as Record<string, unknown>[];
    return jobs.find((j) => j["id"] === id && j["status"] === "concluded");
  }, `job ${id}`);
  const statuses = p.events
    .slice(from)
    .filter((e: QmpEvent) => e.event === "JOB_STATUS_CHANGE" && e.data?.["id"] === id)
    .map((e) => String(e.data?.["status"]));
  expect(await p.qmp.execute("job-dismiss", { id })).toEqual({});
  return { statuses, info };
}

const OK = ["created", "running", "waiting", "pending", "concluded"];
const FAILED = ["created", "running", "aborting", "concluded"];

describe("named snapshots in a snapshot directory (savevm run --snapshots)", () => {
  it("snapshot-save, -load and -delete as QMP jobs, HMP savevm/loadvm/delvm/info snapshots, kept across restarts", async () => {
    const snapshots = join(sandbox(), "store");
    const args = ["--memory", "8M", "--guest", "rate=2M,fill=4M,seed=11", "--snapshots", snapshots];
    const p = await startRun(`unix:${join(sandbox(), "a.qmp")}`, args);
    const node = { vmstate: "snapshots", devices: ["snapshots"] };

    // Saved while paused: exactly the state seen now.
    await p.qmp.execute("stop");
    const d0 = await digestOf(p);
    const saved = await job(p, "snapshot-save", { "job-id": "s1", tag: "snap1", ...node });
    expect(saved.statuses).toEqual(OK);
    expect(saved.info).toEqual({ id: "s1", type: "snapshot-save", status: "concluded", "current-progress": 1, "total-progress": 1 });
    expect(readdirSync(snapshots).sort()).toEqual(["1.vmstate", "index.json"]);
    const index = JSON.parse(readFileSync(join(snapshots, "index.json"), "utf8")) as { snapshots: { tag: string; vmStateSize: number }[] };
    expect(index.snapshots.map((s) => s.tag)).toEqual(["snap1"]);
    // Saved while running: the guest stops for the save and runs again after it.
    await p.qmp.execute("cont");
    const from = p.events.length;
    expect((await job(p, "snapshot-save", { "job-id": "s0", tag: "running", ...node })).statuses).toEqual(OK);
    expect(p.events.slice(from).filter((e) => e.event === "STOP" || e.event === "RESUME").map((e) => e.event)).toEqual(["STOP", "RESUME"]);
    expect((await p.qmp.execute("query-status")).status).toBe("running");

    // Errors, with QEMU's words, reported by the job.
    const again = await job(p, "snapshot-save", { "job-id": "s2", tag: "snap1", ...node });
    expect(again.statuses).toEqual(FAILED);
    expect(again.info["error"]).toBe("Snapshot 'snap1' already exists in one or more devices");
    expect((await job(p, "snapshot-save", { "job-id": "s3", tag: "x", vmstate: "snapshots", devices: [] })).info["error"]).toBe(
      "At least one device is required for snapshot",
    );
    expect((await job(p, "snapshot-save", { "job-id": "s4", tag: "x", vmstate: "disk9", devices: ["disk9"] })).info["error"]).toBe(
      "No block device node 'disk9'",
    );
    expect((await job(p, "snapshot-save", { "job-id": "s5", tag: "x", vmstate: "disk9", devices: ["snapshots"] })).info["error"]).toBe(
      "vmstate block device 'disk9' does not exist",
    );
    await p.qmp.execute("snapshot-delete", { "job-id": "busy", tag: "nosuch", devices: ["snapshots"] });
    await expect(p.qmp.execute("snapshot-delete", { "job-id": "busy", tag: "nosuch", devices: ["snapshots"] })).rejects.toThrow(
      "Job ID 'busy' already in use",
    );

    // Back to snap1: the machine equals what was saved.
    await new Promise((r) => setTimeout(r, 100));
    await p.qmp.execute("stop");
    expect((await digestOf(p)).steps).toBeGreaterThan(d0.steps);
    const loaded = await job(p, "snapshot-load", { "job-id": "l1", tag: "snap1", ...node });
    expect(loaded.statuses).toEqual(OK);
    const afterLoad = await digestOf(p);
    expect(afterLoad).toEqual(d0);
    expect((await p.qmp.execute("query-status")).status).toBe("paused");
    const missing = await job(p, "snapshot-load", { "job-id": "l2", tag: "nosuch", ...node });
    expect(missing.info["error"]).toBe("Snapshot 'nosuch' does not exist in one or more devices");
    expect(await digestOf(p)).toEqual(afterLoad);

    // HMP, through human-monitor-command.
    const hmp = (line: string): Promise<string> => p.qmp.execute("human-monitor-command", { "command-line": line });
    expect(await hmp("savevm snap2")).toBe("");
    const table = await hmp("info snapshots");
    expect(table.split("\r\n")[0]).toBe("List of snapshots present on all disks:");
    expect(table).toMatch(/\r\n-- {8}snap1 .*\r\n-- {8}running .*\r\n-- {8}snap2 /);
    expect(await hmp("loadvm nosuch")).toBe("Error: Snapshot 'nosuch' does not exist in one or more devices\r\n");
    expect(await hmp("delvm snap2")).toBe("");

    const deleted = await job(p, "snapshot-delete", { "job-id": "d1", tag: "snap2", devices: ["snapshots"] });
    expect(deleted.statuses).toEqual(OK);
    await p.qmp.execute("quit");
    await p.exited;

    // A new process with the same directory finds snap1 and restores it.
    const q = await startRun(`unix:${join(sandbox(), "b.qmp")}`, [...args, "-S"]);
    const again2 = await job(q, "snapshot-load", { "job-id": "l3", tag: "snap1", ...node });
    expect(again2.statuses).toEqual(OK);
    expect(await digestOf(q)).toEqual(afterLoad);
    expect(await q.qmp.execute("human-monitor-command", { "command-line": "info snapshots" })).toMatch(/-- {8}snap1 /);
  });
});
