import { QEMU_VM_SUBSECTION } from "../constants.js";
import { FormatError } from "../errors.js";
import { ByteReader, bytesToLatin1 } from "../wire/byte-reader.js";
import { BASE_CODECS, checkLoadedValue, isBaseType } from "./base-types.js";
import { fieldKeys, fieldPresent } from "./field-keys.js";
import type { VMStateDescription, VMStateField, VMStateValue } from "./types.js";

export interface VMStateDecodeOptions {
  /** Version the bytes were written at (the section header's version). Default: the description's. */
  version?: number;
  /**
   * The local state, for the load checks of "… equal" and "int32 le" fields that have no `expect`
   * (QEMU compares the incoming value with the device's current one).
   */
  current?: VMStateValue;
  /** Largest element count accepted for one array field (default 4 Mi). */
  maxArrayLength?: number;
}

const DEFAULT_MAX_ARRAY = 4 * 1024 * 1024;

/**
 * Decodes one vmstate body with QEMU's rules: version checks with QEMU's wording, field version
 * gating, nested structs at their local version, subsections with the loader's early exits and
 * the u8 truncation of their version.
 *
 * Given a Uint8Array, the whole array must be consumed. Given a ByteReader, decoding starts at its
 * position and leaves it after the body.
 */
export function decodeVMState(
  desc: VMStateDescription,
  input: Uint8Array | ByteReader,
  options: VMStateDecodeOptions = {},
): VMStateValue {
  const whole = input instanceof Uint8Array;
  const r = whole ? new ByteReader(input) : input;
  const loader = new Loader(r, options.maxArrayLength ?? DEFAULT_MAX_ARRAY);
  const value = loader.load(desc, options.version ?? desc.version_id, options.current);
  if (whole && r.remaining > 0) {
    throw new FormatError("BAD_BODY", `${r.remaining} bytes left after the fields of '${desc.name}'`, {
      offset: r.offset,
    });
  }
  return value;
}

class Loader {
  constructor(
    private readonly r: ByteReader,
    private readonly maxArray: number,
  ) {}

  load(desc: VMStateDescription, version: number, current: VMStateValue | undefined): VMStateValue {
    const r = this.r;
    if (version > desc.version_id) {
      throw new FormatError(
        "VMSTATE_VERSION_TOO_NEW",
        `${desc.name}: incoming version_id ${version} is too new for local version_id ${desc.version_id}`,
        { offset: r.offset },
      );
    }
    const min = desc.minimum_version_id ?? 0;
    if (version < min) {
      throw new FormatError(
        "VMSTATE_VERSION_TOO_OLD",
        `${desc.name}: incoming version_id ${version} is too old for local minimum version_id  ${min}`,
        { offset: r.offset },
      );
    }
    const value: VMStateValue = {};
    const keys = fieldKeys(desc);
    for (let i = 0; i < desc.fields.length; i++) {
      const field = desc.fields[i]!;
      if (!fieldPresent(field, value, version)) continue;
      const key = keys[i]!;
      try {
        this.loadField(field, key, value, current);
      } catch (e) {
        throw withFieldPath(e, key);
      }
    }
    this.loadSubsections(desc, value, current);
    return value;
  }

  private loadField(field: VMStateField, key: string, value: VMStateValue, current: VMStateValue | undefined): void {
    const cur = current?.[key];
    if (field.count === undefined && field.countField === undefined) {
      const v = this.loadElement(field, value, cur);
      if (field.index === undefined) {
        value[key] = v;
      } else {
        const list = value[key];
        if (Array.isArray(list)) list.push(v);
        else value[key] = [v];
      }
      return;
    }
    const n = field.count ?? countFrom(value, field.countField!);
    if (n > this.maxArray) {
      throw new FormatError("LIMIT_EXCEEDED", `array of ${n} elements is longer than the limit ${this.maxArray}`, {
        offset: this.r.offset,
      });
    }
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) {
      try {
        out.push(this.loadElement(field, value, Array.isArray(cur) ? cur[i] : undefined, i));
      } catch (e) {
        throw withFieldPath(e, `[${i}]`);
      }
    }
    value[key] = out;
  }

  private loadElement(field: VMStateField, parent: VMStateValue, cur: unknown, index = 0): unknown {
    const r = this.r;
    const type = field.type;
    if (type === "struct") {
      const sub = needStruct(field);
      const start = r.pos;
      const v = this.load(sub, field.structVersion ?? sub.version_id, asValue(cur));
      // A vmdesc describes a compressed array by its first element only.
      if (field.size !== undefined && index === 0 && r.pos - start !== field.size) {
        throw new FormatError(
          "BAD_VMDESC",
          `struct '${sub.name}' took ${r.pos - start} bytes where the vmdesc says ${field.size}`,
          { offset: r.base + start },
        );
      }
      return v;
    }
    if (type === "qtailq") {
      const sub = needStruct(field);
      const items: VMStateValue[] = [];
      for (;;) {
        const at = r.offset;
        const marker = r.u8();
        if (marker === 0) return items;
        if (marker !== 1) {
          throw new FormatError("VMSTATE_CHECK_FAILED", `queue element marker is ${marker}, expected 0 or 1`, { offset: at });
        }
        if (items.length >= this.maxArray) {
          throw new FormatError("LIMIT_EXCEEDED", `queue longer than the limit ${this.maxArray}`, { offset: at });
        }
        items.push(this.load(sub, field.version_id ?? sub.version_id, undefined));
      }
    }
    if (isBaseType(type)) {
      const at = r.offset;
      const v = BASE_CODECS[type].read(r, elementSize(field, parent));
      const problem = checkLoadedValue(type, v, field.expect ?? cur);
      if (problem) throw new FormatError("VMSTATE_CHECK_FAILED", problem, { offset: at });
      return v;
    }
    return type.get(r, field);
  }

  private loadSubsections(desc: VMStateDescription, value: VMStateValue, current: VMStateValue | undefined): void {
    const r = this.r;
    for (;;) {
      if (!this.canPeek(1) || r.peekU8() !== QEMU_VM_SUBSECTION) return;
      if (!this.canPeek(2)) return;
      const len = r.peekU8(1);
      // The loader's early exits leave the bytes to the caller rather than failing.
      if (len < desc.name.length + 1) return;
      if (!this.canPeek(2 + len)) return;
      const name = bytesToLatin1(r.buf, r.pos + 2, r.pos + 2 + len);
      if (!name.startsWith(desc.name)) return;
      const sub = desc.subsections?.find((s) => s.name === name);
      if (!sub) {
        throw new FormatError("UNKNOWN_SUBSECTION", `${desc.name}: unknown subsection '${name}'`, { offset: r.offset });
      }
      r.skip(2 + len);
      // QEMU keeps the subsection version in a uint8_t.
      const version = r.u32() & 0xff;
      try {
        value[name] = this.load(sub, version, asValue(current?.[name]));
      } catch (e) {
        throw withFieldPath(e, name, ":");
      }
    }
  }

  /** True if `n` bytes can be looked at; in partial mode asks for more input instead of saying no. */
  private canPeek(n: number): boolean {
    const r = this.r;
    if (r.remaining >= n) return true;
    if (r.partial) r.require(n);
    return false;
  }
}

function needStruct(field: VMStateField): VMStateDescription {
  if (!field.struct) throw new FormatError("INVALID_VALUE", `field '${field.name}' of type ${String(field.type)} has no struct`);
  return field.struct;
}

function asValue(v: unknown): VMStateValue | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Uint8Array) ? (v as VMStateValue) : undefined;
}

/** The element count or buffer size stored in an earlier field. */
export function countFrom(value: VMStateValue, field: string): number {
  const v = value[field];
  const n = typeof v === "bigint" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
    throw new FormatError("INVALID_VALUE", `size field '${field}' holds ${String(v)}, not a count`);
  }
  return n;
}

/** Byte length of a buffer (bit count of a bitmap) element. */
export function elementSize(field: VMStateField, parent: VMStateValue): number {
  if (field.sizeField !== undefined) return countFrom(parent, field.sizeField) * (field.multiply ?? 1);
  return field.size ?? 0;
}

/** Adds a field path (`env.segs[2].selector`) to an error thrown deeper down. */
export function withFieldPath(e: unknown, segment: string, separator = "."): unknown {
  if (!(e instanceof FormatError)) return e;
  const inner = e.field;
  const field = inner === undefined ? segment : inner.startsWith("[") ? segment + inner : segment + separator + inner;
  return new FormatError(e.code, e.detail, { offset: e.offset, section: e.section, sectionId: e.sectionId, field });
}
