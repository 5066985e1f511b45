/**
 * Errors raised by the machine. `code` is stable for programs; `message` is for people and,
 * where QEMU has words for the same failure, uses QEMU's words so tools matching on them work.
 */
export type MachineErrorCode =
  | "INVALID_CONFIG"
  | "INVALID_ARGUMENT"
  | "INVALID_STATE"
  | "MIGRATION_ACTIVE"
  | "MIGRATION_CANCELLED"
  | "MIGRATION_FAILED"
  | "INCOMING_NOT_ALLOWED"
  | "LOAD_FAILED"
  | "MACHINE_TYPE_MISMATCH"
  | "UNKNOWN_RAMBLOCK"
  | "RAMBLOCK_SIZE_MISMATCH"
  | "UNKNOWN_SECTION"
  | "SECTION_VERSION_TOO_NEW"
  | "VERSION_TOO_OLD"
  | "BAD_DEVICE_STATE"
  | "CHANNEL"
  | "CHECKPOINT_PENDING"
  | "HANDLER_FAILED";

export class MachineError extends Error {
  readonly code: MachineErrorCode;
  /** Byte offset in the stream, when the error came from reading one. */
  readonly offset: number | undefined;
  /** Section idstr the error is about, when known. */
  readonly section: string | undefined;

  constructor(
    code: MachineErrorCode,
    message: string,
    options: { offset?: number; section?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "MachineError";
    this.code = code;
    this.offset = options.offset;
    this.section = options.section;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
