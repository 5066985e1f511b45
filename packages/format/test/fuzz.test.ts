import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FormatError } from "../src/errors.js";
import { MemoryRamSink, RamApplier } from "../src/ram/ram-applier.js";
import { deflatePage } from "../src/ram/compressed-page.js";
import { encodeXbzrle } from "../src/ram/xbzrle.js";
import { concatBytes } from "../src/source/byte-source.js";
import { decodeMigrationStream } from "../src/stream/decoder.js";
import { encodeMigrationStream, MigrationStreamWriter } from "../src/stream/writer.js";
import { firstDifference } from "../src/test-support/bytes.js";
import type { VMStateDescription } from "../src/vmstate/types.js";
import { chunked, fixture } from "./support.js";

const PAGE = 4096;

const dev: VMStateDescription = {
  name: "dev",
  version_id: 2,
  fields: [
    { name: "n", type: "uint8" },
    { name: "list", type: "uint16", countField: "n" },
    { name: "len", type: "uint32" },
    { name: "blob", type: "buffer", sizeField: "len" },
  ],
  subsections: [{ name: "dev/sub", version_id: 1, fields: [{ name: "x", type: "int64" }] }],
};

/** A small stream with every RAM record kind, a described device, a raw device and a trailer. */
function smallStream(): Uint8Array {
  const out: Uint8Array[] = [];
  const w = new MigrationStreamWriter(out);
  const page = Uint8Array.from({ length: PAGE }, (_, i) => i & 0x7f);
  const next = page.slice().fill(9, 10, 20);
  w.ramStart([
    { idstr: "pc.ram", length: 8 * PAGE },
    { idstr: "/rom@etc/acpi/tables", length: 2 * PAGE },
  ]);
  w.beginRamSection("part").ramPage("pc.ram", 0, page).ramZero("pc.ram", PAGE, 3).ramPage("/rom@etc/acpi/tables", PAGE, page).finishRamSection();
  w.beginRamSection("end").ramXbzrle("pc.ram", 0, encodeXbzrle(page, next)!).ramCompressed("pc.ram", 2 * PAGE, deflatePage(next)).finishRamSection();
  w.sectionFull({ idstr: "0000:00:04.0/dev" }, { description: dev, value: { n: 2, list: [1, 2], len: 3, blob: Uint8Array.from([1, 2, 3]), "dev/sub": { x: 5n } } });
  w.sectionFull({ idstr: "slirp", version: 4 }, Uint8Array.from({ length: 40 }, (_, i) => i));
  w.eof().flush();
  return concatBytes(out);
}

/**
 * Decodes and applies RAM. The only acceptable failure is a FormatError; whatever is accepted
 * must encode back to the same bytes.
 */
async function survive(bytes: Uint8Array, chunk: number): Promise<"ok" | string> {
  try {
    const records = await decodeMigrationStream(chunked(bytes, [chunk]), { maxBufferedBytes: 1 << 20 });
    expect(firstDifference(encodeMigrationStream(records), bytes)).toBe(-1);
    const applier = new RamApplier(new MemoryRamSink({ maxBytes: 64 << 20 }));
    for (const rec of records) applier.apply(rec);
    return "ok";
  } catch (e) {
    if (e instanceof FormatError) return e.code;
    throw e;
  }
}

/** Anywhere in the input, uniformly (fast-check would otherwise favour the start). */
const position = fc.noBias(fc.integer({ min: 0, max: 1_000_000_000 }));

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant("cut" as const), at: position }),
  fc.record({ kind: fc.constant("insert" as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant("delete" as const), at: position, n: fc.integer({ min: 1, max: 16 }) }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(input: Uint8Array, steps: Mutation[]): Uint8Array {
  let b: Uint8Array = input.slice();
  for (const m of steps) {
    const at = b.length === 0 ? 0 : m.at % (m.kind === "cut" ? b.length + 1 : b.length);
    if (m.kind === "set") b.set(m.bytes.subarray(0, b.length - at), at);
    else if (m.kind === "cut") b = b.slice(0, at);
    else if (m.kind === "insert") b = concatBytes([b.subarray(0, at), m.bytes, b.subarray(at)]);
    else b = concatBytes([b.subarray(0, at), b.subarray(at + m.n)]);
  }
  return b;
}

describe("fuzz: mutated and truncated streams only ever throw FormatError", () => {
  // Device bodies without a layout are opaque, so most edits of pc-xen-devices are accepted (and
  // must then round-trip); the other inputs reach many different checks.
  const inputs: [string, Uint8Array, number, number][] = [
    ["writer stream", smallStream(), 250, 6],
    ["pc-xen-devices", fixture("pc-xen-devices"), 150, 1],
    ["pc-nocfg-nofooter", fixture("pc-nocfg-nofooter"), 25, 3],
  ];
  it.each(inputs)("%s", async (_name, input, runs, kinds) => {
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 70_000 }), async (steps, chunk) => {
        const result = await survive(mutate(input, steps), chunk);
        outcomes.set(result, (outcomes.get(result) ?? 0) + 1);
      }),
      { numRuns: runs, seed: 0x5a7e },
    );
    expect(outcomes.size).toBeGreaterThanOrEqual(kinds);
  });
});
