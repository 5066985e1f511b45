/**
 * A monitor flood against a running `savevm run`: many raw socket clients on its QMP and HMP
 * monitors send garbage (random bytes, invalid JSON, unbalanced brackets, non-objects, strings
 * past QEMU's JSON limits, unknown commands, wrong argument types) mixed with valid read-only
 * commands, while a probe client times `query-status` and the server's RSS is sampled from
 * /proc/PID/status. Used by the flood test and by the machine bench.
 */
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";

export interface FloodOptions {
  /**
   * QMP addresses (`unix:PATH`). A monitor serves one client at a time, as QEMU's do; the others
   * wait their turn (or are turned away), so most flood connections also test that queue.
   */
  qmp: readonly string[];
  /** HMP addresses (`unix:PATH`). */
  hmp: readonly string[];
  /** The server's process id, for its RSS. */
  pid: number;
  clients: number;
  durationMs: number;
  seed: number;
  /** One `query-status` on a connection that already holds its monitor (it may not wait in the queue). */
  probe: (timeoutMs: number) => Promise<unknown>;
  /** Pause of each client between its messages (default 1 ms). */
  pauseMs?: number;
  /** How long a probe may wait for its reply before it counts as unanswered. */
  probeTimeoutMs: number;
}

export interface FloodReport {
  probes: number;
  unanswered: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Messages sent by the flood clients, by kind. */
  sent: Record<string, number>;
  bytesSent: number;
  /** CRLF-terminated lines the flood clients received back. */
  replyLines: number;
  /** Connections the server closed or that failed (the client reconnects). */
  reconnects: number;
  /** The flooding process's own worst event-loop delay: probe latencies include it. */
  clientLagMaxMs: number;
  rssStartKiB: number;
  rssPeakKiB: number;
  rssEndKiB: number;
}

const MiB = 1 << 20;

/** xorshift32: the flood is the same for a seed. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

export function rssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]);
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const VALID_QMP = [
  '{"execute": "query-status"}',
  '{"execute": "query-version", "id": 1}',
  '{"execute": "query-migrate"}',
  '{"execute": "query-migrate-parameters"}',
  '{"execute": "query-migrate-capabilities", "id": "c"}',
  '{"execute": "query-name"}',
  '{"execute": "query-commands"}',
  '{"execute": "human-monitor-command", "arguments": {"command-line": "info status"}}',
];

const BAD_QMP = [
  '{"execute": "no-such-command", "id": 7}',
  '{"execute": "query-status", "arguments": {"unexpected": 1}}',
  '{"execute": "migrate-set-parameters", "arguments": {"max-bandwidth": "fast"}}',
  '{"execute": "migrate-set-capabilities", "arguments": {"capabilities": [{"capability": 5, "state": "yes"}]}}',
  '{"execute": "human-monitor-command", "arguments": {"command-line": 42}}',
  '{"execute": 5}',
  '{"execute": "query-status", "arguments": []}',
  '{"exec-oob": "query-status"}',
  "[1, 2, 3]",
  '"just a string"',
  "42",
  "null",
  '{"execute": }',
  "{'execute': 'query-status'",
  "]]]]}}}}",
  "{{{{{{{{",
  '{"a": "\\u00"}',
  '{"a": 1e999999}',
  "\u0000\u0001\u0002\u001b[D",
];

const VALID_HMP = ["info status", "info version", "help", "info migrate", "info name", "info migrate_parameters", "info registers"];
const BAD_HMP = [
  "no_such_command",
  "info",
  "info no_such_thing",
  "migrate_set_parameter max-bandwidth fast",
  "\u001b[A\u001b[D\u0003",
  "\u001b[5~\u001b[999D\u007f\u007f",
];
// Past QEMU's line limit (4095 bytes). QEMU redraws the line for every byte typed: ~32 MiB of echo.
const HMP_LONG_LINE = Buffer.from("x".repeat(5000) + "\r");

// Past QEMU's nesting limit (1024) and token limit (2 Mi tokens); built once, they are large.
const DEEP_NESTING = Buffer.from("[".repeat(1100) + "]".repeat(1100) + "\n");
const MANY_TOKENS = Buffer.from("[" + "1,".repeat(2 * 1024 * 1024 + 8) + "1]\n");

/** One message for a QMP connection: mostly garbage, some valid, now and then a big one. */
function qmpMessage(random: () => number, big: boolean): { kind: string; bytes: Buffer } {
  const r = random();
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  if (big) {
    // Past QEMU's message limit (64 MiB), as one string: the server must drop it, not keep it.
    return { kind: "over-limit string", bytes: Buffer.from(`{"execute": "x", "arguments": {"s": "${"a".repeat(64 * MiB + 16)}"}}\n`) };
  }
  if (r < 0.3) return { kind: "valid", bytes: Buffer.from(pick(VALID_QMP) + "\n") };
  if (r < 0.65) return { kind: "invalid", bytes: Buffer.from(pick(BAD_QMP) + "\n") };
  if (r < 0.8) {
    const n = 1 + Math.floor(random() * 512);
    const bytes = Buffer.alloc(n);
    for (let i = 0; i < n; i++) bytes[i] = Math.floor(random() * 256);
    return { kind: "random bytes", bytes };
  }
  if (r < 0.88) return { kind: "deep nesting", bytes: DEEP_NESTING };
  if (r < 0.93)
    return { kind: "long string", bytes: Buffer.from(`{"execute": "query-status", "id": "${"z".repeat(Math.floor(random() * MiB))}"}\n`) };
  if (r < 0.935) return { kind: "many tokens", bytes: MANY_TOKENS };
  if (r < 0.98) return { kind: "unterminated", bytes: Buffer.from('{"execute": "query-status", "id": "never closed') };
  return { kind: "bad escape", bytes: Buffer.from('{"execute": "\\x41"}\n') };
}

function hmpMessage(random: () => number): { kind: string; bytes: Buffer } {
  const r = random();
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  if (r < 0.01) return { kind: "hmp long line", bytes: HMP_LONG_LINE };
  if (r < 0.4) return { kind: "hmp valid", bytes: Buffer.from(pick(VALID_HMP) + "\r") };
  if (r < 0.8) return { kind: "hmp invalid", bytes: Buffer.from(pick(BAD_HMP) + "\r") };
  const n = 1 + Math.floor(random() * 256);
  const bytes = Buffer.alloc(n);
  for (let i = 0; i < n; i++) bytes[i] = Math.floor(random() * 256);
  return { kind: "hmp random bytes", bytes };
}

function socketPath(address: string): string {
  if (!address.startsWith("unix:")) throw new Error(`the flood needs unix: monitor addresses, not ${address}`);
  return address.slice("unix:".length);
}

/** Runs the flood and the probe until `durationMs` has passed; never throws for what the server does. */
export async function floodMonitors(options: FloodOptions): Promise<FloodReport> {
  const deadline = Date.now() + options.durationMs;
  const sent: Record<string, number> = {};
  let bytesSent = 0;
  let replyLines = 0;
  let reconnects = 0;
  const rssStartKiB = rssKiB(options.pid);
  let rssPeakKiB = rssStartKiB;
  const sampler = setInterval(() => {
    try {
      rssPeakKiB = Math.max(rssPeakKiB, rssKiB(options.pid));
    } catch {
      // the process is gone: the test sees it from the probes and the exit
    }
  }, 100);
  const sockets = new Set<Socket>();
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();

  // One connection, kept until the server drops it or the time is up; then the client reconnects.
  async function session(address: string, hmp: boolean, random: () => number, bigOnce: { pending: boolean }): Promise<void> {
    const socket = connect(socketPath(address));
    sockets.add(socket);
    let closed = false;
    socket.on("data", (chunk: Buffer) => {
      for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, i + 1)) replyLines++;
    });
    socket.on("error", () => {});
    const gone = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    void gone.then(() => {
      closed = true;
      sockets.delete(socket);
    });
    await new Promise<void>((resolve) => {
      socket.once("connect", resolve);
      void gone.then(resolve);
    });
    // Most QMP sessions negotiate; some stay in capabilities mode and are refused everything.
    if (!hmp && random() < 0.8) socket.write('{"execute": "qmp_capabilities"}\n');
    while (!closed && Date.now() < deadline) {
      const big = !hmp && bigOnce.pending;
      if (big) bigOnce.pending = false;
      const { kind, bytes } = hmp ? hmpMessage(random) : qmpMessage(random, big);
      sent[kind] = (sent[kind] ?? 0) + 1;
      bytesSent += bytes.length;
      // Wait for the socket to drain: the server reads as fast as it answers, and so do we.
      if (!socket.write(bytes)) {
        await Promise.race([
          new Promise((r) => socket.once("drain", r)),
          gone,
          new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now()))),
        ]);
      }
      if (random() < 0.05) break; // hang up mid-conversation now and then
      // A busy client, not a spinning one: the flood measures the server, not this process.
      await new Promise((r) => setTimeout(r, options.pauseMs ?? 1));
    }
    socket.destroy();
    await gone;
  }

  async function client(index: number): Promise<void> {
    const random = prng(options.seed * 1000 + index + 1);
    const monitors = [...options.qmp.map((a) => ({ a, hmp: false })), ...options.hmp.map((a) => ({ a, hmp: true }))];
    const { a, hmp } = monitors[index % monitors.length]!;
    // Only client 1 (the first on the second QMP monitor, so it is served at once) sends the
    // string past the limit, once: that one is about the limit, not volume.
    const bigOnce = { pending: index === 1 };
    let first = true;
    while (Date.now() < deadline) {
      if (!first) reconnects++;
      first = false;
      const started = Date.now();
      await session(a, hmp, random, bigOnce);
      // Turned away at once (the monitor's queue is full): back off a little, as a real client would.
      if (Date.now() - started < 20) await new Promise((r) => setTimeout(r, 20 + random() * 30));
    }
  }

  const latencies: number[] = [];
  let unanswered = 0;
  async function probe(): Promise<void> {
    while (Date.now() < deadline) {
      const t = performance.now();
      try {
        await options.probe(options.probeTimeoutMs);
        latencies.push(performance.now() - t);
      } catch {
        unanswered++;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  try {
    await Promise.all([probe(), ...Array.from({ length: options.clients }, (_, i) => client(i))]);
  } finally {
    clearInterval(sampler);
    lag.disable();
    for (const s of sockets) s.destroy();
  }
  const sorted = latencies.sort((x, y) => x - y);
  return {
    probes: latencies.length + unanswered,
    unanswered,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? NaN,
    sent,
    bytesSent,
    replyLines,
    reconnects,
    clientLagMaxMs: lag.max / 1e6,
    rssStartKiB,
    rssPeakKiB,
    rssEndKiB: rssKiB(options.pid),
  };
}

/** The report as a few lines for humans. */
export function describeFlood(r: FloodReport): string {
  const kinds = Object.entries(r.sent)
    .sort((x, y) => y[1] - x[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
  return [
    `query-status while flooded: ${r.probes} probes, ${r.unanswered} unanswered, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(
      2
    )} ms, max ${r.maxMs.toFixed(2)} ms (the flooding process's own event loop lagged up to ${r.clientLagMaxMs.toFixed(0)} ms)`,
    `flood: ${(r.bytesSent / MiB).toFixed(1)} MiB sent (${kinds}); ${r.replyLines} reply lines; ${r.reconnects} reconnects`,
    `server RSS: ${(r.rssStartKiB / 1024).toFixed(1)} MiB at start, ${(r.rssPeakKiB / 1024).toFixed(1)} MiB peak, ${(
      r.rssEndKiB / 1024
    ).toFixed(1)} MiB at end`,
  ].join("\n");
}
