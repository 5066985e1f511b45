import { n as humanBytes } from "./table-Dt_cYIdp.js";
// ../../work/main/packages/cli/dist/progress.js
/**
* Progress on stderr: a bar with the percent, the rate and the time left, drawn only when stderr
* is a terminal (so pipes and logs stay clean) and not with `--quiet`.
*
*   const bar = progressBar("save", { total: bytes, quiet: flags.quiet });
*   bar.update(done);   // as often as you like: redrawn at most every 100 ms
*   bar.finish();       // clears the line
*/
const REDRAW_MS = 100;
/** Inputs smaller than this are read too fast for a bar to help. */
const MIN_BYTES = 64 << 20;
/** The rate is averaged over this long, so a stall shows within seconds. */
const RATE_WINDOW_MS = 3e3;
const SILENT = {
	update() {},
	finish() {}
};
/** `1:05`, `1:02:03`: minutes and seconds left. */
function formatDuration(seconds) {
	if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
	const s = Math.round(seconds);
	const h = Math.floor(s / 3600);
	const m = Math.floor(s % 3600 / 60);
	const sec = String(s % 60).padStart(2, "0");
	return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}
/** The line a bar shows: `label [#####     ]  50%  12.0 MiB/s  ETA 0:04`. */
function renderProgress(label, done, total, bytesPerSecond, columns) {
	const rate = bytesPerSecond > 0 ? `${humanBytes(Math.round(bytesPerSecond))}/s` : "";
	if (total === void 0 || total <= 0) return `${label} ${humanBytes(done)}${rate ? `  ${rate}` : ""}`;
	const fraction = Math.min(1, done / total);
	const eta = bytesPerSecond > 0 ? `ETA ${formatDuration((total - done) / bytesPerSecond)}` : "ETA --:--";
	const tail = `${(fraction * 100).toFixed(0).padStart(3)}%  ${rate.padStart(12)}  ${eta}`;
	const width = Math.max(10, Math.min(40, columns - label.length - tail.length - 4));
	const filled = Math.round(fraction * width);
	return `${label} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${tail}`;
}
function progressBar(label, options = {}) {
	const stream = options.stream ?? process.stderr;
	if (options.quiet || !stream.isTTY && !options.force) return SILENT;
	const now = options.now ?? Date.now;
	let total = options.total;
	let last = -1e400;
	let drawn = false;
	const samples = [];
	const draw = (done, at) => {
		samples.push([at, done]);
		while (samples.length > 2 && at - samples[0][0] > RATE_WINDOW_MS) samples.shift();
		const [t0, d0] = samples[0];
		const rate = at > t0 ? (done - d0) * 1e3 / (at - t0) : 0;
		stream.write(`\r${renderProgress(label, done, total, rate, stream.columns ?? 80)}\x1b[K`);
		drawn = true;
	};
	let latest = 0;
	return {
		update(done, newTotal) {
			if (newTotal !== void 0) total = newTotal;
			latest = done;
			const at = now();
			if (at - last < REDRAW_MS) return;
			last = at;
			draw(latest, at);
		},
		finish() {
			if (drawn) stream.write("\r\x1B[K");
		}
	};
}
/**
* The bar for reading an input of `total` bytes; undefined when none is drawn: for small inputs
* (a bar for a file read in a blink is noise), `--quiet`, or when stderr is not a terminal.
*/
function inputBar(total, label, options = {}) {
	if (options.quiet || (total === void 0 || total < MIN_BYTES) && !options.force) return void 0;
	const bar = progressBar(label, {
		...options,
		total
	});
	return bar === SILENT ? void 0 : bar;
}
/** `chunks` with a bar counting their bytes against `total` (see inputBar). */
function withProgress(chunks, total, label, options = {}) {
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
// ../../work/main/packages/cli/dist/commands/progress-options.js
function addProgressOptions(command) {
	return command.option("-q, --quiet", "no progress bar").option("--progress", "draw the progress bar even when stderr is not a terminal");
}
function progressOptions(flags) {
	return {
		quiet: flags.quiet === true,
		force: flags.progress === true && flags.quiet !== true
	};
}
export { withProgress as a, progressBar as i, progressOptions as n, inputBar as r, addProgressOptions as t };
