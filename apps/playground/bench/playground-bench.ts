/**
 * `npm run bench -w apps/playground` (after `npm run build`): the playground in Debian's
 * Chromium against Node, in the same run.
 *
 * - scanner GB/s on a 1 GiB mixed image, Chromium (bench.html) and Node (same code), three rounds
 *   alternating, and the median of the rounds' ratios (goal ≥ 0.9);
 * - a 1 GiB guest writing 100 MiB/s in the page: its live snapshot's pause at T0 (goal ≤ 5 ms)
 *   and the page's frame gaps while the snapshot runs (p95 goal ≤ 20 ms);
 * - stop-and-save of that guest to OPFS: time, and the peak JS heap of the page and the machine
 *   worker while it runs (goal: far below the state's size).
 *
 * `--json` prints the figures as JSON; `--bytes N` scans N bytes, `--guest N` runs an N-byte guest, instead of 1 GiB.
 */
import { prepareScan } from "../src/bench/bench-page.js";
import type { CDPSession } from "playwright-core";
import { CHROMIUM_ARGS, openPage, runOp, servePlayground, type Session } from "../test/harness.js";

const args = process.argv.slice(2);
const json = args.includes("--json");
const bytesArg = args.indexOf("--bytes");
const SCAN_BYTES = bytesArg >= 0 ? Number(args[bytesArg + 1]) : 1 << 30;
const guestArg = args.indexOf("--guest");
const GUEST = guestArg >= 0 ? Number(args[guestArg + 1]) : 1 << 30;
const say = (line: string) => {
  if (!json) process.stdout.write(`${line}\n`);
};

CHROMIUM_ARGS.push("--enable-precise-memory-info");

function p95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? 0;
}

/**
 * JS heap in use by the page and by each of its workers, from the DevTools protocol
 * (`Runtime.getHeapUsage`; workers are reached through the page's auto-attached targets).
 */
class HeapProbe {
  readonly #cdp: CDPSession;
  readonly #workers = new Map<string, string>();
  #next = 1;
  readonly #waiting = new Map<number, (usage: number) => void>();

  private constructor(cdp: CDPSession) {
    this.#cdp = cdp;
  }

  static async attach(s: Session): Promise<HeapProbe> {
    const cdp = await s.context.newCDPSession(s.page);
    const probe = new HeapProbe(cdp);
    cdp.on("Target.attachedToTarget", (e: { sessionId: string; targetInfo: { type: string; title: string } }) => {
      if (e.targetInfo.type === "worker") probe.#workers.set(e.sessionId, e.targetInfo.title);
    });
    cdp.on("Target.detachedFromTarget", (e: { sessionId: string }) => probe.#workers.delete(e.sessionId));
    cdp.on("Target.receivedMessageFromTarget", (e: { message: string }) => {
      const m = JSON.parse(e.message) as { id?: number; result?: { usedSize: number } };
      if (m.id !== undefined) probe.#waiting.get(m.id)?.(m.result?.usedSize ?? 0);
    });
    await cdp.send("Target.setAutoAttach", { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
    return probe;
  }

  async sample(): Promise<{ page: number; workers: number }> {
    const page = ((await this.#cdp.send("Runtime.getHeapUsage")) as { usedSize: number }).usedSize;
    let workers = 0;
    for (const sessionId of this.#workers.keys()) {
      const id = this.#next++;
      const used = await new Promise<number>((resolve) => {
        this.#waiting.set(id, resolve);
        setTimeout(() => resolve(0), 2000);
        void this.#cdp.send("Target.sendMessageToTarget", { sessionId, message: JSON.stringify({ id, method: "Runtime.getHeapUsage" }) });
      });
      this.#waiting.delete(id);
      workers = Math.max(workers, used);
    }
    return { page, workers };
  }
}

async function main(): Promise<void> {
  say(`scanner: ${SCAN_BYTES >> 20} MiB mixed image (50% zero, 10% uniform, 15% duplicate, 25% unique), median of 5, Node and Chromium alternating`);
  const nodeScan = prepareScan(SCAN_BYTES);
  const served = await servePlayground();
  let s: Session | undefined;
  try {
    s = await openPage(`${served.url}bench.html?bytes=${SCAN_BYTES}`, "#out");
    await s.page.waitForFunction(() => {
      const w = window as unknown as { scanBench?: unknown; benchError?: string };
      return w.scanBench !== undefined || w.benchError !== undefined;
    }, undefined, { timeout: 300_000 });
    const failed = await s.page.evaluate(() => (window as unknown as { benchError?: string }).benchError);
    if (failed) throw new Error(`in Chromium: ${failed}`);
    const rounds: { node: ReturnType<typeof nodeScan>; chromium: ReturnType<typeof nodeScan> }[] = [];
    for (let round = 0; round < 3; round++) {
      const node = nodeScan();
      const chromium = await s.page.evaluate(() => (window as unknown as { scanBench: (runs?: number) => unknown }).scanBench());
      rounds.push({ node, chromium: chromium as ReturnType<typeof nodeScan> });
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const node = { variant: rounds[0]!.node.variant, gbps: median(rounds.map((r) => r.node.gbps)), counts: rounds[0]!.node.counts };
    const chromium = { variant: rounds[0]!.chromium.variant, gbps: median(rounds.map((r) => r.chromium.gbps)), counts: rounds[0]!.chromium.counts };
    const ratio = median(rounds.map((r) => r.chromium.gbps / r.node.gbps));
    say(`  node      ${node.variant}  ${node.gbps.toFixed(2)} GB/s (rounds: ${rounds.map((r) => r.node.gbps.toFixed(2)).join(", ")})`);
    say(`  chromium  ${chromium.variant}  ${chromium.gbps.toFixed(2)} GB/s (rounds: ${rounds.map((r) => r.chromium.gbps.toFixed(2)).join(", ")})`);
    say(`  ratio chromium/node, median of the rounds' ratios: ${ratio.toFixed(3)} (goal >= 0.9: ${ratio >= 0.9 ? "met" : "not met"})`);
    if (JSON.stringify(chromium.counts) !== JSON.stringify(node.counts)) throw new Error(`Chromium and Node classify differently: ${JSON.stringify(chromium.counts)} vs ${JSON.stringify(node.counts)}`);
    await s.close();

    s = await openPage(served.url);
    const page = s.page;
    say(`live snapshot: a ${GUEST / 2 ** 20} MiB guest, 3/4 filled, writing 100 MiB/s`);
    await page.selectOption("#memory", String(GUEST));
    await page.fill("#rate", "100");
    await page.click("#create");
    await page.waitForFunction(() => /running/.test(document.getElementById("map-status")?.textContent ?? ""), undefined, { timeout: 300_000 });
    await page.waitForTimeout(1000);
    await page.evaluate(() => {
      const w = window as unknown as { gaps: number[]; recording: boolean; playgroundDrawMs: number[]; drawsFrom: number };
      w.gaps = [];
      w.drawsFrom = w.playgroundDrawMs.length;
      w.recording = true;
      let last = performance.now();
      const frame = (t: number) => {
        w.gaps.push(t - last);
        last = t;
        if (w.recording) requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    });
    await page.fill("#snap-name", "bench-live");
    if ((await runOp(page, "source", "live-snapshot", () => page.click("#live"), 600_000)) !== "live-snapshot:completed") throw new Error(await page.textContent("#ops-a") ?? "");
    const { gaps, draws } = await page.evaluate(() => {
      const w = window as unknown as { gaps: number[]; recording: boolean; playgroundDrawMs: number[]; drawsFrom: number };
      w.recording = false;
      return { gaps: w.gaps.slice(1), draws: w.playgroundDrawMs.slice(w.drawsFrom) };
    });
    const liveText = (await page.textContent("#ops-a")) ?? "";
    const pauseMs = Number(/pause at T0 ([\d.]+) ms/.exec(liveText)?.[1] ?? NaN);
    const liveMs = Number(/in (\d+) ms/.exec(liveText)?.[1] ?? NaN);
    const gapP95 = p95(gaps);
    say(`  pause at T0 ${pauseMs.toFixed(2)} ms (goal <= 5 ms: ${pauseMs <= 5 ? "met" : "not met"}); snapshot written in ${liveMs} ms`);
    say(`  frame gaps during it: p95 ${gapP95.toFixed(1)} ms, max ${Math.max(...gaps).toFixed(1)} ms over ${gaps.length} frames (goal p95 <= 20 ms: ${gapP95 <= 20 ? "met" : "not met"})`);
    say(`  page-map draws on the UI thread: p95 ${p95(draws).toFixed(2)} ms over ${draws.length} draws`);

    say(`stop-and-save of the ${GUEST / 2 ** 20} MiB guest to OPFS`);
    await page.fill("#snap-name", "bench-save");
    const probe = await HeapProbe.attach(s);
    const base = await probe.sample();
    let peak = { ...base };
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const h = await probe.sample().catch(() => base);
        peak = { page: Math.max(peak.page, h.page), workers: Math.max(peak.workers, h.workers) };
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const saved = await runOp(page, "source", "stop-and-save", () => page.click("#stop-save"), 600_000);
    sampling = false;
    await sampler;
    if (saved !== "stop-and-save:completed") throw new Error(await page.textContent("#ops-a") ?? "");
    const saveText = (await page.textContent("#ops-a")) ?? "";
    const saveMs = Number(/in (\d+) ms/.exec(saveText)?.[1] ?? NaN);
    const size = await page.$eval('#snapshots li[data-name="bench-save"] .meta', (e) => e.textContent ?? "");
    const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
    say(`  saved in ${saveMs} ms (${size}); peak JS heap: page ${mib(peak.page)}, machine worker ${mib(peak.workers)} (${((peak.workers / GUEST) * 100).toFixed(1)}% of RAM)`);
    if (json) {
      process.stdout.write(
        `${JSON.stringify({ scan: { bytes: SCAN_BYTES, node: node.gbps, chromium: chromium.gbps, ratio }, live: { pauseMs, liveMs, frameGapP95: gapP95, frames: gaps.length, drawP95: p95(draws) }, save: { ms: saveMs, peakHeap: peak, guest: GUEST } }, null, 2)}\n`,
      );
    }
  } finally {
    await s?.close();
    await served.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
