import type { VMStateDescription } from "../save/vmstate.js";
import type { Device } from "./device.js";
import { big } from "./state-values.js";

/**
 * QEMU 7.2's `timer` section (softmmu/cpu-timers.c, version 2), which every QEMU machine saves:
 * the offsets of its tick and clock counters, 8 unused bytes between them. savevm's `none`
 * machine carries it so its streams and QEMU `-M none` streams load into each other; the
 * values are kept, not used (the machine has no CPU clock of QEMU's kind).
 */
export const QEMU_TIMERS_VMSD: VMStateDescription = {
  name: "timer",
  version_id: 2,
  minimum_version_id: 1,
  fields: [
    { name: "cpu_ticks_offset", type: "int64" },
    { name: "unused", type: "unused_buffer", size: 8 },
    { name: "cpu_clock_offset", type: "int64", version_id: 2 },
  ],
};

export class QemuTimers implements Device {
  readonly idstr = "timer";
  readonly instanceId = 0;
  readonly vmsd = QEMU_TIMERS_VMSD;
  // Offsets of a host clock: two machines with the same guest hold different ones.
  readonly excludeFromDigest = true;
  #ticksOffset = 0n;
  #clockOffset = 0n;

  saveState(): Record<string, unknown> {
    return { cpu_ticks_offset: this.#ticksOffset, unused: new Uint8Array(8), cpu_clock_offset: this.#clockOffset };
  }

  loadState(state: Record<string, unknown>, versionId: number): void {
    this.#ticksOffset = big(state, "cpu_ticks_offset", "timer");
    this.#clockOffset = versionId >= 2 ? big(state, "cpu_clock_offset", "timer") : 0n;
  }

  reset(): void {
    this.#ticksOffset = 0n;
    this.#clockOffset = 0n;
  }
}
