import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JsonMessageStream, type JsonParseError, type JsonStreamLimits } from "./json-stream.js";
import type { JsonValue } from "./json-value.js";
import { formatDouble17g, formatJson, formatQemuJson } from "./json-writer.js";
import { parseJson } from "./parse-json.js";
import { GHashTableModel, qdictOrder } from "./qemu-order.js";

type Message = { value: JsonValue } | { error: string };

function readAll(chunks: Uint8Array[], limits?: JsonStreamLimits): Message[] {
  const out: Message[] = [];
  const stream = new JsonMessageStream((m) => out.push("error" in m ? { error: (m.error as JsonParseError).message } : m), limits);
  for (const c of chunks) stream.feed(c);
  return out;
}

const bytes = (s: string): Uint8Array => Buffer.from(s, "latin1");

// values that survive formatJson -> parse unchanged (no -0, integers beyond 2^53 as bigint)
const jsonValue: fc.Arbitrary<JsonValue> = fc.letrec<{ v: JsonValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d) && !Object.is(d, -0)),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }).filter((b) => b < -(2n ** 53n) || b > 2n ** 53n),
    fc.string({ unit: "grapheme" }),
    fc.array(tie("v"), { maxLength: 4 }),
    fc.dictionary(fc.string({ unit: "grapheme", maxLength: 6 }), tie("v"), { maxKeys: 4 }),
  ),
})).v;

describe("streaming reader", () => {
  it("gives the same messages however the input is split", () => {
    const pieces = fc.constantFrom('{"execute":"a","id":1}', "[1,2]", '"x\\u00e9"', "'sq'", "12", "1.5e3", "true", " ", "\n", "}", "%", "\x00", "\xff", "01", '{"a" 1}', "[[[", "]]]", '"\\uD83D\\uDE00"', "\xc3\xa9");
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1 }), (parts, sizes) => {
        const input = bytes(parts.join("") + "\n");
        const chunks: Uint8Array[] = [];
        for (let pos = 0, i = 0; pos < input.length; i++) {
          const size = sizes[i % sizes.length]!;
          chunks.push(input.subarray(pos, pos + size));
          pos += size;
        }
        expect(readAll(chunks)).toEqual(readAll([input]));
      }),
    );
  });

  it("reads back what the writers write", () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        expect(parseJson(formatJson(value))).toEqual(value);
        expect(parseJson(formatJson(value, { indent: 2, ascii: true }))).toEqual(value);
        expect(parseJson(formatQemuJson(value))).toEqual(value);
      }),
    );
  });

  it("prints every finite double so that it reads back exactly", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
        expect(Object.is(Number(formatDouble17g(d)), d)).toBe(true);
      }),
    );
  });

  it("keeps integers as QEMU does: int64, else uint64, else double", () => {
    expect(parseJson("9007199254740993")).toBe(9007199254740993n);
    expect(parseJson("-9223372036854775808")).toBe(-(2n ** 63n));
    expect(parseJson("18446744073709551615")).toBe(2n ** 64n - 1n);
    expect(parseJson("18446744073709551616")).toBe(18446744073709551616);
    expect(parseJson("-9223372036854775809")).toBe(-9223372036854775809);
    expect(Object.is(parseJson("-0"), 0)).toBe(true);
    expect(Object.is(parseJson("-0.0"), -0)).toBe(true);
    expect(parseJson("1e400")).toBe(Infinity);
  });

  it("enforces the nesting, size and token-count limits", () => {
    expect(readAll([bytes("[".repeat(1024) + "]".repeat(1024))])).toEqual([{ value: expect.any(Array) }]);
    const deep = readAll([bytes("[".repeat(1025))]);
    expect(deep).toEqual([{ error: "JSON nesting depth limit exceeded" }]);
    expect(readAll([bytes('{"a":"' + "x".repeat(100) + '"}')], { maxMessageBytes: 64 })[0]).toEqual({ error: "JSON token size limit exceeded" });
    expect(readAll([bytes("[1,2,3,4,5]")], { maxTokens: 5 })[0]).toEqual({ error: "JSON token count limit exceeded" });
  });

  it("cuts a single token that outgrows the limit while it streams in", () => {
    const stream: Message[] = [];
    const reader = new JsonMessageStream((m) => stream.push("error" in m ? { error: m.error.message } : m), { maxMessageBytes: 1000 });
    reader.feed(bytes('"'));
    for (let i = 0; i < 20; i++) reader.feed(bytes("y".repeat(100)));
    expect(stream[0]).toEqual({ error: "JSON token size limit exceeded" });
    expect(reader.partialBytes).toBe(0);
  });

  it("reports where the failing message ended", () => {
    const errors: JsonParseError[] = [];
    const reader = new JsonMessageStream((m) => "error" in m && errors.push(m.error));
    reader.feed(bytes('{"a":1}  '));
    reader.feed(bytes("  }"));
    expect(errors[0]!.offset).toBe(11);
    expect(errors[0]!.code).toBe("JSON_PARSE");
  });
});

describe("writers", () => {
  it("formats doubles exactly like C's %.17g", () => {
    const cases: [number, string][] = [
      [0.1, "0.10000000000000001"], [1e-7, "9.9999999999999995e-08"], [123456789.123, "123456789.123"], [1e21, "1e+21"],
      [1e16, "10000000000000000"], [5e-324, "4.9406564584124654e-324"], [1.7976931348623157e308, "1.7976931348623157e+308"],
      [0.5, "0.5"], [1e17, "1e+17"], [12345678901234568, "12345678901234568"], [-2.5e-5, "-2.5000000000000001e-05"],
      [100, "100"], [1e-5, "1.0000000000000001e-05"], [0.0001, "0.0001"], [2 ** -60, "8.6736173798840355e-19"],
      [-1234.5678, "-1234.5678"], [3e-310, "2.9999999999999908e-310"], [9007199254740992, "9007199254740992"], [1e100, "1e+100"],
      [-0, "-0"], [Infinity, "inf"],
    ];
    for (const [value, text] of cases) expect(formatDouble17g(value)).toBe(text);
  });

  it("writes ASCII only with upper-case escapes, as QEMU", () => {
    expect(formatQemuJson("é😀\u007f\u0000/\"\\\b\f\n\r\t\uffff")).toBe('"\\u00E9\\uD83D\\uDE00\\u007F\\u0000/\\"\\\\\\b\\f\\n\\r\\t\\uFFFD"');
    expect(formatJson("é")).toBe('"é"');
    expect(formatJson({ a: [1, { b: null }], c: 2n ** 64n - 1n })).toBe('{"a":[1,{"b":null}],"c":18446744073709551615}');
    expect(() => formatJson(NaN)).toThrow(RangeError);
  });
});

describe("QEMU's member order", () => {
  it("matches the orders QEMU 7.2 prints", () => {
    expect(qdictOrder(["return", "id"])).toEqual(["return", "id"]);
    expect(qdictOrder(["error", "id"])).toEqual(["id", "error"]);
    expect(qdictOrder(["event", "data", "timestamp"])).toEqual(["timestamp", "event", "data"]);
    expect(qdictOrder(["major", "minor", "micro"])).toEqual(["micro", "minor", "major"]);
    expect(qdictOrder(["running", "singlestep", "status"])).toEqual(["status", "singlestep", "running"]);
    expect(qdictOrder(["b", "a", "zz", "é", "\u0000"])).toEqual(["é", "\u0000", "a", "zz", "b"]);
  });

  it("models glib's hash table to find which unexpected member QEMU names", () => {
    expect(GHashTableModel.fromKeys(qdictOrder(["a", "b", "c"])).first()).toBe("b");
    expect(GHashTableModel.fromKeys(qdictOrder(["zeta", "alpha", "mid"])).first()).toBe("alpha");
    expect(GHashTableModel.fromKeys(qdictOrder("defghijklm".split(""))).first()).toBe("h");
    const table = GHashTableModel.fromKeys(["x", "y"]);
    table.remove("x");
    table.remove("y");
    expect(table.first()).toBeUndefined();
  });
});
