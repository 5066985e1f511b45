import type { VmdescDevice, VmdescField, VmdescVmsd } from "../vmdesc/vmdesc.js";
import type { VMStateBaseType, VMStateDescription, VMStateField } from "./types.js";

const INT_WIDTH: Partial<Record<string, number>> = {
  int8: 1,
  uint8: 1,
  "uint8 equal": 1,
  int16: 2,
  uint16: 2,
  "uint16 equal": 2,
  int32: 4,
  uint32: 4,
  "int32 equal": 4,
  "int32 le": 4,
  "uint32 equal": 4,
  int64: 8,
  uint64: 8,
  "int64 equal": 8,
  timer: 8,
};

/**
 * A description that reads a body the way analyze-migration.py does from the vmdesc trailer: each
 * field as exactly `size` bytes (integers and bools decoded, anything else kept as bytes), structs
 * recursed, the listed subsections in order. Lets any device in a stream with a trailer be decoded.
 */
export function descriptionFromVmdesc(entry: VmdescDevice | VmdescVmsd): VMStateDescription {
  const name = entry.vmsd_name ?? (entry as VmdescDevice).name;
  return {
    name,
    version_id: entry.version ?? 0,
    fields: entry.fields.map(fieldFromVmdesc),
    subsections: entry.subsections?.map((s) => descriptionFromVmdesc(s)),
  };
}

function fieldFromVmdesc(f: VmdescField): VMStateField {
  const field: VMStateField = { name: f.name, ...typeOf(f) };
  if (f.array_len !== undefined) field.count = f.array_len;
  if (f.index !== undefined) field.index = f.index;
  return field;
}

function typeOf(f: VmdescField): Omit<VMStateField, "name"> {
  if (f.type === "struct" && f.struct) {
    return { type: "struct", struct: descriptionFromVmdesc(f.struct), size: f.size };
  }
  if (f.type === "bool" && f.size === 1) return { type: "bool" };
  if (f.type === "nullptr" && f.size === 1) return { type: "nullptr" };
  if (f.type === "capability" && f.size >= 1) return { type: "capability" };
  if (f.type === "unused_buffer") return { type: "unused_buffer", size: f.size };
  if (INT_WIDTH[f.type] === f.size) return { type: f.type as VMStateBaseType };
  // Device-specific types ("pci config", "virtio", "tmp", …) and anything of an unexpected size.
  return { type: "buffer", size: f.size, vmdescType: f.type };
}
