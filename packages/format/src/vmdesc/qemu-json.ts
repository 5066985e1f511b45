/**
 * JSON text as QEMU's compact JSONWriter writes it: `{"a": 1, "b": [1, 2]}` (a space after every
 * comma and colon), non-ASCII and control characters as upper-case `\uXXXX`. Keys whose value is
 * undefined are left out.
 */
export function formatQemuJson(value: unknown): string {
  const out: string[] = [];
  write(value, out);
  return out.join("");
}

function write(v: unknown, out: string[]): void {
  if (v === null) {
    out.push("null");
  } else if (typeof v === "string") {
    out.push(quote(v));
  } else if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new TypeError(`cannot write ${v} as JSON`);
    out.push(String(v));
  } else if (typeof v === "bigint") {
    out.push(v.toString());
  } else if (typeof v === "boolean") {
    out.push(v ? "true" : "false");
  } else if (Array.isArray(v)) {
    out.push("[");
    v.forEach((item, i) => {
      if (i > 0) out.push(", ");
      write(item, out);
    });
    out.push("]");
  } else if (typeof v === "object") {
    out.push("{");
    let first = true;
    for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
      if (item === undefined) continue;
      if (!first) out.push(", ");
      first = false;
      out.push(quote(k), ": ");
      write(item, out);
    }
    out.push("}");
  } else {
    throw new TypeError(`cannot write ${typeof v} as JSON`);
  }
}

function quote(s: string): string {
  let r = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        r += '\\"';
        break;
      case "\\":
        r += "\\\\";
        break;
      case "\b":
        r += "\\b";
        break;
      case "\f":
        r += "\\f";
        break;
      case "\n":
        r += "\\n";
        break;
      case "\r":
        r += "\\r";
        break;
      case "\t":
        r += "\\t";
        break;
      default:
        if (cp < 0x20 || cp >= 0x7f) {
          if (cp > 0xffff) {
            const hi = 0xd800 + ((cp - 0x10000) >> 10);
            const lo = 0xdc00 + ((cp - 0x10000) & 0x3ff);
            r += `\\u${u4(hi)}\\u${u4(lo)}`;
          } else {
            r += `\\u${u4(cp)}`;
          }
        } else {
          r += ch;
        }
    }
  }
  return r + '"';
}

function u4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, "0");
}
