/** QEMU 7.2 options (x86) that take no value; every other `-option` takes the next word. */
const QEMU_FLAGS = new Set([
  "-S",
  "-s",
  "-daemonize",
  "-nodefaults",
  "-no-user-config",
  "-no-shutdown",
  "-no-reboot",
  "-no-acpi",
  "-no-hpet",
  "-enable-kvm",
  "-nographic",
  "-snapshot",
  "-full-screen",
  "-no-fd-bootchk",
  "-win2k-hack",
  "-no-quit",
  "-alt-grab",
  "-ctrl-grab",
  "-preconfig",
  "-only-migratable",
  "-enable-sync-profile",
  "-usb",
  "-semihosting",
]);

/** One option of a QEMU command line: `-m 32` is `{ name: "-m", value: "32" }`. */
export interface QemuOption {
  name: string;
  value?: string;
}

/** A QEMU argv (without the binary) as options, `--opt` spelled `-opt`; a word that is no option keeps `name` empty (a disk image). */
export function qemuOptions(args: readonly string[]): QemuOption[] {
  const out: QemuOption[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (!word.startsWith("-") || word === "-") {
      out.push({ name: "", value: word });
      continue;
    }
    const name = word.startsWith("--") ? word.slice(1) : word;
    if (QEMU_FLAGS.has(name) || i + 1 >= args.length) out.push({ name });
    else out.push({ name, value: args[++i]! });
  }
  return out;
}

/** The options back as argv words. */
export function qemuWords(options: readonly QemuOption[]): string[] {
  return options.flatMap((o) => (o.name === "" ? [o.value!] : o.value === undefined ? [o.name] : [o.name, o.value]));
}

/** Properties of an option value: `key=value,…` (`,,` is a comma) with an implied first key, or QEMU's JSON form. */
export interface OptionProperties {
  /** In the order written; a bare word at the start is stored under the implied key. */
  entries: Array<[string, string]>;
  json: boolean;
}

export function parseProperties(value: string, impliedKey?: string): OptionProperties {
  if (value.trimStart().startsWith("{")) {
    try {
      const parsed = JSON.parse(value) as unknown;
      if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
        const entries = Object.entries(parsed as Record<string, unknown>).map(([k, v]): [string, string] => [
          k,
          typeof v === "string" ? v : typeof v === "boolean" ? (v ? "on" : "off") : JSON.stringify(v),
        ]);
        return { entries, json: true };
      }
    } catch {
      // Not JSON after all: read it as key=value.
    }
  }
  const entries: Array<[string, string]> = [];
  const parts: string[] = [];
  let current = "";
  for (let i = 0; i < value.length; i++) {
    if (value[i] === ",") {
      if (value[i + 1] === ",") {
        current += ",";
        i++;
        continue;
      }
      parts.push(current);
      current = "";
    } else current += value[i];
  }
  parts.push(current);
  parts.forEach((part, index) => {
    const eq = part.indexOf("=");
    if (eq >= 0) entries.push([part.slice(0, eq), part.slice(eq + 1)]);
    else if (index === 0 && impliedKey !== undefined) entries.push([impliedKey, part]);
    else if (part !== "") entries.push([part, "on"]);
  });
  return { entries, json: false };
}

/** The last value of `key`. */
export function property(props: OptionProperties, key: string): string | undefined {
  let found: string | undefined;
  for (const [k, v] of props.entries) if (k === key) found = v;
  return found;
}

/** `key=value,…` text QEMU reads back (commas doubled). */
export function formatProperties(entries: ReadonlyArray<readonly [string, string]>): string {
  return entries.map(([k, v]) => `${k}=${v.replaceAll(",", ",,")}`).join(",");
}

/** `on`/`yes`/`true` and their opposites, as QEMU's boolean properties take them. */
export function qemuBoolean(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (["on", "yes", "true", "y"].includes(value)) return true;
  if (["off", "no", "false", "n"].includes(value)) return false;
  return undefined;
}

const SIZE_UNITS: Record<string, number> = { "": 1, b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50, e: 2 ** 60 };

/** A QEMU size (`32`, `1G`, `65536k`, `1.5G`) in bytes; a bare number counts in `defaultUnit`. */
export function qemuSizeBytes(value: string | undefined, defaultUnit: number): number | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([bkmgtpe]?)(?:i?b)?\s*$/i.exec(value);
  if (!m) return undefined;
  const unit = m[2] === "" ? defaultUnit : SIZE_UNITS[m[2]!.toLowerCase()]!;
  const bytes = Math.round(Number(m[1]) * unit);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
