import { FormatError, type FormatErrorCode } from "../errors.js";

/**
 * Thrown (as one shared object, never an Error) by a reader in `partial` mode when it runs past
 * the bytes it has. The streaming decoder catches it, pulls more input and parses the record
 * again; it never reaches the caller of the public API.
 */
export class NeedMoreInput {
  /** Absolute stream offset up to which bytes are needed. */
  wanted = 0;
}

export const NEED_MORE = new NeedMoreInput();

const EMPTY = new Uint8Array(0);
const TWO_POW_32 = 0x1_0000_0000;

/**
 * Bounds-checked big-endian reader over one buffer. `pos` is an index into `buf`; `base` is the
 * absolute stream offset of `buf[0]`, so every error names the absolute offset.
 *
 * In `partial` mode (used by the streaming decoder) running past `end` means "the input has not
 * arrived yet" rather than "the input is truncated".
 */
export class ByteReader {
  buf: Uint8Array = EMPTY;
  pos = 0;
  end = 0;
  base = 0;
  partial: boolean;
  private view: DataView = new DataView(EMPTY.buffer);

  constructor(buf: Uint8Array = EMPTY, base = 0, partial = false) {
    this.partial = partial;
    this.reset(buf, base);
  }

  /** Points the reader at another buffer (position 0, end at the buffer's length). */
  reset(buf: Uint8Array, base: number, pos = 0, end = buf.length): this {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.base = base;
    this.pos = pos;
    this.end = end;
    return this;
  }

  /** Absolute stream offset of the next byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** The one bounds check: throws TRUNCATED (or asks for more input in partial mode). */
  private need(n: number): void {
    if (this.end - this.pos < n) this.short(n);
  }

  private short(n: number): never {
    if (this.partial) {
      NEED_MORE.wanted = this.base + this.pos + n;
      throw NEED_MORE;
    }
    throw new FormatError(
      "TRUNCATED",
      `unexpected end of input: needed ${n} byte${n === 1 ? "" : "s"}, ${this.end - this.pos} left`,
      { offset: this.base + this.pos },
    );
  }

  /** Makes sure `n` bytes are there without consuming them. */
  require(n: number): void {
    this.need(n);
  }

  peekU8(ahead = 0): number {
    this.need(ahead + 1);
    return this.buf[this.pos + ahead]!;
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  i8(): number {
    this.need(1);
    return this.view.getInt8(this.pos++);
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  i16(): number {
    this.need(2);
    const v = this.view.getInt16(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }

  u64(): bigint {
    this.need(8);
    const v = this.view.getBigUint64(this.pos);
    this.pos += 8;
    return v;
  }

  i64(): bigint {
    this.need(8);
    const v = this.view.getBigInt64(this.pos);
    this.pos += 8;
    return v;
  }

  /** be64 as a number; values above 2^53 - 1 throw LIMIT_EXCEEDED instead of losing bits. */
  u64Number(): number {
    this.need(8);
    const hi = this.view.getUint32(this.pos);
    const lo = this.view.getUint32(this.pos + 4);
    if (hi > 0x1f_ffff) {
      throw new FormatError(
        "LIMIT_EXCEEDED",
        `64-bit value 0x${hi.toString(16)}${lo.toString(16).padStart(8, "0")} does not fit in a JavaScript number`,
        { offset: this.base + this.pos },
      );
    }
    this.pos += 8;
    return hi * TWO_POW_32 + lo;
  }

  /** High and low 32-bit halves of a be64, for callers that split flags off the low bits. */
  u64Halves(into: { hi: number; lo: number }): void {
    this.need(8);
    into.hi = this.view.getUint32(this.pos);
    into.lo = this.view.getUint32(this.pos + 4);
    this.pos += 8;
  }

  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos);
    this.pos += 8;
    return v;
  }

  /** A view of the next `n` bytes (no copy: it shares memory with the input). */
  bytes(n: number): Uint8Array {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  /** `n` bytes as a string, one character per byte (Latin-1), so re-encoding is exact. */
  latin1(n: number): string {
    this.need(n);
    const s = bytesToLatin1(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** QEMU's counted string: u8 length, then that many bytes. */
  countedString(): string {
    const n = this.peekU8();
    this.need(1 + n);
    this.pos++;
    return this.latin1(n);
  }

  /** A reader over the next `n` bytes that cannot read past them; advances this reader. */
  sub(n: number): ByteReader {
    this.need(n);
    const r = new ByteReader(this.buf.subarray(this.pos, this.pos + n), this.base + this.pos);
    this.pos += n;
    return r;
  }

  /** A TRUNCATED-style or other error at the current absolute offset. */
  errorAt(code: FormatErrorCode, detail: string, at = this.offset): FormatError {
    return new FormatError(code, detail, { offset: at });
  }
}

export function bytesToLatin1(buf: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]!);
  return s;
}
