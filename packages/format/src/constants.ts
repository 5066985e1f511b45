/** Byte values of QEMU's migration stream v3 (migration/savevm.h, migration/ram.h). */

export const QEMU_VM_FILE_MAGIC = 0x5145564d;
export const QEMU_VM_FILE_VERSION_COMPAT = 2;
export const QEMU_VM_FILE_VERSION = 3;

export const QEMU_VM_EOF = 0x00;
export const QEMU_VM_SECTION_START = 0x01;
export const QEMU_VM_SECTION_PART = 0x02;
export const QEMU_VM_SECTION_END = 0x03;
export const QEMU_VM_SECTION_FULL = 0x04;
export const QEMU_VM_SUBSECTION = 0x05;
export const QEMU_VM_VMDESCRIPTION = 0x06;
export const QEMU_VM_CONFIGURATION = 0x07;
export const QEMU_VM_COMMAND = 0x08;
export const QEMU_VM_SECTION_FOOTER = 0x7e;

export const RAM_SAVE_FLAG_FULL = 0x01;
export const RAM_SAVE_FLAG_ZERO = 0x02;
export const RAM_SAVE_FLAG_MEM_SIZE = 0x04;
export const RAM_SAVE_FLAG_PAGE = 0x08;
export const RAM_SAVE_FLAG_EOS = 0x10;
export const RAM_SAVE_FLAG_CONTINUE = 0x20;
export const RAM_SAVE_FLAG_XBZRLE = 0x40;
export const RAM_SAVE_FLAG_HOOK = 0x80;
export const RAM_SAVE_FLAG_COMPRESS_PAGE = 0x100;
export const RAM_SAVE_FLAG_MULTIFD_FLUSH = 0x200;

/**
 * savevm's dedup extension: the page repeats an earlier page of the same block (payload: be64
 * offset of that page). QEMU's flags end at 0x200 and QEMU keeps 0x400 free so that 1 KiB
 * target pages stay usable, so no QEMU flag can ever collide with it. Only valid in a stream
 * whose configuration record lists {@link DEDUP_CAPABILITY}.
 */
export const RAM_SAVE_FLAG_X_DEDUP = 0x400;

/** The capability name the dedup extension is recorded under (`x-`: an experiment, as QMP reserves). */
export const DEDUP_CAPABILITY = "x-dedup";

/** Capabilities a reader accepts unless told otherwise. */
export const DEFAULT_SUPPORTED_CAPABILITIES: readonly string[] = ["x-ignore-shared", DEDUP_CAPABILITY];

/** ENCODING_FLAG_XBZRLE: the byte after an XBZRLE record header. */
export const ENCODING_FLAG_XBZRLE = 0x01;

/** The only `ram` section version QEMU has ever loaded (ram_load). */
export const RAM_SECTION_VERSION = 4;

/** x86 TARGET_PAGE_SIZE; the default page size of the RAM section. */
export const DEFAULT_PAGE_SIZE = 4096;

/** MAX_VM_CMD_PACKAGED_SIZE: QEMU refuses a larger CMD_PACKAGED blob. */
export const MAX_PACKAGED_SIZE = 1 << 24;

/** VMS_NULLPTR_MARKER: one byte standing for a NULL entry in an array of pointers. */
export const VMS_NULLPTR_MARKER = 0x30;

export type SectionType = "start" | "part" | "end" | "full";

export const SECTION_TYPE_BYTE: Record<SectionType, number> = {
  start: QEMU_VM_SECTION_START,
  part: QEMU_VM_SECTION_PART,
  end: QEMU_VM_SECTION_END,
  full: QEMU_VM_SECTION_FULL,
};

export function sectionTypeOf(byte: number): SectionType | undefined {
  switch (byte) {
    case QEMU_VM_SECTION_START:
      return "start";
    case QEMU_VM_SECTION_PART:
      return "part";
    case QEMU_VM_SECTION_END:
      return "end";
    case QEMU_VM_SECTION_FULL:
      return "full";
    default:
      return undefined;
  }
}
