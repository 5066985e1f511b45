import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEDUP_CAPABILITY, RAM_SAVE_FLAG_X_DEDUP } from "../constants.js";
import type { MigrationRecord, RamDedupRecord } from "../records.js";
import { concatBytes } from "../source/byte-source.js";
import { decodeMigrationStream, readMigrationStream, forEachRecord } from "../stream/decoder.js";
import { encodeRecord } from "../stream/record-codec.js";
import { MigrationStreamWriter } from "../stream/writer.js";
import { summarizeStream } from "../views/summary.js";
import { sameBytes } from "../test-support/bytes.js";
import { MemoryRamSink, RamApplier, type RamBlockAccess } from "./ram-applier.js";

const PAGE = 4096;
const PAGES = 8;
const WITH_DEDUP = { machineType: "pc-i440fx-7.2", capabilities: [DEDUP_CAPABILITY] };

function pattern(seed: number): Uint8Array {
  return Uint8Array.from({ length: PAGE }, (_, i) => (i * 31 + seed * 7 + (i >> 8)) & 0xff);
}

/** A stream with two pages and two references to them. */
function dedupStream(configuration: { machineType: string; capabilities?: string[] } = WITH_DEDUP): Uint8Array {
  const out: Uint8Array[] = [];
  const w = new MigrationStreamWriter(out, { configuration });
  w.ramStart([{ idstr: "pc.ram", length: PAGES * PAGE }]);
  w.beginRamSection("part").ramPage("pc.ram", 0, pattern(1)).ramPage("pc.ram", 3 * PAGE, pattern(2));
  w.ramDedup("pc.ram", 5 * PAGE, 0).ramDedup("pc.ram", 6 * PAGE, 3 * PAGE).finishRamSection();
  w.eof().flush();
  return concatBytes(out);
}

async function failure(source: Uint8Array, options?: Parameters<typeof readMigrationStream>[1]): Promise<{ code: string; message: string }> {
  try {
    await decodeMigrationStream(source, options);
  } catch (e) {
    return { code: (e as { code: string }).code, message: (e as Error).message };
  }
  throw new Error("the stream was accepted");
}

describe("dedup extension (x-dedup)", () => {
  it("uses a RAM flag QEMU does not use and records the capability in the configuration", async () => {
    expect(RAM_SAVE_FLAG_X_DEDUP).toBeGreaterThan(0x200);
    expect(RAM_SAVE_FLAG_X_DEDUP).toBeLessThan(PAGE);
    const records = await decodeMigrationStream(dedupStream());
    const config = records.find((r) => r.kind === "configuration");
    expect(config?.kind === "configuration" && config.capabilities).toEqual(["x-dedup"]);
    const refs = records.filter((r): r is RamDedupRecord => r.kind === "ram" && r.type === "dedup");
    expect(refs.map((r) => [r.block, r.address, r.source, r.continued])).toEqual([
      ["pc.ram", 5 * PAGE, 0, true],
      ["pc.ram", 6 * PAGE, 3 * PAGE, true],
    ]);
    // 8 bytes of header, 8 of source: 16 bytes instead of 4104.
    expect(encodeRecord(refs[0]!).length).toBe(16);
  });

  it("re-encodes byte for byte", async () => {
    const bytes = dedupStream();
    const again = concatBytes((await decodeMigrationStream(bytes)).map((r) => encodeRecord(r)));
    expect(sameBytes(again, bytes)).toBe(true);
  });

  it("the applier copies the earlier page, into memory and through read/write access", async () => {
    const memory = new MemoryRamSink();
    const pages = new Map<number, Uint8Array>();
    const access: RamBlockAccess = {
      length: PAGES * PAGE,
      read: (offset, into) => into.set(pages.get(offset) ?? new Uint8Array(PAGE)),
      write: (offset, data) => void pages.set(offset, data.slice()),
    };
    const a = new RamApplier(memory);
    const b = new RamApplier({ block: () => access });
    await forEachRecord(readMigrationStream(dedupStream()), (rec) => {
      a.apply(rec);
      b.apply(rec);
    });
    const ram = memory.blocks.get("pc.ram")!;
    expect(sameBytes(ram.subarray(5 * PAGE, 6 * PAGE), pattern(1))).toBe(true);
    expect(sameBytes(ram.subarray(6 * PAGE, 7 * PAGE), pattern(2))).toBe(true);
    expect(sameBytes(pages.get(5 * PAGE)!, pattern(1))).toBe(true);
    expect(sameBytes(pages.get(6 * PAGE)!, pattern(2))).toBe(true);
  });

  it("a reader whose supported capabilities lack it refuses the stream, naming it", async () => {
    const err = await failure(dedupStream(), { supportedCapabilities: ["x-ignore-shared"] });
    expect(err.code).toBe("EXTENSION_UNSUPPORTED");
    expect(err.message).toContain("Received unknown capability x-dedup");
  });

  it("the flag is refused when the configuration did not announce the extension", async () => {
    const out: Uint8Array[] = [];
    const w = new MigrationStreamWriter(out);
    w.ramStart([{ idstr: "pc.ram", length: PAGES * PAGE }]);
    w.beginRamSection("part").ramPage("pc.ram", 0, pattern(1));
    const ref: RamDedupRecord = { kind: "ram", type: "dedup", offset: 0, sectionId: 0, address: PAGE, continued: true, block: "pc.ram", source: 0 };
    w.write(ref).finishRamSection().eof().flush();
    const err = await failure(concatBytes(out));
    expect(err.code).toBe("UNKNOWN_RAM_FLAGS");
    expect(err.message).toContain("Unknown combination of migration flags: 0x420");
    expect(() => new MigrationStreamWriter([]).ramStart([{ idstr: "pc.ram", length: PAGE * 2 }]).beginRamSection().ramDedup("pc.ram", PAGE, 0)).toThrow(
      /needs the 'x-dedup' capability/,
    );
  });

  it("refuses references to the page itself or past the block", async () => {
    for (const [address, source, what] of [
      [2 * PAGE, 2 * PAGE, "the page itself"],
      [2 * PAGE, PAGES * PAGE, "not a page of the block"],
    ] as const) {
      const out: Uint8Array[] = [];
      const w = new MigrationStreamWriter(out, { configuration: WITH_DEDUP });
      w.ramStart([{ idstr: "pc.ram", length: PAGES * PAGE }]).beginRamSection("part");
      w.flush();
      // The encoder refuses to write a reference to the page itself, so its bytes are patched in.
      const ref: RamDedupRecord = { kind: "ram", type: "dedup", offset: 0, sectionId: 0, address, continued: false, block: "pc.ram", source: 0 };
      const err = await failure(concatBytes([...out, withSource(encodeRecord(ref), source)]));
      expect(err.code).toBe("BAD_RAM_REFERENCE");
      expect(err.message).toContain(what);
    }
  });

  it("summaries count references", async () => {
    const summary = await summarizeStream(dedupStream());
    expect(summary.ram?.pages).toEqual({ zero: 0, uniform: 0, normal: 2, xbzrle: 0, compressed: 0, dedup: 2 });
    expect(summary.configuration?.capabilities).toEqual(["x-dedup"]);
  });

  it("random pages and references round-trip losslessly and load as the pages they stand for", async () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("page" as const), page: fc.nat(PAGES - 1), seed: fc.nat(5) }),
      fc.record({ kind: fc.constant("ref" as const), page: fc.nat(PAGES - 1), source: fc.nat(PAGES - 1) }).filter((o) => o.page !== o.source),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 24 }), async (ops) => {
        const out: Uint8Array[] = [];
        const w = new MigrationStreamWriter(out, { configuration: WITH_DEDUP });
        w.ramStart([{ idstr: "pc.ram", length: PAGES * PAGE }]).beginRamSection("part");
        const model = new Uint8Array(PAGES * PAGE);
        for (const o of ops) {
          if (o.kind === "page") {
            w.ramPage("pc.ram", o.page * PAGE, pattern(o.seed));
            model.set(pattern(o.seed), o.page * PAGE);
          } else {
            w.ramDedup("pc.ram", o.page * PAGE, o.source * PAGE);
            model.copyWithin(o.page * PAGE, o.source * PAGE, o.source * PAGE + PAGE);
          }
        }
        w.finishRamSection().eof().flush();
        const bytes = concatBytes(out);
        const records: MigrationRecord[] = await decodeMigrationStream(bytes);
        expect(sameBytes(concatBytes(records.map((r) => encodeRecord(r))), bytes)).toBe(true);
        const sink = new MemoryRamSink();
        const applier = new RamApplier(sink);
        for (const r of records) applier.apply(r);
        expect(sameBytes(sink.blocks.get("pc.ram")!, model)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});

/** An encoded reference with another source. */
function withSource(bytes: Uint8Array, source: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setBigUint64(copy.length - 8, BigInt(source));
  return copy;
}
