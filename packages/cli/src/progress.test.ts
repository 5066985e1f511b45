import { describe, expect, it } from "vitest";
import { formatDuration, progressBar, renderProgress, withProgress } from "./progress.js";

/** A terminal that records what is drawn. */
function terminal(isTTY = true): NodeJS.WriteStream & { text: string } {
  const t = { isTTY, columns: 100, text: "", write: (s: string) => ((t.text += s), true) };
  return t as unknown as NodeJS.WriteStream & { text: string };
}

describe("progress", () => {
  it("shows percent, rate and time left", () => {
    expect(renderProgress("save", 50 << 20, 100 << 20, 10 << 20, 100)).toMatch(/^save \[#+ +\]  50% +10 MiB\/s {2}ETA 0:05$/);
    expect(renderProgress("read", 3 << 20, undefined, 1 << 20, 100)).toBe("read 3 MiB  1 MiB/s");
    expect(formatDuration(3725)).toBe("1:02:05");
    expect(formatDuration(Infinity)).toBe("--:--");
  });

  it("measures the rate from updates over time and redraws at most every 100 ms", () => {
    let now = 0;
    const out = terminal();
    const bar = progressBar("migrate", { total: 1000 << 20, stream: out, now: () => now });
    bar.update(0);
    now = 50;
    bar.update(1 << 20); // too soon: not drawn
    now = 1000;
    bar.update(100 << 20);
    expect(out.text.split("\r").filter(Boolean)).toHaveLength(2);
    expect(out.text).toMatch(/10% +100 MiB\/s {2}ETA 0:09/);
    bar.finish();
    expect(out.text.endsWith("\r\x1b[K")).toBe(true);
  });

  it("draws nothing with --quiet, or when stderr is not a terminal", async () => {
    const quiet = terminal();
    progressBar("x", { total: 10, stream: quiet, quiet: true }).update(5);
    const pipe = terminal(false);
    progressBar("x", { total: 10, stream: pipe }).update(5);
    expect(quiet.text + pipe.text).toBe("");
    const chunks = (async function* () {
      yield new Uint8Array(10);
    })();
    expect(withProgress(chunks, 1 << 30, "x", { quiet: true })).toBe(chunks);
  });
});
