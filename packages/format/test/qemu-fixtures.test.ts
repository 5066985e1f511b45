import { describe, expect, it } from "vitest";
import { MemoryRamSink, RamApplier } from "../src/ram/ram-applier.js";
import type { MigrationRecord, SectionRecord, VmdescRecord } from "../src/records.js";
import { readMigrationStream } from "../src/stream/decoder.js";
import { encodeMigrationStream, writeMigrationStream } from "../src/stream/writer.js";
import { concatBytes } from "../src/source/byte-source.js";
import { firstDifference, sameBytes } from "../src/test-support/bytes.js";
import { deviceStateToJson } from "../src/views/device-json.js";
import { summarizeStream } from "../src/views/summary.js";
import { encodeVMState } from "../src/vmstate/encode.js";
import { descriptionFromVmdesc } from "../src/vmstate/from-vmdesc.js";
import { chunked, decode, FIXTURES, fixture, type FixtureName } from "./support.js";

const PAGE = 4096;

function sections(records: MigrationRecord[]): SectionRecord[] {
  return records.filter((r): r is SectionRecord => r.kind === "section");
}

describe.each(FIXTURES)("QEMU 7.2 fixture %s", (name: FixtureName) => {
  it("decodes and re-encodes byte for byte", async () => {
    const bytes = fixture(name);
    const records = await decode(bytes);
    const again = encodeMigrationStream(records);
    expect(firstDifference(again, bytes)).toBe(-1);
  });

  it("decodes the same when the input arrives in odd chunks", async () => {
    const bytes = fixture(name);
    const out: Uint8Array[] = [];
    await writeMigrationStream(readMigrationStream(chunked(bytes, [4093, 1, 70_001, 13, 8191])), out);
    expect(sameBytes(concatBytes(out), bytes)).toBe(true);
  });

  it("summarizes to sane counts", async () => {
    const bytes = fixture(name);
    const s = await summarizeStream(bytes);
    expect(s.header?.version).toBe(3);
    expect(s.totalBytes).toBe(bytes.length);
    expect(s.eofOffset).toBeGreaterThan(8);
    for (const sec of s.sections) expect(sec.size).toBeGreaterThan(0);
    const sectionBytes = s.sections.reduce((n, sec) => n + sec.size, 0);
    expect(sectionBytes).toBeLessThan(bytes.length);
    expect(sectionBytes).toBe(s.eofOffset! - s.sections[0]!.offset);
    if (name === "pc-xen-devices") {
      expect(s.ram).toBeUndefined();
      expect(s.configuration).toBeUndefined();
      expect(s.vmdesc).toBeUndefined();
      expect(s.sections.every((sec) => sec.type === "full")).toBe(true);
      return;
    }
    const ram = s.ram!;
    expect(ram.blocks.map((b) => b.idstr)).toEqual([
      "pc.ram",
      "/rom@etc/acpi/tables",
      "pc.bios",
      "pc.rom",
      "/rom@etc/table-loader",
      "/rom@etc/acpi/rsdp",
    ]);
    expect(ram.blocks[0]!.length).toBe(16 << 20);
    for (const b of ram.blocks) {
      const sent = b.pages.zero + b.pages.uniform + b.pages.normal + b.pages.xbzrle + b.pages.compressed;
      // Every page goes at least once; a running guest re-sends some.
      if (name.includes("stopped") || name.includes("nofooter") || name.includes("novmdesc") || name === "pc-nics") {
        expect(sent).toBe(b.length / PAGE);
      } else {
        expect(sent).toBeGreaterThanOrEqual(b.length / PAGE);
      }
    }
    expect(s.devices.length).toBeGreaterThan(20);
    expect(s.devices.map((d) => d.idstr)).toContain("cpu");
  });
});

describe("fixture specifics", () => {
  it("pc-stopped: configuration, footers, trailer, every device walked with the vmdesc", async () => {
    const records = await decode(fixture("pc-stopped"));
    expect(records[0]).toMatchObject({ kind: "header", offset: 0, version: 3 });
    expect(records[1]).toMatchObject({ kind: "configuration", offset: 8, machineType: "pc-i440fx-7.2", capabilities: [] });
    const devs = sections(records).filter((r) => r.idstr !== "ram");
    expect(devs.every((d) => d.bodyLayout === "vmdesc" && d.state !== undefined)).toBe(true);
    expect(records.filter((r) => r.kind === "footer").length).toBe(sections(records).length);
    const last = records.at(-1) as VmdescRecord;
    expect(last.kind).toBe("vmdesc");
    expect(last.description.page_size).toBe(4096);
    expect(last.description.devices.length).toBe(devs.length);
    expect(records.at(-2)?.kind).toBe("eof");
  });

  it("q35-stopped carries its machine type", async () => {
    const s = await summarizeStream(fixture("q35-stopped"));
    expect(s.configuration?.machineType).toBe("pc-q35-7.2");
    expect(s.devices.map((d) => d.idstr)).toContain("0000:00:1f.0/ICH9LPC");
  });

  it("pc-xbzrle: XBZRLE pages, many PART sections, and PARTs that begin with CONTINUE", async () => {
    const records = await decode(fixture("pc-xbzrle"));
    const s = await summarizeStream(fixture("pc-xbzrle"));
    expect(s.ram!.pages.xbzrle).toBeGreaterThan(10);
    expect(s.ram!.sections).toBeGreaterThan(3);
    let continuedAfterPart = 0;
    for (let i = 1; i < records.length; i++) {
      const prev = records[i - 1]!;
      const rec = records[i]!;
      if (prev.kind === "section" && prev.type === "part" && rec.kind === "ram" && rec.continued) continuedAfterPart++;
    }
    expect(continuedAfterPart).toBeGreaterThan(0);
  });

  it("pc-compress: COMPRESS_PAGE records that inflate to pages", async () => {
    const s = await summarizeStream(fixture("pc-compress"));
    expect(s.ram!.pages.compressed).toBeGreaterThan(10);
  });

  it("pc-nocfg-nofooter: no configuration, no footers, detected automatically", async () => {
    const records = await decode(fixture("pc-nocfg-nofooter"));
    expect(records.some((r) => r.kind === "configuration")).toBe(false);
    expect(records.some((r) => r.kind === "footer")).toBe(false);
    expect(records[1]).toMatchObject({ kind: "section", type: "start", idstr: "ram" });
    expect(sections(records).filter((r) => r.idstr !== "ram").every((r) => r.bodyLayout === "vmdesc")).toBe(true);
  });

  it("pc-novmdesc: bodies found by their footers", async () => {
    const records = await decode(fixture("pc-novmdesc"));
    expect(records.some((r) => r.kind === "vmdesc")).toBe(false);
    expect(records.at(-1)?.kind).toBe("eof");
    expect(sections(records).filter((r) => r.idstr !== "ram").every((r) => r.bodyLayout === "footer-scan")).toBe(true);
  });

  it("pc-xen-devices and pc-stopped hold the same kinds of device bodies", async () => {
    const xen = sections(await decode(fixture("pc-xen-devices")));
    const full = sections(await decode(fixture("pc-stopped"))).filter((r) => r.type === "full");
    expect(xen.map((r) => r.idstr)).toEqual(full.map((r) => r.idstr));
    const sameBody = xen.filter((r, i) => sameBytes(r.body!, full[i]!.body!)).map((r) => r.idstr);
    // The RTC and the runstate in globalstate differ; the rest is the same machine.
    expect(sameBody).toContain("cpu");
    expect(sameBody).not.toContain("globalstate");
  });

  it("pc-nics: two slirp sections share idstr and instance, told apart by section id", async () => {
    const slirp = sections(await decode(fixture("pc-nics"))).filter((r) => r.idstr === "slirp");
    expect(slirp.length).toBe(2);
    expect(slirp[0]!.instanceId).toBe(slirp[1]!.instanceId);
    expect(slirp[0]!.sectionId).not.toBe(slirp[1]!.sectionId);
    expect(slirp.every((r) => r.bodyLayout === "vmdesc")).toBe(true);
  });

  it("a description built from the trailer parses the cpu section directly, with the same state", async () => {
    const bytes = fixture("pc-stopped");
    const records = await decode(bytes);
    const vmdesc = records.find((r): r is VmdescRecord => r.kind === "vmdesc")!;
    const cpuEntry = vmdesc.description.devices.find((d) => d.name === "cpu")!;
    const direct = await decode(bytes, { devices: { cpu: descriptionFromVmdesc(cpuEntry) } });
    const a = sections(records).find((r) => r.idstr === "cpu")!;
    const b = sections(direct).find((r) => r.idstr === "cpu")!;
    expect(b.bodyLayout).toBe("description");
    expect(b.state).toEqual(a.state);
    expect(Object.keys(b.state!)).toContain("cpu/poll_control_msr");
  });
});

describe("vmstate encoder on QEMU's bodies", () => {
  it.each(["pc-stopped", "q35-stopped", "pc-nics"] as const)("%s: every device re-encodes to QEMU's bytes from its decoded state", async (name) => {
    const records = await decode(fixture(name));
    const vmdesc = records.find((r): r is VmdescRecord => r.kind === "vmdesc")!;
    const devices = sections(records).filter((r) => r.type === "full");
    expect(devices.length).toBe(vmdesc.description.devices.length);
    devices.forEach((rec, i) => {
      const entry = vmdesc.description.devices[i]!;
      expect(entry.name).toBe(rec.idstr);
      const { bytes } = encodeVMState(descriptionFromVmdesc(entry), rec.state!);
      expect(firstDifference(bytes, rec.body!), rec.idstr).toBe(-1);
    });
  });
});

describe("RAM extracted from the stream equals QEMU's own pmemsave", () => {
  it.each(["pc-running", "pc-xbzrle"] as const)("%s", async (name) => {
    const sink = new MemoryRamSink();
    const applier = new RamApplier(sink);
    for await (const rec of readMigrationStream(fixture(name))) applier.apply(rec);
    const ram = sink.blocks.get("pc.ram")!;
    const pmem = fixture(`${name}.pmem`);
    expect(ram.length).toBe(pmem.length);
    // 0xa0000-0xfffff is where VGA and the BIOS ROM shadow pc.ram in the guest's address space.
    expect(firstDifference(ram.subarray(0, 0xa0000), pmem.subarray(0, 0xa0000))).toBe(-1);
    expect(firstDifference(ram.subarray(0x100000), pmem.subarray(0x100000))).toBe(-1);
    // The guest was running: the page it rewrites is not zero.
    expect(ram.subarray(0x20000, 0x21000).some((b) => b !== 0)).toBe(true);
  });
});

describe("deviceStateToJson", () => {
  it("keys sections as analyze-migration.py does and nests structs, arrays and subsections", async () => {
    const json = await deviceStateToJson(fixture("pc-stopped"));
    const records = await decode(fixture("pc-stopped"));
    const keys = sections(records)
      .filter((r) => r.type === "start" || r.type === "full")
      .map((r) => `${r.idstr} (${r.sectionId})`);
    expect(Object.keys(json)).toEqual(keys);
    expect(json["ram (2)"]).toEqual({
      "section sizes": {
        "pc.ram": 16 << 20,
        "/rom@etc/acpi/tables": 131072,
        "pc.bios": 262144,
        "pc.rom": 131072,
        "/rom@etc/table-loader": 4096,
        "/rom@etc/acpi/rsdp": 4096,
      },
    });
    const cpu = json["cpu (5)"] as Record<string, unknown>;
    expect((cpu["env.regs"] as unknown[]).length).toBe(16);
    expect(cpu["env.eip"]).toBe(0xfff0);
    expect((cpu["env.segs"] as Record<string, unknown>[])[1]).toMatchObject({ selector: 0xf000, base: 0xffff0000 });
    expect(Object.keys(cpu["cpu/poll_control_msr"] as object)).toEqual(["env.poll_control_msr"]);
    const timer = json["timer (0)"] as Record<string, unknown>;
    expect(timer.unused).toBe("0000000000000000");
    const globalstate = json[keys.at(-1)!] as Record<string, unknown>;
    expect(typeof globalstate.runstate).toBe("string");
    expect(Buffer.from(globalstate.runstate as string, "hex").toString("latin1")).toMatch(/^prelaunch\0/);
  });

  it("shows a body without any layout as hex data", async () => {
    const bytes = fixture("pc-xen-devices");
    const json = await deviceStateToJson(bytes, { footers: false });
    const keys = Object.keys(json);
    expect(keys).toEqual(["timer (0)"]);
    expect((json["timer (0)"] as { data: string }).data.length).toBe((bytes.length - 8 - 1 - 4 - 6 - 8) * 2);
  });
});
