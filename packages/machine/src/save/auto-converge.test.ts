import { describe, expect, it, vi } from "vitest";
import { GuestPacer } from "../guest/pacer.js";
import { AutoConverge, CpuThrottle } from "./auto-converge.js";
import { applyParameters, defaultParameters, type MigrationParameters } from "./migration-params.js";

const PAGE = 4096;

/** Feeds one sync per second in which the guest dirtied `dirtyBytes` while `sentBytes` went out. */
function run(params: MigrationParameters, periods: { dirtyBytes: number; sentBytes: number }[]): { throttle: CpuThrottle; seen: number[] } {
  const throttle = new CpuThrottle();
  const ac = new AutoConverge(throttle, () => params);
  let dirtied = 0;
  let sent = 0;
  let now = 0;
  ac.observe({ dirtiedPages: 0, transferredBytes: 0, now });
  const seen: number[] = [];
  for (const p of periods) {
    dirtied += p.dirtyBytes / PAGE;
    sent += p.sentBytes;
    now += 1001;
    ac.observe({ dirtiedPages: dirtied, transferredBytes: sent, now });
    seen.push(throttle.percentage);
  }
  return { throttle, seen };
}

const fast = { dirtyBytes: 8 << 20, sentBytes: 4 << 20 };
const slow = { dirtyBytes: 1 << 20, sentBytes: 4 << 20 };

describe("AutoConverge", () => {
  it("throttles after two periods above the threshold, then steps up by the increment", () => {
    const { seen } = run(defaultParameters(), [fast, fast, fast, fast, fast, fast]);
    expect(seen).toEqual([0, 20, 20, 30, 30, 40]);
  });

  it("leaves a guest alone that dirties less than the threshold", () => {
    expect(run(defaultParameters(), [slow, slow, slow, slow]).seen).toEqual([0, 0, 0, 0]);
  });

  it("needs the two high periods in total, not in a row, as QEMU counts them", () => {
    expect(run(defaultParameters(), [fast, slow, fast]).seen).toEqual([0, 0, 20]);
  });

  it("honours the parameters, max-cpu-throttle included", () => {
    const params = applyParameters(defaultParameters(), {
      "cpu-throttle-initial": 50,
      "cpu-throttle-increment": 30,
      "max-cpu-throttle": 70,
      "throttle-trigger-threshold": 10,
    });
    const moderate = { dirtyBytes: 1 << 20, sentBytes: 4 << 20 };
    expect(run(params, [moderate, moderate, moderate, moderate, moderate, moderate]).seen).toEqual([0, 50, 50, 70, 70, 70]);
  });

  it("with cpu-throttle-tailslow steps only as far as brings the dirty rate to the threshold", () => {
    const params = applyParameters(defaultParameters(), {
      "cpu-throttle-tailslow": true,
    });
    // 2.5 MiB dirtied for 4 MiB sent: the guest at 80 % would need 80 × 2/2.5 = 64 %, so +16 → capped at +10;
    // then dirty 2.2 MiB at 70 %: 70 × 2/2.2 = 63.6, whole 63, so +7.
    const first = { dirtyBytes: 2.5 * (1 << 20), sentBytes: 4 << 20 };
    const near = { dirtyBytes: 2.2 * (1 << 20), sentBytes: 4 << 20 };
    expect(run(params, [first, first, first, first, near, near]).seen).toEqual([0, 20, 20, 30, 30, 37]);
  });

  it("looks at most once a second", () => {
    const throttle = new CpuThrottle();
    const ac = new AutoConverge(throttle, defaultParameters);
    for (let t = 0; t <= 1000; t += 100) ac.observe({ dirtiedPages: t * 100, transferredBytes: t, now: t });
    expect(throttle.percentage).toBe(0);
  });

  it("keeps a throttle within 1–99 % and runs the guest for the rest of the time", () => {
    const t = new CpuThrottle();
    expect(t.runFraction).toBe(1);
    t.set(150);
    expect(t.percentage).toBe(99);
    t.set(0);
    expect(t.percentage).toBe(1);
    t.set(25);
    expect(t.runFraction).toBeCloseTo(0.75);
    t.stop();
    expect(t.active).toBe(false);
  });
});

describe("a throttled guest's pacer", () => {
  it("runs the guest only for the share of time the throttle leaves", () => {
    vi.useFakeTimers();
    try {
      const throttle = new CpuThrottle();
      const steps = (percentage: number): number => {
        if (percentage > 0) throttle.set(percentage);
        else throttle.stop();
        let count = 0;
        const pacing = { rate: 4096 * 100, credit: 0 };
        const pacer = new GuestPacer({
          pacing: () => pacing,
          bytesPerStep: () => 4096,
          mayRun: () => true,
          stepFits: () => true,
          step: () => void count++,
          waitForRoom: async () => undefined,
          now: () => Date.now(),
          runFraction: () => throttle.runFraction,
        });
        pacer.start();
        vi.advanceTimersByTime(10_000);
        pacer.stop();
        return count;
      };
      expect(steps(0)).toBeCloseTo(1000, -1);
      expect(steps(75)).toBeCloseTo(250, -1);
      // Whole steps only: a little of the last one's credit may be left over.
      const slowest = steps(99);
      expect(slowest).toBeGreaterThanOrEqual(8);
      expect(slowest).toBeLessThanOrEqual(10);
    } finally {
      vi.useRealTimers();
    }
  });
});
