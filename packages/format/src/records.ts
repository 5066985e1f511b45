import type { SectionType } from "./constants.js";
import type { Vmdesc } from "./vmdesc/vmdesc.js";
import type { VMStateValue } from "./vmstate/types.js";

/**
 * One piece of a migration stream, in stream order. Every record carries `offset`, the absolute
 * byte offset of its first byte, and holds everything needed to write it back byte for byte
 * (`encodeRecord`).
 */
export type MigrationRecord =
  | HeaderRecord
  | ConfigurationRecord
  | SectionRecord
  | FooterRecord
  | RamRecord
  | CommandRecord
  | EofRecord
  | VmdescRecord
  | TrailingRecord;

/** `be32 0x5145564d ("QEVM"), be32 version`. */
export interface HeaderRecord {
  kind: "header";
  offset: number;
  version: number;
}

/** One subsection of the configuration record, payload kept as raw bytes. */
export interface ConfigurationSubsection {
  /** e.g. `configuration/capabilities`. */
  name: string;
  /** The be32 version as written (QEMU only looks at its low 8 bits). */
  version: number;
  /** The subsection's fields, exactly as on the wire. */
  payload: Uint8Array;
}

/**
 * `u8 0x07`, then the `configuration` vmstate: be32 length + machine type, then subsections.
 * Encoding uses `machineType` and `subsections`; the other fields are decoded from them for
 * convenience.
 */
export interface ConfigurationRecord {
  kind: "configuration";
  offset: number;
  machineType: string;
  subsections: ConfigurationSubsection[];
  /** From `configuration/capabilities`, in stream order. */
  capabilities: string[];
  /** From `configuration/target-page-bits`. */
  targetPageBits?: number;
  /** From `configuration/uuid` (16 bytes). */
  uuid?: Uint8Array;
}

/** How the decoder found where a device section body ends. */
export type BodyLayout =
  /** parsed with a VMStateDescription from `options.devices` */
  | "description"
  /** walked with the field sizes of the vmdesc trailer */
  | "vmdesc"
  /** cut at a section footer after checking that the rest of the stream parses */
  | "footer-scan"
  /** no way to find the end: the body runs to the end of the input (no EOF record follows) */
  | "remainder";

/**
 * A section header and, for anything but RAM, its body. RAM sections (`idstr` "ram") have no
 * `body`: their RAM records follow as separate records, up to and including the EOS record.
 * The footer, when the stream has footers, follows as a FooterRecord.
 */
export interface SectionRecord {
  kind: "section";
  offset: number;
  type: SectionType;
  sectionId: number;
  /** On the wire for start/full; for part/end taken from the section's start record. */
  idstr: string;
  instanceId: number;
  version: number;
  /** Device section body, exactly as in the stream. Absent for RAM sections. */
  body?: Uint8Array;
  bodyLayout?: BodyLayout;
  /** The decoded device state, when a description (given or from the vmdesc) was available. */
  state?: VMStateValue;
  /** vmsd name of the description used to decode `state`. */
  vmsdName?: string;
}

/** `u8 0x7e, be32 section_id`, after each section body when the stream has footers. */
export interface FooterRecord {
  kind: "footer";
  offset: number;
  sectionId: number;
}

/** Records inside a RAM section body. */
export type RamRecord =
  | RamMemSizeRecord
  | RamZeroRecord
  | RamPageRecord
  | RamXbzrleRecord
  | RamCompressedRecord
  | RamEosRecord
  | RamMultifdFlushRecord
  | RamDedupRecord;

interface RamRecordBase {
  kind: "ram";
  offset: number;
  /** section_id of the RAM section this record belongs to. */
  sectionId: number;
  /**
   * The offset part of the record's be64 header (page offset inside the block; for mem-size the
   * total RAM size). Number, since RAM offsets stay far below 2^53.
   */
  address: number;
  /** RAM_SAVE_FLAG_CONTINUE: the block name was omitted because it equals the previous one. */
  continued: boolean;
}

export interface RamBlockInfo {
  idstr: string;
  /** used_length in bytes. */
  length: number;
  /** be64 page size, present when postcopy page sizes are on the wire for this block. */
  pageSize?: number;
  /** be64 guest physical address, present with the x-ignore-shared capability. */
  addr?: number;
}

/** RAM_SAVE_FLAG_MEM_SIZE: the list of RAM blocks; `address` holds the total size. */
export interface RamMemSizeRecord extends RamRecordBase {
  type: "mem-size";
  blocks: RamBlockInfo[];
}

/**
 * RAM_SAVE_FLAG_ZERO: a page filled with `fill` (QEMU 7.2 sends only 0; its loader accepts any
 * byte and fills the page with it).
 */
export interface RamZeroRecord extends RamRecordBase {
  type: "zero";
  block: string;
  fill: number;
}

/** RAM_SAVE_FLAG_PAGE: one raw page. */
export interface RamPageRecord extends RamRecordBase {
  type: "page";
  block: string;
  data: Uint8Array;
}

/** RAM_SAVE_FLAG_XBZRLE: `data` is the XBZRLE encoding against the page's previous content. */
export interface RamXbzrleRecord extends RamRecordBase {
  type: "xbzrle";
  block: string;
  data: Uint8Array;
}

/** RAM_SAVE_FLAG_COMPRESS_PAGE: `data` is a zlib stream that inflates to one page. */
export interface RamCompressedRecord extends RamRecordBase {
  type: "compressed";
  block: string;
  data: Uint8Array;
}

/**
 * savevm's dedup extension (RAM_SAVE_FLAG_X_DEDUP, capability `x-dedup`): the page at `address`
 * holds what the page at `source` of the same block holds at this point of the stream.
 */
export interface RamDedupRecord extends RamRecordBase {
  type: "dedup";
  block: string;
  /** Offset of the earlier page in the same block (a multiple of the page size). */
  source: number;
}

/** RAM_SAVE_FLAG_EOS: ends the RAM section body. */
export interface RamEosRecord extends RamRecordBase {
  type: "eos";
}

/** RAM_SAVE_FLAG_MULTIFD_FLUSH (QEMU 8.x+): a multifd sync point, no payload. */
export interface RamMultifdFlushRecord extends RamRecordBase {
  type: "multifd-flush";
}

/** `u8 0x08, be16 cmd, be16 len, data`. */
export interface CommandRecord {
  kind: "command";
  offset: number;
  /** MIG_CMD_* number (1..11). */
  command: number;
  /** QEMU's name for it, e.g. `PACKAGED`, `SWITCHOVER_START`. */
  name: string;
  /** The command's payload exactly as on the wire. */
  data: Uint8Array;
  /** PACKAGED: the nested stream that follows the command (its bytes are outside `data`). */
  packaged?: MigrationRecord[];
}

/** `u8 0x00`: end of the device state. */
export interface EofRecord {
  kind: "eof";
  offset: number;
}

/** `u8 0x06, be32 len, JSON`: the vmdesc trailer. `json` keeps the exact bytes. */
export interface VmdescRecord {
  kind: "vmdesc";
  offset: number;
  json: Uint8Array;
  description: Vmdesc;
}

/** Bytes after the EOF record that are not a vmdesc trailer (QEMU does not read them). */
export interface TrailingRecord {
  kind: "trailing";
  offset: number;
  data: Uint8Array;
}
