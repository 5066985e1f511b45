/**
 * Two "hosts" for migration tests: two network namespaces of their own, joined by a veth pair
 * created inside them (the host's interfaces, addresses and routes are never touched), each with
 * its loopback up and one address of a private /30. `shape` limits the link with `tc`.
 * Needs root (CI runs the tests as root); refuses clearly otherwise.
 */
import { execFile, spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { isProcessAlive } from "@savevm/machine/node";

export interface NetnsHost {
  /** The namespace's name. */
  readonly ns: string;
  /** Its veth interface. */
  readonly dev: string;
  /** Its address on the link (without the prefix length). */
  readonly address: string;
}

/** How the link is shaped: `netem` (rate and delay), or `tbf` (rate only) on a kernel without netem. */
export interface LinkShape {
  qdisc: "netem" | "tbf";
  rateMbit: number;
  /** One-way delay added on each side; 0 with `tbf`. */
  delayMs: number;
}

export interface HostPair {
  readonly a: NetnsHost;
  readonly b: NetnsHost;
  /** Limits both directions of the link to `rateMbit` with `delayMs` of delay each way. */
  shape(rateMbit: number, delayMs: number): Promise<LinkShape>;
  /** Starts `command` inside `host`'s namespace. */
  spawn(host: NetnsHost, command: string, args: readonly string[], options?: SpawnOptions): ChildProcess;
  /** Deletes both namespaces (and with them the veth pair); safe to call again. */
  down(): Promise<void>;
}

let pairs = 0;

function ip(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("ip", args, { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`ip ${args.join(" ")}: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });
}

function inNs(ns: string, command: string, args: readonly string[]): Promise<string> {
  return ip(["netns", "exec", ns, command, ...args]);
}

/** Throws unless the process can create network namespaces (root). */
export function requireRoot(): void {
  if (process.getuid?.() !== 0) {
    throw new Error("the network namespace tests must run as root (they create namespaces and a veth pair with ip(8))");
  }
}

/**
 * Creates the two namespaces, named after this process's pid so runs side by side never meet.
 * A failure half-way removes whatever was made.
 */
export async function createHostPair(): Promise<HostPair> {
  requireRoot();
  await removeStale();
  const n = pairs++;
  const tag = `${process.pid}x${n}`;
  // The third octet keeps pairs of one run apart in ip's output; each namespace has its own stack anyway.
  const net = `10.231.${n % 256}`;
  const a: NetnsHost = {
    ns: `savevm-${tag}-a`,
    dev: `sv${tag}a`.slice(-15),
    address: `${net}.1`,
  };
  const b: NetnsHost = {
    ns: `savevm-${tag}-b`,
    dev: `sv${tag}b`.slice(-15),
    address: `${net}.2`,
  };
  let removed = false;
  const down = async (): Promise<void> => {
    if (removed) return;
    for (const h of [a, b]) {
      await ip(["netns", "del", h.ns]).catch((err: Error) => {
        // Already gone is fine: down is idempotent.
        if (!/No such file|not found|Invalid/i.test(err.message)) throw err;
      });
    }
    removed = true;
  };
  try {
    await ip(["netns", "add", a.ns]);
    await ip(["netns", "add", b.ns]);
    // Both ends are born inside their namespaces.
    await ip(["link", "add", a.dev, "netns", a.ns, "type", "veth", "peer", "name", b.dev, "netns", b.ns]);
    for (const h of [a, b]) {
      await inNs(h.ns, "ip", ["link", "set", "lo", "up"]);
      await inNs(h.ns, "ip", ["addr", "add", `${h.address}/30`, "dev", h.dev]);
      await inNs(h.ns, "ip", ["link", "set", h.dev, "up"]);
    }
  } catch (err) {
    await down().catch(() => undefined);
    throw err;
  }
  return {
    a,
    b,
    down,
    shape: async (rateMbit, delayMs) => {
      let shape: LinkShape | undefined;
      for (const h of [a, b]) {
        shape = await shapeDevice(h, rateMbit, delayMs);
      }
      return shape!;
    },
    spawn: (host, command, args, options = {}) => spawn("ip", ["netns", "exec", host.ns, command, ...args], options),
  };
}

/** Deletes namespaces of this naming left by a test process that was killed before its teardown. */
async function removeStale(): Promise<void> {
  const list = await ip(["netns", "list"]);
  for (const line of list.split("\n")) {
    const m = /^(savevm-(\d+)x\d+-[ab])\b/.exec(line.trim());
    if (m && Number(m[2]) !== process.pid && !isProcessAlive(Number(m[2]))) await ip(["netns", "del", m[1]!]).catch(() => undefined);
  }
}

async function shapeDevice(h: NetnsHost, rateMbit: number, delayMs: number): Promise<LinkShape> {
  const qdisc = (args: string[]): Promise<string> => inNs(h.ns, "tc", ["qdisc", "replace", "dev", h.dev, "root", ...args]);
  const rate = `${rateMbit}mbit`;
  try {
    await qdisc(["netem", "rate", rate, "delay", `${delayMs}ms`, "limit", "10000"]);
    return { qdisc: "netem", rateMbit, delayMs };
  } catch (err) {
    // Some kernels (minimal VMs, containers) are built without sch_netem; tbf still limits the rate.
    if (!/qdisc kind is unknown/i.test((err as Error).message)) throw err;
    await qdisc(["tbf", "rate", rate, "burst", "32kb", "latency", "400ms"]);
    return { qdisc: "tbf", rateMbit, delayMs: 0 };
  }
}
