/**
 * Stable error codes. A code never changes meaning; new ones may be added.
 */
export type FormatErrorCode =
  | "TRUNCATED"
  | "BAD_MAGIC"
  | "VERSION_OBSOLETE"
  | "VERSION_UNSUPPORTED"
  | "CONFIGURATION_MISSING"
  | "BAD_CONFIGURATION"
  | "MACHINE_TYPE_MISMATCH"
  | "EXTENSION_UNSUPPORTED"
  | "UNKNOWN_SECTION_TYPE"
  | "UNKNOWN_SECTION"
  | "EMPTY_IDSTR"
  | "SECTION_VERSION_TOO_NEW"
  | "SECTION_VERSION_UNSUPPORTED"
  | "VMSTATE_VERSION_TOO_NEW"
  | "VMSTATE_VERSION_TOO_OLD"
  | "VMSTATE_CHECK_FAILED"
  | "UNKNOWN_SUBSECTION"
  | "MISSING_FOOTER"
  | "FOOTER_MISMATCH"
  | "BAD_BODY"
  | "UNKNOWN_RAM_FLAGS"
  | "RAM_HOOK_UNSUPPORTED"
  | "BAD_MEM_SIZE"
  | "UNKNOWN_RAM_BLOCK"
  | "RAM_BLOCK_SIZE_MISMATCH"
  | "BAD_RAM_OFFSET"
  | "BAD_RAM_CONTINUE"
  | "BAD_RAM_REFERENCE"
  | "BAD_XBZRLE"
  | "BAD_COMPRESSED_PAGE"
  | "UNKNOWN_COMMAND"
  | "BAD_COMMAND"
  | "BAD_VMDESC"
  | "LIMIT_EXCEEDED"
  | "INVALID_VALUE"
  | "BAD_MAPPED_RAM";

/** Where in the stream an error happened, as far as the decoder knows. */
export interface FormatErrorContext {
  /** Absolute byte offset in the stream. */
  offset?: number;
  /** idstr of the section being read. */
  section?: string;
  /** section_id of the section being read. */
  sectionId?: number;
  /** Field path inside a vmstate body, e.g. `cpu/env.regs[3]`. */
  field?: string;
}

/**
 * Every error the codec throws for bad input or an unencodable value. `message` is meant for a
 * person; `code` is for programs. The message already names the offset and section when known.
 */
export class FormatError<Code extends string = FormatErrorCode> extends Error {
  override readonly name: string = "FormatError";
  readonly code: Code;
  readonly offset: number | undefined;
  readonly section: string | undefined;
  readonly sectionId: number | undefined;
  readonly field: string | undefined;
  /** The QEMU error text this corresponds to, without our location suffix. */
  readonly detail: string;

  constructor(code: Code, detail: string, context: FormatErrorContext = {}) {
    super(detail + describeContext(context));
    this.code = code;
    this.detail = detail;
    this.offset = context.offset;
    this.section = context.section;
    this.sectionId = context.sectionId;
    this.field = context.field;
  }

  /** The same error with location facts the thrower did not know filled in. */
  withContext(context: FormatErrorContext): FormatError<Code> {
    const merged: FormatErrorContext = {
      offset: this.offset ?? context.offset,
      section: this.section ?? context.section,
      sectionId: this.sectionId ?? context.sectionId,
      field: this.field ?? context.field,
    };
    if (
      merged.offset === this.offset &&
      merged.section === this.section &&
      merged.sectionId === this.sectionId &&
      merged.field === this.field
    ) {
      return this;
    }
    return new FormatError<Code>(this.code, this.detail, merged);
  }
}

/** `0x1a2b`: offsets in messages are hexadecimal, as in hexdump output. */
export function hex(value: number | bigint): string {
  return "0x" + value.toString(16);
}

function describeContext(context: FormatErrorContext): string {
  const parts: string[] = [];
  if (context.offset !== undefined) parts.push(`at byte ${hex(context.offset)}`);
  if (context.section !== undefined) {
    parts.push(
      context.sectionId !== undefined
        ? `in section '${context.section}' (id ${context.sectionId})`
        : `in section '${context.section}'`,
    );
  } else if (context.sectionId !== undefined) {
    parts.push(`in section id ${context.sectionId}`);
  }
  if (context.field !== undefined) parts.push(`field ${context.field}`);
  return parts.length === 0 ? "" : ` (${parts.join(", ")})`;
}

export function isFormatError(error: unknown): error is FormatError {
  return error instanceof FormatError;
}
