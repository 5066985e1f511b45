import { QEMU_VM_CONFIGURATION, QEMU_VM_SECTION_FULL, QEMU_VM_SECTION_START, QEMU_VM_SUBSECTION } from "./constants.js";
import { FormatError } from "./errors.js";
import type { ConfigurationRecord, ConfigurationSubsection } from "./records.js";
import { ByteReader, bytesToLatin1 } from "./wire/byte-reader.js";
import { ByteWriter } from "./wire/byte-writer.js";

export const SUBSECTION_TARGET_PAGE_BITS = "configuration/target-page-bits";
export const SUBSECTION_CAPABILITIES = "configuration/capabilities";
export const SUBSECTION_UUID = "configuration/uuid";

const PREFIX = "configuration";
/** How far the decoder looks for the end of a configuration subsection it does not know. */
const UNKNOWN_SUBSECTION_WINDOW = 64 * 1024;
const MAX_CAPABILITIES = 1024;

export interface ConfigurationInit {
  /** e.g. "pc-i440fx-7.2". */
  machineType: string;
  /** Validated migration capabilities, e.g. ["x-ignore-shared"]; sent only when non-empty. */
  capabilities?: readonly string[];
  /** Sent only for targets with variable page size. */
  targetPageBits?: number;
  /** 16 bytes (validate-uuid). */
  uuid?: Uint8Array;
}

/** Builds a configuration record with the subsections QEMU would send for these settings. */
export function makeConfigurationRecord(init: ConfigurationInit, offset = 8): ConfigurationRecord {
  const subsections: ConfigurationSubsection[] = [];
  if (init.targetPageBits !== undefined) {
    subsections.push({ name: SUBSECTION_TARGET_PAGE_BITS, version: 1, payload: new ByteWriter(4).u32(init.targetPageBits).finish() });
  }
  if (init.capabilities && init.capabilities.length > 0) {
    const w = new ByteWriter(64).u32(init.capabilities.length);
    for (const c of init.capabilities) w.countedString(c);
    subsections.push({ name: SUBSECTION_CAPABILITIES, version: 1, payload: w.finish() });
  }
  if (init.uuid !== undefined) {
    if (init.uuid.length !== 16) throw new FormatError("INVALID_VALUE", `uuid must be 16 bytes, got ${init.uuid.length}`);
    subsections.push({ name: SUBSECTION_UUID, version: 1, payload: init.uuid.slice() });
  }
  return configurationRecord(offset, init.machineType, subsections);
}

function configurationRecord(offset: number, machineType: string, subsections: ConfigurationSubsection[]): ConfigurationRecord {
  const rec: ConfigurationRecord = { kind: "configuration", offset, machineType, subsections, capabilities: [] };
  for (const s of subsections) {
    const r = new ByteReader(s.payload);
    if (s.name === SUBSECTION_TARGET_PAGE_BITS) rec.targetPageBits = r.u32();
    else if (s.name === SUBSECTION_UUID) rec.uuid = s.payload;
    else if (s.name === SUBSECTION_CAPABILITIES) {
      const n = r.u32();
      for (let i = 0; i < n; i++) rec.capabilities.push(r.countedString());
    }
  }
  return rec;
}

/** Reads `u8 0x07` and the configuration vmstate that follows it. */
export function parseConfiguration(r: ByteReader): ConfigurationRecord {
  const offset = r.offset;
  r.u8();
  const lenAt = r.offset;
  const len = r.u32();
  if (len > 255) {
    throw new FormatError("BAD_CONFIGURATION", `machine type name of ${len} bytes`, { offset: lenAt, section: PREFIX });
  }
  const machineType = r.latin1(len);
  const subsections: ConfigurationSubsection[] = [];
  while (startsSubsection(r)) {
    const at = r.offset;
    r.u8();
    const name = r.countedString();
    const version = r.u32();
    const payloadStart = r.pos;
    if (name === SUBSECTION_TARGET_PAGE_BITS || name === SUBSECTION_UUID || name === SUBSECTION_CAPABILITIES) {
      checkVersion(name, version, at);
      if (name === SUBSECTION_TARGET_PAGE_BITS) r.skip(4);
      else if (name === SUBSECTION_UUID) r.skip(16);
      else {
        const countAt = r.offset;
        const n = r.u32();
        if (n > MAX_CAPABILITIES) {
          throw new FormatError("LIMIT_EXCEEDED", `${n} capabilities in the configuration`, { offset: countAt, section: PREFIX });
        }
        for (let i = 0; i < n; i++) r.skip(1 + r.peekU8());
      }
    } else {
      r.pos = unknownSubsectionEnd(r, payloadStart);
    }
    subsections.push({ name, version, payload: r.buf.slice(payloadStart, r.pos) });
  }
  return configurationRecord(offset, machineType, subsections);
}

function checkVersion(name: string, version: number, offset: number): void {
  // The loader keeps the subsection version in a uint8_t.
  const v = version & 0xff;
  if (v > 1) {
    throw new FormatError("VMSTATE_VERSION_TOO_NEW", `${name}: incoming version_id ${v} is too new for local version_id 1`, { offset });
  }
  if (v < 1) {
    throw new FormatError("VMSTATE_VERSION_TOO_OLD", `${name}: incoming version_id ${v} is too old for local minimum version_id  1`, { offset });
  }
}

/** A configuration subsection header: 0x05, a name that starts with "configuration". */
function startsSubsection(r: ByteReader): boolean {
  if (!peekable(r, 2) || r.peekU8() !== QEMU_VM_SUBSECTION) return false;
  const len = r.peekU8(1);
  if (len < PREFIX.length + 1 || !peekable(r, 2 + len)) return false;
  return bytesToLatin1(r.buf, r.pos + 2, r.pos + 2 + PREFIX.length) === PREFIX;
}

function peekable(r: ByteReader, n: number): boolean {
  if (r.remaining >= n) return true;
  if (r.partial) r.require(n);
  return false;
}

/**
 * The body of a subsection this codec does not know has no length on the wire. It is taken to end
 * where the next configuration subsection or a plausible top-level record starts.
 */
function unknownSubsectionEnd(r: ByteReader, from: number): number {
  const limit = from + UNKNOWN_SUBSECTION_WINDOW;
  for (let p = from; p < limit; p++) {
    if (p + 1 > r.end) {
      if (r.partial) r.require(p + 1 - r.pos);
      return r.end;
    }
    const probe = new ByteReader(r.buf.subarray(0, r.end), r.base, r.partial);
    probe.pos = p;
    if (looksLikeBoundary(probe)) return p;
  }
  throw new FormatError("BAD_CONFIGURATION", "cannot find the end of an unknown configuration subsection", {
    offset: r.base + from,
    section: PREFIX,
  });
}

function looksLikeBoundary(r: ByteReader): boolean {
  const type = r.peekU8();
  if (type === QEMU_VM_SUBSECTION) return startsSubsection(r);
  if (type !== QEMU_VM_SECTION_START && type !== QEMU_VM_SECTION_FULL) return false;
  if (!peekable(r, 6)) return false;
  const idlen = r.peekU8(5);
  if (idlen === 0 || !peekable(r, 6 + idlen + 8)) return false;
  for (let i = 0; i < idlen; i++) {
    const c = r.buf[r.pos + 6 + i]!;
    if (c < 0x20 || c > 0x7e) return false;
  }
  const view = new DataView(r.buf.buffer, r.buf.byteOffset + r.pos);
  return view.getUint32(1) < 0x10000 && view.getUint32(6 + idlen + 4) < 0x10000;
}

export function writeConfiguration(w: ByteWriter, rec: ConfigurationRecord): void {
  w.u8(QEMU_VM_CONFIGURATION).u32(rec.machineType.length).latin1(rec.machineType);
  for (const s of rec.subsections) {
    w.u8(QEMU_VM_SUBSECTION).countedString(s.name).u32(s.version).bytes(s.payload);
  }
}
