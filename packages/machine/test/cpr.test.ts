import { statSync } from "node:fs";
import { join } from "node:path";
import { summarizeStream } from "@savevm/format";
import { describe, expect, it } from "vitest";
import { createMachine } from "../src/backends.js";
import { openFileInput } from "../src/node/file-channel.js";
import { nodeBackends } from "../src/node/node-backends.js";
import { digestOf, migrationStatus, processSandbox, startRun } from "./savevm-run.js";

const sandbox = processSandbox("savevm-cpr-");

const MEMORY = 16 << 20;
const GUEST = "rate=6M,fill=8M,seed=3";

describe("checkpoint/restart for a live update (cpr-reboot, --memory-file)", () => {
  it("a new process with the same memory file continues where the old one stopped; a changed or missing file is refused", async () => {
    const memoryFile = join(sandbox(), "ram.img");
    const state = join(sandbox(), "cpr.state");
    const args = ["--memory", "16M", "--memory-file", memoryFile, "--guest", GUEST];

    const a = await startRun(`unix:${join(sandbox(), "a.qmp")}`, args);
    await new Promise((r) => setTimeout(r, 300));
    await a.qmp.execute("migrate-set-capabilities", { capabilities: [{ capability: "events", state: true }] });
    await a.qmp.execute("migrate-set-parameters", { mode: "cpr-reboot" });
    expect(((await a.qmp.execute("query-migrate-parameters")) as { mode: string }).mode).toBe("cpr-reboot");
    await a.qmp.execute("migrate", { uri: `file:${state}` });
    expect(await a.exited).toBe(0);
    const names = a.events
      .filter((e) => e.event !== "MIGRATION_PASS")
      .map((e) => (e.event === "MIGRATION" ? `MIGRATION ${String(e.data?.["status"])}` : e.event));
    expect(names).toEqual(["MIGRATION setup", "STOP", "MIGRATION active", "MIGRATION completed", "SHUTDOWN"]);
    expect(statSync(memoryFile).size).toBe(MEMORY);

    // Only the non-RAM state is in the stream: RAM stayed in the memory file.
    const summary = await summarizeStream(await openFileInput(state));
    expect(summary.configuration?.capabilities).toEqual(["x-ignore-shared"]);
    expect(summary.ram?.pages).toEqual({ zero: 0, uniform: 0, normal: 0, xbzrle: 0, compressed: 0, dedup: 0 });
    expect(summary.devices.map((d) => d.idstr)).toContain("memory-file");
    expect(statSync(state).size).toBeLessThan(8192);

    // The new process: same arguments, -S to look at it before it runs on.
    const b = await startRun(`unix:${join(sandbox(), "b.qmp")}`, [...args, "--incoming", "defer", "-S"]);
    await b.qmp.execute("migrate-incoming", { uri: `file:${state}` });
    expect((await migrationStatus(b, ["completed", "failed"]))["status"]).toBe("completed");
    const restored = await digestOf(b);
    expect((await b.qmp.execute("query-status")).status).toBe("paused");
    // The machine the old process had at the checkpoint: the deterministic guest, replayed.
    const twin = createMachine({ memory: MEMORY, startPaused: true, guest: { seed: 3, fill: 8 << 20 } }, nodeBackends());
    twin.step(restored.steps);
    expect(restored.steps).toBeGreaterThan(0);
    expect(restored).toEqual(await twin.digest());
    twin.destroy();
    await b.qmp.execute("cont");
    await new Promise((r) => setTimeout(r, 100));
    expect((await digestOf(b)).steps).toBeGreaterThan(restored.steps);
    b.child.kill("SIGTERM");
    await b.exited;

    // RAM changed in the file since the checkpoint (b ran on and wrote it back): refused.
    const changed = await startRun(`unix:${join(sandbox(), "c.qmp")}`, [...args, "--incoming", "defer", "-S"]);
    await changed.qmp.execute("migrate-incoming", { uri: `file:${state}` });
    const refused = await migrationStatus(changed, ["completed", "failed"]);
    expect(refused["status"]).toBe("failed");
    expect(refused["error-desc"]).toMatch(/^Memory file '.*ram\.img' does not match the checkpoint: its content changed since it was written/);
    expect((await changed.qmp.execute("query-status")).status).toBe("inmigrate");
    changed.child.kill("SIGTERM");
    await changed.exited;

    // No memory file at all.
    const none = await startRun(`unix:${join(sandbox(), "d.qmp")}`, ["--memory", "16M", "--guest", GUEST, "--incoming", "defer", "-S"]);
    await none.qmp.execute("migrate-incoming", { uri: `file:${state}` });
    expect((await migrationStatus(none, ["completed", "failed"]))["error-desc"]).toContain("this machine has none: start it with the same --memory-file");

    // A memory file of another size.
    await expect(startRun(`unix:${join(sandbox(), "e.qmp")}`, ["--memory", "32M", "--memory-file", memoryFile])).rejects.toThrow(
      `Memory file '${memoryFile}' has ${MEMORY} bytes, but guest RAM is ${2 * MEMORY} bytes`,
    );
  });

  it("refuses cpr-reboot together with background-snapshot", async () => {
    const p = await startRun(`unix:${join(sandbox(), "f.qmp")}`, ["--memory", "4M"]);
    await p.qmp.execute("migrate-set-capabilities", { capabilities: [{ capability: "background-snapshot", state: true }] });
    await p.qmp.execute("migrate-set-parameters", { mode: "cpr-reboot" });
    await expect(p.qmp.execute("migrate", { uri: `file:${join(sandbox(), "x.state")}` })).rejects.toThrow(
      "Migration mode cpr-reboot is not compatible with background-snapshot",
    );
    await expect(p.qmp.execute("migrate-set-parameters", { mode: "cpr-transfer" })).rejects.toThrow("Parameter 'mode' does not accept value 'cpr-transfer'");
  });
});
