/**
 * QEMU reads strings as "modified UTF-8": `C0 80` stands for U+0000, and surrogates,
 * noncharacters, overlong forms and code points above U+10FFFF are all invalid.
 * These helpers reproduce that reading so error texts and echoed strings match QEMU.
 */

const MIN_CODE_POINT = [0x80, 0x800, 0x10000, 0x200000, 0x4000000];

/** Result slot for {@link readCodePoint}: the index after the sequence that was read. */
export interface ReadPosition {
  next: number;
}

export function isValidCodePoint(cp: number): boolean {
  if (cp < 0 || cp > 0x10ffff) return false;
  if ((cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe) return false;
  return !(cp >= 0xd800 && cp <= 0xdfff);
}

/**
 * Reads one code point at `pos` (bytes before `end`). Returns -1 for an invalid sequence and
 * sets `out.next` past the bytes QEMU would skip: one byte for a stray byte, or the bytes up to
 * the first missing continuation byte.
 */
export function readCodePoint(bytes: Uint8Array, pos: number, end: number, out: ReadPosition): number {
  const first = bytes[pos] ?? 0;
  if (first < 0x80) {
    out.next = pos + 1;
    return first;
  }
  if (first >= 0xfe || (first & 0x40) === 0) {
    out.next = pos + 1;
    return -1;
  }
  let len = 0;
  let mask = 0x80;
  while (first & mask) {
    len++;
    mask >>= 1;
  }
  let cp = first & (mask - 1);
  let p = pos + 1;
  for (let i = 1; i < len; i++) {
    const byte = p < end ? (bytes[p] ?? 0) : 0;
    if ((byte & 0xc0) !== 0x80) {
      out.next = p;
      return -1;
    }
    p++;
    cp = cp * 64 + (byte & 0x3f);
  }
  out.next = p;
  if (cp > 0x10ffff) return -1;
  if ((cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe) return -1;
  if (cp >= 0xd800 && cp <= 0xdfff) return -1;
  if (cp < (MIN_CODE_POINT[len - 2] ?? 0) && !(cp === 0 && len === 2)) return -1;
  return cp;
}

/**
 * Turns bytes QEMU would print through `%s` into text: stops at the first NUL (C string) and
 * replaces every invalid sequence with U+FFFD, as QEMU's JSON writer does.
 */
export function decodeLikeQemu(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let out = "";
  const pos: ReadPosition = { next: 0 };
  let i = start;
  while (i < end) {
    const b = bytes[i] ?? 0;
    if (b === 0) break;
    if (b < 0x80) {
      out += String.fromCharCode(b);
      i++;
      continue;
    }
    const cp = readCodePoint(bytes, i, end, pos);
    out += cp < 0 ? "\uFFFD" : String.fromCodePoint(cp);
    i = pos.next;
  }
  return out;
}

/**
 * Encodes text as QEMU's modified UTF-8 (U+0000 as `C0 80`). Used where QEMU hashes or
 * compares the bytes of a key.
 */
export function encodeModifiedUtf8(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp === 0) out.push(0xc0, 0x80);
    else if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return Uint8Array.from(out);
}
