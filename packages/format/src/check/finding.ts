import type { FormatErrorCode } from "../errors.js";
import type { ReadMigrationOptions } from "../stream/read-options.js";

/** What `checkMigrationStream` finds beyond the decoder's own errors (those keep their FormatErrorCode). */
export type CheckCode =
  /** A FULL section's header version is not the version its vmdesc entry gives. */
  | "VMDESC_VERSION_MISMATCH"
  /** A subsection the vmdesc lists for a device was not in the device's body. */
  | "VMDESC_SUBSECTION_ABSENT"
  /** A FULL section the vmdesc does not list. */
  | "VMDESC_DEVICE_UNLISTED"
  /** A vmdesc device entry with no FULL section in the stream. */
  | "VMDESC_DEVICE_ABSENT"
  /** The vmdesc's page_size is not the stream's target page size. */
  | "VMDESC_PAGE_SIZE_MISMATCH"
  /** A RAM block whose length is not a whole number of target pages. */
  | "RAM_BLOCK_MISALIGNED"
  /** The same RAM block twice in one MEM_SIZE list. */
  | "DUPLICATE_RAM_BLOCK"
  /** A byte after the EOF record that is not a vmdesc trailer. */
  | "NO_VMDESC_AFTER_EOF"
  /** Bytes after the vmdesc trailer. */
  | "TRAILING_DATA"
  /** The globalstate device's runstate is not one of QEMU's run states. */
  | "BAD_RUNSTATE";

/** One thing QEMU's loader would refuse (or that contradicts the stream's own description of itself). */
export interface CheckFinding {
  code: CheckCode | FormatErrorCode;
  /** Worded like QEMU's message where QEMU has one. */
  message: string;
  /** Absolute byte offset the finding is about (where known). */
  offset?: number;
  /** idstr of the section it is about. */
  section?: string;
  sectionId?: number;
  /** True for the decoder's own error: the stream could not be read past `offset`, so nothing after it was checked. */
  fatal?: boolean;
}

export interface CheckOptions extends ReadMigrationOptions {
  /**
   * The loading machine's RAM blocks (idstr → used_length in bytes). When given, a block the
   * stream lists that is not here, or has another size, is reported as QEMU's loader reports it.
   */
  ramBlocks?: Readonly<Record<string, number>> | ReadonlyMap<string, number>;
}
