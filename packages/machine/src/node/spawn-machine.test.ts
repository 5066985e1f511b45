import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MemorySaveImageSink } from "@savevm/format";
import { writeSaveImage } from "@savevm/format/node";
import { QmpClient } from "@savevm/qmp/node";
import { MachineRegistry } from "./registry/index.js";
import { runMachine, type RunningMachine } from "./run-machine.js";
import { spawnMachine, SpawnMachineError, type SpawnedMachine } from "./spawn-machine.js";

const MiB = 1 << 20;
let dir: string;
const spawned: SpawnedMachine[] = [];
const clients: QmpClient[] = [];
const inProcess: RunningMachine[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "savevm-spawn-"));
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => undefined);
  for (const m of inProcess.splice(0)) await m.shutdown();
  await Promise.all(
    spawned.splice(0).map(async (m) => {
      if (m.child.exitCode === null && m.child.signalCode === null) {
        m.child.kill("SIGKILL");
        await m.exited;
      }
    })
  );
  rmSync(dir, { recursive: true, force: true });
});

async function spawnIn(options: Parameters<typeof spawnMachine>[0]): Promise<SpawnedMachine> {
  const m = await spawnMachine({ runtimeDir: join(dir, "run"), logFile: join(dir, "machines.log"), ...options });
  spawned.push(m);
  return m;
}

async function qmp(address: string): Promise<QmpClient> {
  const client = await QmpClient.connect(address);
  clients.push(client);
  return client;
}

type Digest = { ram: string; devices: string; steps: number };

/** A source machine's migration stream (paused first unless `running`) and its digest when paused. */
async function sourceStream(running = false): Promise<{ bytes: Uint8Array; digest: Digest }> {
  const address = `unix:${join(dir, `source-${randomUUID()}.qmp`)}`;
  const source = await runMachine({ memory: 4 * MiB, qmp: [address], guest: "rate=4M,seed=3", log: () => undefined });
  inProcess.push(source);
  const client = await qmp(address);
  await new Promise((resolve) => setTimeout(resolve, 100));
  if (!running) await client.execute("stop");
  const digest = await client.execute<Digest>("x-query-digest");
  const file = join(dir, `source-${randomUUID()}.qemu`);
  await client.execute("migrate", { uri: `file:${file}` });
  for (let i = 0; i < 500; i++) {
    const status = (await client.execute<{ status?: string }>("query-migrate")).status;
    if (status === "completed") break;
    if (status === "failed") throw new Error("source migration failed");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { bytes: readFileSync(file), digest };
}

async function libvirtImage(stream: Uint8Array, wasRunning: boolean): Promise<Uint8Array> {
  const sink = new MemorySaveImageSink();
  const xml = `<domain type='kvm'><name>img</name><uuid>${randomUUID()}</uuid></domain>`;
  await writeSaveImage(
    sink,
    { domainXml: xml, wasRunning, format: "gzip" },
    (async function* () {
      yield stream;
    })()
  );
  return sink.bytes();
}

/** A pipe whose read end the machine inherits as fd 3; the write end stays here. */
function pipeTo(bytes: Uint8Array): { readFd: number; feed: () => void } {
  const fifo = join(dir, `pipe-${randomUUID()}`);
  if (spawnSync("mkfifo", ["-m", "600", fifo]).status !== 0) throw new Error(`mkfifo ${fifo} failed`);
  // Opened read-write, the writer's end never blocks; then the read end opens at once. Once the
  // writer closes, the machine (holding only the read end) sees the end of the stream.
  const writeFd = openSync(fifo, "r+");
  const readFd = openSync(fifo, "r");
  return {
    readFd,
    feed: () => {
      for (let at = 0; at < bytes.length; ) at += writeSync(writeFd, bytes, at, Math.min(60_000, bytes.length - at));
      closeSync(writeFd);
    },
  };
}

async function waitForStatus(client: QmpClient, want: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if ((await client.execute<{ status: string }>("query-status")).status === want) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`machine never reached ${want}`);
}

describe("spawnMachine", () => {
  it("starts a registered machine in its own process, says where it listens, unregisters on quit", async () => {
    const qmpAddress = `unix:${join(dir, "m.qmp")}`;
    const m = await spawnIn({ memory: 4 * MiB, qmp: [qmpAddress], hmp: `unix:${join(dir, "m.hmp")}`, name: "tiny" });
    expect(m.addresses).toEqual([qmpAddress, `unix:${join(dir, "m.hmp")}`]);
    expect(m.record).toMatchObject({
      name: "tiny",
      pid: m.pid,
      kind: "savevm",
      qmp: [qmpAddress],
      hmp: `unix:${join(dir, "m.hmp")}`,
      state: "running",
    });
    expect(m.pid).not.toBe(process.pid);
    const client = await qmp(qmpAddress);
    expect(await client.execute("query-name")).toEqual({ name: "tiny" });
    expect(await client.execute("query-uuid")).toEqual({ UUID: m.record!.uuid });

    const registry = await MachineRegistry.open({ runtimeDir: join(dir, "run") });
    await client.execute("stop");
    // the entry is rewritten right after the state changed
    let state: string | undefined;
    for (let i = 0; i < 500 && state !== "paused"; i++) {
      state = (await registry.find("tiny"))?.state;
      if (state !== "paused") await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(state).toBe("paused");
    await client.execute("quit").catch(() => undefined);
    expect(await m.exited).toBe(0);
    expect(await registry.list()).toEqual([]);
  });

  it("a machine that cannot start rejects with its error; the live one is untouched", async () => {
    const qmpAddress = `unix:${join(dir, "a.qmp")}`;
    const first = await spawnIn({ memory: 4 * MiB, qmp: [qmpAddress], name: "tiny" });
    const uuid = first.record!.uuid;
    const refusal = (options: Partial<Parameters<typeof spawnMachine>[0]>) =>
      spawnIn({ memory: 4 * MiB, qmp: [`unix:${join(dir, `${randomUUID()}.qmp`)}`], ...options }).catch(
        (e: unknown) => e as SpawnMachineError
      );

    const sameName = await refusal({ name: "tiny" });
    expect(sameName).toBeInstanceOf(SpawnMachineError);
    expect(sameName).toMatchObject({ code: "DOMAIN_EXISTS", message: `operation failed: domain 'tiny' already exists with uuid ${uuid}` });
    expect(await refusal({ name: "other", uuid })).toMatchObject({
      code: "DOMAIN_UUID_EXISTS",
      message: `operation failed: domain 'tiny' is already defined with uuid ${uuid}`,
    });
    expect(await refusal({ name: "tiny", uuid })).toMatchObject({
      code: "DOMAIN_ACTIVE",
      message: "Requested operation is not valid: domain 'tiny' is already active",
    });
    expect(await refusal({ guest: "bogus" })).toMatchObject({ code: "INVALID_ARGUMENT" });
    // its monitor socket is not taken over
    expect(await refusal({ name: "second", qmp: [qmpAddress] })).toMatchObject({ code: "ADDRESS_IN_USE" });
    // nor by an incoming migration listening there
    expect(await refusal({ name: "third", incoming: qmpAddress })).toMatchObject({
      code: "CHANNEL",
      message: `Failed to bind socket to '${join(dir, "a.qmp")}': Address already in use`,
    });
    const client = await qmp(qmpAddress);
    expect(await client.execute("query-name")).toEqual({ name: "tiny" });
    const registry = await MachineRegistry.open({ runtimeDir: join(dir, "run") });
    expect((await registry.list()).map((r) => r.name)).toEqual(["tiny"]);
  });

  it("restores through an inherited pipe: incoming defer, paused, migrate-incoming fd:3, cont", async () => {
    const { bytes, digest } = await sourceStream();
    const pipe = pipeTo(bytes);
    const qmpAddress = `unix:${join(dir, "t.qmp")}`;
    const m = await spawnIn({ memory: 4 * MiB, qmp: [qmpAddress], incoming: "defer", startPaused: true, stdio: [pipe.readFd] });
    closeSync(pipe.readFd);
    const client = await qmp(qmpAddress);
    await client.execute("migrate-incoming", { uri: "fd:3" });
    pipe.feed();
    await waitForStatus(client, "paused");
    expect(await client.execute("x-query-digest")).toEqual(digest);
    await client.execute("cont");
    expect((await client.execute<{ status: string }>("query-status")).status).toBe("running");
    expect(m.record?.state).toBe("inmigrate");
  });

  it("--incoming fd:3 takes a libvirt save image and follows its was_running, not the stream's run state", async () => {
    // libvirt stops the guest before it saves: the stream says paused, was_running says resume
    const paused = await sourceStream();
    // and a stream of a running guest in an image marked was_running=0 stays paused
    const running = await sourceStream(true);
    for (const wasRunning of [true, false]) {
      const { bytes, digest } = wasRunning ? paused : running;
      const pipe = pipeTo(await libvirtImage(bytes, wasRunning));
      const qmpAddress = `unix:${join(dir, `img-${wasRunning}.qmp`)}`;
      const log = join(dir, `img-${wasRunning}.log`);
      await spawnIn({ memory: 4 * MiB, qmp: [qmpAddress], incoming: "fd:3", stdio: [pipe.readFd], logFile: log });
      closeSync(pipe.readFd);
      pipe.feed();
      const client = await qmp(qmpAddress);
      await waitForStatus(client, wasRunning ? "running" : "paused");
      const before = await client.execute<Digest>("x-query-digest");
      expect(before.steps).toBeGreaterThanOrEqual(digest.steps);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const after = await client.execute<Digest>("x-query-digest");
      // resumed: the guest goes on; kept paused: nothing moves
      if (wasRunning) expect(after.steps).toBeGreaterThan(before.steps);
      else expect(after).toEqual(before);
      expect(readFileSync(log, "utf8")).toContain(
        wasRunning
          ? "libvirt save image (was_running=1, gzip): the guest resumes after the load"
          : "libvirt save image (was_running=0, gzip): the guest stays paused"
      );
    }
  });

  it("a start-time incoming load that fails ends the machine with status 1 and QEMU's words", async () => {
    const { bytes } = await sourceStream();
    const pipe = pipeTo(bytes.subarray(0, bytes.length >> 1));
    const log = join(dir, "fail.log");
    const m = await spawnIn({
      memory: 4 * MiB,
      qmp: [`unix:${join(dir, "f.qmp")}`],
      incoming: "fd:3",
      stdio: [pipe.readFd],
      logFile: log,
      name: "failing",
    });
    closeSync(pipe.readFd);
    pipe.feed();
    expect(await m.exited).toBe(1);
    expect(readFileSync(log, "utf8")).toMatch(/savevm: load of migration failed: /);
    const registry = await MachineRegistry.open({ runtimeDir: join(dir, "run") });
    expect(await registry.find("failing")).toBeUndefined();
  });

  it("a machine killed with SIGKILL drops out of the registry", async () => {
    const m = await spawnIn({ memory: 4 * MiB, qmp: [`unix:${join(dir, "k.qmp")}`], name: "doomed" });
    const registry = await MachineRegistry.open({ runtimeDir: join(dir, "run") });
    expect((await registry.find("doomed"))?.pid).toBe(m.pid);
    m.child.kill("SIGKILL");
    await m.exited;
    expect(await registry.find("doomed")).toBeUndefined();
  });
});
