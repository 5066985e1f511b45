import type { JsonObject } from "./json-value.js";
import type { QmpRegistry } from "./registry.js";
import { memberList, type Members, type TypeSpec } from "./schema.js";

/**
 * `query-qmp-schema` output built from a registry, in the shape QEMU 7.2 prints (SchemaInfo).
 * Type names are masked as numbers like QEMU does, so clients only rely on structure; all
 * integer types show as the builtin `int`.
 */

const BUILTIN_JSON_TYPE: Record<string, string> = {
  str: "string",
  int: "int",
  number: "number",
  bool: "boolean",
  any: "value",
  null: "null",
};

function builtinName(type: string): string {
  return type === "str" || type === "number" || type === "bool" || type === "any" || type === "null" ? type : "int";
}

export function buildSchemaInfo(registry: QmpRegistry, options: { maskNames?: boolean } = {}): JsonObject[] {
  const mask = options.maskNames !== false;
  const names = new Map<object, string>();
  const types: JsonObject[] = [];
  const builtins = new Set<string>();
  let counter = 0;
  const emptyObject: Members = {};

  const objectName = (key: object, label: string | undefined, build: (name: string) => JsonObject): string => {
    const known = names.get(key);
    if (known !== undefined) return known;
    const name = mask || label === undefined ? String(counter++) : label;
    names.set(key, name);
    const entry = build(name);
    types.push(entry);
    return name;
  };

  const membersType = (members: Members, label: string | undefined): string => {
    const key = Object.keys(members).length === 0 ? emptyObject : members;
    return objectName(key, key === emptyObject ? "q_empty" : label, (name) => {
      const entry: JsonObject = { name, "meta-type": "object", members: [] };
      // members are named after registration so that nested types get later numbers, like QEMU
      entry.members = memberList(members).map((m) => {
        const out: JsonObject = { name: m.name, type: typeName(m.type) };
        if (m.optional) out.default = null;
        return out;
      });
      return entry;
    });
  };

  const typeName = (type: TypeSpec): string => {
    if (typeof type === "string") {
      const name = builtinName(type);
      builtins.add(name);
      return name;
    }
    switch (type.kind) {
      case "enum":
        return objectName(type, type.name, (name) => ({
          name,
          "meta-type": "enum",
          members: type.values.map((v) => ({ name: v })),
          values: [...type.values],
        }));
      case "array": {
        const element = typeName(type.element as TypeSpec);
        const name = `[${element}]`;
        if (!names.has(type)) {
          names.set(type, name);
          if (!types.some((t) => t.name === name)) types.push({ name, "meta-type": "array", "element-type": element });
        }
        return name;
      }
      case "struct":
        return membersType(type.members as Members, type.name);
      case "alternate":
        return objectName(type, type.name, (name) => ({
          name,
          "meta-type": "alternate",
          members: (type.branches as readonly TypeSpec[]).map((b) => ({ type: typeName(b) })),
        }));
    }
  };

  const entries: JsonObject[] = [];
  for (const command of registry.commands()) {
    const entry: JsonObject = {
      name: command.name,
      "meta-type": "command",
      "arg-type": membersType(command.args, `q_obj_${command.name}-arg`),
      "ret-type": command.returns === undefined ? membersType(emptyObject, "q_empty") : typeName(command.returns),
    };
    if (command.allowOob) entry["allow-oob"] = true;
    if (command.features.length > 0) entry.features = [...command.features];
    entries.push(entry);
  }
  for (const event of registry.events()) {
    const entry: JsonObject = { name: event.name, "meta-type": "event", "arg-type": membersType(event.data, `q_obj_${event.name}-arg`) };
    if (event.features.length > 0) entry.features = [...event.features];
    entries.push(entry);
  }
  for (const name of builtins) entries.push({ name, "meta-type": "builtin", "json-type": BUILTIN_JSON_TYPE[name]! });
  return [...entries, ...types];
}
