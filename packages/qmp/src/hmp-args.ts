/**
 * HMP argument parsing driven by QEMU's `args_type` notation, e.g. `"detach:-d,uri:s"`:
 * `s` a word or "quoted string", `S` the rest of the line, `F` a file name (a word),
 * `i`/`l` an integer, `b` on|off, `-x` a flag. A trailing `?` makes an argument optional.
 * Error texts are QEMU's.
 */

export type HmpArgValue = string | number | bigint | boolean | undefined;
export type HmpArgs = Record<string, HmpArgValue>;

interface ArgSpec {
  name: string;
  type: "s" | "S" | "F" | "i" | "l" | "b" | "flag";
  optional: boolean;
  flag?: string;
}

/** A parse failure; `message` is QEMU's line (the "Try help" hint is added by the caller). */
export class HmpArgumentError extends Error {
  readonly code = "HMP_ARGUMENT";
}

const specCache = new Map<string, ArgSpec[]>();

export function parseArgsType(argsType: string): ArgSpec[] {
  const cached = specCache.get(argsType);
  if (cached) return cached;
  const specs: ArgSpec[] = [];
  for (const entry of argsType.split(",").filter((e) => e.length > 0)) {
    const colon = entry.indexOf(":");
    if (colon <= 0) throw new Error(`bad HMP argument spec '${entry}'`);
    const name = entry.slice(0, colon);
    let type = entry.slice(colon + 1);
    const optional = type.endsWith("?");
    if (optional) type = type.slice(0, -1);
    if (type.startsWith("-") && type.length === 2) specs.push({ name, type: "flag", optional: true, flag: type[1]! });
    else if (["s", "S", "F", "i", "l", "b"].includes(type)) specs.push({ name, type: type as ArgSpec["type"], optional });
    else throw new Error(`unsupported HMP argument type '${type}' in '${entry}'`);
  }
  specCache.set(argsType, specs);
  return specs;
}

const isSpace = (c: string | undefined): boolean => c === " " || c === "\t" || c === "\n" || c === "\r";

class Cursor {
  pos = 0;
  constructor(readonly text: string) {}
  skipSpaces(): void {
    while (isSpace(this.text[this.pos])) this.pos++;
  }
  get rest(): string {
    return this.text.slice(this.pos);
  }
  get done(): boolean {
    return this.pos >= this.text.length;
  }
}

function readString(cur: Cursor): string | undefined {
  cur.skipSpaces();
  if (cur.done) return undefined;
  const text = cur.text;
  if (text[cur.pos] === '"') {
    cur.pos++;
    let out = "";
    while (cur.pos < text.length && text[cur.pos] !== '"') {
      let c = text[cur.pos]!;
      if (c === "\\") {
        cur.pos++;
        const e = text[cur.pos];
        if (e === "n") c = "\n";
        else if (e === "r") c = "\r";
        else if (e === "\\" || e === "'" || e === '"') c = e;
        else throw new HmpArgumentError(`unsupported escape code: '\\${e ?? ""}'`);
      }
      out += c;
      cur.pos++;
    }
    if (text[cur.pos] !== '"') throw new HmpArgumentError("unterminated string");
    cur.pos++;
    return out;
  }
  const start = cur.pos;
  while (cur.pos < text.length && !isSpace(text[cur.pos])) cur.pos++;
  return text.slice(start, cur.pos);
}

function readInteger(cur: Cursor): bigint {
  cur.skipSpaces();
  const m = /^[+-]?(0x[0-9a-fA-F]+|[0-9]+)/.exec(cur.rest);
  if (!m) {
    if (cur.done) throw new HmpArgumentError("unexpected end of expression");
    throw new HmpArgumentError(`invalid char '${cur.text[cur.pos]}' in expression`);
  }
  const next = cur.text[cur.pos + m[0].length];
  if (next !== undefined && !isSpace(next)) throw new HmpArgumentError(`invalid char '${next}' in expression`);
  cur.pos += m[0].length;
  const negative = m[0].startsWith("-");
  const digits = m[0].replace(/^[+-]/, "");
  const value = BigInt(digits);
  return negative ? -value : value;
}

/** Parses `line` (what follows the command name) for the command `commandName`. */
export function parseHmpArgs(commandName: string, argsType: string, line: string): HmpArgs {
  const specs = parseArgsType(argsType);
  const flags = new Set(specs.filter((s) => s.type === "flag").map((s) => s.flag!));
  const cur = new Cursor(line);
  const args: HmpArgs = {};
  for (const spec of specs) {
    switch (spec.type) {
      case "flag": {
        cur.skipSpaces();
        if (cur.text[cur.pos] === "-" && cur.pos + 1 < cur.text.length) {
          const letter = cur.text[cur.pos + 1]!;
          if (letter === spec.flag) {
            cur.pos += 2;
            args[spec.name] = true;
            break;
          }
          if (!flags.has(letter)) throw new HmpArgumentError(`${commandName}: unsupported option -${letter}`);
        }
        args[spec.name] = false;
        break;
      }
      case "s":
      case "F": {
        const value = readString(cur);
        if (value === undefined) {
          if (!spec.optional) throw new HmpArgumentError(`${commandName}: ${spec.type === "F" ? "filename" : "string"} expected`);
          break;
        }
        args[spec.name] = value;
        break;
      }
      case "S": {
        cur.skipSpaces();
        if (cur.done) {
          if (!spec.optional) throw new HmpArgumentError(`${commandName}: string expected`);
          break;
        }
        args[spec.name] = cur.rest.replace(/\s+$/, "");
        cur.pos = cur.text.length;
        break;
      }
      case "i":
      case "l": {
        cur.skipSpaces();
        if (cur.done && spec.optional) break;
        const value = readInteger(cur);
        args[spec.name] = value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
        break;
      }
      case "b": {
        const value = readString(cur);
        if (value === undefined) {
          if (!spec.optional) throw new HmpArgumentError("Expected 'on' or 'off'");
          break;
        }
        if (value !== "on" && value !== "off") throw new HmpArgumentError("Expected 'on' or 'off'");
        args[spec.name] = value === "on";
        break;
      }
    }
  }
  cur.skipSpaces();
  if (!cur.done) throw new HmpArgumentError(`${commandName}: extraneous characters at the end of line`);
  return args;
}
