import { describe, expect, expectTypeOf, it } from "vitest";
import { QmpError } from "./errors.js";
import type { JsonObject } from "./json-value.js";
import { QmpRegistry } from "./registry.js";
import { t, validateArguments, validateValue, type InferMembers, type QmpInteger } from "./schema.js";

const Capability = t.enum("MigrationCapability", ["xbzrle", "events"]);
const CapabilityStatus = t.struct("MigrationCapabilityStatus", { capability: Capability, state: "bool" });
const StrOrNull = t.alternate("StrOrNull", ["str", "null"]);

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(QmpError);
    expect((err as QmpError).errorClass).toBe("GenericError");
    return (err as QmpError).desc;
  }
  throw new Error("no error");
}

describe("argument validation with QEMU's wording", () => {
  const migrate = { uri: "str", "*blk": "bool", "*detach": "bool" } as const;

  it("reports missing, unexpected and mistyped members in declaration order", () => {
    expect(errorOf(() => validateArguments(migrate, {}))).toBe("Parameter 'uri' is missing");
    expect(errorOf(() => validateArguments(migrate, { x: 1 }))).toBe("Parameter 'uri' is missing");
    expect(errorOf(() => validateArguments(migrate, { uri: 1 }))).toBe("Invalid parameter type for 'uri', expected: string");
    expect(errorOf(() => validateArguments(migrate, { uri: "u", blk: "x" }))).toBe("Invalid parameter type for 'blk', expected: boolean");
    expect(errorOf(() => validateArguments(migrate, { uri: "u", x: 1 }))).toBe("Parameter 'x' is unexpected");
    expect(errorOf(() => validateArguments({}, { a: 1, b: 2, c: 3 }))).toBe("Parameter 'b' is unexpected");
  });

  it("names nested members like QEMU (list indexes, dotted paths, 'null' for enums in lists)", () => {
    const caps = { capabilities: t.array(CapabilityStatus) };
    expect(errorOf(() => validateArguments(caps, { capabilities: [{ capability: "xbzrle", state: 1 }] }))).toBe("Invalid parameter type for 'capabilities[0].state', expected: boolean");
    expect(errorOf(() => validateArguments(caps, { capabilities: [{ capability: "xbzrle", state: true }, { capability: "events" }] }))).toBe("Parameter 'capabilities[1].state' is missing");
    expect(errorOf(() => validateArguments(caps, { capabilities: [{ capability: "bogus", state: true }] }))).toBe("Parameter 'capability' does not accept value 'bogus'");
    expect(errorOf(() => validateArguments(caps, { capabilities: [5] }))).toBe("Invalid parameter type for 'capabilities[0]', expected: object");
    expect(errorOf(() => validateArguments({ "*enable": t.array(t.enum("QMPCapability", ["oob"])) }, { enable: ["foo"] }))).toBe("Parameter 'null' does not accept value 'foo'");
    expect(errorOf(() => validateArguments({ "*enable": t.array("str") }, { enable: "oob" }))).toBe("Invalid parameter type for 'enable', expected: array");
  });

  it("checks integer kinds and ranges", () => {
    expect(validateArguments({ n: "size" }, { n: -1 })).toEqual({ n: 2n ** 64n - 1n });
    expect(validateArguments({ n: "uint64" }, { n: 9223372036853727232n })).toEqual({ n: 9223372036853727232n });
    expect(validateArguments({ n: "int" }, { n: 5 })).toEqual({ n: 5 });
    expect(errorOf(() => validateArguments({ n: "size" }, { n: "x" }))).toBe("Parameter 'n' expects uint64");
    expect(errorOf(() => validateArguments({ n: "uint64" }, { n: 1.5 }))).toBe("Parameter 'n' expects uint64");
    expect(errorOf(() => validateArguments({ n: "uint8" }, { n: 256 }))).toBe("Parameter 'n' expects uint8_t");
    expect(errorOf(() => validateArguments({ n: "uint8" }, { n: -1 }))).toBe("Parameter 'n' expects uint8_t");
    expect(errorOf(() => validateArguments({ n: "int32" }, { n: 2 ** 31 }))).toBe("Parameter 'n' expects int32_t");
    expect(errorOf(() => validateArguments({ n: "int" }, { n: 2n ** 63n }))).toBe("Invalid parameter type for 'n', expected: integer");
    expect(errorOf(() => validateArguments({ n: "number" }, { n: "1" }))).toBe("Invalid parameter type for 'n', expected: number");
    expect(validateArguments({ n: "number" }, { n: 10n ** 18n })).toEqual({ n: 1e18 });
  });

  it("picks an alternate branch by JSON type", () => {
    expect(validateArguments({ "*tls-creds": StrOrNull }, { "tls-creds": null })).toEqual({ "tls-creds": null });
    expect(validateArguments({ "*tls-creds": StrOrNull }, { "tls-creds": "x" })).toEqual({ "tls-creds": "x" });
    expect(errorOf(() => validateArguments({ "*tls-creds": StrOrNull }, { "tls-creds": 1 }))).toBe("Invalid parameter type for 'tls-creds', expected: StrOrNull");
    expect(validateValue("any", { a: [1] })).toEqual({ a: [1] });
    expect(errorOf(() => validateValue("null", 1, "x"))).toBe("Invalid parameter type for 'x', expected: null");
  });

  it("returns only declared members, with __proto__ kept as data", () => {
    const input = JSON.parse('{"__proto__": "x", "uri": "u"}') as JsonObject;
    const out = validateArguments({ uri: "str", "*__proto__": "str" }, input);
    expect(Object.keys(out)).toEqual(["uri", "__proto__"]);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  it("infers handler argument types from the schema", () => {
    type Args = InferMembers<{ uri: "str"; "*detach": "bool"; caps: ReturnType<typeof t.array<typeof CapabilityStatus>>; "*n": "size"; "*t": typeof StrOrNull }>;
    expectTypeOf<Args>().toEqualTypeOf<{
      uri: string;
      detach?: boolean;
      caps: { capability: "xbzrle" | "events"; state: boolean }[];
      n?: QmpInteger;
      t?: string | null;
    }>();
    new QmpRegistry().command("migrate", {
      args: { uri: "str", "*speed": "uint32" },
      returns: t.struct("R", { ok: "bool" }),
      handler: (args) => {
        expectTypeOf(args.uri).toEqualTypeOf<string>();
        expectTypeOf(args.speed).toEqualTypeOf<number | undefined>();
        return { ok: true };
      },
    });
  });
});
