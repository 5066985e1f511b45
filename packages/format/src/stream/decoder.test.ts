import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { commandPayload, makeCommandRecord } from "../command.js";
import { makeConfigurationRecord } from "../configuration.js";
import type { CommandRecord, MigrationRecord, SectionRecord } from "../records.js";
import { concatBytes } from "../source/byte-source.js";
import { sameBytes } from "../test-support/bytes.js";
import { ByteWriter } from "../wire/byte-writer.js";
import { copyRecord, decodeMigrationStream, readMigrationStream } from "./decoder.js";
import { encodeRecord } from "./record-codec.js";
import { encodeMigrationStream, MigrationStreamWriter } from "./writer.js";

const PAGE = 4096;

function full(sectionId: number, idstr: string, body: number[]): SectionRecord {
  return { kind: "section", offset: 0, type: "full", sectionId, idstr, instanceId: 0, version: 1, body: Uint8Array.from(body) };
}

function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

describe("readMigrationStream on constructed streams", () => {
  it("decodes a PACKAGED command's nested stream and writes it back", async () => {
    const nested: MigrationRecord[] = [
      full(3, "dev", [1, 2, 3]),
      { kind: "footer", offset: 0, sectionId: 3 },
      makeCommandRecord("POSTCOPY_LISTEN"),
      makeCommandRecord("POSTCOPY_RUN"),
    ];
    const nestedBytes = encodeMigrationStream(nested);
    const packaged: CommandRecord = { ...makeCommandRecord("PACKAGED", commandPayload.packaged(nestedBytes.length)), packaged: nested };
    const stream: MigrationRecord[] = [
      { kind: "header", offset: 0, version: 3 },
      makeConfigurationRecord({ machineType: "pc-i440fx-7.2" }),
      makeCommandRecord("OPEN_RETURN_PATH"),
      makeCommandRecord("POSTCOPY_ADVISE", commandPayload.postcopyAdvise(4096n, 4096n)),
      packaged,
      { kind: "eof", offset: 0 },
    ];
    const bytes = encodeMigrationStream(stream);
    const records = await decodeMigrationStream(bytes);
    const cmd = records.find((r): r is CommandRecord => r.kind === "command" && r.name === "PACKAGED")!;
    expect(cmd.packaged?.map((r) => r.kind)).toEqual(["section", "footer", "command", "command"]);
    expect((cmd.packaged![0] as SectionRecord).bodyLayout).toBe("footer-scan");
    // Offsets inside the package are absolute offsets in the outer stream.
    expect(cmd.packaged![0]!.offset).toBe(cmd.offset + 9);
    expect(sameBytes(encodeMigrationStream(records), bytes)).toBe(true);
  });

  it("keeps bytes after the trailer as trailing records", async () => {
    const out: Uint8Array[] = [];
    new MigrationStreamWriter(out).sectionFull({ idstr: "d", version: 1 }, Uint8Array.from([7, 7])).eof().flush();
    const bytes = concatBytes([...out, Uint8Array.from([0, 0, 0, 9])]);
    const records = await decodeMigrationStream(chunks(bytes, 7));
    expect(records.at(-2)?.kind).toBe("vmdesc");
    expect(records.filter((r) => r.kind === "trailing").length).toBeGreaterThan(0);
    expect(sameBytes(encodeMigrationStream(records), bytes)).toBe(true);
  });

  it("without footers or trailer, an unknown body runs to the end of the input", async () => {
    const out: Uint8Array[] = [];
    new MigrationStreamWriter(out, { footers: false, vmdesc: false, configuration: false })
      .sectionFull({ idstr: "a", version: 1 }, Uint8Array.from([1, 2]))
      .sectionFull({ idstr: "b", version: 1 }, Uint8Array.from([3]))
      .eof()
      .flush();
    const bytes = concatBytes(out);
    const records = await decodeMigrationStream(bytes);
    expect(records.map((r) => r.kind)).toEqual(["header", "section"]);
    expect(records[1]).toMatchObject({ idstr: "a", bodyLayout: "remainder" });
    expect(sameBytes(encodeMigrationStream(records), bytes)).toBe(true);
  });

  it("keeps a configuration subsection it does not know, raw", async () => {
    const cfg = makeConfigurationRecord({ machineType: "pc-i440fx-9.9", capabilities: ["x-ignore-shared"] });
    cfg.subsections.push({ name: "configuration/future", version: 1, payload: Uint8Array.from([0xde, 0xad, 0xbe]) });
    const stream = [{ kind: "header", offset: 0, version: 3 } as const, cfg];
    const head = encodeMigrationStream(stream);
    const out: Uint8Array[] = [];
    new MigrationStreamWriter(out, { configuration: false, header: false }).ramStart([{ idstr: "pc.ram", length: PAGE, addr: 0 }]).eof().flush();
    const bytes = concatBytes([head, ...out]);
    const records = await decodeMigrationStream(bytes);
    expect(records[1]).toMatchObject({ kind: "configuration", capabilities: ["x-ignore-shared"] });
    const sub = (records[1] as typeof cfg).subsections[1]!;
    expect(sub.name).toBe("configuration/future");
    expect(Array.from(sub.payload)).toEqual([0xde, 0xad, 0xbe]);
    expect(sameBytes(encodeMigrationStream(records), bytes)).toBe(true);
  });

  it("hands out reused RAM records: copyRecord keeps one", async () => {
    const out: Uint8Array[] = [];
    new MigrationStreamWriter(out)
      .ramStart([{ idstr: "pc.ram", length: 2 * PAGE }])
      .beginRamSection()
      .ramPage("pc.ram", 0, new Uint8Array(PAGE).fill(1))
      .ramPage("pc.ram", PAGE, new Uint8Array(PAGE).fill(2))
      .finishRamSection()
      .eof()
      .flush();
    const seen: MigrationRecord[] = [];
    const kept: MigrationRecord[] = [];
    for await (const rec of readMigrationStream(concatBytes(out))) {
      seen.push(rec);
      kept.push(copyRecord(rec));
    }
    const pages = seen.filter((r) => r.kind === "ram" && r.type === "page");
    expect(pages[0]).toBe(pages[1]);
    const copies = kept.filter((r) => r.kind === "ram" && r.type === "page");
    expect(copies.map((r) => (r as { data: Uint8Array }).data[0])).toEqual([1, 2]);
  });

  it("releases the source when the consumer stops early", async () => {
    const out: Uint8Array[] = [];
    new MigrationStreamWriter(out).ramStart([{ idstr: "pc.ram", length: PAGE }]).eof().flush();
    const bytes = concatBytes(out);
    let cancelled = false;
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(bytes.subarray(sent, sent + 4));
        sent += 4;
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const rec of readMigrationStream(stream)) {
      if (rec.kind === "configuration") break;
    }
    expect(cancelled).toBe(true);
  });

  it("takes offsets relative to a container", async () => {
    const out: Uint8Array[] = [];
    new MigrationStreamWriter(out).eof().flush();
    const records = await decodeMigrationStream(concatBytes(out), { baseOffset: 0x1000 });
    expect(records.map((r) => r.offset)).toEqual([0x1000, 0x1008, 0x1000 + 8 + 1 + 4 + 13, 0x1000 + 8 + 1 + 4 + 13 + 1]);
  });
});

/** Random streams built with the writer: devices with raw bodies, RAM in sections, commands. */
const streams = fc
  .record({
    footers: fc.boolean(),
    configuration: fc.boolean(),
    vmdesc: fc.boolean(),
    pages: fc.array(fc.tuple(fc.nat(7), fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 255 })), fc.constantFrom("page", "zero", "xbzrle")), { maxLength: 12 }),
    parts: fc.integer({ min: 1, max: 3 }),
    devices: fc.array(fc.tuple(fc.string({ unit: "binary-ascii", minLength: 1, maxLength: 12 }), fc.uint8Array({ maxLength: 64 })), { maxLength: 5 }),
    ping: fc.option(fc.nat(), { nil: undefined }),
  })
  .map((p) => {
    const out: Uint8Array[] = [];
    const w = new MigrationStreamWriter(out, { footers: p.footers, configuration: p.configuration ? undefined : false, vmdesc: p.vmdesc });
    w.ramStart([{ idstr: "pc.ram", length: 8 * PAGE }]);
    for (let part = 0; part < p.parts; part++) {
      w.beginRamSection(part === p.parts - 1 ? "end" : "part");
      for (const [page, fill, kind] of p.pages.slice(part * 4, part * 4 + 4)) {
        if (kind === "zero") w.ramZero("pc.ram", page * PAGE, fill);
        else if (kind === "page") w.ramPage("pc.ram", page * PAGE, new Uint8Array(PAGE).fill(fill));
        else w.ramXbzrle("pc.ram", page * PAGE, Uint8Array.from([0, 1, fill]));
      }
      w.finishRamSection();
    }
    if (p.ping !== undefined) w.write(makeCommandRecord("PING", commandPayload.ping(p.ping)));
    p.devices.forEach(([name, body], i) => w.sectionFull({ idstr: `${name}${i}`, version: 1 }, body));
    w.eof().flush();
    return concatBytes(out);
  });

describe("lossless round trip of random streams", () => {
  it("decoding then encoding gives the same bytes, whatever the chunking", async () => {
    await fc.assert(
      fc.asyncProperty(streams, fc.integer({ min: 1, max: 5000 }), async (bytes, size) => {
        const records = await decodeMigrationStream(chunks(bytes, size));
        const again = concatBytes(records.map((r) => encodeRecord(r)));
        expect(sameBytes(again, bytes)).toBe(true);
      }),
      { numRuns: 120 },
    );
  });

  it("a writer round trip of random device bodies keeps every body", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 200 }), { minLength: 1, maxLength: 6 }), async (bodies) => {
        const out: Uint8Array[] = [];
        const w = new MigrationStreamWriter(out);
        bodies.forEach((b, i) => w.sectionFull({ idstr: `dev${i}`, version: 1 }, b));
        w.eof().flush();
        const records = await decodeMigrationStream(concatBytes(out));
        const got = records.filter((r): r is SectionRecord => r.kind === "section").map((r) => r.body!);
        expect(got.length).toBe(bodies.length);
        got.forEach((b, i) => expect(sameBytes(b, bodies[i]!)).toBe(true));
      }),
      { numRuns: 100 },
    );
  });
});

describe("encodeRecord", () => {
  it("writes one record at a time", () => {
    const bytes = encodeRecord(full(7, "x", [9]));
    const expected = new ByteWriter().u8(4).u32(7).countedString("x").u32(0).u32(1).u8(9).finish();
    expect(Array.from(bytes)).toEqual(Array.from(expected));
  });
});
