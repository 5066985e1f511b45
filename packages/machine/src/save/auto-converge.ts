import type { MigrationParameters } from "./migration-params.js";

/** QEMU's CPU_THROTTLE_PCT_MIN / _MAX: a throttle is always within these percentages. */
const THROTTLE_MIN = 1;
const THROTTLE_MAX = 99;
/** QEMU looks at the dirty rate at most once a second (at a dirty-bitmap sync). */
const PERIOD_MS = 1000;
const PAGE_SIZE = 4096;

/**
 * How much of the time the guest's CPU is held back, as QEMU's `cpu_throttle_*` keeps it: 0 when
 * off, else 1–99 %. The guest's pacer runs only the remaining share of the time.
 */
export class CpuThrottle {
  #percentage = 0;

  get percentage(): number {
    return this.#percentage;
  }

  get active(): boolean {
    return this.#percentage > 0;
  }

  /** The share of wall time the guest may run (1 unthrottled). */
  get runFraction(): number {
    return 1 - this.#percentage / 100;
  }

  set(percentage: number): void {
    this.#percentage = Math.max(THROTTLE_MIN, Math.min(THROTTLE_MAX, Math.round(percentage)));
  }

  stop(): void {
    this.#percentage = 0;
  }
}

/** What auto-converge reads of a running pre-copy at each dirty-bitmap sync. */
export interface ConvergenceSample {
  /** Pages the guest dirtied since the save began (summed over syncs). */
  dirtiedPages: number;
  /** RAM bytes transferred since the save began. */
  transferredBytes: number;
  now: number;
}

/**
 * The `auto-converge` capability as QEMU 7.2 has it: over each period of at least a second, when
 * the guest dirtied more than `throttle-trigger-threshold` % of the bytes that went out, twice in
 * a row, the guest is throttled (`cpu-throttle-initial` first, then `cpu-throttle-increment` more
 * each time, or with `cpu-throttle-tailslow` only as much as brings the dirty rate to the
 * threshold) up to `max-cpu-throttle`.
 */
export class AutoConverge {
  readonly #throttle: CpuThrottle;
  readonly #parameters: () => MigrationParameters;
  #periodStart: ConvergenceSample | undefined;
  #highCount = 0;

  constructor(throttle: CpuThrottle, parameters: () => MigrationParameters) {
    this.#throttle = throttle;
    this.#parameters = parameters;
  }

  get throttle(): CpuThrottle {
    return this.#throttle;
  }

  /** Called after each dirty-bitmap sync of the pre-copy. */
  observe(sample: ConvergenceSample): void {
    const start = this.#periodStart;
    if (!start) {
      this.#periodStart = { ...sample };
      return;
    }
    if (sample.now - start.now <= PERIOD_MS) return;
    const bytesDirty = (sample.dirtiedPages - start.dirtiedPages) * PAGE_SIZE;
    const bytesSent = sample.transferredBytes - start.transferredBytes;
    this.#periodStart = { ...sample };
    const threshold = (bytesSent * this.#parameters()["throttle-trigger-threshold"]) / 100;
    if (bytesDirty > threshold && ++this.#highCount >= 2) {
      this.#highCount = 0;
      this.#throttleDown(bytesDirty, threshold);
    }
  }

  #throttleDown(bytesDirty: number, threshold: number): void {
    const p = this.#parameters();
    const throttle = this.#throttle;
    if (!throttle.active) {
      throttle.set(p["cpu-throttle-initial"]);
      return;
    }
    const now = throttle.percentage;
    let increment = p["cpu-throttle-increment"];
    if (p["cpu-throttle-tailslow"]) {
      // The CPU share at which the dirty rate would just meet the threshold.
      const cpuNow = 100 - now;
      // Whole percent, rounded down as QEMU's integer does.
      const cpuIdeal = Math.floor(cpuNow * (threshold / bytesDirty));
      increment = Math.min(cpuNow - cpuIdeal, increment);
    }
    throttle.set(Math.min(now + increment, p["max-cpu-throttle"]));
  }
}
