/**
 * Progress on stderr: a bar with the percent, the rate and the time left, drawn only when stderr
 * is a terminal (so pipes and logs stay clean) and not with `--quiet`.
 *
 *   const bar = progressBar("save", { total: bytes, quiet: flags.quiet });
 *   bar.update(done);   // as often as you like: redrawn at most every 100 ms
 *   bar.finish();       // clears the line
 */
import { humanBytes } from "./table.js";

const REDRAW_MS = 100;
/** Inputs smaller than this are read too fast for a bar to help. */
const MIN_BYTES = 64 << 20;
/** The rate is averaged over this long, so a stall shows within seconds. */
const RATE_WINDOW_MS = 3000;

export interface ProgressOptions {
  /** Bytes (or units) to reach; the bar shows a count and rate only when unknown. */
  total?: number | undefined;
  /** Draw nothing (`--quiet`). */
  quiet?: boolean | undefined;
  /** Draw even when the stream is not a terminal (for `--progress`). */
  force?: boolean | undefined;
  stream?: NodeJS.WriteStream | undefined;
  /** Milliseconds, for tests. */
  now?: () => number;
}

export interface ProgressBar {
  /** `done` units so far; `total` when it became known or changed (a migration's RAM grows). */
  update(done: number, total?: number): void;
  /** Clears the line. */
  finish(): void;
}

const SILENT: ProgressBar = { update() {}, finish() {} };

/** `1:05`, `1:02:03`: minutes and seconds left. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

/** The line a bar shows: `label [#####     ]  50%  12.0 MiB/s  ETA 0:04`. */
export function renderProgress(label: string, done: number, total: number | undefined, bytesPerSecond: number, columns: number): string {
  const rate = bytesPerSecond > 0 ? `${humanBytes(Math.round(bytesPerSecond))}/s` : "";
  if (total === undefined || total <= 0) return `${label} ${humanBytes(done)}${rate ? `  ${rate}` : ""}`;
  const fraction = Math.min(1, done / total);
  const eta = bytesPerSecond > 0 ? `ETA ${formatDuration((total - done) / bytesPerSecond)}` : "ETA --:--";
  const tail = `${(fraction * 100).toFixed(0).padStart(3)}%  ${rate.padStart(12)}  ${eta}`;
  const width = Math.max(10, Math.min(40, columns - label.length - tail.length - 4));
  const filled = Math.round(fraction * width);
  return `${label} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${tail}`;
}

export function progressBar(label: string, options: ProgressOptions = {}): ProgressBar {
  const stream = options.stream ?? process.stderr;
  if (options.quiet || (!stream.isTTY && !options.force)) return SILENT;
  const now = options.now ?? Date.now;
  let total = options.total;
  let last = -Infinity;
  let drawn = false;
  // (time, done) samples over the rate window
  const samples: [number, number][] = [];
  const draw = (done: number, at: number) => {
    samples.push([at, done]);
    while (samples.length > 2 && at - samples[0]![0] > RATE_WINDOW_MS) samples.shift();
    const [t0, d0] = samples[0]!;
    const rate = at > t0 ? ((done - d0) * 1000) / (at - t0) : 0;
    stream.write(`\r${renderProgress(label, done, total, rate, stream.columns ?? 80)}\x1b[K`);
    drawn = true;
  };
  let latest = 0;
  return {
    update(done, newTotal) {
      if (newTotal !== undefined) total = newTotal;
      latest = done;
      const at = now();
      if (at - last < REDRAW_MS) return;
      last = at;
      draw(latest, at);
    },
    finish() {
      if (drawn) stream.write("\r\x1b[K");
    },
  };
}

/**
 * The bar for reading an input of `total` bytes; undefined when none is drawn: for small inputs
 * (a bar for a file read in a blink is noise), `--quiet`, or when stderr is not a terminal.
 */
export function inputBar(total: number | undefined, label: string, options: ProgressOptions = {}): ProgressBar | undefined {
  if (options.quiet || ((total === undefined || total < MIN_BYTES) && !options.force)) return undefined;
  const bar = progressBar(label, { ...options, total });
  return bar === SILENT ? undefined : bar;
}

/** `chunks` with a bar counting their bytes against `total` (see inputBar). */
export function withProgress(
  chunks: AsyncIterable<Uint8Array>,
  total: number | undefined,
  label: string,
  options: ProgressOptions = {},
): AsyncIterable<Uint8Array> {
  const bar = inputBar(total, label, options);
  if (!bar) return chunks;
  return (async function* () {
    let done = 0;
    try {
      for await (const chunk of chunks) {
        done += chunk.length;
        bar.update(done);
        yield chunk;
      }
    } finally {
      bar.finish();
    }
  })();
}
