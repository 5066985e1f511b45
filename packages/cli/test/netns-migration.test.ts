/**
 * Migration between two "hosts": a savevm machine in each of two network namespaces joined by a
 * veth pair, migrating over tcp with multifd (2 channels) across the link. The monitors are unix
 * sockets in a temp directory, so this process reaches both without any network. Shaped with
 * `tc` (netem: rate and delay; tbf, rate only, on a kernel built without netem), the link
 * exercises `max-bandwidth`, `downtime-limit`, a guest pre-copy cannot keep up with, and
 * `auto-converge` throttling that makes it converge. Needs root.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { QmpClient } from "@savevm/qmp/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createHostPair, requireRoot, type HostPair, type NetnsHost } from "../src/test-support/netns.js";
import { closeAll, killAll } from "../src/test-support/child-processes.js";
import { SAVEVM_BIN } from "../src/test-support/run-cli.js";

/** Both ends carry the one UUID, as multifd's init packets require. */
const UUID = "6a1f0c3e-5b7d-4e29-8c41-2f9e0d7b3a65";
const PORT = 4444;
const LINK_MBIT = 20;
const DELAY_MS = 10;

let dir: string;
let pair: HostPair | undefined;
const children = new Set<ChildProcess>();
const clients = new Set<QmpClient>();
let machines = 0;

beforeAll(async () => {
  requireRoot();
  dir = await mkdtemp(join(tmpdir(), "savevm-netns-"));
});

afterEach(async () => {
  await closeAll(clients);
  await killAll(children);
  await pair?.down();
  pair = undefined;
});

afterAll(async () => {
  await pair?.down();
  if (dir) await rm(dir, { recursive: true, force: true });
});

type Info = {
  "total-time"?: number;
  status?: string;
  "error-desc"?: string;
  downtime?: number;
  "expected-downtime"?: number;
  "setup-time"?: number;
  "cpu-throttle-percentage"?: number;
  ram?: {
    mbps: number;
    transferred: number;
    "multifd-bytes": number;
    "dirty-sync-count": number;
    "precopy-bytes": number;
    "downtime-bytes": number;
  };
};

interface Machine {
  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T>;
}

/** `savevm run` inside `host`'s namespace, with its QMP socket in the temp directory. */
async function machine(host: NetnsHost, args: string[]): Promise<Machine> {
  const name = `m${machines++}`;
  const qmp = join(dir, `${name}.qmp`);
  const child = pair!.spawn(
    host,
    process.execPath,
    [SAVEVM_BIN, "run", "--uuid", UUID, "--qmp", `unix:${qmp}`, "--runtime-dir", join(dir, `${name}-run`), ...args],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  children.add(child);
  let stderr = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`savevm run in ${host.ns} did not start: ${stderr}`)), 10_000);
    child.stderr!.on("data", (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes("listening on")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`savevm run in ${host.ns} exited (${code}): ${stderr}`));
    });
  });
  const client = await QmpClient.connect(`unix:${qmp}`, {
    connectTimeoutMs: 5_000,
  });
  clients.add(client);
  return { execute: (command, a) => client.execute(command, a) };
}

async function multifd(m: Machine, caps: string[] = []): Promise<void> {
  await m.execute("migrate-set-capabilities", {
    capabilities: ["multifd", ...caps].map((capability) => ({
      capability,
      state: true,
    })),
  });
  await m.execute("migrate-set-parameters", { "multifd-channels": 2 });
}

/** A destination on host B listening on its link address, and a source on host A. */
async function hosts(guest: string, memory: string): Promise<{ source: Machine; dest: Machine }> {
  const dest = await machine(pair!.b, ["--memory", memory, "--incoming", "defer", "-S"]);
  await multifd(dest);
  await dest.execute("migrate-incoming", {
    uri: `tcp:${pair!.b.address}:${PORT}`,
  });
  const source = await machine(pair!.a, ["--memory", memory, "--guest", guest]);
  return { source, dest };
}

/** Polls query-migrate until it completed (a failure throws); `watch` sees every reply on the way. */
async function completed(m: Machine, what: string, timeoutMs: number, watch?: (info: Info) => void): Promise<Info> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await m.execute<Info>("query-migrate");
    watch?.(info);
    if (info.status === "completed") return info;
    if (info.status === "failed" || info.status === "cancelled") throw new Error(`${what}: ${info.status} ${info["error-desc"] ?? ""}`);
    if (Date.now() > deadline) throw new Error(`${what}: still ${String(info.status)} after ${timeoutMs} ms: ${JSON.stringify(info)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function digestsEqual(source: Machine, dest: Machine): Promise<void> {
  // Both are stopped now: the source in postmigrate, the destination paused (-S).
  expect(await source.execute("query-status")).toMatchObject({
    status: "postmigrate",
  });
  expect(await dest.execute("query-status")).toMatchObject({
    status: "paused",
  });
  const [a, b] = await Promise.all([source.execute<{ ram: string }>("x-query-digest"), dest.execute<{ ram: string }>("x-query-digest")]);
  expect(b.ram).toBe(a.ram);
}

describe("migration between two network namespaces", { timeout: 30_000 }, () => {
  it("multifd over tcp across the veth pair: the destination equals the source at switch-over", async () => {
    pair = await createHostPair();
    const { source, dest } = await hosts("fill=16M,rate=4M", "16M");
    await multifd(source);
    await source.execute("migrate", { uri: `tcp:${pair.b.address}:${PORT}` });
    const sent = await completed(source, "source", 20_000);
    expect(sent.ram!["multifd-bytes"]).toBeGreaterThan(0);
    await completed(dest, "destination", 10_000);
    await digestsEqual(source, dest);
  });

  it("on a slow link, pre-copy keeps to max-bandwidth and converges within downtime-limit", async () => {
    pair = await createHostPair();
    const shape = await pair.shape(LINK_MBIT, DELAY_MS);
    // Half the link, so savevm's limiter (not the link) sets the pace; the guest writes 64 KiB/s.
    const maxBandwidth = 1_250_000;
    const downtimeLimit = 300;
    const { source, dest } = await hosts("fill=6M,rate=64K,mix=random:100", "6M");
    await multifd(source);
    await source.execute("migrate-set-parameters", {
      "max-bandwidth": maxBandwidth,
      "downtime-limit": downtimeLimit,
    });
    await source.execute("migrate", { uri: `tcp:${pair.b.address}:${PORT}` });
    const sent = await completed(source, "source", 25_000);
    await completed(dest, "destination", 10_000);
    const ram = sent.ram!;
    // The guest ran during the copy: more than the one bulk pass, and the pages it wrote went again.
    expect(ram["dirty-sync-count"]).toBeGreaterThanOrEqual(2);
    expect(ram.transferred).toBeGreaterThan(6 << 20);
    // Pre-copy keeps to max-bandwidth (10 %: each 100 ms window may end a page over, and timers run late). The reported
    // throughput, as QEMU's, also counts the switch-over, which no limit holds back.
    const downtime = sent.downtime!;
    const precopyMs = sent["total-time"]! - sent["setup-time"]! - downtime;
    expect((ram["precopy-bytes"] * 1000) / precopyMs).toBeLessThanOrEqual(maxBandwidth * 1.1);
    const ceilingMbps = (((maxBandwidth * precopyMs) / 1000 + ram["downtime-bytes"]) * 8) / 1000 / (precopyMs + downtime);
    expect(ram.mbps).toBeLessThanOrEqual(ceilingMbps * 1.1);
    expect(ram.mbps).toBeGreaterThan(((maxBandwidth * 8) / 1e6) * 0.5);
    // Switch-over waited for what fits in downtime-limit at the measured rate (roughly: plus the link's delay).
    expect(ram["downtime-bytes"]).toBeLessThanOrEqual(maxBandwidth * (downtimeLimit / 1000) * 1.5);
    expect(downtime).toBeLessThanOrEqual(downtimeLimit * 1.5 + 2 * shape.delayMs);
    await digestsEqual(source, dest);
  });

  describe("a guest that dirties faster than the link carries", () => {
    // 90 % of 3 MiB/s of writes go to a 1 MiB hot set: each pass finds most of it dirty again.
    const guest = "fill=4M,rate=3M,mix=random:100,hot=90:256";
    const tuning = { "max-bandwidth": 2_000_000, "downtime-limit": 50 };

    it("does not converge without auto-converge", async () => {
      pair = await createHostPair();
      await pair.shape(LINK_MBIT, DELAY_MS);
      const { source } = await hosts(guest, "4M");
      await multifd(source);
      await source.execute("migrate-set-parameters", tuning);
      await source.execute("migrate", {
        uri: `tcp:${pair.b.address}:${PORT}`,
      });
      await new Promise((r) => setTimeout(r, 5_000));
      const info = await source.execute<Info>("query-migrate");
      expect(info.status).toBe("active");
      expect(info.ram!["dirty-sync-count"]).toBeGreaterThanOrEqual(4);
      expect(info["expected-downtime"]).toBeGreaterThan(tuning["downtime-limit"]);
      // Without the capability QEMU reports no throttle.
      expect(info["cpu-throttle-percentage"]).toBeUndefined();
      await source.execute("migrate_cancel");
      expect(await source.execute("query-status")).toMatchObject({
        status: "running",
      });
    });

    it("converges once auto-converge throttles the guest, and drops the throttle at the end", async () => {
      pair = await createHostPair();
      await pair.shape(LINK_MBIT, DELAY_MS);
      const { source, dest } = await hosts(guest, "4M");
      await multifd(source, ["auto-converge"]);
      await source.execute("migrate-set-parameters", {
        ...tuning,
        "cpu-throttle-initial": 30,
        "cpu-throttle-increment": 20,
      });
      await source.execute("migrate", {
        uri: `tcp:${pair.b.address}:${PORT}`,
      });
      const seen: number[] = [];
      const sent = await completed(source, "source", 25_000, (info) => {
        if (info.status === "active") seen.push(info["cpu-throttle-percentage"] ?? -1);
      });
      await completed(dest, "destination", 10_000);
      // Throttled from 0 upward in steps of the parameters, never above max-cpu-throttle.
      expect(seen[0]).toBe(0);
      const levels = [...new Set(seen)];
      expect(levels).toContain(30);
      expect(levels.every((p) => p === 0 || (p >= 30 && p <= 99 && (p - 30) % 20 === 0) || p === 99)).toBe(true);
      expect(sent["cpu-throttle-percentage"]).toBe(0);
      await digestsEqual(source, dest);
    });
  });
});
