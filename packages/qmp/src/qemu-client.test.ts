import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { QmpError } from "./errors.js";
import { HmpClient } from "./hmp-client.js";
import { connectHmp, QmpClient } from "./node.js";
import { QEMU_BINARY, startQemu, stopAllQemu, type QemuProcess } from "./test-support/qemu.js";

/** The client against real QEMU 7.2 (`-accel tcg -display none -nodefaults -S -m 16`). */

let qemu: QemuProcess;
let client: QmpClient;

beforeAll(async () => {
  qemu = await startQemu({ hmp: true });
  client = await QmpClient.connect(`unix:${qemu.qmpPath}`, { greetingTimeoutMs: 10_000, commandTimeoutMs: 30_000 });
});

afterAll(async () => {
  await client?.close();
  await stopAllQemu();
});

describe("QmpClient against QEMU 7.2", () => {
  it("reads QEMU's greeting and negotiates OOB", () => {
    expect(client.greeting.version.qemu).toMatchObject({ major: 7, minor: 2 });
    expect(client.greeting.capabilities).toEqual(["oob"]);
    expect(client.oobEnabled).toBe(true);
  });

  it("drives stop/cont and sees RESUME and STOP", async () => {
    expect(await client.execute("query-status")).toEqual({ status: "prelaunch", singlestep: false, running: false });
    const events = client.listen(["STOP", "RESUME"]);
    await client.execute("cont");
    expect((await events.get({ timeoutMs: 10_000 })).event).toBe("RESUME");
    expect(await client.execute("query-status")).toMatchObject({ status: "running", running: true });
    await client.execute("stop");
    const stop = await events.get({ timeoutMs: 10_000 });
    expect(stop.event).toBe("STOP");
    expect(stop.timestamp.seconds).toBeGreaterThan(0);
    expect(await client.execute("query-status")).toMatchObject({ status: "paused", running: false });
    events.close();
  });

  it("keeps many calls in flight", async () => {
    const replies = await Promise.all(Array.from({ length: 40 }, () => client.execute("query-status")));
    expect(new Set(replies.map((r) => JSON.stringify(r))).size).toBe(1);
  });

  it("surfaces QEMU's error classes", async () => {
    await expect(client.execute("nosuch")).rejects.toMatchObject({ errorClass: "CommandNotFound", desc: "The command nosuch has not been found" });
    const err = await client.execute("migrate", { uri: "bogus:1" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QmpError);
    expect(err).toMatchObject({ errorClass: "GenericError", desc: "Parameter 'uri' expects a valid migration protocol" });
    await expect(client.execute("migrate", {})).rejects.toMatchObject({ desc: "Parameter 'uri' is missing" });
    await client.execute("migrate_cancel");
  });

  it("runs an out-of-band command", async () => {
    expect(await client.execute("query-yank", undefined, { oob: true })).toContainEqual({ type: "chardev", id: "compat_monitor0" });
  });

  it("runs HMP commands through human-monitor-command", async () => {
    const hmp = new HmpClient(client);
    expect(await hmp.run("info status")).toMatch(/^VM status: paused/);
    expect(await hmp.run("nosuch")).toBe("unknown command: 'nosuch'\n");
    await expect(hmp.run("nosuch", { throwOnError: true })).rejects.toMatchObject({ code: "HMP_ERROR" });
  });

  it("migrates to a unix socket and reports MIGRATION events", async () => {
    const dir = mkdtempSync(join(tmpdir(), "savevm-qmp-mig-"));
    const path = join(dir, "mig.sock");
    let received = Buffer.alloc(0);
    const sink = net.createServer((socket) => {
      socket.on("data", (d: Buffer) => {
        if (received.length < 64) received = Buffer.concat([received, d]).subarray(0, 64);
      });
    });
    await new Promise<void>((resolve) => sink.listen(path, resolve));
    try {
      await client.execute("migrate-set-capabilities", { capabilities: [{ capability: "events", state: true }] });
      const migration = client.listen("MIGRATION");
      await client.execute("migrate", { uri: `unix:${path}` });
      const statuses: string[] = [];
      while (statuses[statuses.length - 1] !== "completed" && statuses[statuses.length - 1] !== "failed") {
        statuses.push((await migration.get({ timeoutMs: 30_000 })).data!.status as string);
      }
      expect(statuses[0]).toBe("setup");
      expect(statuses).toContain("active");
      expect(statuses[statuses.length - 1]).toBe("completed");
      expect(received.subarray(0, 8)).toEqual(Buffer.from([0x51, 0x45, 0x56, 0x4d, 0, 0, 0, 3]));
      expect(await client.execute("query-migrate")).toMatchObject({ status: "completed" });
      migration.close();
    } finally {
      sink.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("HMP text monitor of QEMU 7.2", () => {
  it("strips QEMU's character echo and returns the output", async () => {
    const hmp = await connectHmp(`unix:${qemu.hmpPath!}`, { bannerTimeoutMs: 10_000 });
    try {
      expect(hmp.banner).toMatch(/^QEMU 7\.2\.\d+ monitor - type 'help' for more information$/);
      expect(await hmp.run("info status")).toMatch(/^VM status: /);
      expect(await hmp.run("nosuch")).toBe("unknown command: 'nosuch'\n");
      expect(await hmp.run("help stop")).toBe("stop|s  -- stop emulation\n");
      expect(await hmp.run("")).toBe("");
      expect(await hmp.run("stop")).toBe("");
      await expect(hmp.run("migrate", { throwOnError: true })).rejects.toMatchObject({ message: "migrate: string expected" });
    } finally {
      hmp.close();
    }
  });
});

describe("accept mode", () => {
  const children: ReturnType<typeof spawn>[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGKILL");
        await exited;
      }
    }
  });

  it("waits for QEMU to connect out and talks QMP", async () => {
    const dir = mkdtempSync(join(tmpdir(), "savevm-qmp-accept-"));
    try {
      const path = join(dir, "listen.sock");
      const accepted = QmpClient.accept(`unix:${path}`, {
        acceptTimeoutMs: 20_000,
        onListening: () => {
          children.push(spawn(QEMU_BINARY, ["-accel", "tcg", "-display", "none", "-nodefaults", "-S", "-m", "16", "-qmp", `unix:${path}`], { stdio: "ignore" }));
        },
      });
      const outgoing = await accepted;
      try {
        expect(outgoing.greeting.version.qemu.major).toBe(7);
        expect(await outgoing.execute("query-status")).toMatchObject({ status: "prelaunch" });
        const shutdown = outgoing.listen("SHUTDOWN");
        await outgoing.execute("quit");
        expect((await shutdown.get({ timeoutMs: 10_000 })).data).toMatchObject({ guest: false, reason: "host-qmp-quit" });
        await outgoing.closed;
        expect(outgoing.state).toBe("closed");
      } finally {
        await outgoing.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
