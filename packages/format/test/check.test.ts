import { describe, expect, it } from "vitest";
import { checkMigrationStream } from "../src/check/check-stream.js";
import type { CheckFinding } from "../src/check/finding.js";
import { makeConfigurationRecord } from "../src/configuration.js";
import type { MigrationRecord, RamMemSizeRecord, SectionRecord, VmdescRecord } from "../src/records.js";
import { concatBytes } from "../src/source/byte-source.js";
import { encodeMigrationStream } from "../src/stream/writer.js";
import { parseVmdesc, type Vmdesc } from "../src/vmdesc/vmdesc.js";
import { decode, FIXTURES, fixture, type FixtureName } from "./support.js";

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** Index of `needle` in `bytes` at or after `from`. */
function find(bytes: Uint8Array, needle: string, from = 0): number {
  const n = latin1(needle);
  outer: for (let i = from; i + n.length <= bytes.length; i++) {
    for (let j = 0; j < n.length; j++) if (bytes[i + j] !== n[j]) continue outer;
    return i;
  }
  throw new Error(`${needle} not found`);
}

/** A fixture decoded, changed record by record, and encoded again. */
async function craft(name: FixtureName, change: (records: MigrationRecord[]) => MigrationRecord[] | void): Promise<Uint8Array> {
  const records = await decode(fixture(name));
  return encodeMigrationStream(change(records) ?? records);
}

function section(records: MigrationRecord[], idstr: string): SectionRecord {
  return records.find((r): r is SectionRecord => r.kind === "section" && r.idstr === idstr)!;
}

function memSize(records: MigrationRecord[]): RamMemSizeRecord {
  return records.find((r): r is RamMemSizeRecord => r.kind === "ram" && r.type === "mem-size")!;
}

/** Rewrites the vmdesc trailer's JSON. */
function editVmdesc(records: MigrationRecord[], edit: (v: Vmdesc) => void): void {
  const rec = records.find((r): r is VmdescRecord => r.kind === "vmdesc")!;
  const v = JSON.parse(new TextDecoder().decode(rec.json)) as Vmdesc;
  edit(v);
  rec.json = new TextEncoder().encode(JSON.stringify(v));
  rec.description = parseVmdesc(rec.json);
}

const codes = (findings: CheckFinding[]) => findings.map((f) => f.code);

describe("checkMigrationStream", () => {
  it.each(FIXTURES)("finds no problems in QEMU 7.2's %s", async (name) => {
    expect(await checkMigrationStream(fixture(name))).toEqual([]);
  });

  it("reports a section version older than the vmdesc's, at the section header", async () => {
    let offset = 0;
    const bytes = await craft("pc-stopped", (records) => {
      const timer = section(records, "timer");
      offset = timer.offset;
      timer.version = 1;
    });
    expect(await checkMigrationStream(bytes)).toEqual([
      {
        code: "VMDESC_VERSION_MISMATCH",
        message: "section version 1 of 'timer' is not the version 2 its vmdesc entry gives",
        offset,
        section: "timer",
        sectionId: 0,
      },
    ]);
  });

  it("reports a newer section version with QEMU's words, as the decoder refuses it", async () => {
    let offset = 0;
    const bytes = await craft("pc-stopped", (records) => {
      const timer = section(records, "timer");
      offset = timer.offset;
      timer.version = 3;
    });
    const findings = await checkMigrationStream(bytes);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      code: "SECTION_VERSION_TOO_NEW",
      message: "savevm: unsupported version 3 for 'timer' v2",
      offset,
      fatal: true,
    });
  });

  it("reports subsection versions that disagree with the vmdesc, where the subsection's fields start", async () => {
    const bytes = fixture("pc-stopped");
    const versionAt = find(bytes, "cpu/poll_control_msr") + "cpu/poll_control_msr".length;
    expect([...bytes.subarray(versionAt, versionAt + 4)]).toEqual([0, 0, 0, 1]);
    bytes[versionAt + 3] = 9;
    expect(await checkMigrationStream(bytes)).toEqual([
      {
        code: "VMSTATE_VERSION_TOO_NEW",
        message: "cpu/poll_control_msr: incoming version_id 9 is too new for local version_id 1",
        offset: versionAt + 4,
        section: "cpu",
        sectionId: 5,
      },
    ]);
    bytes[versionAt + 3] = 0;
    const older = await checkMigrationStream(bytes);
    expect(codes(older)).toEqual(["VMSTATE_VERSION_TOO_OLD"]);
    expect(older[0]!.message).toBe("cpu/poll_control_msr: incoming version_id 0 is too old for local minimum version_id  1");
  });

  it("reports a subsection the vmdesc lists but the body lacks", async () => {
    let offset = 0;
    const bytes = await craft("pc-stopped", (records) => {
      offset = section(records, "cpu").offset;
      editVmdesc(records, (v) =>
        v.devices.find((d) => d.name === "cpu")!.subsections!.push({ vmsd_name: "cpu/extra", version: 1, fields: [] }),
      );
    });
    expect(await checkMigrationStream(bytes)).toEqual([
      {
        code: "VMDESC_SUBSECTION_ABSENT",
        message: "subsection 'cpu/extra' is in the vmdesc entry of 'cpu' but not in its body",
        offset,
        section: "cpu",
        sectionId: 5,
      },
    ]);
  });

  it("reports a subsection the body has and the vmdesc does not list", async () => {
    const original = fixture("pc-stopped");
    const bytes = await craft("pc-stopped", (records) => {
      editVmdesc(records, (v) => {
        delete v.devices.find((d) => d.name === "cpu")!.subsections;
      });
    });
    expect(await checkMigrationStream(bytes)).toMatchObject([
      {
        code: "UNKNOWN_SUBSECTION",
        message: "cpu: unknown subsection 'cpu/poll_control_msr'",
        offset: find(original, "cpu/poll_control_msr") - 2,
        section: "cpu",
      },
    ]);
  });

  it("reports a body longer than its vmdesc entry describes, where the described fields end", async () => {
    let bodyAt = 0;
    const bytes = await craft("pc-stopped", (records) => {
      bodyAt = section(records, "timer").offset + 14 + "timer".length;
      editVmdesc(records, (v) => v.devices.find((d) => d.name === "timer")!.fields.pop());
    });
    expect(await checkMigrationStream(bytes)).toEqual([
      {
        code: "BAD_VMDESC",
        message: "8 bytes of 'timer' are left after the fields its vmdesc entry describes",
        offset: bodyAt + 16,
        section: "timer",
        sectionId: 0,
      },
    ]);
  });

  it("reports sections the vmdesc does not list and entries with no section", async () => {
    let pcspk = 0;
    let vmdescAt = 0;
    const bytes = await craft("pc-stopped", (records) => {
      pcspk = section(records, "pcspk").offset;
      vmdescAt = records.find((r) => r.kind === "vmdesc")!.offset;
      editVmdesc(records, (v) => {
        v.devices = v.devices.filter((d) => d.name !== "pcspk");
        v.devices.push({ name: "phantom", instance_id: 0, vmsd_name: "phantom", version: 1, fields: [] });
      });
    });
    expect(await checkMigrationStream(bytes)).toEqual([
      {
        code: "VMDESC_DEVICE_UNLISTED",
        message: "section 'pcspk' instance 0 is not in the vmdesc trailer's device list",
        offset: pcspk,
        section: "pcspk",
        sectionId: 21,
      },
      {
        code: "VMDESC_DEVICE_ABSENT",
        message: "the vmdesc trailer lists 'phantom' instance 0, but the stream has no such section",
        offset: vmdescAt,
        section: "phantom",
      },
    ]);
  });

  it("reports a vmdesc page size that is not the stream's", async () => {
    const bytes = await craft("pc-stopped", (records) => editVmdesc(records, (v) => (v.page_size = 8192)));
    expect(codes(await checkMigrationStream(bytes))).toEqual(["VMDESC_PAGE_SIZE_MISMATCH"]);
  });

  it("reports RAM blocks that are not whole pages or are listed twice, at their block list entries", async () => {
    // Patched in place (the writer refuses blocks that are not whole pages); the total stays whole pages.
    const misaligned = fixture("pc-stopped");
    const m = memSize(await decode(misaligned));
    const view = new DataView(misaligned.buffer, misaligned.byteOffset);
    const grow = (at: number) => view.setBigUint64(at, view.getBigUint64(at) + 0x800n);
    const romAt = find(misaligned, "\x06pc.rom", m.offset);
    const rsdpAt = find(misaligned, "\x12/rom@etc/acpi/rsdp", m.offset);
    grow(romAt + 7);
    grow(rsdpAt + 19);
    grow(m.offset);
    grow(m.offset);
    expect(await checkMigrationStream(misaligned)).toEqual([
      {
        code: "RAM_BLOCK_MISALIGNED",
        message: "RAM block pc.rom of 0x20800 bytes is not a whole number of 4096-byte pages",
        offset: romAt,
        section: "ram",
        sectionId: 2,
      },
      {
        code: "RAM_BLOCK_MISALIGNED",
        message: "RAM block /rom@etc/acpi/rsdp of 0x1800 bytes is not a whole number of 4096-byte pages",
        offset: rsdpAt,
        section: "ram",
        sectionId: 2,
      },
    ]);

    const twice = await craft("pc-stopped", (records) => {
      const m = memSize(records);
      m.blocks.push({ idstr: "pc.rom", length: 0x20000 });
      m.address += 0x20000;
    });
    const first = find(twice, "\x06pc.rom", memSize(await decode(twice)).offset);
    expect(await checkMigrationStream(twice)).toEqual([
      {
        code: "DUPLICATE_RAM_BLOCK",
        message: "RAM block pc.rom is listed twice in the block list",
        offset: find(twice, "\x06pc.rom", first + 1),
        section: "ram",
        sectionId: 2,
      },
    ]);
  });

  it("compares the block list with the loading machine's blocks, in QEMU's words", async () => {
    const bytes = fixture("pc-stopped");
    const blocks = memSize(await decode(bytes)).blocks;
    const local = new Map(blocks.map((b) => [b.idstr, b.length]));
    expect(await checkMigrationStream(bytes, { ramBlocks: local })).toEqual([]);
    local.set("pc.ram", 0x2000000);
    local.delete("pc.rom");
    const findings = await checkMigrationStream(bytes, { ramBlocks: Object.fromEntries(local) });
    expect(findings.map((f) => [f.code, f.message, f.offset])).toEqual([
      ["RAM_BLOCK_SIZE_MISMATCH", "Size mismatch: pc.ram: 0x1000000 != 0x2000000: Invalid argument", find(bytes, "\x06pc.ram")],
      ["UNKNOWN_RAM_BLOCK", 'Unknown ramblock "pc.rom", cannot accept migration', find(bytes, "\x06pc.rom")],
    ]);
  });

  it("reports missing footers when the configuration record promises them", async () => {
    const withConfig = (machineType: string) =>
      craft("pc-nocfg-nofooter", (records) => {
        records.splice(1, 0, makeConfigurationRecord({ machineType }));
      });
    const bytes = await withConfig("pc-i440fx-7.2");
    const eos = (await decode(bytes)).find((r) => r.kind === "ram" && r.type === "eos")!;
    expect(await checkMigrationStream(bytes)).toEqual([
      { code: "MISSING_FOOTER", message: "Missing section footer for ram", offset: eos.offset + 8, section: "ram", sectionId: 2 },
    ]);
    // The loading side set up without footers, and machine types up to 2.3, expect none.
    expect(await checkMigrationStream(bytes, { footers: false })).toEqual([]);
    expect(await checkMigrationStream(await withConfig("pc-i440fx-2.3"))).toEqual([]);
  });

  it("reports a globalstate run state QEMU does not know, at the runstate field", async () => {
    const bytes = fixture("pc-stopped");
    const at = find(bytes, "prelaunch\0");
    bytes[at] = "q".charCodeAt(0);
    expect(await checkMigrationStream(bytes)).toEqual([
      { code: "BAD_RUNSTATE", message: "invalid parameter value: qrelaunch", offset: at, section: "globalstate", sectionId: 40 },
    ]);
  });

  it("reports bytes after EOF that are not a vmdesc trailer, and bytes after the trailer", async () => {
    // Only RAM: without a trailer the decoder cannot place device bodies ahead of stray bytes.
    const ramOnly = await craft("pc-novmdesc", (records) =>
      records.filter((r) => !(r.kind === "section" && r.idstr !== "ram") && !(r.kind === "footer" && r.sectionId !== 2)),
    );
    expect(await checkMigrationStream(concatBytes([ramOnly, new Uint8Array([7, 0, 0])]))).toEqual([
      { code: "NO_VMDESC_AFTER_EOF", message: "Expected vmdescription section, but got 7", offset: ramOnly.length },
    ]);
    const stopped = fixture("pc-stopped");
    expect(await checkMigrationStream(concatBytes([stopped, new Uint8Array(5)]))).toEqual([
      { code: "TRAILING_DATA", message: "data after the vmdesc trailer, which QEMU never reads", offset: stopped.length },
    ]);
  });

  it("gives a truncated stream's decoder error as one fatal finding", async () => {
    const findings = await checkMigrationStream(fixture("pc-stopped").subarray(0, 100_000));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ code: "TRUNCATED", fatal: true, section: "ram" });
    expect(findings[0]!.offset).toBeLessThanOrEqual(100_000);
  });
});
