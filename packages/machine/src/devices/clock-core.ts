/**
 * A virtual clock and one periodic timer. Time advances only when the guest steps, so the
 * clock is part of the deterministic guest: a restored machine ticks at the same steps.
 */
export interface ClockState {
  /** Virtual time in nanoseconds. */
  nowNs: bigint;
  /** Timer period in nanoseconds; 0 disables the timer. */
  periodNs: bigint;
  /** Next expiry in nanoseconds, or -1 when the timer is not armed (QEMU's "timer" encoding). */
  expireNs: bigint;
  /** Number of times the timer fired. */
  ticks: number;
}

export const STEP_NS = 1_000_000n;
export const DEFAULT_PERIOD_NS = 10_000_000n;

export function initialClockState(periodNs: bigint = DEFAULT_PERIOD_NS): ClockState {
  return { nowNs: 0n, periodNs, expireNs: periodNs > 0n ? periodNs : -1n, ticks: 0 };
}

/** Advances virtual time by `deltaNs`; returns how many times the timer fired. */
export function clockAdvance(s: ClockState, deltaNs: bigint): number {
  s.nowNs += deltaNs;
  let fired = 0;
  while (s.expireNs >= 0n && s.expireNs <= s.nowNs) {
    fired++;
    s.ticks = (s.ticks + 1) >>> 0;
    s.expireNs = s.periodNs > 0n ? s.expireNs + s.periodNs : -1n;
  }
  return fired;
}
