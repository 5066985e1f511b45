import { VMS_NULLPTR_MARKER } from "../constants.js";
import { FormatError } from "../errors.js";
import type { ByteReader } from "../wire/byte-reader.js";
import type { ByteWriter } from "../wire/byte-writer.js";
import type { VMStateBaseType } from "./types.js";

interface BaseCodec {
  /** `size` is the byte length for buffers, the bit count for bitmaps. */
  read(r: ByteReader, size: number): unknown;
  write(w: ByteWriter, value: unknown, size: number): void;
}

function numberCodec(read: (r: ByteReader) => number, write: (w: ByteWriter, v: number) => void): BaseCodec {
  return {
    read,
    write(w, v) {
      if (typeof v !== "number") throw invalid(`expected a number, got ${describe(v)}`);
      write(w, v);
    },
  };
}

function bigCodec(read: (r: ByteReader) => bigint, write: (w: ByteWriter, v: bigint | number) => void): BaseCodec {
  return {
    read,
    write(w, v) {
      if (typeof v !== "bigint" && typeof v !== "number") throw invalid(`expected a bigint, got ${describe(v)}`);
      write(w, v);
    },
  };
}

const u8 = numberCodec((r) => r.u8(), (w, v) => w.u8(v));
const i8 = numberCodec((r) => r.i8(), (w, v) => w.i8(v));
const u16 = numberCodec((r) => r.u16(), (w, v) => w.u16(v));
const i16 = numberCodec((r) => r.i16(), (w, v) => w.i16(v));
const u32 = numberCodec((r) => r.u32(), (w, v) => w.u32(v));
const i32 = numberCodec((r) => r.i32(), (w, v) => w.i32(v));
const u64 = bigCodec((r) => r.u64(), (w, v) => w.u64(v));
const i64 = bigCodec((r) => r.i64(), (w, v) => w.i64(v));

const f64 = numberCodec(
  (r) => r.f64(),
  (w, v) => w.f64(v),
);

const bool: BaseCodec = {
  read: (r) => r.u8() !== 0,
  write(w, v) {
    if (typeof v !== "boolean") throw invalid(`expected a boolean, got ${describe(v)}`);
    w.u8(v ? 1 : 0);
  },
};

const buffer: BaseCodec = {
  read: (r, size) => r.bytes(size).slice(),
  write(w, v, size) {
    if (!(v instanceof Uint8Array)) throw invalid(`expected a Uint8Array, got ${describe(v)}`);
    if (v.length !== size) throw invalid(`expected ${size} bytes, got ${v.length}`);
    w.bytes(v);
  },
};

/** Zeros are written when no value is given, as QEMU does; whatever was read is kept. */
const unusedBuffer: BaseCodec = {
  read: (r, size) => r.bytes(size).slice(),
  write(w, v, size) {
    if (v === undefined) w.fill(size, 0);
    else buffer.write(w, v, size);
  },
};

const bitmap: BaseCodec = {
  read(r, bits) {
    const words: bigint[] = [];
    for (let i = 0; i < Math.ceil(bits / 64); i++) words.push(r.u64());
    return words;
  },
  write(w, v, bits) {
    const n = Math.ceil(bits / 64);
    if (!Array.isArray(v) || v.length !== n) throw invalid(`expected ${n} bitmap words, got ${describe(v)}`);
    for (const word of v) w.u64(word as bigint);
  },
};

const capability: BaseCodec = {
  read: (r) => r.countedString(),
  write(w, v) {
    if (typeof v !== "string") throw invalid(`expected a string, got ${describe(v)}`);
    w.countedString(v);
  },
};

const nullptr: BaseCodec = {
  read(r) {
    const at = r.offset;
    if (r.u8() !== VMS_NULLPTR_MARKER) {
      throw new FormatError("VMSTATE_CHECK_FAILED", "vmstate: get_nullptr expected VMS_NULLPTR_MARKER", { offset: at });
    }
    return null;
  },
  write(w, v) {
    if (v !== null && v !== undefined) throw invalid(`expected null, got ${describe(v)}`);
    w.u8(VMS_NULLPTR_MARKER);
  },
};

export const BASE_CODECS: Record<VMStateBaseType, BaseCodec> = {
  bool,
  int8: i8,
  int16: i16,
  int32: i32,
  int64: i64,
  uint8: u8,
  uint16: u16,
  uint32: u32,
  uint64: u64,
  "int32 equal": i32,
  "int32 le": i32,
  "int64 equal": i64,
  "uint8 equal": u8,
  "uint16 equal": u16,
  "uint32 equal": u32,
  timer: i64,
  CPU_Double_U: f64,
  float64: f64,
  buffer,
  unused_buffer: unusedBuffer,
  bitmap,
  capability,
  nullptr,
};

export function isBaseType(type: unknown): type is VMStateBaseType {
  return typeof type === "string" && Object.hasOwn(BASE_CODECS, type);
}

/** QEMU's load-time checks of the "equal" and "int32 le" types; returns QEMU's message or undefined. */
export function checkLoadedValue(
  type: VMStateBaseType,
  loaded: unknown,
  expected: unknown,
): string | undefined {
  if (expected === undefined) return undefined;
  if (type === "int32 le") {
    const max = Number(expected);
    const v = loaded as number;
    return v >= 0 && v <= max ? undefined : `Invalid value ${v} expecting positive value <= ${max}`;
  }
  if (!type.endsWith(" equal")) return undefined;
  if (typeof loaded === "bigint") {
    const want = BigInt(expected as bigint);
    return loaded === want ? undefined : `${BigInt.asUintN(64, loaded).toString(16)} != ${BigInt.asUintN(64, want).toString(16)}`;
  }
  const want = Number(expected);
  return loaded === want ? undefined : `${((loaded as number) >>> 0).toString(16)} != ${(want >>> 0).toString(16)}`;
}

function invalid(detail: string): FormatError {
  return new FormatError("INVALID_VALUE", detail);
}

export function describe(v: unknown): string {
  if (v === null) return "null";
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
  if (Array.isArray(v)) return `array(${v.length})`;
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v);
  return typeof v === "object" ? "object" : `${typeof v} ${String(v)}`;
}
