/**
 * Which kinds of save a state entry joins, as a bit mask (QEMU decides the same per handler:
 * RAM is not part of a device-state file, a reboot-mode save keeps RAM in place, …).
 */
export const SaveMode = {
  /** Migration and `migrate` to a file. */
  MIGRATE: 1,
  /** Snapshots (whole machine at one instant). */
  SNAPSHOT: 2,
  /** Device state only (`xen-save-devices-state`). */
  DEVICES: 4,
  /** Checkpoint for a restart of the same host process (RAM may stay in place). */
  REBOOT: 8,
} as const;

export type SaveKind = keyof typeof SaveMode;

export const ALL_SAVE_MODES = SaveMode.MIGRATE | SaveMode.SNAPSHOT | SaveMode.DEVICES | SaveMode.REBOOT;

export function joins(modes: number, kind: SaveKind): boolean {
  return (modes & SaveMode[kind]) !== 0;
}
