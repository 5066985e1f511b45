import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { FrameStats } from "../shared/protocol.js";

/** Samples kept per time chart (10 a second: the last minute). */
const KEEP = 600;

interface Series {
  label: string;
  stroke: string;
  scale?: string;
  /** Drawn as a line with points even in a bar chart. */
  line?: boolean;
}

class Chart {
  readonly plot: uPlot;
  readonly data: (number | null)[][];

  constructor(target: HTMLElement, title: string, xLabel: string, series: Series[], width: number, options: { time?: boolean; bars?: boolean; scales?: uPlot.Scales; axes?: uPlot.Axis[] } = {}) {
    this.data = [[], ...series.map(() => [])];
    const paths = options.bars ? uPlot.paths.bars!({ size: [0.6, 24] }) : undefined;
    this.plot = new uPlot(
      {
        title,
        width,
        height: 104,
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: options.time ?? false }, ...(options.scales ?? {}) },
        axes: options.axes ?? [{ size: 28 }, { size: 56 }],
        series: [{ label: xLabel }, ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: 1.5, ...(s.scale ? { scale: s.scale } : {}), ...(paths && !s.line ? { paths, fill: s.stroke } : {}), points: { show: !!options.bars } }))],
      },
      this.data as uPlot.AlignedData,
      target,
    );
  }

  push(x: number, ys: (number | null)[]): void {
    this.data[0]!.push(x);
    ys.forEach((y, i) => this.data[i + 1]!.push(y));
    if (this.data[0]!.length > KEEP) for (const column of this.data) column.shift();
    this.plot.setData(this.data as uPlot.AlignedData);
  }

  reset(): void {
    for (const column of this.data) column.length = 0;
    this.plot.setData(this.data as uPlot.AlignedData);
  }
}

/**
 * The live charts: the guest's write throughput, the copy-before-write queue (depth, capacity,
 * writes that waited), pages per pre-copy pass with the dirty rate, and the pause at T0 /
 * downtime of every save and migration.
 */
export class Charts {
  readonly throughput: Chart;
  readonly queue: Chart;
  readonly passes: Chart;
  readonly pauses: Chart;
  #t0 = performance.now();
  #lastSample = 0;
  #passesSeen = 0;
  #opSeen: string | undefined;
  #ops = 0;

  constructor(root: HTMLElement, width: number) {
    const box = (id: string) => {
      const d = document.createElement("div");
      d.className = "chart";
      d.dataset.testid = id;
      root.append(d);
      return d;
    };
    this.throughput = new Chart(box("chart-throughput"), "Guest write throughput (MiB/s) over seconds", "s", [{ label: "source", stroke: "#f59e0b" }], width);
    this.queue = new Chart(
      box("chart-queue"),
      "CBW queue: depth, capacity (pages); writes that waited",
      "s",
      [
        { label: "depth", stroke: "#22d3ee" },
        { label: "capacity", stroke: "#64748b" },
        { label: "waited", stroke: "#ef4444", scale: "w" },
      ],
      width,
      { scales: { w: { auto: true } }, axes: [{ size: 28 }, { size: 56 }, { scale: "w", side: 1, size: 40, grid: { show: false } }] },
    );
    this.passes = new Chart(
      box("chart-passes"),
      "Pre-copy: pages per pass, dirty rate (pages/s)",
      "pass",
      [
        { label: "pages", stroke: "#a855f7" },
        { label: "dirty/s", stroke: "#ef4444", scale: "r", line: true },
      ],
      width,
      { bars: true, scales: { r: { auto: true } }, axes: [{ size: 28 }, { size: 56 }, { scale: "r", side: 1, size: 50, grid: { show: false } }] },
    );
    this.pauses = new Chart(
      box("chart-pauses"),
      "Pause at T0 and downtime (ms), per operation",
      "op",
      [
        { label: "pause at T0", stroke: "#22c55e" },
        { label: "downtime", stroke: "#3b82f6" },
      ],
      width,
      { bars: true },
    );
  }

  /** Feeds one frame's stats of the source machine; time charts sample at 10 Hz. */
  update(stats: FrameStats): void {
    const now = performance.now();
    const t = (now - this.#t0) / 1000;
    if (now - this.#lastSample >= 100) {
      this.#lastSample = now;
      this.throughput.push(t, [stats.writeRate / 2 ** 20]);
      const q = stats.op.queue;
      const live = stats.op.kind === "live-snapshot";
      this.queue.push(t, [live && q ? q.length : 0, q?.capacity ?? 0, live ? stats.op.stalls : 0]);
    }
    const op = stats.op;
    const key = `${op.kind}:${op.name ?? ""}`;
    if (op.kind === "precopy") {
      if (this.#opSeen !== key || op.passes.length < this.#passesSeen) {
        this.passes.reset();
        this.#passesSeen = 0;
      }
      for (; this.#passesSeen < op.passes.length; this.#passesSeen++) {
        const p = op.passes[this.#passesSeen]!;
        this.passes.push(p.pass, [p.pages, p.dirtyRate]);
      }
    }
    this.#opSeen = key;
  }

  /** One finished operation's pause at T0 (a live snapshot) or downtime (anything else). */
  finished(pauseMs: number | undefined, downtimeMs: number | undefined): void {
    this.pauses.push(++this.#ops, [pauseMs ?? null, downtimeMs ?? null]);
  }
}
