import { describe, expect, it } from "vitest";
import { concatBytes } from "../source/byte-source.js";
import type { MigrationRecord, RamRecord, SectionRecord, VmdescRecord } from "../records.js";
import { sameBytes } from "../test-support/bytes.js";
import type { VMStateDescription } from "../vmstate/types.js";
import { decodeMigrationStream } from "./decoder.js";
import { encodeMigrationStream, MigrationStreamWriter, type MigrationStreamWriterOptions, writeMigrationStream } from "./writer.js";

const PAGE = 4096;

const timer: VMStateDescription = {
  name: "timer",
  version_id: 2,
  fields: [
    { name: "cpu_ticks_offset", type: "int64" },
    { name: "unused", type: "unused_buffer", size: 8 },
    { name: "cpu_clock_offset", type: "int64", version_id: 2 },
  ],
};

const counter: VMStateDescription = {
  name: "counter",
  version_id: 1,
  fields: [
    { name: "n", type: "uint32" },
    { name: "regs", type: "uint8", count: 4 },
  ],
  subsections: [{ name: "counter/extra", version_id: 1, fields: [{ name: "e", type: "bool" }] }],
};

function pattern(seed: number): Uint8Array {
  return Uint8Array.from({ length: PAGE }, (_, i) => (i * seed) & 0xff);
}

/** A small machine: RAM in three sections, two devices, one raw device. */
function writeMachine(sink: Uint8Array[], options?: MigrationStreamWriterOptions): MigrationStreamWriter {
  const w = new MigrationStreamWriter(sink, options);
  w.header();
  w.ramStart([
    { idstr: "pc.ram", length: 4 * PAGE },
    { idstr: "pc.bios", length: PAGE },
  ]);
  w.beginRamSection("part").ramPage("pc.ram", 0, pattern(3)).ramPage("pc.ram", PAGE, new Uint8Array(PAGE)).ramPage("pc.bios", 0, pattern(5)).finishRamSection();
  w.beginRamSection("part").ramPage("pc.bios", 0, pattern(7)).ramZero("pc.ram", 2 * PAGE, 0x5a).finishRamSection();
  w.beginRamSection("end").finishRamSection();
  w.sectionFull({ idstr: "timer" }, { description: timer, value: { cpu_ticks_offset: 5n, cpu_clock_offset: -7n } });
  w.sectionFull({ idstr: "0000:00:02.0/counter", instanceId: 1 }, { description: counter, value: { n: 9, regs: [1, 2, 3, 4], "counter/extra": { e: true } } });
  w.sectionFull({ idstr: "slirp", version: 4 }, Uint8Array.from([1, 2, 3]));
  w.eof();
  return w;
}

function kinds(records: MigrationRecord[]): string[] {
  return records.map((r) => (r.kind === "section" ? `${r.type}:${r.idstr}` : r.kind === "ram" ? `ram:${r.type}` : r.kind));
}

describe("MigrationStreamWriter", () => {
  it("writes what QEMU 7.2 writes by default: configuration, footers, vmdesc", async () => {
    const out: Uint8Array[] = [];
    writeMachine(out).flush();
    const records = await decodeMigrationStream(concatBytes(out));
    expect(kinds(records)).toEqual([
      "header",
      "configuration",
      "start:ram", "ram:mem-size", "ram:eos", "footer",
      "part:ram", "ram:page", "ram:zero", "ram:page", "ram:eos", "footer",
      "part:ram", "ram:page", "ram:zero", "ram:eos", "footer",
      "end:ram", "ram:eos", "footer",
      "full:timer", "footer",
      "full:0000:00:02.0/counter", "footer",
      "full:slirp", "footer",
      "eof",
      "vmdesc",
    ]);
    expect(records[1]).toMatchObject({ machineType: "pc-i440fx-7.2", subsections: [] });
    const ram = records.filter((r): r is RamRecord & { block: string } => r.kind === "ram" && "block" in r);
    // CONTINUE whenever the block is the previous record's, also across sections.
    expect(ram.map((r) => [r.block, r.continued])).toEqual([
      ["pc.ram", false],
      ["pc.ram", true],
      ["pc.bios", false],
      ["pc.bios", true],
      ["pc.ram", false],
    ]);
    expect(ram[1]).toMatchObject({ type: "zero", fill: 0 });
    expect(ram[4]).toMatchObject({ type: "zero", fill: 0x5a });
  });

  it("describes the FULL sections in a trailer the decoder can walk", async () => {
    const out: Uint8Array[] = [];
    writeMachine(out).flush();
    const records = await decodeMigrationStream(concatBytes(out));
    const vmdesc = records.at(-1) as VmdescRecord;
    const text = new TextDecoder().decode(vmdesc.json);
    expect(text.startsWith('{"page_size": 4096, "devices": [{"name": "timer", "instance_id": 0, "vmsd_name": "timer", "version": 2, "fields": [{"name": "cpu_ticks_offset", "type": "int64", "size": 8}')).toBe(true);
    expect(vmdesc.description.devices.at(-1)).toEqual({ name: "slirp", instance_id: 0, size: 3, fields: [{ name: "data", size: 3, type: "buffer" }] });
    const devices = records.filter((r): r is SectionRecord => r.kind === "section" && r.type === "full");
    expect(devices.map((d) => d.bodyLayout)).toEqual(["vmdesc", "vmdesc", "vmdesc"]);
    expect(devices[0]!.state).toEqual({ cpu_ticks_offset: 5n, unused: new Uint8Array(8), cpu_clock_offset: -7n });
    expect(devices[1]!.state).toEqual({ n: 9, regs: [1, 2, 3, 4], "counter/extra": { e: true } });
    expect(devices[2]!.state).toEqual({ data: Uint8Array.from([1, 2, 3]) });
  });

  it("gives the decoder's known descriptions the same state", async () => {
    const out: Uint8Array[] = [];
    writeMachine(out).flush();
    const records = await decodeMigrationStream(concatBytes(out), { devices: [timer, counter] });
    const devices = records.filter((r): r is SectionRecord => r.kind === "section" && r.type === "full");
    expect(devices.map((d) => d.bodyLayout)).toEqual(["description", "description", "vmdesc"]);
    expect(devices[1]!.state).toEqual({ n: 9, regs: [1, 2, 3, 4], "counter/extra": { e: true } });
  });

  it("writes the QEMU variants without configuration, footers or trailer, and the decoder detects them", async () => {
    for (const options of [{ configuration: false }, { footers: false }, { vmdesc: false }, { configuration: false, footers: false, vmdesc: false }] as const) {
      const out: Uint8Array[] = [];
      writeMachine(out, options).flush();
      const bytes = concatBytes(out);
      const records = await decodeMigrationStream(bytes);
      expect(records.some((r) => r.kind === "configuration")).toBe(!("configuration" in options));
      expect(records.some((r) => r.kind === "footer")).toBe(!("footers" in options));
      expect(records.some((r) => r.kind === "vmdesc")).toBe(!("vmdesc" in options));
      expect(sameBytes(encodeMigrationStream(records), bytes)).toBe(true);
    }
  });

  it("writes the 8.2 trailer shape with the configuration first", async () => {
    const out: Uint8Array[] = [];
    writeMachine(out, { vmdesc: "8.2", configuration: { machineType: "pc-q35-8.2", capabilities: ["x-ignore-shared"] } }).flush();
    const bytes = concatBytes(out);
    const records = await decodeMigrationStream(bytes, { ignoreShared: false });
    const vmdesc = records.at(-1) as VmdescRecord;
    expect(Object.keys(vmdesc.description)).toEqual(["configuration", "page_size", "devices"]);
    expect(vmdesc.description.configuration?.subsections?.[0]?.vmsd_name).toBe("configuration/capabilities");
    expect(records[1]).toMatchObject({ machineType: "pc-q35-8.2", capabilities: ["x-ignore-shared"] });
  });

  it("writes MEM_SIZE addresses with x-ignore-shared and reads them back", async () => {
    const out: Uint8Array[] = [];
    const w = new MigrationStreamWriter(out, { configuration: { machineType: "pc-i440fx-7.2", capabilities: ["x-ignore-shared"] } });
    w.ramStart([{ idstr: "pc.ram", length: PAGE, addr: 0 }]).eof().flush();
    const records = await decodeMigrationStream(concatBytes(out));
    expect(records.find((r) => r.kind === "ram" && r.type === "mem-size")).toMatchObject({ blocks: [{ idstr: "pc.ram", length: PAGE, addr: 0 }] });
  });

  it("waits for an asynchronous sink and closes it", async () => {
    const chunks: Uint8Array[] = [];
    let closed = false;
    const sink = new WritableStream<Uint8Array>({
      async write(chunk) {
        await new Promise((r) => setTimeout(r, 1));
        chunks.push(chunk);
      },
      close() {
        closed = true;
      },
    });
    const w = writeMachine([], { highWaterMark: 1000 });
    const direct: Uint8Array[] = [];
    writeMachine(direct).flush();
    const streamed = new MigrationStreamWriter(sink, { highWaterMark: 1000 });
    for (const rec of await decodeMigrationStream(concatBytes(direct))) {
      streamed.write(rec);
      await streamed.drain();
    }
    await streamed.close();
    expect(closed).toBe(true);
    expect(chunks.length).toBeGreaterThan(3);
    expect(sameBytes(concatBytes(chunks), concatBytes(direct))).toBe(true);
    expect(w.offset).toBe(concatBytes(direct).length);
  });

  it("re-emits decoded records byte for byte through writeMigrationStream", async () => {
    const out: Uint8Array[] = [];
    writeMachine(out).flush();
    const bytes = concatBytes(out);
    const again: Uint8Array[] = [];
    await writeMigrationStream(await decodeMigrationStream(bytes), again);
    expect(sameBytes(concatBytes(again), bytes)).toBe(true);
  });

  it("refuses misuse", () => {
    const w = new MigrationStreamWriter([]);
    expect(() => w.ramPage("pc.ram", 0, new Uint8Array(PAGE))).toThrow(/no RAM section is open/);
    w.beginRamSection("part");
    expect(() => w.sectionFull({ idstr: "x", version: 1 }, new Uint8Array(1))).toThrow(/finish the RAM section/);
    expect(() => w.ramPage("pc.ram", 100, new Uint8Array(PAGE))).toThrow(/multiple of the page size/);
    w.finishRamSection();
    expect(() => w.sectionFull({ idstr: "x" }, new Uint8Array(1))).toThrow(/needs a version/);
  });

  it("leaves nothing of a refused record behind: the output stays a valid stream, byte for byte the one without the failed calls", async () => {
    const clean: Uint8Array[] = [];
    writeMachine(clean).flush();
    const out: Uint8Array[] = [];
    const w = new MigrationStreamWriter(out);
    const refused: string[] = [];
    const attempt = (call: () => unknown): void => {
      try {
        call();
        refused.push("accepted");
      } catch (error) {
        refused.push((error as { code?: string }).code ?? String(error));
      }
    };
    w.header();
    attempt(() => w.ramStart([{ idstr: "x".repeat(300), length: PAGE }]));
    attempt(() => w.ramStart([{ idstr: "pc.ram", length: -PAGE }]));
    w.ramStart([
      { idstr: "pc.ram", length: 4 * PAGE },
      { idstr: "pc.bios", length: PAGE },
    ]);
    w.beginRamSection("part").ramPage("pc.ram", 0, pattern(3));
    // Each of these used to write the record header (and the block name) before refusing.
    attempt(() => w.ramPage("pc.bios", 0, pattern(5).subarray(0, 100)));
    attempt(() => w.ramPage("pc.bios", 100, pattern(5)));
    attempt(() => w.ramPage("pc.b\u0100os", 0, pattern(5)));
    attempt(() => w.ramZero("pc.bios", 0, 256));
    attempt(() => w.ramCompressed("pc.bios", 0, new Uint8Array(0)));
    attempt(() => w.ramXbzrle("pc.bios", 0, new Uint8Array(PAGE + 1)));
    w.ramPage("pc.ram", PAGE, new Uint8Array(PAGE)).ramPage("pc.bios", 0, pattern(5)).finishRamSection();
    w.beginRamSection("part").ramPage("pc.bios", 0, pattern(7)).ramZero("pc.ram", 2 * PAGE, 0x5a).finishRamSection();
    w.beginRamSection("end").finishRamSection();
    attempt(() => w.sectionStart({ idstr: "r\u0100m", version: 1 }, new Uint8Array(1)));
    // A value that fails half way through its body, and one with the wrong version.
    attempt(() => w.sectionFull({ idstr: "timer" }, { description: timer, value: { cpu_ticks_offset: 5n, cpu_clock_offset: "x" } }));
    attempt(() => w.sectionFull({ idstr: "timer", version: 1 }, { description: timer, value: { cpu_ticks_offset: 5n, cpu_clock_offset: -7n } }));
    w.sectionFull({ idstr: "timer" }, { description: timer, value: { cpu_ticks_offset: 5n, cpu_clock_offset: -7n } });
    attempt(() => w.sectionFull({ idstr: "0000:00:02.0/counter", instanceId: 1 }, { description: counter, value: { n: 9, regs: [1, 2, 3] } }));
    w.sectionFull({ idstr: "0000:00:02.0/counter", instanceId: 1 }, { description: counter, value: { n: 9, regs: [1, 2, 3, 4], "counter/extra": { e: true } } });
    attempt(() => w.write({ kind: "ram", type: "page", offset: 0, sectionId: 0, address: 0, continued: false, block: "pc.ram", data: new Uint8Array(1) }));
    w.sectionFull({ idstr: "slirp", version: 4 }, Uint8Array.from([1, 2, 3]));
    w.eof().flush();
    expect(refused.every((code) => code === "INVALID_VALUE"), refused.join(",")).toBe(true);
    expect(refused).toHaveLength(13);
    const bytes = concatBytes(out);
    expect(sameBytes(bytes, concatBytes(clean))).toBe(true);
    const records = await decodeMigrationStream(bytes);
    expect(kinds(records).filter((k) => k.startsWith("full:"))).toEqual(["full:timer", "full:0000:00:02.0/counter", "full:slirp"]);
  });
});
