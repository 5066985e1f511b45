import { QEMU_VM_SUBSECTION } from "../constants.js";
import { FormatError } from "../errors.js";
import type { VmdescField, VmdescVmsd } from "../vmdesc/vmdesc.js";
import { ByteWriter } from "../wire/byte-writer.js";
import { BASE_CODECS, describe, isBaseType } from "./base-types.js";
import { countFrom, elementSize, withFieldPath } from "./decode.js";
import { fieldKeys, fieldPresent } from "./field-keys.js";
import type { VMStateDescription, VMStateField, VMStateValue } from "./types.js";

export interface VMStateEncodeResult {
  /** The body bytes. */
  bytes: Uint8Array;
  /** What QEMU would put in the vmdesc for this body: sizes measured from the bytes written. */
  vmdesc: VmdescVmsd;
}

/**
 * Encodes a value with a description, the way QEMU's vmstate_save_state does: fields in order at
 * the description's own version, then the needed subsections. A subsection's fields are taken from
 * `value[subsection.name]`, or from `value` itself when that key is absent but `needed()` said yes.
 *
 * With `writer`, the bytes are appended to it (and also returned as a view of what was added).
 */
export function encodeVMState(
  desc: VMStateDescription,
  value: VMStateValue,
  writer?: ByteWriter,
): VMStateEncodeResult {
  const w = writer ?? new ByteWriter(256);
  const start = w.pos;
  const vmdesc = newVmsd(desc, desc.version_id);
  saveState(w, desc, value, desc.version_id, vmdesc);
  return { bytes: w.peek().subarray(start), vmdesc };
}

function newVmsd(desc: VMStateDescription, version: number): VmdescVmsd {
  return { vmsd_name: desc.name, version, fields: [] };
}

function saveState(
  w: ByteWriter,
  desc: VMStateDescription,
  value: VMStateValue,
  version: number,
  json: VmdescVmsd | VmdescField | undefined,
): void {
  if (value === null || typeof value !== "object") {
    throw new FormatError("INVALID_VALUE", `'${desc.name}' needs an object, got ${describe(value)}`);
  }
  const keys = fieldKeys(desc);
  const fieldsJson: VmdescField[] | undefined = json ? (json.fields ??= []) : undefined;
  for (let i = 0; i < desc.fields.length; i++) {
    const field = desc.fields[i]!;
    if (!fieldPresent(field, value, version)) continue;
    const key = keys[i]!;
    try {
      saveField(w, field, key, value, fieldsJson);
    } catch (e) {
      throw withFieldPath(e, key);
    }
  }
  let subsJson: VmdescVmsd[] | undefined;
  for (const sub of desc.subsections ?? []) {
    const own = value[sub.name];
    const needed = sub.needed ? sub.needed(value) : own !== undefined;
    if (!needed) continue;
    w.u8(QEMU_VM_SUBSECTION).countedString(sub.name).u32(sub.version_id);
    const subJson = json ? newVmsd(sub, sub.version_id) : undefined;
    try {
      saveState(w, sub, (own ?? value) as VMStateValue, sub.version_id, subJson);
    } catch (e) {
      throw withFieldPath(e, sub.name, ":");
    }
    if (json && subJson) (subsJson ??= []).push(subJson);
  }
  if (json && subsJson) json.subsections = subsJson;
}

function saveField(
  w: ByteWriter,
  field: VMStateField,
  key: string,
  parent: VMStateValue,
  fieldsJson: VmdescField[] | undefined,
): void {
  const v = field.index === undefined ? parent[key] : elementOf(parent[field.name], field.index);
  const isArray = field.count !== undefined || field.countField !== undefined;
  const n = isArray ? (field.count ?? countFrom(parent, field.countField!)) : 1;
  if (isArray && (!Array.isArray(v) || v.length !== n)) {
    throw new FormatError("INVALID_VALUE", `expected an array of ${n} elements, got ${describe(v)}`);
  }
  const compress = canCompress(field);
  let describeIt = fieldsJson !== undefined;
  for (let i = 0; i < n; i++) {
    const element = isArray ? (v as unknown[])[i] : v;
    let entry: VmdescField | undefined;
    if (describeIt) {
      entry = { name: field.index === undefined ? key : field.name } as VmdescField;
      if (n > 1) {
        if (compress) entry.array_len = n;
        else entry.index = i;
      } else if (field.index !== undefined) {
        entry.index = field.index;
      }
      entry.type = typeName(field);
    }
    const start = w.pos;
    try {
      writeElement(w, field, element, parent, entry);
    } catch (e) {
      throw isArray ? withFieldPath(e, `[${i}]`) : e;
    }
    if (entry) {
      entry.size = w.pos - start;
      fieldsJson!.push(entry);
      // A compressible array is described once, by its first element.
      if (compress) describeIt = false;
    }
  }
}

function elementOf(list: unknown, index: number): unknown {
  return Array.isArray(list) ? list[index] : index === 0 ? list : undefined;
}

function writeElement(
  w: ByteWriter,
  field: VMStateField,
  element: unknown,
  parent: VMStateValue,
  entry: VmdescField | undefined,
): void {
  const type = field.type;
  if (type === "struct") {
    const sub = field.struct;
    if (!sub) throw new FormatError("INVALID_VALUE", `struct field '${field.name}' has no struct description`);
    const version = field.structVersion ?? sub.version_id;
    if (field.structVersion !== undefined) {
      // VMS_VSTRUCT: QEMU writes the nested description into the field entry itself.
      if (entry) {
        entry.vmsd_name = sub.name;
        entry.version = version;
        entry.fields = [];
      }
      saveState(w, sub, element as VMStateValue, version, entry);
    } else {
      const structJson = entry ? newVmsd(sub, version) : undefined;
      if (entry) entry.struct = structJson;
      saveState(w, sub, element as VMStateValue, version, structJson);
    }
    return;
  }
  if (type === "qtailq") {
    const sub = field.struct;
    if (!sub) throw new FormatError("INVALID_VALUE", `queue field '${field.name}' has no struct description`);
    if (!Array.isArray(element)) throw new FormatError("INVALID_VALUE", `expected an array, got ${describe(element)}`);
    for (const item of element) {
      w.u8(1);
      saveState(w, sub, item as VMStateValue, sub.version_id, undefined);
    }
    w.u8(0);
    return;
  }
  if (isBaseType(type)) {
    BASE_CODECS[type].write(w, element, elementSize(field, parent));
    return;
  }
  type.put(w, element, field);
}

function typeName(field: VMStateField): string {
  if (field.vmdescType !== undefined) return field.vmdescType;
  const type = field.type;
  if (type === "struct") return field.structVersion !== undefined ? "vstruct" : "struct";
  return typeof type === "string" ? type : type.name;
}

/** QEMU's vmsd_can_compress: arrays described once unless something in them may come and go. */
function canCompress(field: VMStateField): boolean {
  if (field.exists) return false;
  if (field.type === "struct" && field.struct) {
    if (!field.struct.fields.every(canCompress)) return false;
    if ((field.struct.subsections?.length ?? 0) > 0) return false;
  }
  return true;
}
