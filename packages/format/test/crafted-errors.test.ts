import { describe, expect, it } from "vitest";
import { MemoryRamSink, RamApplier } from "../src/ram/ram-applier.js";
import type { MigrationRecord, RamRecord, SectionRecord, VmdescRecord } from "../src/records.js";
import { readMigrationStream } from "../src/stream/decoder.js";
import type { ReadMigrationOptions } from "../src/stream/read-options.js";
import { descriptionFromVmdesc } from "../src/vmstate/from-vmdesc.js";
import type { VMStateDescription } from "../src/vmstate/types.js";
import { decode, expectFormatError, fixture, indexOfAscii, setBe16, setBe32 } from "./support.js";

const stopped = await decode(fixture("pc-stopped"));

function section(records: MigrationRecord[], idstr: string, type = "full"): SectionRecord {
  return records.find((r): r is SectionRecord => r.kind === "section" && r.idstr === idstr && r.type === type)!;
}

function cpuDescription(records: MigrationRecord[]): VMStateDescription {
  const vmdesc = records.find((r): r is VmdescRecord => r.kind === "vmdesc")!;
  return descriptionFromVmdesc(vmdesc.description.devices.find((d) => d.name === "cpu")!);
}

async function drain(bytes: Uint8Array, options?: ReadMigrationOptions): Promise<void> {
  for await (const _ of readMigrationStream(bytes, options)) {
    // Only the error matters.
  }
}

async function applyAll(bytes: Uint8Array): Promise<void> {
  const applier = new RamApplier(new MemoryRamSink());
  for await (const rec of readMigrationStream(bytes)) applier.apply(rec);
}

/** Offset of the version field of a START/FULL section header. */
function versionOffset(rec: SectionRecord): number {
  return rec.offset + 1 + 4 + 1 + rec.idstr.length + 4;
}

describe("header", () => {
  it("wrong magic", async () => {
    const b = fixture("pc-stopped");
    b[0] = 0x51 + 1;
    await expectFormatError(() => drain(b), "BAD_MAGIC", 0, "Not a migration stream");
  });

  it("version 2 is obsolete, in QEMU's words", async () => {
    const b = fixture("pc-stopped");
    setBe32(b, 4, 2);
    await expectFormatError(() => drain(b), "VERSION_OBSOLETE", 4, "SaveVM v2 format is obsolete and don't work anymore");
  });

  it("other versions are refused", async () => {
    const b = fixture("pc-stopped");
    setBe32(b, 4, 4);
    await expectFormatError(() => drain(b), "VERSION_UNSUPPORTED", 4);
  });
});

describe("configuration", () => {
  it("missing when the reader requires it", async () => {
    await expectFormatError(() => drain(fixture("pc-nocfg-nofooter"), { configuration: true }), "CONFIGURATION_MISSING", 8, "Configuration section missing");
  });

  it("present when the reader says there is none", async () => {
    await expectFormatError(() => drain(fixture("pc-stopped"), { configuration: false }), "UNKNOWN_SECTION_TYPE", 8, "Unknown savevm section type 7");
  });

  it("another machine type", async () => {
    await expectFormatError(
      () => drain(fixture("pc-stopped"), { machineType: "pc-q35-7.2" }),
      "MACHINE_TYPE_MISMATCH",
      8,
      "Machine type received is 'pc-i440fx-7.2' and local is 'pc-q35-7.2'",
    );
    // QEMU compares only the received length: a prefix of the local name is accepted.
    await drain(fixture("pc-stopped"), { machineType: "pc-i440fx-7.2-extra" });
  });

  it("a capability the reader does not support", async () => {
    const b = fixture("pc-stopped");
    const cfgEnd = 8 + 1 + 4 + "pc-i440fx-7.2".length;
    const sub = new Uint8Array([0x05, 26, ...Buffer.from("configuration/capabilities"), 0, 0, 0, 1, 0, 0, 0, 1, 10, ...Buffer.from("mapped-ram")]);
    const crafted = new Uint8Array([...b.subarray(0, cfgEnd), ...sub, ...b.subarray(cfgEnd)]);
    const err = await expectFormatError(() => drain(crafted), "EXTENSION_UNSUPPORTED", 8, "mapped-ram");
    expect(err.section).toBe("configuration");
    // The same capability is fine for a reader that says it supports it.
    await drain(crafted, { supportedCapabilities: ["mapped-ram"] });
  });
});

describe("sections", () => {
  it("unknown top-level type", async () => {
    const b = fixture("pc-stopped");
    const timer = section(stopped, "timer");
    b[timer.offset] = 9;
    await expectFormatError(() => drain(b), "UNKNOWN_SECTION_TYPE", timer.offset, "Unknown savevm section type 9");
  });

  it("footers present but the reader says there are none: type 126", async () => {
    const ramStart = section(stopped, "ram", "start");
    const firstFooter = stopped.find((r) => r.kind === "footer")!;
    expect(firstFooter.offset).toBeGreaterThan(ramStart.offset);
    await expectFormatError(() => drain(fixture("pc-stopped"), { footers: false }), "UNKNOWN_SECTION_TYPE", firstFooter.offset, "Unknown savevm section type 126");
  });

  it("missing footer", async () => {
    const records = await decode(fixture("pc-nocfg-nofooter"));
    const start = section(records, "ram", "start");
    const eos = records.find((r) => r.kind === "ram" && r.type === "eos")!;
    const err = await expectFormatError(() => drain(fixture("pc-nocfg-nofooter"), { footers: true }), "MISSING_FOOTER", eos.offset + 8, "Missing section footer for ram");
    expect(err.sectionId).toBe(start.sectionId);
  });

  it("footer with another section id", async () => {
    const b = fixture("pc-stopped");
    const timer = section(stopped, "timer");
    const footerAt = timer.offset + 1 + 4 + 1 + 5 + 8 + timer.body!.length;
    expect(b[footerAt]).toBe(0x7e);
    setBe32(b, footerAt + 1, 0x63);
    // Unknown layout: the body is walked with the vmdesc, then the footer is checked.
    await expectFormatError(() => drain(b), "FOOTER_MISMATCH", footerAt, "Mismatched section id in footer for timer - read 0x63 expected 0x0");
  });

  it("empty idstr", async () => {
    const b = fixture("pc-stopped");
    const timer = section(stopped, "timer");
    b[timer.offset + 5] = 0;
    await expectFormatError(() => drain(b), "EMPTY_IDSTR", timer.offset + 5, `Unable to read ID string for section ${timer.sectionId}`);
  });

  it("part of a section that never started", async () => {
    const b = fixture("pc-stopped");
    const part = section(stopped, "ram", "part");
    setBe32(b, part.offset + 1, 77);
    await expectFormatError(() => drain(b), "UNKNOWN_SECTION", part.offset, "Unknown savevm section 77");
  });

  it("section version newer than the local description, in QEMU's words", async () => {
    const b = fixture("pc-stopped");
    const cpu = section(stopped, "cpu");
    setBe32(b, versionOffset(cpu), 99);
    const err = await expectFormatError(
      () => drain(b, { devices: { cpu: cpuDescription(stopped) } }),
      "SECTION_VERSION_TOO_NEW",
      cpu.offset,
      "savevm: unsupported version 99 for 'cpu' v12",
    );
    expect(err.section).toBe("cpu");
  });

  it("section version older than the description's minimum (two spaces, as in 7.2)", async () => {
    const b = fixture("pc-stopped");
    const cpu = section(stopped, "cpu");
    setBe32(b, versionOffset(cpu), 2);
    const desc = { ...cpuDescription(stopped), minimum_version_id: 11 };
    await expectFormatError(
      () => drain(b, { devices: { cpu: desc } }),
      "VMSTATE_VERSION_TOO_OLD",
      cpu.offset + 1 + 4 + 1 + 3 + 8,
      "cpu: incoming version_id 2 is too old for local minimum version_id  11",
    );
  });

  it("subsection version newer than the local one", async () => {
    const b = fixture("pc-stopped");
    const cpu = section(stopped, "cpu");
    const name = indexOfAscii(b, "cpu/poll_control_msr", cpu.offset);
    setBe32(b, name + "cpu/poll_control_msr".length, 9);
    await expectFormatError(
      () => drain(b, { devices: { cpu: cpuDescription(stopped) } }),
      "VMSTATE_VERSION_TOO_NEW",
      name + "cpu/poll_control_msr".length + 4,
      "cpu/poll_control_msr: incoming version_id 9 is too new for local version_id 1",
    );
  });

  it("ram section version other than 4", async () => {
    const b = fixture("pc-stopped");
    const ram = section(stopped, "ram", "start");
    setBe32(b, versionOffset(ram), 5);
    await expectFormatError(() => drain(b), "SECTION_VERSION_TOO_NEW", ram.offset, "savevm: unsupported version 5 for 'ram' v4");
    setBe32(b, versionOffset(ram), 3);
    await expectFormatError(() => drain(b), "SECTION_VERSION_UNSUPPORTED", ram.offset);
  });
});

describe("RAM records", () => {
  const ramRecords = stopped.filter((r): r is RamRecord => r.kind === "ram");
  const firstPage = ramRecords.find((r) => r.type === "page")!;
  const firstZero = ramRecords.find((r) => r.type === "zero" && !r.continued)!;

  it("unknown flags, named in hex", async () => {
    const b = fixture("pc-stopped");
    b[firstPage.offset + 7]! |= 0x01;
    const flags = (0x09 | (firstPage.continued ? 0x20 : 0)).toString(16);
    await expectFormatError(() => drain(b), "UNKNOWN_RAM_FLAGS", firstPage.offset, `Unknown combination of migration flags: 0x${flags}`);
  });

  it("CONTINUE before any block was named", async () => {
    const b = fixture("pc-stopped");
    b[firstZero.offset + 7]! |= 0x20;
    await expectFormatError(() => drain(b), "BAD_RAM_CONTINUE", firstZero.offset, "Ack, bad migration stream!");
  });

  it("RDMA hook records", async () => {
    const b = fixture("pc-stopped");
    b[firstPage.offset + 7] = 0x80;
    await expectFormatError(() => drain(b), "RAM_HOOK_UNSUPPORTED", firstPage.offset);
  });

  it("a block that is not in the MEM_SIZE list", async () => {
    const b = fixture("pc-stopped");
    b[firstZero.offset + 9] = "X".charCodeAt(0);
    await expectFormatError(() => drain(b), "UNKNOWN_RAM_BLOCK", firstZero.offset, "Can't find block Xc.ram");
  });

  it("an offset past the end of its block", async () => {
    const b = fixture("pc-stopped");
    b[firstZero.offset + 3] = 0x7f;
    await expectFormatError(() => drain(b), "BAD_RAM_OFFSET", firstZero.offset, "Illegal RAM offset");
  });

  it("MEM_SIZE entries that overrun the announced total", async () => {
    const b = fixture("pc-stopped");
    const memSize = ramRecords.find((r) => r.type === "mem-size")!;
    const lengthAt = memSize.offset + 8 + 1 + "pc.ram".length;
    setBe32(b, lengthAt, 1);
    await expectFormatError(() => drain(b), "BAD_MEM_SIZE", memSize.offset + 8);
  });

  it("XBZRLE with the wrong encoding byte, or longer than a page", async () => {
    const records = await decode(fixture("pc-xbzrle"));
    const x = records.find((r): r is RamRecord => r.kind === "ram" && r.type === "xbzrle" && r.continued)!;
    let b = fixture("pc-xbzrle");
    b[x.offset + 8] = 2;
    await expectFormatError(() => drain(b), "BAD_XBZRLE", x.offset + 8, "Failed to load XBZRLE page - wrong compression!");
    b = fixture("pc-xbzrle");
    setBe16(b, x.offset + 9, 4097);
    await expectFormatError(() => drain(b), "BAD_XBZRLE", x.offset + 8, "Failed to load XBZRLE page - len overflow!");
  });

  it("XBZRLE data that breaks the decoder's rules fails when applied", async () => {
    const records = await decode(fixture("pc-xbzrle"));
    const x = records.find((r): r is RamRecord & { data: Uint8Array } => r.kind === "ram" && r.type === "xbzrle" && r.continued && r.data.length > 4)!;
    const b = fixture("pc-xbzrle");
    // The first nzrun count (after a one-byte zrun) becomes 0, which QEMU never accepts.
    expect(b[x.offset + 11]! & 0x80).toBe(0);
    b[x.offset + 12] = 0;
    await expectFormatError(() => applyAll(b), "BAD_XBZRLE", x.offset, "Failed to load XBZRLE page - decode error!");
  });

  it("compressed pages: bad length, bad data", async () => {
    const records = await decode(fixture("pc-compress"));
    const c = records.find((r): r is RamRecord & { data: Uint8Array } => r.kind === "ram" && r.type === "compressed")!;
    const headLen = c.continued ? 8 : 8 + 1 + (c as { block: string }).block.length;
    let b = fixture("pc-compress");
    setBe32(b, c.offset + headLen, 0);
    await expectFormatError(() => drain(b), "BAD_COMPRESSED_PAGE", c.offset + headLen, "Invalid compressed data length: 0");
    b = fixture("pc-compress");
    b[c.offset + headLen + 4 + c.data.length - 1]! ^= 0xff;
    await expectFormatError(() => applyAll(b), "BAD_COMPRESSED_PAGE", c.offset, "decompress data failed");
  });
});

describe("commands", () => {
  function withCommand(cmd: number, payload: number[]): Uint8Array {
    const b = fixture("pc-stopped");
    const at = section(stopped, "timer").offset;
    const command = [0x08, cmd >> 8, cmd & 0xff, payload.length >> 8, payload.length & 0xff, ...payload];
    return new Uint8Array([...b.subarray(0, at), ...command, ...b.subarray(at)]);
  }

  it("a command number QEMU does not have", async () => {
    const at = section(stopped, "timer").offset;
    await expectFormatError(() => drain(withCommand(12, [])), "UNKNOWN_COMMAND", at, "MIG_CMD 0xc unknown (len 0x0)");
    await expectFormatError(() => drain(withCommand(0, [])), "UNKNOWN_COMMAND", at);
  });

  it("a fixed-length command with another length", async () => {
    const at = section(stopped, "timer").offset;
    await expectFormatError(() => drain(withCommand(2, [0, 0, 1])), "BAD_COMMAND", at, "PING received with bad length - expecting 4, got 3");
  });

  it("SWITCHOVER_START and PING are accepted", async () => {
    const records = await decode(withCommand(2, [0, 0, 0, 0x42]));
    expect(records.find((r) => r.kind === "command")).toMatchObject({ name: "PING" });
    const more = await decode(withCommand(11, []));
    expect(more.find((r) => r.kind === "command")).toMatchObject({ name: "SWITCHOVER_START", command: 11 });
  });
});

describe("buffering, trailer, truncation", () => {
  it("bodies without a layout cannot be buffered past maxBufferedBytes", async () => {
    const err = await expectFormatError(() => drain(fixture("pc-novmdesc"), { maxBufferedBytes: 1000 }), "LIMIT_EXCEEDED");
    expect(err.section).toBe("timer");
  });

  it("a body whose end cannot be found: no trailer, and no footer that leads anywhere", async () => {
    const records = await decode(fixture("pc-novmdesc"));
    const timer = section(records, "timer");
    const b = fixture("pc-novmdesc");
    const footerAt = timer.offset + 19 + timer.body!.length;
    setBe32(b, footerAt + 1, 0x63);
    await expectFormatError(() => drain(b), "BAD_BODY", timer.offset + 19, "cannot find where the body of 'timer' ends");
  });

  it("a vmdesc trailer that is not JSON", async () => {
    const b = fixture("pc-stopped");
    const vmdesc = stopped.find((r) => r.kind === "vmdesc")!;
    b[vmdesc.offset + 5 + 20] = 0x01;
    // The trailer is then not found for walking bodies: they are cut at their footers instead,
    // and the record itself is reported as bad.
    await expectFormatError(() => drain(b), "BAD_VMDESC", vmdesc.offset + 5);
  });

  it("truncation anywhere gives TRUNCATED at or before the cut", async () => {
    const full = fixture("pc-stopped");
    const page = stopped.find((r): r is RamRecord & { block: string } => r.kind === "ram" && r.type === "page")!;
    const dataAt = page.offset + 8 + (page.continued ? 0 : 1 + page.block.length);
    await expectFormatError(() => drain(full.slice(0, dataAt + 100)), "TRUNCATED", dataAt, "unexpected end of input");
    for (const at of [3, 9, 20, 60_000, full.length - 1]) {
      const err = await expectFormatError(() => drain(full.slice(0, at)), "TRUNCATED");
      expect(err.offset).toBeLessThanOrEqual(at);
    }
  });

  it("a stream that ends before EOF", async () => {
    const eof = stopped.find((r) => r.kind === "eof")!;
    await expectFormatError(() => drain(fixture("pc-stopped").slice(0, eof.offset)), "TRUNCATED", eof.offset, "ends before its EOF record");
  });
});
