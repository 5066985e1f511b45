import { MachineError } from "../errors.js";
import { isRunState, type RunState } from "../run-state.js";
import type { VMStateDescription } from "../save/vmstate.js";
import type { Device } from "./device.js";
import { bytes, num } from "./state-values.js";

const RUNSTATE_BYTES = 100;

/** QEMU's `globalstate` section: the run state at the moment of the save, as a C string. */
export const GLOBAL_STATE_VMSD: VMStateDescription = {
  name: "globalstate",
  version_id: 1,
  minimum_version_id: 1,
  fields: [
    { name: "size", type: "uint32" },
    { name: "runstate", type: "buffer", size: RUNSTATE_BYTES },
  ],
};

/**
 * Carries the run state across a save so the destination resumes only if the source was
 * running. `store` is called right before the machine stops for the final copy.
 */
export class GlobalState implements Device {
  readonly idstr = "globalstate";
  readonly instanceId = 0;
  readonly vmsd = GLOBAL_STATE_VMSD;
  readonly excludeFromDigest = true;
  #stored: RunState = "running";
  #received: RunState | undefined;
  readonly #current: () => RunState;

  constructor(current: () => RunState) {
    this.#current = current;
  }

  /** Records the current run state (QEMU's global_state_store). */
  store(state: RunState = this.#current()): void {
    this.#stored = state;
  }

  /** The run state a load brought in, if the stream had a `globalstate` section. */
  get received(): RunState | undefined {
    return this.#received;
  }

  clearReceived(): void {
    this.#received = undefined;
  }

  saveState(): Record<string, unknown> {
    const name = new TextEncoder().encode(this.#stored);
    const runstate = new Uint8Array(RUNSTATE_BYTES);
    runstate.set(name);
    return { size: name.length + 1, runstate };
  }

  validateState(state: Record<string, unknown>): void {
    this.#parse(state);
  }

  loadState(state: Record<string, unknown>): void {
    this.#received = this.#parse(state);
  }

  #parse(state: Record<string, unknown>): RunState {
    const raw = bytes(state, "runstate", "globalstate");
    const nul = raw.indexOf(0);
    if (nul < 0) {
      throw new MachineError("BAD_DEVICE_STATE", "globalstate: runstate name is not NUL-terminated", { section: "globalstate" });
    }
    const size = num(state, "size", "globalstate");
    if (size !== nul + 1) {
      throw new MachineError("BAD_DEVICE_STATE", `globalstate: size ${size} does not match runstate length ${nul}`, {
        section: "globalstate",
      });
    }
    const name = new TextDecoder().decode(raw.subarray(0, nul));
    if (!isRunState(name)) {
      throw new MachineError("BAD_DEVICE_STATE", `invalid parameter value: ${name}`, { section: "globalstate" });
    }
    return name;
  }
}
