import { FormatError } from "../errors.js";

/** One field entry of the vmdesc JSON (`vmsd_desc_field_start/_end` in QEMU's vmstate.c). */
export interface VmdescField {
  name: string;
  /** A compressed array: `array_len` elements of `size` bytes each. */
  array_len?: number;
  /** One element of an array that QEMU described element by element. */
  index?: number;
  /** VMStateInfo name, or "struct" / "vstruct" / "unknown". */
  type: string;
  struct?: VmdescVmsd;
  /** Bytes written for (one element of) this field. */
  size: number;
  /** "tmp" and "vstruct" entries carry a nested description inline. */
  vmsd_name?: string;
  version?: number;
  fields?: VmdescField[];
  subsections?: VmdescVmsd[];
}

/** A vmsd as the JSON describes it: a struct, a subsection or the configuration. */
export interface VmdescVmsd {
  vmsd_name: string;
  version: number;
  fields: VmdescField[];
  subsections?: VmdescVmsd[];
}

/** One FULL section that was written. Old-style devices have `size` and one "data" buffer field. */
export interface VmdescDevice {
  name: string;
  instance_id: number;
  vmsd_name?: string;
  version?: number;
  size?: number;
  fields: VmdescField[];
  subsections?: VmdescVmsd[];
}

/** The vmdesc trailer. QEMU 8.2+ adds `configuration` (first in the object). */
export interface Vmdesc {
  configuration?: VmdescVmsd;
  page_size: number;
  devices: VmdescDevice[];
}

const MAX_DEPTH = 64;

/** Parses and checks the JSON of a vmdesc trailer; `offset` is where the JSON starts, for errors. */
export function parseVmdesc(json: Uint8Array, offset = 0): Vmdesc {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(json));
  } catch (e) {
    throw new FormatError("BAD_VMDESC", `vmdesc trailer is not valid JSON: ${(e as Error).message}`, { offset });
  }
  const problem = checkVmdesc(value);
  if (problem) throw new FormatError("BAD_VMDESC", `vmdesc trailer: ${problem}`, { offset });
  return value as Vmdesc;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

function checkVmdesc(v: unknown): string | undefined {
  if (!isObject(v)) return "not a JSON object";
  if (!isCount(v.page_size)) return "page_size is missing or not a number";
  if (!Array.isArray(v.devices)) return "devices is missing or not an array";
  if (v.configuration !== undefined) {
    const p = checkVmsd(v.configuration, 0);
    if (p) return `configuration: ${p}`;
  }
  for (let i = 0; i < v.devices.length; i++) {
    const d: unknown = v.devices[i];
    if (!isObject(d)) return `devices[${i}] is not an object`;
    if (typeof d.name !== "string") return `devices[${i}] has no name`;
    if (!isCount(d.instance_id)) return `devices[${i}] (${d.name}) has no instance_id`;
    const p = checkFieldsAndSubsections(d, 0);
    if (p) return `devices[${i}] (${d.name}): ${p}`;
  }
  return undefined;
}

function checkVmsd(v: unknown, depth: number): string | undefined {
  if (!isObject(v)) return "not an object";
  if (typeof v.vmsd_name !== "string") return "no vmsd_name";
  if (!isCount(v.version)) return `${v.vmsd_name}: no version`;
  return checkFieldsAndSubsections(v, depth);
}

function checkFieldsAndSubsections(v: Record<string, unknown>, depth: number): string | undefined {
  if (depth > MAX_DEPTH) return "nested too deeply";
  if (!Array.isArray(v.fields)) return "fields is not an array";
  for (const f of v.fields as unknown[]) {
    const p = checkField(f, depth + 1);
    if (p) return p;
  }
  if (v.subsections !== undefined) {
    if (!Array.isArray(v.subsections)) return "subsections is not an array";
    for (const s of v.subsections as unknown[]) {
      const p = checkVmsd(s, depth + 1);
      if (p) return `subsection ${p}`;
    }
  }
  return undefined;
}

function checkField(f: unknown, depth: number): string | undefined {
  if (!isObject(f)) return "a field is not an object";
  if (typeof f.name !== "string") return "a field has no name";
  if (typeof f.type !== "string") return `field ${f.name} has no type`;
  if (!isCount(f.size)) return `field ${f.name} has no size`;
  if (f.array_len !== undefined && !isCount(f.array_len)) return `field ${f.name} has a bad array_len`;
  if (f.index !== undefined && !isCount(f.index)) return `field ${f.name} has a bad index`;
  if (f.struct !== undefined) {
    const p = checkVmsd(f.struct, depth);
    if (p) return `field ${f.name}: ${p}`;
  }
  if (f.fields !== undefined) {
    const p = checkFieldsAndSubsections(f, depth);
    if (p) return `field ${f.name}: ${p}`;
  }
  return undefined;
}
