import { FormatError } from "../errors.js";

const MAX_U64 = (1n << 64n) - 1n;
const MIN_I64 = -(1n << 63n);
const MAX_I64 = (1n << 63n) - 1n;

/**
 * Big-endian writer with a buffer that doubles when it fills. Methods are named after the wire
 * types and return `this`. `finish()` hands the bytes over and starts a fresh buffer, so the
 * returned array is never written again.
 */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  /** Number of bytes written since the last `finish()`. */
  pos = 0;

  constructor(initialSize = 1024) {
    this.buf = new Uint8Array(Math.max(16, initialSize));
    this.view = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.pos;
  }

  private grow(n: number): void {
    const needed = this.pos + n;
    if (needed <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < needed) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    checkInt(v, 0, 0xff, "u8");
    this.grow(1);
    this.buf[this.pos++] = v;
    return this;
  }

  i8(v: number): this {
    checkInt(v, -0x80, 0x7f, "i8");
    this.grow(1);
    this.view.setInt8(this.pos++, v);
    return this;
  }

  u16(v: number): this {
    checkInt(v, 0, 0xffff, "u16");
    this.grow(2);
    this.view.setUint16(this.pos, v);
    this.pos += 2;
    return this;
  }

  i16(v: number): this {
    checkInt(v, -0x8000, 0x7fff, "i16");
    this.grow(2);
    this.view.setInt16(this.pos, v);
    this.pos += 2;
    return this;
  }

  u32(v: number): this {
    checkInt(v, 0, 0xffff_ffff, "u32");
    this.grow(4);
    this.view.setUint32(this.pos, v);
    this.pos += 4;
    return this;
  }

  i32(v: number): this {
    checkInt(v, -0x8000_0000, 0x7fff_ffff, "i32");
    this.grow(4);
    this.view.setInt32(this.pos, v);
    this.pos += 4;
    return this;
  }

  /** be64 from a bigint or a non-negative safe integer. */
  u64(v: bigint | number): this {
    const b = typeof v === "bigint" ? v : toBigInt(v, "u64");
    if (b < 0n || b > MAX_U64) throw invalid(`u64 out of range: ${v}`);
    this.grow(8);
    this.view.setBigUint64(this.pos, b);
    this.pos += 8;
    return this;
  }

  i64(v: bigint | number): this {
    const b = typeof v === "bigint" ? v : toBigInt(v, "i64");
    if (b < MIN_I64 || b > MAX_I64) throw invalid(`i64 out of range: ${v}`);
    this.grow(8);
    this.view.setBigInt64(this.pos, b);
    this.pos += 8;
    return this;
  }

  /** be64 made of two 32-bit halves (no bigint on hot paths). */
  u64Halves(hi: number, lo: number): this {
    this.grow(8);
    this.view.setUint32(this.pos, hi);
    this.view.setUint32(this.pos + 4, lo);
    this.pos += 8;
    return this;
  }

  f64(v: number): this {
    this.grow(8);
    this.view.setFloat64(this.pos, v);
    this.pos += 8;
    return this;
  }

  bytes(data: Uint8Array): this {
    this.grow(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
    return this;
  }

  fill(n: number, byte = 0): this {
    this.grow(n);
    this.buf.fill(byte, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }

  /** One byte per character; characters above U+00FF are refused. */
  latin1(s: string): this {
    this.grow(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0xff) throw invalid(`character U+${c.toString(16).padStart(4, "0")} in ${JSON.stringify(s)} is not one byte`);
      this.buf[this.pos++] = c;
    }
    return this;
  }

  /** QEMU's counted string: u8 length + bytes. */
  countedString(s: string): this {
    if (s.length > 0xff) throw invalid(`string longer than 255 bytes: ${JSON.stringify(s.slice(0, 40))}…`);
    return this.u8(s.length).latin1(s);
  }

  /** Drops what was written after the first `length` bytes (undoes a record that failed half way). */
  truncate(length: number): this {
    checkInt(length, 0, this.pos, "truncate length");
    this.pos = length;
    return this;
  }

  /** A view of what has been written so far, without ending the buffer. */
  peek(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** Hands over the written bytes and starts a fresh buffer of the same capacity. */
  finish(): Uint8Array {
    const out = this.buf.subarray(0, this.pos);
    this.buf = new Uint8Array(this.buf.length);
    this.view = new DataView(this.buf.buffer);
    this.pos = 0;
    return out;
  }
}

function invalid(detail: string): FormatError {
  return new FormatError("INVALID_VALUE", detail);
}

function checkInt(v: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < min || v > max) throw invalid(`${what} out of range: ${v}`);
}

function toBigInt(v: number, what: string): bigint {
  if (!Number.isSafeInteger(v)) throw invalid(`${what} needs an integer, got ${v}`);
  return BigInt(v);
}
