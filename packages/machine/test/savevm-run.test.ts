import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, readdirSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectHmp } from "@savevm/qmp/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { killAll, migrationStatus, startRun, waitFor, type RunProcess } from "./savevm-run.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "savevm-run-"));
});
afterEach(() => killAll());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function digest(p: RunProcess): Promise<{ ram: string; devices: string; steps: number }> {
  return p.qmp.execute("x-query-digest");
}

async function migrateBetween(scheme: "unix" | "tcp"): Promise<void> {
  const src = await startRun(`unix:${join(dir, `${scheme}-src.qmp`)}`, ["--memory", "32M", "--guest", "rate=8M,fill=8M,seed=7"]);
  const dst = await startRun(`unix:${join(dir, `${scheme}-dst.qmp`)}`, ["--memory", "32M", "--incoming", "defer", "-S"]);
  expect((await dst.qmp.execute("query-status")).status).toBe("inmigrate");
  await expect(dst.qmp.execute("migrate", { uri: "unix:/nonexistent" })).rejects.toThrow("Guest is waiting for an incoming migration");
  const listenUri = scheme === "unix" ? `unix:${join(dir, "mig.sock")}` : "tcp:127.0.0.1:0";
  await dst.qmp.execute("migrate-incoming", { uri: listenUri });
  await expect(dst.qmp.execute("migrate-incoming", { uri: listenUri })).rejects.toThrow("The incoming migration has already been started");
  const listening = (await dst.qmp.execute("query-migrate")) as { "socket-address": { type: string; path?: string; host?: string; port?: string }[] };
  const a = listening["socket-address"][0]!;
  const target = a.type === "unix" ? `unix:${a.path}` : `tcp:${a.host}:${a.port}`;

  await src.qmp.execute("migrate-set-capabilities", { capabilities: [{ capability: "events", state: true }] });
  await src.qmp.execute("migrate-set-parameters", { "max-bandwidth": 64 << 20, "downtime-limit": 100 });
  await src.qmp.execute("migrate", { uri: target });
  const info = await migrationStatus(src, ["completed", "failed"]);
  expect(info["status"]).toBe("completed");
  await migrationStatus(dst, ["completed"]);
  expect((await src.qmp.execute("query-status")).status).toBe("postmigrate");
  // The source was running: the destination (started with -S) ends paused, ready for cont.
  expect((await dst.qmp.execute("query-status")).status).toBe("paused");
  const atSwitchover = await digest(src);
  expect(atSwitchover.steps).toBeGreaterThan(0);
  expect(await digest(dst)).toEqual(atSwitchover);

  const names = src.events.map((e) => (e.event === "MIGRATION" ? `MIGRATION ${String(e.data?.["status"])}` : e.event));
  expect(names[0]).toBe("MIGRATION setup");
  expect(names).toContain("MIGRATION active");
  expect(names).toContain("STOP");
  expect(names.at(-1)).toBe("MIGRATION completed");
  expect(names.filter((n) => n === "MIGRATION_PASS").length).toBeGreaterThanOrEqual(2);

  await dst.qmp.execute("cont");
  expect((await dst.qmp.execute("query-status")).status).toBe("running");
  await src.qmp.execute("quit");
  expect(await src.exited).toBe(0);
  expect(src.events.some((e) => e.event === "SHUTDOWN" && e.data?.["reason"] === "host-qmp-quit")).toBe(true);
  dst.child.kill("SIGTERM");
  expect(await dst.exited).toBe(0);
}

describe("savevm run: two processes", () => {
  it("migrate a running guest over a unix socket; the destination equals the source at switchover", () => migrateBetween("unix"));
  it("migrate a running guest over tcp", () => migrateBetween("tcp"));

  it("migrate_cancel mid-migration keeps the source running", async () => {
    const src = await startRun(`unix:${join(dir, "cancel.qmp")}`, ["--memory", "32M", "--guest", "rate=4M,fill=16M"]);
    // A destination that accepts and never reads: the migration stalls on a full socket.
    const stuck: Socket[] = [];
    const sink = createServer((s) => {
      s.pause();
      stuck.push(s);
    });
    const sockPath = join(dir, "stuck.sock");
    await new Promise<void>((r) => sink.listen(sockPath, r));
    await src.qmp.execute("migrate-set-capabilities", { capabilities: [{ capability: "events", state: true }] });
    await src.qmp.execute("migrate", { uri: `unix:${sockPath}` });
    await migrationStatus(src, ["active"]);
    await new Promise((r) => setTimeout(r, 200));
    await src.qmp.execute("migrate_cancel");
    await migrationStatus(src, ["cancelled"]);
    expect((await src.qmp.execute("query-status")).status).toBe("running");
    const statuses = src.events.filter((e) => e.event === "MIGRATION").map((e) => e.data?.["status"]);
    expect(statuses).toEqual(["setup", "active", "cancelling", "cancelled"]);
    const before = await digest(src);
    await waitFor(async () => ((await digest(src)).steps > before.steps ? true : undefined), "the guest to keep running");
    for (const s of stuck) s.destroy();
    sink.close();
  });

  it("a destination that drops the connection at a random byte fails the migration; the source keeps running", async () => {
    const src = await startRun(`unix:${join(dir, "drop.qmp")}`, ["--memory", "32M", "--guest", "rate=4M,fill=16M"]);
    const limit = 1000 + Math.floor(Math.random() * 4_000_000);
    const sockPath = join(dir, "drop.sock");
    const sink = createServer((s) => {
      let got = 0;
      s.on("data", (d: Buffer) => {
        got += d.length;
        if (got >= limit) s.destroy();
      });
    });
    await new Promise<void>((r) => sink.listen(sockPath, r));
    await src.qmp.execute("migrate", { uri: `unix:${sockPath}` });
    const info = await migrationStatus(src, ["failed", "completed"]);
    expect(info["status"]).toBe("failed");
    expect(String(info["error-desc"])).toMatch(/Unable to write to socket|Broken pipe|Connection reset/);
    expect((await src.qmp.execute("query-status")).status).toBe("running");
    sink.close();
  });

  it("a file save replaced at a bad URI or failing keeps the previous file; a good one replaces it", async () => {
    const src = await startRun(`unix:${join(dir, "file.qmp")}`, ["--memory", "16M", "--guest", "rate=2M,fill=4M", "-S"]);
    const path = join(dir, "vm.state");
    writeFileSync(path, "previous");
    await expect(src.qmp.execute("migrate", { uri: "bogus:1" })).rejects.toThrow("Parameter 'uri' expects a valid migration protocol");
    expect((await src.qmp.execute("query-migrate")).status).toBe("failed");
    await src.qmp.execute("migrate", { uri: `file:${join(dir, "no-such-dir", "x")}` });
    expect((await migrationStatus(src, ["failed"]))["error-desc"]).toMatch(/Could not open/);
    expect(readFileSync(path, "utf8")).toBe("previous");
    await src.qmp.execute("migrate", { uri: `file:${path}` });
    await migrationStatus(src, ["completed"]);
    expect(readFileSync(path).subarray(0, 4).toString("latin1")).toBe("QEVM");
    expect(readdirSync(dir).filter((n) => n.includes(".part"))).toEqual([]);
  });

  it("a failed incoming load leaves the destination waiting; a good stream then loads", async () => {
    const small = await startRun(`unix:${join(dir, "small.qmp")}`, ["--memory", "16M", "--guest", "fill=2M,seed=3", "-S"]);
    const good = join(dir, "small.state");
    await small.qmp.execute("migrate", { uri: `file:${good}` });
    await migrationStatus(small, ["completed"]);
    const big = await startRun(`unix:${join(dir, "big.qmp")}`, ["--memory", "32M", "-S"]);
    const bigState = join(dir, "big.state");
    await big.qmp.execute("migrate", { uri: `file:${bigState}` });
    await migrationStatus(big, ["completed"]);

    const dst = await startRun(`unix:${join(dir, "retry.qmp")}`, ["--memory", "16M", "--incoming", "defer"]);
    await dst.qmp.execute("migrate-incoming", { uri: `file:${bigState}` });
    const failed = await migrationStatus(dst, ["failed"]);
    expect(failed["error-desc"]).toMatch(/^Size mismatch: guest\.ram: 0x2000000 != 0x1000000: Invalid argument/);
    expect((await dst.qmp.execute("query-status")).status).toBe("inmigrate");
    await dst.qmp.execute("migrate-incoming", { uri: `file:${good}` });
    await migrationStatus(dst, ["completed"]);
    expect(await digest(dst)).toEqual(await digest(small));
  });

  it("--incoming with a URI, an inherited fd, and exec: only when allowed", async () => {
    const src = await startRun(`unix:${join(dir, "uri-src.qmp")}`, ["--memory", "16M", "--guest", "fill=3M,seed=9", "-S", "--allow-exec"]);
    const file = join(dir, "uri.state");
    await expect(
      (await startRun(`unix:${join(dir, "noexec.qmp")}`, ["--memory", "16M", "-S"])).qmp.execute("migrate", { uri: `exec:cat > ${file}` }),
    ).rejects.toThrow("exec: migration is disabled");
    await src.qmp.execute("migrate", { uri: `exec:cat > '${file}'` });
    await migrationStatus(src, ["completed"]);
    const expected = await digest(src);

    const byUri = await startRun(`unix:${join(dir, "uri-dst.qmp")}`, ["--memory", "16M", "-S", "--incoming", `file:${file}`]);
    await migrationStatus(byUri, ["completed"]);
    expect(await digest(byUri)).toEqual(expected);

    const fd = openSync(file, "r");
    try {
      const byFd = await startRun(`unix:${join(dir, "fd-dst.qmp")}`, ["--memory", "16M", "-S", "--incoming", "fd:3"], { fd3: fd });
      await migrationStatus(byFd, ["completed"]);
      expect(await digest(byFd)).toEqual(expected);
    } finally {
      closeSync(fd);
    }
  });

  it("device state only: xen-save-devices-state and xen-load-devices-state", async () => {
    const a = await startRun(`unix:${join(dir, "xa.qmp")}`, ["--memory", "16M", "--guest", "rate=2M,seed=11"]);
    await waitFor(async () => ((await digest(a)).steps > 5 ? true : undefined), "guest steps");
    const file = join(dir, "devices.state");
    await a.qmp.execute("xen-save-devices-state", { filename: file, live: true });
    expect((await a.qmp.execute("query-status")).status).toBe("running");
    expect(a.events.map((e) => e.event)).toEqual(["STOP", "RESUME"]);
    const b = await startRun(`unix:${join(dir, "xb.qmp")}`, ["--memory", "16M"]);
    await expect(b.qmp.execute("xen-load-devices-state", { filename: file })).rejects.toThrow("Cannot update device state while vm is running");
    await b.qmp.execute("stop");
    await b.qmp.execute("xen-load-devices-state", { filename: file });
    const loaded = await digest(b);
    expect(loaded.steps).toBeGreaterThan(5);
    const bytes = readFileSync(file);
    expect(bytes.subarray(0, 8).toString("hex")).toBe("5145564d00000003");
  });

  it("serves HMP and human-monitor-command", async () => {
    const hmpPath = join(dir, "vm.hmp");
    const p = await startRun(`unix:${join(dir, "hmp.qmp")}`, ["--memory", "16M", "--hmp", `unix:${hmpPath}`, "-S"]);
    expect(await p.qmp.execute("human-monitor-command", { "command-line": "info status" })).toBe("VM status: paused (prelaunch)\r\n");
    const hmp = await connectHmp(`unix:${hmpPath}`);
    expect(await hmp.run("cont")).toBe("");
    expect(await hmp.run("info status")).toBe("VM status: running\n");
    expect(await hmp.run("nosuch")).toMatch(/unknown command: 'nosuch'/);
    hmp.close();
    const commands = ((await p.qmp.execute("query-commands")) as { name: string }[]).map((c) => c.name);
    for (const name of ["qmp_capabilities", "query-version", "query-status", "migrate", "migrate-incoming", "query-migrate", "migrate_cancel", "x-query-digest", "xen-save-devices-state", "getfd"]) {
      expect(commands).toContain(name);
    }
  });
});
