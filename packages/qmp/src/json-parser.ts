import { Token, type TokenType } from "./json-lexer.js";
import { hasMember, setMember, type JsonObject, type JsonValue } from "./json-value.js";
import { decodeLikeQemu, isValidCodePoint, readCodePoint, type ReadPosition } from "./utf8.js";

/**
 * Builds a value from tokens as they arrive. It reports the same first error QEMU's
 * recursive-descent parser reports for the whole token list, without keeping the list.
 */

// What a finished value becomes.
const SLOT_TOP = 0;
const SLOT_KEY = 1;
const SLOT_MEMBER = 2;
const SLOT_ELEMENT = 3;
type Slot = typeof SLOT_TOP | typeof SLOT_KEY | typeof SLOT_MEMBER | typeof SLOT_ELEMENT;

// What the next token must be.
const EXPECT_VALUE = 0;
const OBJECT_OPEN = 1; // after '{': a key or '}'
const OBJECT_COLON = 2;
const OBJECT_NEXT = 3; // after a member: ',' or '}'
const ARRAY_OPEN = 4; // after '[': a value or ']'
const ARRAY_NEXT = 5;
const DONE = 6;
const FAILED = 7;

interface Frame {
  container: JsonObject | JsonValue[];
  slot: Slot;
  /** Key of the member being read (objects only). */
  key: string;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

export class JsonParser {
  private state = EXPECT_VALUE;
  private slot: Slot = SLOT_TOP;
  private stack: Frame[] = [];
  private result: JsonValue = null;
  private errorText: string | undefined;
  private readonly pos: ReadPosition = { next: 0 };

  reset(): void {
    this.state = EXPECT_VALUE;
    this.slot = SLOT_TOP;
    this.stack = [];
    this.result = null;
    this.errorText = undefined;
  }

  /** Feeds one token. Tokens after the first error are ignored, as QEMU stops at it. */
  push(type: TokenType, bytes: Uint8Array, start: number, end: number): void {
    switch (this.state) {
      case FAILED:
      case DONE:
        // QEMU's streamer never hands over tokens after a complete value
        return;
      case EXPECT_VALUE:
        this.value(type, bytes, start, end);
        return;
      case OBJECT_OPEN:
        if (type === Token.RCurly) this.close();
        else {
          this.slot = SLOT_KEY;
          this.value(type, bytes, start, end);
        }
        return;
      case OBJECT_COLON:
        if (type === Token.Colon) this.expect(SLOT_MEMBER);
        else this.fail("missing : in object pair");
        return;
      case OBJECT_NEXT:
        if (type === Token.RCurly) this.close();
        else if (type === Token.Comma) this.expect(SLOT_KEY);
        else this.fail("expected separator in dict");
        return;
      case ARRAY_OPEN:
        if (type === Token.RSquare) this.close();
        else {
          this.slot = SLOT_ELEMENT;
          this.value(type, bytes, start, end);
        }
        return;
      case ARRAY_NEXT:
        if (type === Token.RSquare) this.close();
        else if (type === Token.Comma) this.expect(SLOT_ELEMENT);
        else this.fail("expected separator in list");
        return;
    }
  }

  /**
   * Ends the message (the streamer saw the brackets balance). Returns the value, or throws
   * nothing and reports the error text through {@link error}.
   */
  finish(): { value: JsonValue } | { error: string } {
    let out: { value: JsonValue } | { error: string };
    if (this.errorText !== undefined) out = { error: this.errorText };
    else if (this.state === DONE) out = { value: this.result };
    else out = { error: "premature EOI" };
    this.reset();
    return out;
  }

  private expect(slot: Slot): void {
    this.state = EXPECT_VALUE;
    this.slot = slot;
  }

  private fail(text: string): void {
    if (this.errorText === undefined) this.errorText = text;
    this.state = FAILED;
    this.stack = [];
  }

  private value(type: TokenType, bytes: Uint8Array, start: number, end: number): void {
    switch (type) {
      case Token.LCurly:
        this.stack.push({ container: {}, slot: this.slot, key: "" });
        this.state = OBJECT_OPEN;
        return;
      case Token.LSquare:
        this.stack.push({ container: [], slot: this.slot, key: "" });
        this.state = ARRAY_OPEN;
        return;
      case Token.String: {
        const text = this.parseString(bytes, start, end);
        if (text !== undefined) this.complete(text, this.slot);
        return;
      }
      case Token.Integer:
        this.complete(parseInteger(bytes, start, end), this.slot);
        return;
      case Token.Float:
        this.complete(Number(latin1(bytes, start, end)), this.slot);
        return;
      case Token.Keyword: {
        const word = latin1(bytes, start, end);
        if (word === "true") this.complete(true, this.slot);
        else if (word === "false") this.complete(false, this.slot);
        else if (word === "null") this.complete(null, this.slot);
        else this.fail(`invalid keyword '${word}'`);
        return;
      }
      default:
        this.fail("expecting value");
    }
  }

  private close(): void {
    const frame = this.stack.pop()!;
    this.complete(frame.container, frame.slot);
  }

  private complete(value: JsonValue, slot: Slot): void {
    const frame = this.stack[this.stack.length - 1];
    switch (slot) {
      case SLOT_TOP:
        this.result = value;
        this.state = DONE;
        return;
      case SLOT_KEY:
        if (typeof value !== "string") {
          this.fail("key is not a string in object");
          return;
        }
        frame!.key = value;
        this.state = OBJECT_COLON;
        return;
      case SLOT_MEMBER: {
        const obj = frame!.container as JsonObject;
        // values are never undefined, so only a defined value needs the own-property check
        if (obj[frame!.key] !== undefined && hasMember(obj, frame!.key)) {
          this.fail("duplicate key");
          return;
        }
        setMember(obj, frame!.key, value);
        this.state = OBJECT_NEXT;
        return;
      }
      case SLOT_ELEMENT:
        (frame!.container as JsonValue[]).push(value);
        this.state = ARRAY_NEXT;
        return;
    }
  }

  /** Decodes a string token (quotes included) or fails with QEMU's message. */
  private parseString(bytes: Uint8Array, start: number, end: number): string | undefined {
    const last = end - 1; // closing quote
    let out = "";
    let i = start + 1;
    // plain ASCII runs need no decoding
    while (i < last) {
      const b = bytes[i]!;
      if (b === 0x5c || b >= 0x80) break;
      out += String.fromCharCode(b);
      i++;
    }
    if (i === last) return out;
    while (i < last) {
      const b = bytes[i]!;
      if (b === 0x5c) {
        const escStart = i;
        const c = bytes[i + 1]!;
        i += 2;
        switch (c) {
          case 0x22: out += '"'; break;
          case 0x27: out += "'"; break;
          case 0x5c: out += "\\"; break;
          case 0x2f: out += "/"; break;
          case 0x62: out += "\b"; break;
          case 0x66: out += "\f"; break;
          case 0x6e: out += "\n"; break;
          case 0x72: out += "\r"; break;
          case 0x74: out += "\t"; break;
          case 0x75: {
            let cp = hex4(bytes, i, end);
            i += 4;
            if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < last && bytes[i] === 0x5c && bytes[i + 1] === 0x75) {
              const trailing = hex4(bytes, i + 2, end);
              if (trailing >= 0xdc00 && trailing <= 0xdfff) {
                cp = 0x10000 + ((cp & 0x3ff) << 10) + (trailing & 0x3ff);
                i += 6;
              } else {
                cp = -1;
              }
            }
            if (!isValidCodePoint(cp)) {
              // QEMU quotes the escape it read, cut where the token's C string ends
              this.fail(`${decodeLikeQemu(bytes, escStart, Math.min(i, end))} is not a valid Unicode character`);
              return undefined;
            }
            out += String.fromCodePoint(cp);
            break;
          }
          default:
            this.fail("invalid escape sequence in string");
            return undefined;
        }
        continue;
      }
      if (b < 0x80) {
        out += String.fromCharCode(b);
        i++;
        continue;
      }
      const cp = readCodePoint(bytes, i, last, this.pos);
      if (cp < 0) {
        this.fail("invalid UTF-8 sequence in string");
        return undefined;
      }
      out += String.fromCodePoint(cp);
      i = this.pos.next;
    }
    return out;
  }
}

function hex4(bytes: Uint8Array, pos: number, end: number): number {
  let v = 0;
  for (let k = 0; k < 4; k++) {
    const c = pos + k < end ? bytes[pos + k]! : 0;
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
    else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
    else return -1;
    v = v * 16 + d;
  }
  return v;
}

const asciiDecoder = new TextDecoder();

/** Text of bytes known to be ASCII (plain strings, numbers, keywords). */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  if (end - start < 48) {
    let s = "";
    for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  return asciiDecoder.decode(bytes.subarray(start, end));
}

/** QEMU keeps an integer as int64 if it fits, else uint64, else a double. */
function parseInteger(bytes: Uint8Array, start: number, end: number): number | bigint {
  const text = latin1(bytes, start, end);
  const len = end - start;
  if (len <= 15) return Number(text) || 0; // `|| 0` turns -0 into 0 like strtoll
  if (len > 21) return Number(text); // more digits than any 64-bit integer
  const big = BigInt(text);
  if (big >= INT64_MIN && big <= UINT64_MAX) {
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }
  return Number(text);
}

export { INT64_MAX, INT64_MIN, UINT64_MAX };
