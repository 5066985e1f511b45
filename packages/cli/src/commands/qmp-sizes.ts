/**
 * Size suffixes in `savevm qmp` key=value arguments: `max-bandwidth=1G` sends 1073741824, as
 * QEMU's own HMP and command line read sizes (qemu_strtosz). A string value becomes a size when
 * the command's schema (`query-qmp-schema`) says the member is an integer, or, without a schema
 * entry, when the member's name says it holds bytes.
 */
import { isJsonObject, parseQemuSize, type JsonObject, type JsonValue } from "@savevm/qmp";

interface SchemaEntry {
  name: string;
  "meta-type": string;
  "arg-type"?: string;
  "json-type"?: string;
  members?: { name?: string; type: string }[];
  "element-type"?: string;
}

/** What query-qmp-schema says, indexed by (masked) type name. */
export class QmpSchemaIndex {
  private readonly byName = new Map<string, SchemaEntry>();

  constructor(entries: readonly SchemaEntry[]) {
    for (const e of entries) this.byName.set(e.name, e);
  }

  /** The type of `path` inside the arguments of `command`; undefined when the schema does not say. */
  memberType(command: string, path: readonly string[]): SchemaEntry | undefined {
    let type = this.byName.get(this.byName.get(command)?.["arg-type"] ?? "");
    for (const key of path) {
      const member = type?.members?.find((m) => m.name === key);
      type = member ? this.byName.get(member.type) : undefined;
    }
    return type;
  }

  /** An integer, or an alternate that takes one. */
  takesInteger(type: SchemaEntry): boolean {
    if (type["meta-type"] === "builtin") return type["json-type"] === "int";
    if (type["meta-type"] === "alternate") return (type.members ?? []).some((m) => this.byName.get(m.type)?.["json-type"] === "int");
    return false;
  }
}

const SIZE_WORDS = /(^|-)(size|bandwidth|bytes|memory|mem|length|limit|cache)(-|$)/;
const SIZE_TEXT = /^\s*(\d+(\.\d+)?|0[xX][0-9a-fA-F]+)\s*[bBkKmMgGtTpPeE]$/;

/**
 * Turns the size-looking strings of `args` into numbers where the member takes an integer. The
 * schema is asked for only when some value looks like a size.
 */
export async function applySizeSuffixes(
  command: string,
  args: JsonObject,
  schema: () => Promise<QmpSchemaIndex | undefined>,
): Promise<void> {
  const candidates: { target: JsonObject; key: string; path: string[]; text: string }[] = [];
  const walk = (target: JsonObject, path: string[]) => {
    for (const [key, value] of Object.entries(target)) {
      if (typeof value === "string" && SIZE_TEXT.test(value)) candidates.push({ target, key, path: [...path, key], text: value });
      else if (isJsonObject(value)) walk(value, [...path, key]);
    }
  };
  walk(args, []);
  if (candidates.length === 0) return;
  const index = await schema();
  for (const c of candidates) {
    const type = index?.memberType(command, c.path);
    const integer = type ? index!.takesInteger(type) : SIZE_WORDS.test(c.key);
    if (integer) c.target[c.key] = parseQemuSize(c.text) as JsonValue;
  }
}

/** query-qmp-schema of the peer, or undefined when it has none (the guest agent, old QEMU). */
export async function fetchSchema(execute: (command: string) => Promise<unknown>): Promise<QmpSchemaIndex | undefined> {
  try {
    const entries = await execute("query-qmp-schema");
    return Array.isArray(entries) ? new QmpSchemaIndex(entries as SchemaEntry[]) : undefined;
  } catch {
    return undefined;
  }
}
