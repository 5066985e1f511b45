import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readSaveImageFile } from "@savevm/format/node";
import { QmpClient } from "@savevm/qmp/node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MachineRegistry } from "../registry/index.js";
import { spawnMachine, type SpawnedMachine } from "../spawn-machine.js";
import { restoreFromImage, type RestoredMachine } from "./restore.js";
import { HmpDriver } from "./hmp-driver.js";
import { QmpDriver } from "./qmp-driver.js";
import { saveToImage } from "./save.js";

/** savevm machines saved and restored through the library, each in its own process. */

let dir: string;
const pids: number[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "savevm-saveimage-"));
});

afterEach(async () => {
  for (const pid of pids.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone already
    }
  }
  await rm(dir, { recursive: true, force: true });
});

async function start(name: string, extra: { startPaused?: boolean } = {}): Promise<SpawnedMachine> {
  const machine = await spawnMachine({
    memory: 8 << 20,
    name,
    qmp: [`unix:${join(dir, `${name}.qmp`)}`],
    runtimeDir: join(dir, "run"),
    guest: "rate=4M,seed=7",
    register: true,
    ...extra,
  });
  pids.push(machine.pid);
  return machine;
}

async function qmp<T>(address: string, command: string, args?: object): Promise<T> {
  const client = await QmpClient.connect(address, { greetingTimeoutMs: 5000 });
  try {
    return await client.execute<T>(command, args);
  } finally {
    await client.close();
  }
}

function remember(restored: RestoredMachine): RestoredMachine {
  pids.push(restored.pid);
  return restored;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("monitor drivers against a savevm machine", () => {
  it("read the same facts and run state over QMP and over the text monitor", async () => {
    const hmp = `unix:${join(dir, "facts.hmp")}`;
    const machine = await spawnMachine({
      memory: 8 << 20,
      name: "facts",
      qmp: [`unix:${join(dir, "facts.qmp")}`],
      hmp,
      runtimeDir: join(dir, "run"),
    });
    pids.push(machine.pid);
    const q = await QmpDriver.connect(machine.addresses[0]!);
    const h = await HmpDriver.connect(hmp);
    try {
      const facts = await q.facts();
      expect(facts).toMatchObject({ name: "facts", memory: 8 << 20 });
      expect(await h.facts()).toEqual(facts);
      expect(await h.status()).toEqual(await q.status());
      await h.stop();
      expect(await q.status()).toEqual({ status: "paused", running: false });
      expect((await h.migration()).status).toBe((await q.migration()).status);
    } finally {
      await q.close();
      await h.close();
    }
  });
});

describe("saveToImage / restoreFromImage with savevm machines", () => {
  it("saves a running machine and restores the state it had, running again", async () => {
    const source = await start("busy");
    const address = source.addresses[0]!;
    await new Promise((r) => setTimeout(r, 200));
    const file = join(dir, "busy image.save");
    const progress: number[] = [];
    const saved = await saveToImage({
      target: "busy",
      file,
      registry: { runtimeDir: join(dir, "run") },
      afterSave: "keep",
      onProgress: (p) => progress.push(p.percent),
    });
    expect(saved).toMatchObject({ name: "busy", wasRunning: true, ended: "kept", channel: "unix" });
    expect(progress.at(-1)).toBe(100);
    // kept: stopped at the instant of the save, so its digest is the saved state
    const atSave = await qmp<{ ram: string; devices: string; steps: number }>(address, "x-query-digest");
    expect(atSave.steps).toBeGreaterThan(0);
    expect((await qmp<{ status: string }>(address, "query-status")).status).toBe("postmigrate");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const image = await readSaveImageFile(file);
    await image.stream.close();
    expect(image.header).toMatchObject({ complete: true, wasRunning: true, format: "raw" });
    await qmp(address, "quit");
    await source.exited;

    const paused = remember(await restoreFromImage({ file, runState: "paused", runtimeDir: join(dir, "run") }));
    expect(paused).toMatchObject({ kind: "savevm", name: "busy", state: "paused", wasRunning: true });
    expect(await qmp(paused.qmp[0]!, "x-query-digest")).toEqual(atSave);
    expect((await qmp<{ status: string }>(paused.qmp[0]!, "query-status")).status).toBe("paused");
    await qmp(paused.qmp[0]!, "quit");

    // no flag: was_running says run
    await waitGone(paused.pid);
    const running = remember(await restoreFromImage({ file, runtimeDir: join(dir, "run") }));
    expect(running.state).toBe("running");
    expect((await qmp<{ status: string }>(running.qmp[0]!, "query-status")).status).toBe("running");
    await new Promise((r) => setTimeout(r, 100));
    expect((await qmp<{ steps: number }>(running.qmp[0]!, "x-query-digest")).steps).toBeGreaterThan(atSave.steps);
    const registry = await MachineRegistry.open({ runtimeDir: join(dir, "run") });
    expect((await registry.find("busy"))?.pid).toBe(running.pid);
  });

  it("saves a paused machine (was_running 0), ends it with SIGTERM, and restores it paused", async () => {
    const source = await start("idle");
    await new Promise((r) => setTimeout(r, 100));
    await qmp(source.addresses[0]!, "stop");
    const before = await qmp(source.addresses[0]!, "x-query-digest");
    const file = join(dir, "idle.save");
    const saved = await saveToImage({ target: source.addresses[0]!, pid: source.pid, file, format: "gzip" });
    expect(saved).toMatchObject({ wasRunning: false, ended: "signal", format: "gzip" });
    expect(await source.exited).toBe(0);
    const xml = (await readSaveImageFile(file)).domainXml;
    expect(xml).toContain("<name>idle</name>");
    expect(xml).toContain("kind='savevm'");

    const restored = remember(await restoreFromImage({ file, runtimeDir: join(dir, "run") }));
    expect(restored.state).toBe("paused");
    expect(await qmp(restored.qmp[0]!, "x-query-digest")).toEqual(before);
  });

  it("refuses to restore a name or UUID that is active, with libvirt's words, starting nothing", async () => {
    const source = await start("dup");
    const file = join(dir, "dup.save");
    await saveToImage({ target: "dup", file, registry: { runtimeDir: join(dir, "run") }, afterSave: "keep" });
    await qmp(source.addresses[0]!, "cont");
    await expect(restoreFromImage({ file, runtimeDir: join(dir, "run") })).rejects.toThrow(
      "Requested operation is not valid: domain 'dup' is already active",
    );
    const registry = await MachineRegistry.open({ runtimeDir: join(dir, "run") });
    expect((await registry.list()).map((r) => r.name)).toEqual(["dup"]);
    // same UUID, other name
    const image = await readSaveImageFile(file);
    await image.stream.close();
    const renamed = image.domainXml.replace("<name>dup</name>", "<name>other</name>");
    const other = join(dir, "other.save");
    const { rewriteSaveImageXmlFile } = await import("@savevm/format/node");
    await writeFile(other, await readFile(file));
    await rewriteSaveImageXmlFile(other, renamed);
    await expect(restoreFromImage({ file: other, runtimeDir: join(dir, "run") })).rejects.toThrow(
      `operation failed: domain 'dup' is already defined with uuid ${(await registry.find("dup"))!.uuid}`,
    );
    // same name, other UUID
    const reuuid = join(dir, "reuuid.save");
    await writeFile(reuuid, await readFile(file));
    await rewriteSaveImageXmlFile(
      reuuid,
      image.domainXml.replace(/<uuid>[^<]*<\/uuid>/, "<uuid>11111111-2222-4333-8444-555555555555</uuid>"),
    );
    await expect(restoreFromImage({ file: reuuid, runtimeDir: join(dir, "run") })).rejects.toThrow(
      `operation failed: domain 'dup' already exists with uuid ${(await registry.find("dup"))!.uuid}`,
    );
    expect((await registry.list()).length).toBe(1);
  });

  it("keeps the machine running and an older image intact when the save fails", async () => {
    const second = await start("keep2");
    const file = join(dir, "keep.save");
    await writeFile(file, "an older image");
    const path = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      await expect(saveToImage({ target: "keep2", file, format: "xz", registry: { runtimeDir: join(dir, "run") } })).rejects.toThrow(
        "Compression program for xz image format in configuration file isn't available",
      );
    } finally {
      process.env.PATH = path;
    }
    expect(await readFile(file, "utf8")).toBe("an older image");
    expect((await qmp<{ status: string }>(second.addresses[0]!, "query-status")).status).toBe("running");
    expect(existsSync(file)).toBe(true);
  });
});

describe("saveToImage channels and cancelling", () => {
  it("saves over a TCP monitor through a unix socket it listens on, and quits the machine", async () => {
    const machine = await spawnMachine({ memory: 8 << 20, name: "remote", qmp: ["tcp:127.0.0.1:0"], runtimeDir: join(dir, "run") });
    pids.push(machine.pid);
    const address = machine.addresses[0]!;
    expect(address).toMatch(/^tcp:127\.0\.0\.1:\d+$/);
    const saved = await saveToImage({ target: address, file: join(dir, "remote.save") });
    // a TCP peer is not known to be local: no descriptor passing, no SIGTERM
    expect(saved).toMatchObject({ channel: "unix", ended: "quit", name: "remote" });
    expect(await machine.exited).toBe(0);
  });

  it("cancels on its AbortSignal: no image, an older one kept, the machine running again", async () => {
    const machine = await spawnMachine({
      memory: 32 << 20,
      name: "cancelled",
      qmp: [`unix:${join(dir, "cancelled.qmp")}`],
      runtimeDir: join(dir, "run"),
      guest: "rate=4M,seed=5,fill=30M",
    });
    pids.push(machine.pid);
    const file = join(dir, "cancelled.save");
    await writeFile(file, "older");
    const controller = new AbortController();
    const seen: number[] = [];
    const saving = saveToImage({
      target: "cancelled",
      file,
      registry: { runtimeDir: join(dir, "run") },
      signal: controller.signal,
      progressIntervalMs: 5,
      // abort once the stream is flowing
      onProgress: (p) => {
        seen.push(p.percent);
        controller.abort();
      },
    });
    await expect(saving).rejects.toThrow("operation aborted: migration out job: canceled by client");
    expect(seen.length).toBeGreaterThan(0);
    expect(await readFile(file, "utf8")).toBe("older");
    expect((await qmp<{ status: string }>(machine.addresses[0]!, "query-status")).status).toBe("running");
  });
});

async function waitGone(pid: number): Promise<void> {
  for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
}
