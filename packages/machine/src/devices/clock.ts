import type { VMStateDescription } from "../save/vmstate.js";
import { clockAdvance, initialClockState, type ClockState } from "./clock-core.js";
import type { Device } from "./device.js";
import { big, num } from "./state-values.js";

export const CLOCK_VMSD: VMStateDescription = {
  name: "clock",
  version_id: 1,
  minimum_version_id: 1,
  fields: [
    { name: "now_ns", type: "int64" },
    { name: "period_ns", type: "int64" },
    { name: "timer", type: "timer" },
    { name: "ticks", type: "uint32" },
  ],
};

/** The machine's virtual clock and its periodic timer. */
export class VirtualClock implements Device {
  readonly idstr = "clock";
  readonly instanceId = 0;
  readonly vmsd = CLOCK_VMSD;
  state: ClockState = initialClockState();

  advance(deltaNs: bigint): number {
    return clockAdvance(this.state, deltaNs);
  }

  reset(): void {
    this.state = initialClockState(this.state.periodNs);
  }

  saveState(): Record<string, unknown> {
    const s = this.state;
    return { now_ns: s.nowNs, period_ns: s.periodNs, timer: s.expireNs, ticks: s.ticks };
  }

  loadState(state: Record<string, unknown>): void {
    this.state = {
      nowNs: big(state, "now_ns", "clock"),
      periodNs: big(state, "period_ns", "clock"),
      expireNs: big(state, "timer", "clock"),
      ticks: num(state, "ticks", "clock"),
    };
  }
}
