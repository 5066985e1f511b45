import { MachineError } from "../errors.js";
import { DeterministicGuest, initialGuestState, type GuestCpuState } from "../guest/guest.js";
import type { PrngState } from "../guest/prng.js";
import type { GuestWorkload } from "../guest/workload.js";
import type { VMStateDescription } from "../save/vmstate.js";
import type { Device } from "./device.js";
import { big, num, numbers } from "./state-values.js";

/** Largest pacing rate a stream may bring in (1 TiB/s): a guest step loop is bounded by it. */
const MAX_PACE_RATE = 2 ** 40;

/**
 * The guest's CPU-like state: its step counter, generator, registers and workload, and since
 * version 2 its pacing (rate and the pacing clock's position). A version 1 section still loads;
 * the destination then keeps the pacing it was started with.
 */
export const GUEST_CPU_VMSD: VMStateDescription = {
  name: "cpu",
  version_id: 2,
  minimum_version_id: 1,
  fields: [
    { name: "steps", type: "uint64" },
    { name: "prng", type: "uint32", count: 4 },
    { name: "acc", type: "uint32" },
    { name: "last_page", type: "uint32" },
    { name: "pages_per_step", type: "uint32" },
    { name: "mix_zero", type: "uint8" },
    { name: "mix_uniform", type: "uint8" },
    { name: "mix_duplicate", type: "uint8" },
    { name: "mix_random", type: "uint8" },
    { name: "hot_percent", type: "uint8" },
    { name: "hot_start", type: "uint32" },
    { name: "hot_pages", type: "uint32" },
    { name: "patterns", type: "uint16" },
    { name: "pace_rate", type: "uint64", version_id: 2 },
    { name: "pace_credit", type: "uint64", version_id: 2 },
  ],
};

/**
 * The layout the machine digest covers: what the guest computes, without its pacing, which
 * depends on wall-clock time (a paced run and the same steps run by hand digest alike).
 */
const GUEST_CPU_DIGEST_VMSD: VMStateDescription = {
  ...GUEST_CPU_VMSD,
  version_id: 1,
  fields: GUEST_CPU_VMSD.fields.filter((f) => f.version_id === undefined),
};

/** Wraps the deterministic guest as the `cpu` device. */
export class GuestCpu implements Device {
  readonly idstr = "cpu";
  readonly instanceId = 0;
  readonly vmsd = GUEST_CPU_VMSD;
  readonly digestVmsd = GUEST_CPU_DIGEST_VMSD;
  readonly guest: DeterministicGuest;
  readonly #initial: GuestCpuState;

  constructor(state: GuestCpuState) {
    this.#initial = structuredClone(state);
    this.guest = new DeterministicGuest(state);
  }

  reset(): void {
    this.guest.state = structuredClone(this.#initial);
  }

  saveState(): Record<string, unknown> {
    const s = this.guest.state;
    const w = s.workload;
    return {
      steps: BigInt(s.steps),
      prng: [...s.prng],
      acc: s.acc,
      last_page: s.lastPage,
      pages_per_step: w.pagesPerStep,
      mix_zero: w.mix.zero,
      mix_uniform: w.mix.uniform,
      mix_duplicate: w.mix.duplicate,
      mix_random: w.mix.random,
      hot_percent: w.hotPercent,
      hot_start: w.hotStart,
      hot_pages: w.hotPages,
      patterns: w.duplicatePatterns,
      pace_rate: BigInt(s.pacing.rate),
      pace_credit: BigInt(Math.floor(s.pacing.credit)),
    };
  }

  validateState(state: Record<string, unknown>, versionId: number): void {
    this.#parse(state, versionId);
  }

  loadState(state: Record<string, unknown>, versionId: number): void {
    this.guest.state = this.#parse(state, versionId);
  }

  /** Version 1 has no pacing: the guest keeps the pace it has here. */
  #pacing(state: Record<string, unknown>, versionId: number): GuestCpuState["pacing"] {
    if (versionId < 2) return { ...this.guest.state.pacing };
    const rate = big(state, "pace_rate", "cpu");
    const credit = big(state, "pace_credit", "cpu");
    if (rate > BigInt(MAX_PACE_RATE) || credit > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new MachineError("BAD_DEVICE_STATE", `cpu: pacing (rate ${rate}, credit ${credit}) out of range`, { section: "cpu" });
    }
    return { rate: Number(rate), credit: Number(credit) };
  }

  #parse(state: Record<string, unknown>, versionId: number): GuestCpuState {
    const n = (f: string): number => num(state, f, "cpu");
    const prng = numbers(state, "prng", "cpu");
    const steps = big(state, "steps", "cpu");
    if (prng.length !== 4 || prng.every((w) => w === 0)) {
      throw new MachineError("BAD_DEVICE_STATE", "cpu: generator state must be four words, not all zero", { section: "cpu" });
    }
    if (steps > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new MachineError("BAD_DEVICE_STATE", `cpu: step counter ${steps} is out of range`, { section: "cpu" });
    }
    const workload: GuestWorkload = {
      pagesPerStep: n("pages_per_step"),
      mix: { zero: n("mix_zero"), uniform: n("mix_uniform"), duplicate: n("mix_duplicate"), random: n("mix_random") },
      hotPercent: n("hot_percent"),
      hotStart: n("hot_start"),
      hotPages: n("hot_pages"),
      duplicatePatterns: n("patterns"),
    };
    if (workload.pagesPerStep > 1 << 20 || workload.hotPercent > 100) {
      throw new MachineError("BAD_DEVICE_STATE", "cpu: workload values out of range", { section: "cpu" });
    }
    return {
      steps: Number(steps),
      prng: prng as PrngState,
      acc: n("acc"),
      lastPage: n("last_page"),
      workload,
      pacing: this.#pacing(state, versionId),
    };
  }
}

export { initialGuestState };
