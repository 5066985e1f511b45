import { describe, expect, it } from "vitest";
import { applySizeSuffixes, QmpSchemaIndex } from "./qmp-sizes.js";

const SCHEMA = new QmpSchemaIndex([
  { name: "set", "meta-type": "command", "arg-type": "1" },
  {
    name: "1",
    "meta-type": "object",
    members: [
      { name: "limit", type: "int" },
      { name: "label", type: "str" },
      { name: "inner", type: "2" },
      { name: "either", type: "3" },
    ],
  },
  { name: "2", "meta-type": "object", members: [{ name: "bytes", type: "int" }] },
  { name: "3", "meta-type": "alternate", members: [{ type: "str" }, { type: "int" }] },
  { name: "int", "meta-type": "builtin", "json-type": "int" },
  { name: "str", "meta-type": "builtin", "json-type": "string" },
]);

describe("size suffixes in key=value arguments", () => {
  it("follows the schema: integer members (nested, or in an alternate) get bytes, strings keep the text", async () => {
    const args = { limit: "1G", label: "1G", inner: { bytes: "512K" }, either: "2M" };
    await applySizeSuffixes("set", args, async () => SCHEMA);
    expect(args).toEqual({ limit: 1 << 30, label: "1G", inner: { bytes: 512 << 10 }, either: 2 << 20 });
  });

  it("without a schema, goes by the member's name", async () => {
    const args = { "max-bandwidth": "1G", "cache-size": "64M", hostname: "1M" };
    await applySizeSuffixes("migrate-set-parameters", args, async () => undefined);
    expect(args).toEqual({ "max-bandwidth": 1 << 30, "cache-size": 64 << 20, hostname: "1M" });
  });

  it("does not ask for the schema when nothing looks like a size", async () => {
    let asked = false;
    await applySizeSuffixes("set", { limit: 5, label: "x" }, async () => {
      asked = true;
      return SCHEMA;
    });
    expect(asked).toBe(false);
  });
});
