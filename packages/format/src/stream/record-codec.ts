import { type CommandRecord, type EofRecord, type FooterRecord, type HeaderRecord, type MigrationRecord, type SectionRecord, type VmdescRecord } from "../records.js";
import { packagedLength, writeCommand } from "../command.js";
import { writeConfiguration } from "../configuration.js";
import {
  DEFAULT_PAGE_SIZE,
  QEMU_VM_EOF,
  QEMU_VM_FILE_MAGIC,
  QEMU_VM_FILE_VERSION,
  QEMU_VM_FILE_VERSION_COMPAT,
  QEMU_VM_SECTION_FOOTER,
  QEMU_VM_VMDESCRIPTION,
  SECTION_TYPE_BYTE,
  sectionTypeOf,
} from "../constants.js";
import { FormatError, hex } from "../errors.js";
import { writeRamRecord } from "../ram/ram-records.js";
import type { ByteReader } from "../wire/byte-reader.js";
import { ByteWriter } from "../wire/byte-writer.js";

/** What the decoder knows about a section from its START/FULL header. */
export interface SectionInfo {
  idstr: string;
  instanceId: number;
  version: number;
}

/** Magic and version, with QEMU's refusals. */
export function parseHeader(r: ByteReader): HeaderRecord {
  const offset = r.offset;
  const magic = r.u32();
  if (magic !== QEMU_VM_FILE_MAGIC) {
    throw new FormatError("BAD_MAGIC", `Not a migration stream (magic ${hex(magic)}, expected ${hex(QEMU_VM_FILE_MAGIC)} "QEVM")`, { offset });
  }
  const versionAt = r.offset;
  const version = r.u32();
  if (version === QEMU_VM_FILE_VERSION_COMPAT) {
    throw new FormatError("VERSION_OBSOLETE", "SaveVM v2 format is obsolete and don't work anymore", { offset: versionAt });
  }
  if (version !== QEMU_VM_FILE_VERSION) {
    throw new FormatError("VERSION_UNSUPPORTED", `Unsupported migration stream version ${version}`, { offset: versionAt });
  }
  return { kind: "header", offset, version };
}

/** A section header; part/end take idstr, instance and version from the section's start. */
export function parseSectionHeader(r: ByteReader, sections: ReadonlyMap<number, SectionInfo>): SectionRecord {
  const offset = r.offset;
  const type = sectionTypeOf(r.u8())!;
  const sectionId = r.u32();
  if (type === "start" || type === "full") {
    if (r.peekU8() === 0) {
      throw new FormatError("EMPTY_IDSTR", `Unable to read ID string for section ${sectionId}`, { offset: r.offset, sectionId });
    }
    const idstr = r.countedString();
    const instanceId = r.u32();
    const version = r.u32();
    return { kind: "section", offset, type, sectionId, idstr, instanceId, version };
  }
  const info = sections.get(sectionId);
  if (!info) throw new FormatError("UNKNOWN_SECTION", `Unknown savevm section ${sectionId}`, { offset });
  return { kind: "section", offset, type, sectionId, idstr: info.idstr, instanceId: info.instanceId, version: info.version };
}

/** `0x06, be32 len, JSON`; the JSON is parsed by the caller. */
export function parseVmdescHeader(r: ByteReader, maxBytes: number): { offset: number; json: Uint8Array } {
  const offset = r.offset;
  r.u8();
  const len = r.u32();
  if (len > maxBytes) {
    throw new FormatError("LIMIT_EXCEEDED", `vmdesc trailer of ${len} bytes is larger than maxBufferedBytes (${maxBytes})`, { offset });
  }
  return { offset, json: r.bytes(len).slice() };
}

/** The page size of the RAM records after `rec`: a configuration record's target-page-bits sets it. */
export function pageSizeAfter(rec: MigrationRecord, current: number): number {
  return rec.kind === "configuration" && rec.targetPageBits !== undefined ? 2 ** rec.targetPageBits : current;
}

export interface EncodeOptions {
  /** Target page size of the stream's RAM records (default 4096). */
  pageSize?: number;
}

/** Writes one record's bytes (a PACKAGED command includes its nested stream). */
export function writeRecord(w: ByteWriter, rec: MigrationRecord, options: EncodeOptions = {}): void {
  switch (rec.kind) {
    case "header":
      w.u32(QEMU_VM_FILE_MAGIC).u32(rec.version);
      return;
    case "configuration":
      writeConfiguration(w, rec);
      return;
    case "section":
      writeSectionHeader(w, rec);
      if (rec.body) w.bytes(rec.body);
      return;
    case "footer":
      writeFooter(w, rec);
      return;
    case "ram":
      writeRamRecord(w, rec, options.pageSize ?? DEFAULT_PAGE_SIZE);
      return;
    case "command":
      writeCommandWithPackage(w, rec, options);
      return;
    case "eof":
      writeEof(w, rec);
      return;
    case "vmdesc":
      writeVmdesc(w, rec);
      return;
    case "trailing":
      w.bytes(rec.data);
      return;
  }
}

/** The bytes of one record. */
export function encodeRecord(rec: MigrationRecord, options?: EncodeOptions): Uint8Array {
  const w = new ByteWriter(rec.kind === "section" && rec.body ? rec.body.length + 64 : 256);
  writeRecord(w, rec, options);
  return w.finish();
}

export function writeSectionHeader(w: ByteWriter, rec: Pick<SectionRecord, "type" | "sectionId" | "idstr" | "instanceId" | "version">): void {
  w.u8(SECTION_TYPE_BYTE[rec.type]).u32(rec.sectionId);
  if (rec.type === "start" || rec.type === "full") {
    if (rec.idstr.length === 0) throw new FormatError("EMPTY_IDSTR", "a section idstr cannot be empty");
    w.countedString(rec.idstr).u32(rec.instanceId).u32(rec.version);
  }
}

export function writeFooter(w: ByteWriter, rec: Pick<FooterRecord, "sectionId">): void {
  w.u8(QEMU_VM_SECTION_FOOTER).u32(rec.sectionId);
}

export function writeEof(w: ByteWriter, _rec?: EofRecord): void {
  w.u8(QEMU_VM_EOF);
}

export function writeVmdesc(w: ByteWriter, rec: Pick<VmdescRecord, "json">): void {
  w.u8(QEMU_VM_VMDESCRIPTION).u32(rec.json.length).bytes(rec.json);
}

function writeCommandWithPackage(w: ByteWriter, rec: CommandRecord, options: EncodeOptions): void {
  writeCommand(w, rec);
  if (!rec.packaged) return;
  const start = w.pos;
  for (const nested of rec.packaged) writeRecord(w, nested, options);
  const written = w.pos - start;
  if (written !== packagedLength(rec)) {
    throw new FormatError("INVALID_VALUE", `PACKAGED announces ${packagedLength(rec)} bytes but its records encode to ${written}`);
  }
}
