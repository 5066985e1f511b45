import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FormatError } from "../errors.js";
import type { VmdescField, VmdescVmsd } from "../vmdesc/vmdesc.js";
import { ByteReader } from "../wire/byte-reader.js";
import { ByteWriter } from "../wire/byte-writer.js";
import { decodeVMState } from "./decode.js";
import { encodeVMState } from "./encode.js";
import { fieldKeys } from "./field-keys.js";
import { descriptionFromVmdesc } from "./from-vmdesc.js";
import type { VMStateBaseType, VMStateDescription, VMStateField, VMStateValue } from "./types.js";

const segment: VMStateDescription = {
  name: "segment",
  version_id: 1,
  fields: [
    { name: "selector", type: "uint32" },
    { name: "base", type: "uint64" },
  ],
};

const device: VMStateDescription = {
  name: "dev",
  version_id: 3,
  minimum_version_id: 2,
  fields: [
    { name: "ctrl", type: "uint8" },
    { name: "unused", type: "unused_buffer", size: 2 },
    { name: "regs", type: "uint16", count: 3 },
    { name: "n", type: "int32" },
    { name: "queue", type: "uint8", countField: "n" },
    { name: "len", type: "uint32" },
    { name: "blob", type: "buffer", sizeField: "len" },
    { name: "segs", type: "struct", struct: segment, count: 2 },
    { name: "later", type: "bool", version_id: 3 },
    { name: "unused", type: "unused_buffer", size: 1 },
    { name: "timer", type: "timer" },
  ],
  subsections: [
    { name: "dev/extra", version_id: 1, fields: [{ name: "x", type: "int64" }] },
    { name: "dev/never", version_id: 1, fields: [{ name: "y", type: "uint8" }] },
  ],
};

const value: VMStateValue = {
  ctrl: 7,
  "unused[0]": new Uint8Array(2),
  regs: [1, 2, 0xffff],
  n: 2,
  queue: [9, 8],
  len: 3,
  blob: Uint8Array.from([0xaa, 0xbb, 0xcc]),
  segs: [
    { selector: 1, base: 0x10n },
    { selector: 2, base: 0xffff_ffff_0000n },
  ],
  later: true,
  "unused[1]": new Uint8Array(1),
  timer: -1n,
  "dev/extra": { x: -5n },
};

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

describe("vmstate encode/decode", () => {
  it("writes fields back to back, then the needed subsections", () => {
    const { bytes } = encodeVMState(device, value);
    expect(hex(bytes)).toBe(
      "07" + "0000" + "00010002ffff" + "00000002" + "0908" + "00000003" + "aabbcc" +
        "00000001" + "0000000000000010" + "00000002" + "0000ffffffff0000" + "01" + "00" + "ffffffffffffffff" +
        "05" + "09" + Buffer.from("dev/extra").toString("hex") + "00000001" + "fffffffffffffffb",
    );
    expect(decodeVMState(device, bytes)).toEqual(value);
  });

  it("describes what it wrote as QEMU's vmdesc does", () => {
    const { bytes, vmdesc } = encodeVMState(device, value);
    expect(vmdesc).toEqual<VmdescVmsd>({
      vmsd_name: "dev",
      version: 3,
      fields: [
        { name: "ctrl", type: "uint8", size: 1 },
        { name: "unused[0]", type: "unused_buffer", size: 2 },
        { name: "regs", array_len: 3, type: "uint16", size: 2 },
        { name: "n", type: "int32", size: 4 },
        { name: "queue", array_len: 2, type: "uint8", size: 1 },
        { name: "len", type: "uint32", size: 4 },
        { name: "blob", type: "buffer", size: 3 },
        {
          name: "segs",
          array_len: 2,
          type: "struct",
          struct: {
            vmsd_name: "segment",
            version: 1,
            fields: [
              { name: "selector", type: "uint32", size: 4 },
              { name: "base", type: "uint64", size: 8 },
            ],
          },
          size: 12,
        },
        { name: "later", type: "bool", size: 1 },
        { name: "unused[1]", type: "unused_buffer", size: 1 },
        { name: "timer", type: "timer", size: 8 },
      ],
      subsections: [{ vmsd_name: "dev/extra", version: 1, fields: [{ name: "x", type: "int64", size: 8 }] }],
    });
    // JSON key order matters to anyone diffing with QEMU's output.
    expect(Object.keys(vmdesc.fields[7]!)).toEqual(["name", "array_len", "type", "struct", "size"]);
    expect(decodeVMState(descriptionFromVmdesc(vmdesc), bytes)).toMatchObject({ ctrl: 7, regs: [1, 2, 0xffff] });
  });

  it("describes arrays element by element when their struct has subsections", () => {
    const withSub: VMStateDescription = { ...segment, subsections: [{ name: "segment/s", version_id: 1, fields: [{ name: "z", type: "uint8" }] }] };
    const desc: VMStateDescription = { name: "d", version_id: 1, fields: [{ name: "e", type: "struct", struct: withSub, count: 2 }] };
    const v = { e: [{ selector: 1, base: 2n, "segment/s": { z: 3 } }, { selector: 4, base: 5n }] };
    const { bytes, vmdesc } = encodeVMState(desc, v);
    expect(vmdesc.fields.map((f) => [f.name, f.index, f.size])).toEqual([
      ["e", 0, 12 + 1 + 1 + 9 + 4 + 1],
      ["e", 1, 12],
    ]);
    expect(decodeVMState(desc, bytes)).toEqual(v);
    // Read back through the vmdesc: the per-element entries become a list again.
    expect(decodeVMState(descriptionFromVmdesc(vmdesc), bytes)).toEqual(v);
  });

  it("loads older versions without the newer fields and refuses versions out of range", () => {
    const { bytes } = encodeVMState(device, value);
    const v2 = bytes.slice();
    // At version 2 "later" (version 3) is not on the wire: remove its byte.
    const laterAt = 1 + 2 + 6 + 4 + 2 + 4 + 3 + 24;
    const old = new Uint8Array([...v2.subarray(0, laterAt), ...v2.subarray(laterAt + 1)]);
    const decoded = decodeVMState(device, old, { version: 2 });
    expect(decoded.later).toBeUndefined();
    expect(decoded.timer).toBe(-1n);
    expect(() => decodeVMState(device, bytes, { version: 4 })).toThrow("dev: incoming version_id 4 is too new for local version_id 3");
    expect(() => decodeVMState(device, old, { version: 1 })).toThrow("dev: incoming version_id 1 is too old for local minimum version_id  2");
  });

  it("follows the loader's subsection rules: early exits, unknown names, u8 version", () => {
    const desc: VMStateDescription = { name: "dev", version_id: 1, fields: [{ name: "a", type: "uint8" }], subsections: [{ name: "dev/s", version_id: 1, fields: [{ name: "b", type: "uint8" }] }] };
    const sub = (name: string, version: number) => new ByteWriter().u8(5).countedString(name).u32(version).u8(9).finish();
    // Name too short for "dev/…": left for the caller.
    const short = new Uint8Array([1, ...sub("dev", 1)]);
    const r = new ByteReader(short);
    expect(decodeVMState(desc, r)).toEqual({ a: 1 });
    expect(r.pos).toBe(1);
    // Another prefix: also left alone.
    const other = new ByteReader(new Uint8Array([1, ...sub("xyz/s", 1)]));
    decodeVMState(desc, other);
    expect(other.pos).toBe(1);
    // The right prefix but unknown locally: an error.
    expect(() => decodeVMState(desc, new Uint8Array([1, ...sub("dev/zzz", 1)]))).toThrow(expect.objectContaining({ code: "UNKNOWN_SUBSECTION" }));
    // Only the low 8 bits of the version count: 0x101 loads as 1.
    expect(decodeVMState(desc, new Uint8Array([1, ...sub("dev/s", 0x101)]))).toEqual({ a: 1, "dev/s": { b: 9 } });
    expect(() => decodeVMState(desc, new Uint8Array([1, ...sub("dev/s", 2)]))).toThrow("dev/s: incoming version_id 2 is too new for local version_id 1");
  });

  it("checks the equal and int32 le types against expected or current values, in QEMU's words", () => {
    const desc: VMStateDescription = {
      name: "d",
      version_id: 1,
      fields: [
        { name: "magic", type: "uint32 equal", expect: 0x1234 },
        { name: "count", type: "int32 le" },
      ],
    };
    const bytes = new ByteWriter().u32(0x1234).i32(5).finish();
    expect(decodeVMState(desc, bytes, { current: { count: 8 } })).toEqual({ magic: 0x1234, count: 5 });
    expect(() => decodeVMState(desc, bytes, { current: { count: 4 } })).toThrow("Invalid value 5 expecting positive value <= 4");
    const wrong = new ByteWriter().u32(0x99).i32(5).finish();
    let err: FormatError | undefined;
    try {
      decodeVMState(desc, wrong);
    } catch (e) {
      err = e as FormatError;
    }
    expect(err?.code).toBe("VMSTATE_CHECK_FAILED");
    expect(err?.detail).toBe("99 != 1234");
    expect(err?.field).toBe("magic");
    expect(err?.offset).toBe(0);
  });

  it("names the failing field in errors", () => {
    const { bytes } = encodeVMState(device, value);
    let err: FormatError | undefined;
    try {
      decodeVMState(device, bytes.subarray(0, 30));
    } catch (e) {
      err = e as FormatError;
    }
    expect(err?.code).toBe("TRUNCATED");
    expect(err?.field).toBe("segs[0].base");
  });

  it("refuses values that do not fit the description", () => {
    expect(() => encodeVMState(device, { ...value, ctrl: 300 })).toThrow(expect.objectContaining({ code: "INVALID_VALUE", field: "ctrl" }));
    expect(() => encodeVMState(device, { ...value, regs: [1, 2] })).toThrow(expect.objectContaining({ code: "INVALID_VALUE", field: "regs" }));
    expect(() => encodeVMState(device, { ...value, blob: new Uint8Array(2) })).toThrow(expect.objectContaining({ code: "INVALID_VALUE" }));
  });

  it("encodes queues, bitmaps, capabilities, nullptr and floats", () => {
    const item: VMStateDescription = { name: "item", version_id: 1, fields: [{ name: "v", type: "uint16" }] };
    const desc: VMStateDescription = {
      name: "misc",
      version_id: 1,
      fields: [
        { name: "q", type: "qtailq", struct: item },
        { name: "bits", type: "bitmap", size: 70 },
        { name: "cap", type: "capability" },
        { name: "np", type: "nullptr" },
        { name: "f", type: "CPU_Double_U" },
      ],
    };
    const v = { q: [{ v: 1 }, { v: 2 }], bits: [1n, 2n], cap: "x-ignore-shared", np: null, f: 1.5 };
    const { bytes } = encodeVMState(desc, v);
    expect(hex(bytes.subarray(0, 7))).toBe("01000101000200");
    expect(bytes.length).toBe(7 + 16 + 16 + 1 + 8);
    expect(decodeVMState(desc, bytes)).toEqual(v);
  });
});

/** Random descriptions, then random values that fit them, for round trips. */
interface Case {
  desc: VMStateDescription;
  value: VMStateValue;
}

const BASE: Partial<Record<VMStateBaseType, fc.Arbitrary<unknown>>> = {
  bool: fc.boolean(),
  int8: fc.integer({ min: -128, max: 127 }),
  uint8: fc.integer({ min: 0, max: 255 }),
  int16: fc.integer({ min: -32768, max: 32767 }),
  uint16: fc.integer({ min: 0, max: 65535 }),
  int32: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  uint32: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  "int32 equal": fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  "uint8 equal": fc.integer({ min: 0, max: 255 }),
  int64: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  uint64: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  timer: fc.bigInt({ min: -1n, max: 2n ** 40n }),
  CPU_Double_U: fc.double({ noNaN: true }),
  capability: fc.string({ unit: "binary-ascii", maxLength: 30 }),
  nullptr: fc.constant(null),
};

/**
 * Variable-size types (capability) stay out of arrays and structs: QEMU describes an array by its
 * first element, so their vmdesc sizes would not add up (a limit of the format, not the codec).
 */
const FIXED_SIZE = (Object.keys(BASE) as VMStateBaseType[]).filter((t) => t !== "capability");

function fieldArb(depth: number, prefix: string, top: boolean): fc.Arbitrary<Omit<VMStateField, "name">> {
  const scalar: fc.Arbitrary<Omit<VMStateField, "name">> = fc.constant({ type: "capability" as const });
  const base: fc.Arbitrary<Omit<VMStateField, "name">> = fc.oneof(
    fc.constantFrom(...FIXED_SIZE).map((type) => ({ type })),
    fc.integer({ min: 0, max: 24 }).map((size) => ({ type: "buffer" as const, size })),
    fc.integer({ min: 1, max: 150 }).map((size) => ({ type: "bitmap" as const, size })),
  );
  const one =
    depth > 0
      ? fc.oneof({ weight: 4, arbitrary: base }, { weight: 1, arbitrary: descArb(depth - 1, `${prefix}s`, false).map((struct) => ({ type: "struct" as const, struct })) })
      : base;
  const arrays = fc.tuple(one, fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined })).map(([f, count]) => (count === undefined ? f : { ...f, count }));
  return top ? fc.oneof({ weight: 8, arbitrary: arrays }, { weight: 1, arbitrary: scalar }) : arrays;
}

/**
 * A struct always starts with a non-empty field: an empty element followed by another element's
 * subsection would be ambiguous (QEMU's loader would give the subsection to the empty one).
 */
function descArb(depth: number, name: string, top = true): fc.Arbitrary<VMStateDescription> {
  const fields = (d: number, prefix: string) =>
    fc.array(fc.tuple(fc.constantFrom("a", "b", "c", "d"), fieldArb(d, prefix, top)), { maxLength: 6 }).map((items) =>
      items.map(([n, f]) => ({ name: n, ...f }) as VMStateField),
    );
  const first: VMStateField[] = top ? [] : [{ name: "k", type: "uint16" }];
  return fc.tuple(fields(depth, name), fc.integer({ min: 0, max: 5 }), fc.array(fields(0, `${name}x`), { maxLength: 2 })).map(([main, version_id, subs]) => ({
    name,
    version_id,
    fields: [...first, ...main],
    subsections: subs.map((f, i) => ({ name: `${name}/sub${i}`, version_id: 1, fields: f })),
  }));
}

function elementArb(field: VMStateField): fc.Arbitrary<unknown> {
  if (field.type === "struct") return valueArb(field.struct!);
  if (field.type === "buffer") return fc.uint8Array({ minLength: field.size!, maxLength: field.size! });
  if (field.type === "bitmap") {
    const n = Math.ceil(field.size! / 64);
    return fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { minLength: n, maxLength: n });
  }
  return BASE[field.type as VMStateBaseType]!;
}

function valueArb(desc: VMStateDescription): fc.Arbitrary<VMStateValue> {
  const keys = fieldKeys(desc);
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  desc.fields.forEach((f, i) => {
    const el = elementArb(f);
    record[keys[i]!] = f.count === undefined ? el : fc.array(el, { minLength: f.count, maxLength: f.count });
  });
  for (const sub of desc.subsections ?? []) record[sub.name] = fc.option(valueArb(sub), { nil: undefined });
  return fc.record(record).map((v) => {
    const out: VMStateValue = {};
    for (const [k, item] of Object.entries(v)) if (item !== undefined) out[k] = item;
    return out;
  });
}

const cases: fc.Arbitrary<Case> = descArb(2, "dev").chain((desc) => valueArb(desc).map((value) => ({ desc, value })));

function vmdescSize(vmsd: { fields: VmdescField[]; subsections?: VmdescVmsd[] }): number {
  let n = 0;
  for (const f of vmsd.fields) n += (f.array_len ?? 1) * f.size;
  for (const s of vmsd.subsections ?? []) n += 2 + s.vmsd_name.length + 4 + vmdescSize(s);
  return n;
}

describe("vmstate properties", () => {
  it("decode(encode(value)) gives the value back", () => {
    fc.assert(
      fc.property(cases, ({ desc, value }) => {
        const { bytes } = encodeVMState(desc, value);
        expect(decodeVMState(desc, bytes)).toEqual(value);
      }),
      { numRuns: 300 },
    );
  });

  it("the vmdesc accounts for every byte, and reads the body back to the same bytes", () => {
    fc.assert(
      fc.property(cases, ({ desc, value }) => {
        const { bytes, vmdesc } = encodeVMState(desc, value);
        expect(vmdescSize(vmdesc)).toBe(bytes.length);
        const derived = descriptionFromVmdesc(vmdesc);
        const seen = decodeVMState(derived, bytes);
        expect(encodeVMState(derived, seen).bytes).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });
});
