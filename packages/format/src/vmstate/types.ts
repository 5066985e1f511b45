import type { ByteReader } from "../wire/byte-reader.js";
import type { ByteWriter } from "../wire/byte-writer.js";

/**
 * The state of one device (or struct) as a plain object keyed by field name. Subsections that
 * were sent appear under their vmsd name (e.g. `"cpu/pkru"`), as analyze-migration.py shows them.
 *
 * Value types by field type: bool → boolean; int8..int32 / uint8..uint32 (and their "equal"/"le"
 * variants) → number; int64 / uint64 / "int64 equal" / timer → bigint; CPU_Double_U / float64 →
 * number; buffer / unused_buffer → Uint8Array; bitmap → bigint[] (one per be64 word); capability →
 * string; nullptr → null; struct → VMStateValue; qtailq → VMStateValue[]; arrays → arrays.
 */
export type VMStateValue = { [field: string]: unknown };

/** Field types whose wire format QEMU defines (migration/vmstate-types.c). */
export type VMStateBaseType =
  | "bool"
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "uint8"
  | "uint16"
  | "uint32"
  | "uint64"
  | "int32 equal"
  | "int32 le"
  | "int64 equal"
  | "uint8 equal"
  | "uint16 equal"
  | "uint32 equal"
  | "timer"
  | "CPU_Double_U"
  | "float64"
  | "buffer"
  | "unused_buffer"
  | "bitmap"
  | "capability"
  | "nullptr";

/** A field type with its own encoding (QEMU's custom VMStateInfo, e.g. "pci config"). */
export interface VMStateInfo<T = unknown> {
  /** Type name written to the vmdesc. */
  name: string;
  get(reader: ByteReader, field: VMStateField): T;
  put(writer: ByteWriter, value: T, field: VMStateField): void;
}

export interface VMStateField {
  /** Key in the value object (and `name` in the vmdesc; repeated names become `name[k]`). */
  name: string;
  type: VMStateBaseType | "struct" | "qtailq" | VMStateInfo;
  /**
   * buffer / unused_buffer: length in bytes. bitmap: number of bits. struct: when set, each element
   * must take exactly this many bytes (descriptions built from a vmdesc use this).
   */
  size?: number;
  /** VMS_VBUFFER: the buffer length is the value of this earlier field ... */
  sizeField?: string;
  /** ... times this (VMS_MULTIPLY). */
  multiply?: number;
  /** VMS_ARRAY: a fixed number of elements. */
  count?: number;
  /** VMS_VARRAY_*: the element count is the value of this earlier field of the same struct. */
  countField?: string;
  /** struct / qtailq: the element layout. */
  struct?: VMStateDescription;
  /** VMS_VSTRUCT: load and save the struct at this version instead of its own. */
  structVersion?: number;
  /** The field is on the wire only when the section/struct version is >= this (default 0). */
  version_id?: number;
  /** QEMU's field_exists: overrides `version_id` when present. */
  exists?: (value: VMStateValue, versionId: number) => boolean;
  /**
   * "… equal" types: the value the loader requires. "int32 le": the largest value it accepts.
   * When absent, the decode option `current` supplies the local value, as QEMU compares with it.
   */
  expect?: number | bigint;
  /** Type name to put in the vmdesc instead of the default one (e.g. "pci config" for a buffer). */
  vmdescType?: string;
  /**
   * Only in descriptions built from a vmdesc: this entry is element `index` of an array that
   * QEMU described element by element; decoded values are collected into a list under `name`.
   */
  index?: number;
}

export interface VMStateDescription {
  name: string;
  version_id: number;
  /** Oldest version the loader accepts (default 0). */
  minimum_version_id?: number;
  fields: readonly VMStateField[];
  /** Written after the fields, in this order, when needed. */
  subsections?: readonly VMStateDescription[];
  /**
   * For a subsection: whether to send it, given the parent's value. Default: the parent value has
   * a key equal to the subsection's name.
   */
  needed?: (parent: VMStateValue) => boolean;
}
