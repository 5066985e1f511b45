import type { VMStateDescription, VMStateField, VMStateValue } from "./types.js";

/** Whether a field is on the wire at `version` (QEMU's vmstate_field_exists). */
export function fieldPresent(field: VMStateField, value: VMStateValue, version: number): boolean {
  return field.exists ? field.exists(value, version) : (field.version_id ?? 0) <= version;
}

const cache = new WeakMap<VMStateDescription, readonly string[]>();

/**
 * The value-object key of each field: its name, or `name[k]` when several fields share the name
 * (k counts them from 0), which is also how QEMU names them in the vmdesc.
 */
export function fieldKeys(desc: VMStateDescription): readonly string[] {
  let keys = cache.get(desc);
  if (keys) return keys;
  const counts = new Map<string, number>();
  for (const f of desc.fields) {
    if (f.index === undefined) counts.set(f.name, (counts.get(f.name) ?? 0) + 1);
  }
  const seen = new Map<string, number>();
  keys = desc.fields.map((f) => {
    if (f.index !== undefined || (counts.get(f.name) ?? 0) < 2) return f.name;
    const k = seen.get(f.name) ?? 0;
    seen.set(f.name, k + 1);
    return `${f.name}[${k}]`;
  });
  cache.set(desc, keys);
  return keys;
}
