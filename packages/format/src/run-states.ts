/**
 * QEMU's `RunState` names (qapi/run-state.json, the same in 7.2 and 10.2), in QEMU's order. The
 * `globalstate` section carries one of them; QEMU's loader refuses any other.
 */
export const QEMU_RUN_STATES = [
  "debug",
  "inmigrate",
  "internal-error",
  "io-error",
  "paused",
  "postmigrate",
  "prelaunch",
  "finish-migrate",
  "restore-vm",
  "running",
  "save-vm",
  "shutdown",
  "suspended",
  "watchdog",
  "guest-panicked",
  "colo",
] as const;
