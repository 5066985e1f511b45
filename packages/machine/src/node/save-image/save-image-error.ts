/**
 * Stable codes of {@link SaveRestoreError}. Messages use libvirt's words where virsh has words
 * for the same failure, so a user who searches for the text finds libvirt's explanations.
 */
export type SaveRestoreErrorCode =
  /** TARGET is neither a monitor address nor a registered machine. */
  | "INVALID_TARGET"
  /** `--running` with `--paused`: "Flags 'VIR_DOMAIN_SAVE_RUNNING' and 'VIR_DOMAIN_SAVE_PAUSED' are mutually exclusive". */
  | "FLAGS_EXCLUSIVE"
  /** The monitor answered something unexpected, or refused a command. */
  | "MONITOR"
  /** The machine is not in a state that can be saved ("domain is not running"). */
  | "NOT_RUNNING"
  /** QEMU (or savevm) reported the migration failed or cancelled. */
  | "MIGRATION_FAILED"
  /** The channel carrying the stream broke (connection lost, compressor died, file full). */
  | "CHANNEL"
  /** The operation was cancelled through its AbortSignal. */
  | "ABORTED"
  /** Restoring needs a QEMU command line and none was recorded or given. */
  | "NO_COMMAND_LINE"
  /** The restored machine did not start or exited during the restore. */
  | "START_FAILED"
  /** "bypass cache unsupported by this system". */
  | "BYPASS_CACHE_UNSUPPORTED"
  /** save-image-define: the new XML describes another machine (libvirt's ABI check). */
  | "ABI_MISMATCH"
  /** An option value cannot be used. */
  | "INVALID_ARGUMENT";

/** A failed save, restore or image edit. */
export class SaveRestoreError extends Error {
  override readonly name = "SaveRestoreError";

  constructor(readonly code: SaveRestoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** libvirt's refusal of `--running` together with `--paused`. */
export function exclusiveFlagsError(): SaveRestoreError {
  return new SaveRestoreError("FLAGS_EXCLUSIVE", "Flags 'VIR_DOMAIN_SAVE_RUNNING' and 'VIR_DOMAIN_SAVE_PAUSED' are mutually exclusive");
}

/** The run state a restore or redefinition asks for, from virsh's pair of flags. */
export function runStateFromFlags(flags: { running?: boolean; paused?: boolean }): "running" | "paused" | undefined {
  if (flags.running && flags.paused) throw exclusiveFlagsError();
  return flags.running ? "running" : flags.paused ? "paused" : undefined;
}
