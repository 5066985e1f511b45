/**
 * multifd against real QEMU 7.2, both ways, over unix and tcp with 2 and 4 channels, plus
 * savevm → savevm. Both ends are `-M none` machines (QEMU's has no CPU; savevm's `--machine none`
 * saves what QEMU's does), started with the same UUID, which QEMU requires in every channel's
 * init packet. RAM is compared by SHA-256: QEMU's pmemsave of its whole RAM against savevm's
 * `x-query-digest` (SHA-256 over its RAM blocks; `none` has just the one).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { QmpClient } from "@savevm/qmp/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GUEST_MIB, QemuVm, stopAll } from "../src/test-support/qemu-vm.js";
import { closeAll, killAll } from "../src/test-support/child-processes.js";
import { SAVEVM_BIN } from "../src/test-support/run-cli.js";

const UUID = "3d2c8a71-04f6-4b5e-9a1c-6e7f80912345";
const RAM = GUEST_MIB << 20;
/** Where QEMU's loader puts the pseudo-random data: 8 MiB, 2048 pages, 16 multifd packets. */
const DATA_ADDR = 0x100000;
const DATA_BYTES = 8 << 20;

let dir: string;
let blob: string;
const children = new Set<ChildProcess>();
const clients = new Set<QmpClient>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "savevm-multifd-"));
  blob = join(dir, "data.bin");
  // xorshift32: the same pages on every run, none of them zero or uniform.
  const data = new Uint32Array(DATA_BYTES / 4);
  let x = 0x9e3779b9;
  for (let i = 0; i < data.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data[i] = x >>> 0;
  }
  await writeFile(blob, new Uint8Array(data.buffer));
});

afterEach(async () => {
  await closeAll(clients);
  await killAll(children);
  await stopAll();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Savevm {
  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T>;
}

/** `savevm run --machine none` in the foreground, with a QMP socket; killed after each test. */
async function savevm(name: string, args: string[]): Promise<Savevm> {
  const qmp = join(dir, `${name}.qmp`);
  const child = spawn(
    process.execPath,
    [SAVEVM_BIN, "run", "--machine", "none", "--memory", `${GUEST_MIB}M`, "--uuid", UUID, "--qmp", `unix:${qmp}`, ...args],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  children.add(child);
  let stderr = "";
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on("data", (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes("listening on")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`savevm run exited (${code}): ${stderr}`)));
  });
  const client = await QmpClient.connect(`unix:${qmp}`, { connectTimeoutMs: 5_000 });
  clients.add(client);
  return { execute: (command, a) => client.execute(command, a) };
}

type Compression = "none" | "zlib";

async function multifd(
  m: { execute(c: string, a?: Record<string, unknown>): Promise<unknown> },
  channels: number,
  compression: Compression,
): Promise<void> {
  await m.execute("migrate-set-capabilities", { capabilities: [{ capability: "multifd", state: true }] });
  await m.execute("migrate-set-parameters", { "multifd-channels": channels, "multifd-compression": compression });
}

/** Polls query-migrate on either kind of machine until it completed (or failed, which throws). */
async function completed(m: { execute(c: string): Promise<unknown> }, what: string, timeoutMs = 30_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = (await m.execute("query-migrate")) as Record<string, unknown>;
    if (info.status === "completed") return info;
    if (info.status === "failed" || info.status === "cancelled")
      throw new Error(`${what}: ${String(info.status)} ${String(info["error-desc"] ?? "")}`);
    if (Date.now() > deadline) throw new Error(`${what}: still ${String(info.status)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The address a destination listens on, with the real port when 0 was asked for. */
async function listening(m: { execute(c: string): Promise<unknown> }, scheme: "unix" | "tcp"): Promise<string> {
  const info = (await m.execute("query-migrate")) as { "socket-address"?: { type: string; path?: string; host?: string; port?: string }[] };
  const a = info["socket-address"]?.[0];
  if (!a) throw new Error("the destination does not report where it listens");
  return scheme === "unix" ? `unix:${a.path}` : `tcp:127.0.0.1:${a.port}`;
}

function incomingUri(scheme: "unix" | "tcp", name: string): string {
  return scheme === "unix" ? `unix:${join(dir, `${name}.sock`)}` : "tcp:127.0.0.1:0";
}

async function pmemDigest(vm: QemuVm, name: string): Promise<string> {
  const file = join(dir, `${name}.pmem`);
  await vm.pmemsave(file, RAM);
  return createHash("sha256")
    .update(await readFile(file))
    .digest("hex");
}

const matrix: { scheme: "unix" | "tcp"; channels: number; compression: Compression }[] = [
  ...(["unix", "tcp"] as const).flatMap((scheme) => [2, 4].map((channels) => ({ scheme, channels, compression: "none" as const }))),
  // QEMU 7.2's zlib: one deflate stream per channel, sync-flushed at each packet.
  { scheme: "unix", channels: 2, compression: "zlib" },
  { scheme: "tcp", channels: 4, compression: "zlib" },
];

describe.each(matrix)("multifd over $scheme with $channels channels, compression $compression", ({ scheme, channels, compression }) => {
  it("QEMU 7.2 → savevm: RAM equals QEMU's pmemsave", async () => {
    const name = `q2s-${scheme}-${channels}-${compression}`;
    const qemu = await QemuVm.start({
      machine: "none",
      guest: false,
      args: ["-uuid", UUID, "-device", `loader,file=${blob},addr=${DATA_ADDR},force-raw=on`],
    });
    await qemu.execute("cont");
    const want = await pmemDigest(qemu, name);
    const dest = await savevm(name, ["--incoming", "defer", "-S"]);
    await multifd(dest, channels, compression);
    await dest.execute("migrate-incoming", { uri: incomingUri(scheme, name) });
    await multifd(qemu, channels, compression);
    await qemu.execute("migrate", { uri: await listening(dest, scheme) });
    const sent = await completed(qemu, "QEMU's migrate");
    // The data is incompressible: zlib's copy is no smaller.
    expect((sent.ram as { "multifd-bytes": number })["multifd-bytes"]).toBeGreaterThan(DATA_BYTES);
    await completed(dest, "savevm's incoming migration");
    expect(await dest.execute("query-status")).toMatchObject({ status: "paused" });
    expect((await dest.execute<{ ram: string }>("x-query-digest")).ram).toBe(want);
  });

  it("savevm → QEMU 7.2, guest running: QEMU's pmemsave equals savevm's RAM", async () => {
    const name = `s2q-${scheme}-${channels}-${compression}`;
    const qemu = await QemuVm.start({ machine: "none", guest: false, incoming: true, args: ["-uuid", UUID] });
    await multifd(qemu, channels, compression);
    await qemu.execute("migrate-incoming", { uri: incomingUri(scheme, name) });
    const source = await savevm(name, ["--guest", `fill=${GUEST_MIB}M,rate=4M`]);
    await multifd(source, channels, compression);
    await source.execute("migrate", { uri: await listening(qemu, scheme) });
    // When QEMU ends the load, savevm only sees a closed socket: QEMU's own words say why.
    const sent = await completed(source, "savevm's migrate").catch((err: Error) => {
      throw new Error(`${err.message}; QEMU's log: ${qemu.log.trim() || "(empty)"}`);
    });
    expect((sent.ram as { "multifd-bytes": number })["multifd-bytes"]).toBeGreaterThan(0);
    await qemu.waitMigration(30_000);
    expect(await source.execute("query-status")).toMatchObject({ status: "postmigrate" });
    expect(await pmemDigest(qemu, name)).toBe((await source.execute<{ ram: string }>("x-query-digest")).ram);
  });

  it("savevm → savevm, guest running: digests equal", async () => {
    const name = `s2s-${scheme}-${channels}-${compression}`;
    // Like two hosts: each machine in its own registry, as both carry the one UUID multifd wants.
    const dest = await savevm(`${name}-dst`, ["--incoming", "defer", "-S", "--runtime-dir", join(dir, `${name}-dst-run`)]);
    await multifd(dest, channels, compression);
    await dest.execute("migrate-incoming", { uri: incomingUri(scheme, name) });
    const source = await savevm(`${name}-src`, ["--guest", `fill=${GUEST_MIB}M,rate=4M`]);
    await multifd(source, channels, compression);
    await source.execute("migrate", { uri: await listening(dest, scheme) });
    await completed(source, "source");
    await completed(dest, "destination");
    const [a, b] = await Promise.all([source.execute<{ ram: string }>("x-query-digest"), dest.execute<{ ram: string }>("x-query-digest")]);
    expect(b.ram).toBe(a.ram);
  });
});
