import type { VMStateDescription } from "../save/vmstate.js";

/**
 * A device whose state the machine saves and loads as one FULL section. Embedders register
 * their own devices through this interface; the layout is data (`vmsd`), the behaviour is code.
 */
export interface Device {
  /** Section id string; unique together with `instanceId`. */
  readonly idstr: string;
  readonly instanceId: number;
  readonly vmsd: VMStateDescription;
  /** Bit mask of `SaveMode`; every kind of save by default. */
  readonly modes?: number;
  /** Left out of the device digest (the `globalstate` run state, which differs by design). */
  readonly excludeFromDigest?: boolean;
  /** The part of the layout the device digest covers, when not all of `vmsd` (state that depends on wall-clock time stays out). */
  readonly digestVmsd?: VMStateDescription;
  /** The values to save, keyed by field name (QEMU's pre_save happens here). */
  saveState(): Record<string, unknown>;
  /**
   * Checks loaded values before anything is changed (QEMU's post_load checks). Throws a
   * `MachineError` to refuse the whole load.
   */
  validateState?(state: Record<string, unknown>, versionId: number): void;
  /** Takes loaded values; only called once the whole stream has loaded and validated. */
  loadState(state: Record<string, unknown>, versionId: number): void;
  /** Whether the device is saved at all (QEMU's vmsd `needed`); true when absent. */
  needed?(): boolean;
  reset?(): void;
}
