import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createMachine } from "../src/backends.js";
import { nodeBackends } from "../src/node/node-backends.js";
import { digestOf, migrationStatus, processSandbox, startRun, waitFor } from "./savevm-run.js";

const sandbox = processSandbox("savevm-cprsave-");

const MEMORY = 8 << 20;
const GUEST = "rate=4M,fill=4M,seed=5";

describe("cprsave / cprload (the Live Update series' syntax)", () => {
  it("cprsave writes a 0600 checkpoint, stops the guest and exits; a restart must load it; cprload does", async () => {
    const dir = sandbox();
    const memoryFile = join(dir, "ram.img");
    const args = ["--memory", "8M", "--memory-file", memoryFile, "--guest", GUEST, "--state-dir", dir];

    const a = await startRun(`unix:${join(dir, "a.qmp")}`, args);
    await new Promise((r) => setTimeout(r, 200));
    await expect(a.qmp.execute("cprsave", { file: "cpr.state", mode: "restart" })).rejects.toThrow("cprsave: bad mode restart");
    await expect(a.qmp.execute("cprsave", { file: "file:cpr.state", mode: "reboot" })).rejects.toThrow(
      "'file:' is a reserved prefix (only fd:NAME is understood); use ./file:cpr.state or an absolute path to mean a file of that name",
    );
    expect((await a.qmp.execute("query-status")).status).toBe("running");
    expect(await a.qmp.execute("cprinfo")).toEqual({ modes: ["reboot"] });
    await a.qmp.execute("cprsave", { file: "cpr.state", mode: "reboot" });
    expect(await a.exited).toBe(0);
    expect(a.events.map((e) => e.event)).toEqual(expect.arrayContaining(["STOP", "SHUTDOWN"]));
    // Relative to --state-dir, owner-only, and a mark beside the memory file until it is loaded.
    const state = join(dir, "cpr.state");
    expect(statSync(state).mode & 0o777).toBe(0o600);
    expect(existsSync(`${memoryFile}.checkpoint`)).toBe(true);

    // Fresh devices on the checkpoint's RAM are refused unless asked for.
    await expect(startRun(`unix:${join(dir, "b.qmp")}`, args)).rejects.toThrow(
      `Memory file '${memoryFile}' holds the RAM of a cpr-reboot checkpoint that was not loaded`,
    );
    await expect(startRun(`unix:${join(dir, "b.qmp")}`, [...args, "-S"])).rejects.toThrow("--force-fresh-boot");

    // Waiting for it, without --guest: cprload takes the checkpoint, and the guest runs on as before.
    const b = await startRun(`unix:${join(dir, "c.qmp")}`, [
      "--memory",
      "8M",
      "--memory-file",
      memoryFile,
      "--state-dir",
      dir,
      "--incoming",
      "defer",
      "-S",
    ]);
    await b.qmp.execute("cprload", { file: "cpr.state" });
    expect((await migrationStatus(b, ["completed", "failed"]))["status"]).toBe("completed");
    expect(existsSync(`${memoryFile}.checkpoint`)).toBe(false);
    const restored = await digestOf(b);
    const twin = createMachine({ memory: MEMORY, startPaused: true, guest: { seed: 5, fill: 4 << 20 } }, nodeBackends());
    twin.step(restored.steps);
    expect(restored).toEqual(await twin.digest());
    twin.destroy();
    await b.qmp.execute("cont");
    // Started without --guest, it runs the guest on at the pace the checkpoint carried.
    await waitFor(async () => ((await digestOf(b)).steps > restored.steps ? true : undefined), "the guest to run on");
    await expect(b.qmp.execute("cprload", { file: "cpr.state" })).rejects.toThrow("cprload called for a running VM");
    b.child.kill("SIGTERM");
    await b.exited;
  });

  it("--force-fresh-boot starts on the RAM of an unloaded checkpoint, says so, and drops the mark", async () => {
    const dir = sandbox();
    const memoryFile = join(dir, "fresh.img");
    const args = ["--memory", "4M", "--memory-file", memoryFile, "--state-dir", dir];
    const a = await startRun(`unix:${join(dir, "f1.qmp")}`, args);
    await a.qmp.execute("migrate-set-parameters", { mode: "cpr-reboot" });
    await a.qmp.execute("migrate", { uri: "file:fresh.state" });
    expect(await a.exited).toBe(0);
    expect(existsSync(join(dir, "fresh.state"))).toBe(true);
    const b = await startRun(`unix:${join(dir, "f2.qmp")}`, [...args, "--force-fresh-boot"]);
    expect(b.stderr()).toContain(`booting fresh devices on the RAM of an unloaded checkpoint in '${memoryFile}'`);
    expect(existsSync(`${memoryFile}.checkpoint`)).toBe(false);
    b.child.kill("SIGTERM");
    await b.exited;
  });

  it("refuses cpr-reboot without a memory file, and to a socket, before anything is written", async () => {
    const dir = sandbox();
    const p = await startRun(`unix:${join(dir, "g.qmp")}`, ["--memory", "4M", "--state-dir", dir]);
    await p.qmp.execute("migrate-set-parameters", { mode: "cpr-reboot" });
    const noFile =
      "Migration mode cpr-reboot keeps guest RAM in a memory file, and this machine has none: start it with --memory-file PATH";
    await expect(p.qmp.execute("migrate", { uri: "file:x.state" })).rejects.toThrow(noFile);
    await expect(p.qmp.execute("cprsave", { file: "x.state", mode: "reboot" })).rejects.toThrow(noFile);
    expect(existsSync(join(dir, "x.state"))).toBe(false);
    expect((await p.qmp.execute("query-status")).status).toBe("running");
    p.child.kill("SIGTERM");
    await p.exited;

    const q = await startRun(`unix:${join(dir, "h.qmp")}`, ["--memory", "4M", "--memory-file", join(dir, "h.img")]);
    await q.qmp.execute("migrate-set-parameters", { mode: "cpr-reboot" });
    for (const uri of ["tcp:127.0.0.1:1", `unix:${join(dir, "nobody.sock")}`]) {
      await expect(q.qmp.execute("migrate", { uri })).rejects.toThrow(
        `Migration mode cpr-reboot requires a transport that keeps the state after this process exits (e.g. file), not ${uri.slice(
          0,
          uri.indexOf(":"),
        )}:`,
      );
    }
    expect(
      await q.qmp.execute("human-monitor-command", {
        "command-line": "migrate -d tcp:127.0.0.1:1",
      }),
    ).toContain("requires a transport");
    expect((await q.qmp.execute("query-status")).status).toBe("running");
    q.child.kill("SIGTERM");
    await q.exited;
  });
});
