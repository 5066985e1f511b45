import { isJsonObject, type JsonObject, type JsonValue } from "./json-value.js";
import { qdictOrder } from "./qemu-order.js";

/**
 * Two writers. {@link formatQemuJson} prints exactly what QEMU 7.2 prints: members in QDict hash
 * order, `", "` and `": "` separators, doubles as `%.17g`, pure ASCII with upper-case `\uXXXX`.
 * {@link formatJson} is an ordinary writer (insertion order, shortest numbers) that also knows
 * `bigint`, for clients and tools.
 */

export interface QemuFormatOptions {
  /** QEMU's `pretty=on`: one member per line, four spaces per level. */
  pretty?: boolean;
  /** Line break used in pretty mode; the monitor turns "\n" into "\r\n". */
  newline?: string;
}

export interface FormatOptions {
  /** Spaces per level; 0 or absent prints one line without spaces. */
  indent?: number;
  /** Escape every non-ASCII character as `\uXXXX` (default false). */
  ascii?: boolean;
}

const HEX = "0123456789ABCDEF";

function hex4(code: number): string {
  return "\\u" + HEX[(code >> 12) & 15]! + HEX[(code >> 8) & 15]! + HEX[(code >> 4) & 15]! + HEX[code & 15]!;
}

function isNoncharacter(cp: number): boolean {
  return (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe;
}

/** Quotes a string. `qemu` also escapes all non-ASCII and turns noncharacters into U+FFFD. */
export function quoteJsonString(text: string, ascii: boolean, qemu = false): string {
  let clean = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0x7f && (ascii || (c >= 0xd800 && c <= 0xdfff)))) {
      clean = false;
      break;
    }
  }
  if (clean) return '"' + text + '"';
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    switch (c) {
      case 0x22: out += '\\"'; continue;
      case 0x5c: out += "\\\\"; continue;
      case 0x08: out += "\\b"; continue;
      case 0x0c: out += "\\f"; continue;
      case 0x0a: out += "\\n"; continue;
      case 0x0d: out += "\\r"; continue;
      case 0x09: out += "\\t"; continue;
    }
    if (c < 0x20) {
      out += hex4(c);
    } else if (c < 0x7f) {
      out += text[i];
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        if (qemu && isNoncharacter(cp)) out += "\\uFFFD";
        else if (ascii) out += hex4(c) + hex4(d);
        else out += text[i]! + text[i + 1]!;
        i++;
      } else {
        out += qemu ? "\\uFFFD" : hex4(c);
      }
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += qemu ? "\\uFFFD" : hex4(c);
    } else if (qemu && isNoncharacter(c)) {
      out += "\\uFFFD";
    } else {
      out += ascii ? hex4(c) : text[i];
    }
  }
  return out + '"';
}

/** A double as C's `printf("%.17g")` prints it (QEMU's format for non-integer numbers). */
export function formatDouble17g(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const exp = x.toExponential(16); // d.dddddddddddddddde±X, correctly rounded to 17 digits
  const ePos = exp.indexOf("e");
  const negative = exp[0] === "-";
  const digits = exp.slice(negative ? 1 : 0, ePos).replace(".", "");
  const e = Number(exp.slice(ePos + 1));
  let body: string;
  if (e < -4 || e >= 17) {
    let mantissa = digits[0]! + "." + digits.slice(1);
    mantissa = mantissa.replace(/\.?0+$/, "");
    const absE = Math.abs(e);
    body = mantissa + "e" + (e < 0 ? "-" : "+") + (absE < 10 ? "0" : "") + absE;
  } else if (e >= 0) {
    const intPart = digits.slice(0, e + 1);
    const frac = digits.slice(e + 1).replace(/0+$/, "");
    body = frac ? intPart + "." + frac : intPart;
  } else {
    body = ("0." + "0".repeat(-e - 1) + digits).replace(/0+$/, "");
  }
  return negative ? "-" + body : body;
}

function qemuNumber(x: number): string {
  if (Number.isSafeInteger(x)) return Object.is(x, -0) ? "-0" : String(x);
  return formatDouble17g(x);
}

function shortestNumber(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`${x} cannot be written as JSON`);
  return String(x);
}

/** Text of a non-container value, or undefined for arrays and objects. */
function scalarText(v: JsonValue | undefined, number: (x: number) => string, string: (s: string) => string): string | undefined {
  switch (typeof v) {
    case "string":
      return string(v);
    case "number":
      return number(v);
    case "bigint":
      return v.toString();
    case "boolean":
      return v ? "true" : "false";
    case "undefined":
      return "null";
  }
  return v === null ? "null" : undefined;
}

export function formatQemuJson(value: JsonValue, options: QemuFormatOptions = {}): string {
  const pretty = options.pretty === true;
  const newline = options.newline ?? "\n";
  const parts: string[] = [];
  const indent = (depth: number): string => newline + " ".repeat(depth * 4);
  const quote = (text: string): string => quoteJsonString(text, true, true);
  const write = (v: JsonValue | undefined, depth: number): void => {
    const scalar = scalarText(v, qemuNumber, quote);
    if (scalar !== undefined) {
      parts.push(scalar);
      return;
    }
    if (Array.isArray(v)) {
      parts.push("[");
      for (let i = 0; i < v.length; i++) {
        if (i > 0) parts.push(",");
        if (pretty) parts.push(indent(depth + 1));
        else if (i > 0) parts.push(" ");
        write(v[i], depth + 1);
      }
      if (pretty) parts.push(indent(depth));
      parts.push("]");
      return;
    }
    const obj = v as JsonObject;
    const keys: string[] = [];
    for (const key of Object.keys(obj)) if (obj[key] !== undefined) keys.push(key);
    parts.push("{");
    const ordered = qdictOrder(keys);
    for (let i = 0; i < ordered.length; i++) {
      const key = ordered[i]!;
      if (i > 0) parts.push(",");
      if (pretty) parts.push(indent(depth + 1));
      else if (i > 0) parts.push(" ");
      parts.push(quote(key), ": ");
      write(obj[key], depth + 1);
    }
    if (pretty) parts.push(indent(depth));
    parts.push("}");
  };
  write(value, 0);
  return parts.join("");
}

export function formatJson(value: JsonValue, options: FormatOptions = {}): string {
  const step = options.indent ?? 0;
  const ascii = options.ascii === true;
  const parts: string[] = [];
  const quote = (text: string): string => quoteJsonString(text, ascii);
  const write = (v: JsonValue | undefined, depth: number): void => {
    const scalar = scalarText(v, shortestNumber, quote);
    if (scalar !== undefined) {
      parts.push(scalar);
      return;
    }
    const pad = step > 0 ? "\n" + " ".repeat((depth + 1) * step) : "";
    const end = step > 0 ? "\n" + " ".repeat(depth * step) : "";
    if (Array.isArray(v)) {
      if (v.length === 0) {
        parts.push("[]");
        return;
      }
      parts.push("[");
      v.forEach((item, i) => {
        if (i > 0) parts.push(",");
        parts.push(pad);
        write(item, depth + 1);
      });
      parts.push(end, "]");
      return;
    }
    if (!isJsonObject(v)) throw new TypeError("not a JSON value");
    const keys = Object.keys(v).filter((k) => v[k] !== undefined);
    if (keys.length === 0) {
      parts.push("{}");
      return;
    }
    parts.push("{");
    keys.forEach((key, i) => {
      if (i > 0) parts.push(",");
      parts.push(pad, quote(key), step > 0 ? ": " : ":");
      write(v[key], depth + 1);
    });
    parts.push(end, "}");
  };
  write(value, 0);
  return parts.join("");
}
