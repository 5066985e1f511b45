import { execFile } from "node:child_process";
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forEachRecord, MemorySaveImageSink, readMigrationStream, writeSaveImage } from "@savevm/format";
import { ANALYZER } from "../test-support/qemu-analyzer.js";
import { QEMU_FIXTURES as FIXTURES, readFixture } from "../test-support/qemu-fixtures.js";
import { runCli } from "../test-support/run-cli.js";

let dir: string;
let running: string;
let runningBytes: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "savevm-inspect-"));
  runningBytes = await readFixture("pc-running.mig.gz");
  running = join(dir, "pc-running.mig");
  await writeFile(running, runningBytes);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function saveImage(stream: Uint8Array, format: "raw" | "gzip", complete = true): Promise<string> {
  const sink = new MemorySaveImageSink();
  await writeSaveImage(
    sink,
    { domainXml: "<domain type='qemu'><name>tiny</name><uuid>6f1c4a0e-1111-2222-3333-444455556666</uuid></domain>", wasRunning: true, format },
    (async function* () {
      yield stream;
    })(),
  );
  const bytes = sink.bytes();
  if (!complete) bytes.set(new TextEncoder().encode("LibvirtQemudPart"), 0);
  const path = join(dir, `image-${format}-${complete ? "complete" : "partial"}.save`);
  await writeFile(path, bytes);
  return path;
}

describe("savevm inspect", () => {
  it("summarises a real QEMU stream: configuration, sections, RAM by kind, devices", async () => {
    const r = await runCli(["inspect", running]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("machine type  pc-i440fx-7.2");
    expect(r.stdout).toMatch(/^\s+2\s+START\s+ram\s+0\s+4\s/m);
    expect(r.stdout).toMatch(/^\s+pc\.ram\s+16 MiB\s+4096\s/m);
    expect(r.stdout).toMatch(/^\s+cpu\s+0\s+12\s+cpu\s/m);
  });

  it("reads standard input and gzip-compressed streams the same way", async () => {
    const direct = await runCli(["inspect", running]);
    const piped = await runCli(["inspect", "-"], { input: runningBytes });
    const gz = await runCli(["inspect", join(FIXTURES, "pc-running.mig.gz")]);
    const body = (s: string) => s.split("\n").filter((l) => !/^(file|format) /.test(l)).join("\n");
    expect(piped.code).toBe(0);
    expect(body(piped.stdout)).toBe(body(direct.stdout));
    expect(gz.stdout).toContain("gzip-compressed QEMU migration stream v3");
    expect(body(gz.stdout)).toBe(body(direct.stdout));
  });

  it("--state gives analyze-migration.py's nesting with page counts in the RAM entry", async () => {
    const r = await runCli(["inspect", running, "--state"]);
    expect(r.code).toBe(0);
    const state = JSON.parse(r.stdout) as Record<string, Record<string, unknown>>;
    const ram = state["ram (2)"] as { "section sizes": Record<string, number>; "page counts": Record<string, Record<string, number>> };
    expect(ram["section sizes"]["pc.ram"]).toBe(16 << 20);
    const pcRam = ram["page counts"]["pc.ram"]!;
    expect(pcRam.zero! + pcRam.normal!).toBeGreaterThanOrEqual(4096);
    expect(Object.keys(state)).toContain("cpu (5)");
    expect(state["timer (0)"]).toBeTypeOf("object");
  });

  it("--json gives the summary: header, configuration, sections, RAM by kind, devices, and the state under its own key", async () => {
    const r = await runCli(["inspect", running, "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({
      filename: running,
      "file-size": runningBytes.length,
      format: "qemu",
      stream: { version: 3, size: runningBytes.length, footers: true, "trailing-bytes": 0 },
      configuration: { "machine-type": "pc-i440fx-7.2", capabilities: [] },
      vmdesc: { shape: "7.2" },
    });
    expect(j.libvirt).toBeUndefined();
    expect(j.sections[0]).toMatchObject({ "section-id": 2, type: "start", idstr: "ram", version: 4 });
    const pcRam = j.ram.blocks.find((b: { idstr: string }) => b.idstr === "pc.ram");
    expect(pcRam.length).toBe(16 << 20);
    expect(pcRam.pages.zero + pcRam.pages.normal).toBeGreaterThanOrEqual(4096);
    expect(j.ram.pages.normal).toBeGreaterThan(0);
    expect(j.devices.map((d: { idstr: string }) => d.idstr)).toContain("cpu");
    expect(Object.keys(j.state)).toContain("cpu (5)");
    // the same state --state prints
    expect(j.state).toEqual(JSON.parse((await runCli(["inspect", running, "--state"])).stdout));
  });

  it("--json of a libvirt image includes the libvirt header and the XML's name and UUID", async () => {
    for (const format of ["raw", "gzip"] as const) {
      const image = await saveImage(runningBytes, format);
      const r = await runCli(["inspect", image, "--json"]);
      expect(r.code, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j.format).toBe("libvirt");
      expect(j.libvirt).toMatchObject({ version: 2, was_running: true, format, name: "tiny", uuid: "6f1c4a0e-1111-2222-3333-444455556666" });
      expect(j.libvirt.data_len).toBeGreaterThan(90);
      expect(j.stream.version).toBe(3);
    }
  });

  it("--desc is indented exactly like analyze-migration.py -d desc", async () => {
    const ours = await runCli(["inspect", running, "--desc"]);
    expect(ours.code).toBe(0);
    expect(ours.stdout).toBe(await analyzerOutput(running, "desc"));
  });

  it("--desc prints the vmdesc trailer and refuses a stream without one", async () => {
    const r = await runCli(["inspect", running, "--desc"]);
    expect(r.code).toBe(0);
    const desc = JSON.parse(r.stdout) as { page_size: number; devices: { name: string }[] };
    expect(desc.page_size).toBe(4096);
    expect(desc.devices.map((d) => d.name)).toContain("cpu");
    const none = join(dir, "novmdesc.mig");
    await writeFile(none, await readFixture("pc-novmdesc.mig.gz"));
    const refused = await runCli(["inspect", none, "--desc"]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/no vmdesc trailer/);
  });

  it("--extract writes one file per RAM block named like analyze-migration.py -x", async () => {
    const out = join(dir, "extract");
    const r = await runCli(["inspect", running, "--extract", out]);
    expect(r.code).toBe(0);
    const files = await readdir(out);
    expect(files).toEqual(expect.arrayContaining(["pc.ram", "pc.bios", "_rom@etc_acpi_tables", "desc.json", "state.json"]));
    expect(files.filter((f) => f.endsWith(".part"))).toEqual([]);
    for (const f of files) expect((await stat(join(out, f))).mode & 0o777, f).toBe(0o600);
    const ram = await readFile(join(out, "pc.ram"));
    const pmem = await readFixture("pc-running.pmem.gz");
    expect(ram.length).toBe(16 << 20);
    expect(Buffer.compare(ram.subarray(0x100000), pmem.subarray(0x100000, 16 << 20))).toBe(0);
  });

  it("recognises a libvirt save image and prints the domain", async () => {
    for (const format of ["raw", "gzip"] as const) {
      const r = await runCli(["inspect", await saveImage(runningBytes, format)]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`libvirt save image v2 (${format})`);
      expect(r.stdout).toContain("domain        tiny  uuid 6f1c4a0e-1111-2222-3333-444455556666");
      expect(r.stdout).toContain("was running   yes");
      expect(r.stdout).toMatch(/^\s+pc\.ram\s+16 MiB/m);
    }
  });

  it("refuses a partial libvirt image with libvirt's words", async () => {
    const r = await runCli(["inspect", await saveImage(runningBytes, "raw", false)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^savevm: SAVE_IMAGE_INCOMPLETE: save image is incomplete/);
  });

  it.each([
    ["bad magic", (b: Buffer) => b.write("QEVX", 0), /^savevm: BAD_MAGIC: .*at byte 0x0/],
    ["obsolete version 2", (b: Buffer) => b.writeUInt32BE(2, 4), /^savevm: VERSION_OBSOLETE: SaveVM v2 format is obsolete/],
    ["section version too new", (b: Buffer) => b.writeUInt32BE(99, cpuVersionOffset(b)), /^savevm: SECTION_VERSION_TOO_NEW: savevm: unsupported version 99 for 'cpu' v12/],
  ])("gives one typed line with the offset for %s", async (_name, damage, expected) => {
    const bytes = Buffer.from(runningBytes);
    damage(bytes);
    const path = join(dir, "bad.mig");
    await writeFile(path, bytes);
    const r = await runCli(["inspect", path]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(expected);
  });

  it("names the offset where a truncated stream ends", async () => {
    const r = await runCli(["inspect", "-"], { input: runningBytes.subarray(0, 5000) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^savevm: TRUNCATED: .*0x/);
  });

  it("a damaged file (read with blocking reads, pages counted) fails as the same bytes on standard input do", async () => {
    let pageRecord = -1;
    await forEachRecord(readMigrationStream(runningBytes), (rec) => {
      if (pageRecord < 0 && rec.kind === "ram" && rec.type === "page" && rec.continued) pageRecord = rec.offset;
    });
    const cases: [string, Buffer][] = [
      ["cut in the RAM", runningBytes.subarray(0, 300_001)],
      ["cut in the device state", runningBytes.subarray(0, runningBytes.length - 2000)],
      [
        "a RAM offset past its block",
        Buffer.concat([runningBytes.subarray(0, pageRecord), Buffer.from([0, 0, 0, 0x7f]), runningBytes.subarray(pageRecord + 4)]),
      ],
    ];
    // a raw libvirt image: its stream is read from the file in place, at the payload offset
    cases.push(["cut in the RAM of a raw save image", await readFile(await saveImage(runningBytes.subarray(0, 300_001), "raw"))]);
    for (const [what, bytes] of cases) {
      const path = join(dir, "damaged.mig");
      await writeFile(path, bytes);
      const file = await runCli(["inspect", path]);
      const piped = await runCli(["inspect", "-"], { input: bytes });
      expect(file.code, what).toBe(1);
      expect(file.stderr, what).toMatch(/^savevm: [A-Z_]+: .*0x[0-9a-f]+/);
      expect(file.stderr, what).toBe(piped.stderr);
    }
  });

  it("--json and --state of a file (a stream or a raw save image) equal those of the same bytes on standard input", async () => {
    const image = await saveImage(runningBytes, "raw");
    for (const [path, bytes] of [[running, runningBytes], [image, await readFile(image)]] as const) {
      for (const flag of ["--json", "--state"]) {
        const file = JSON.parse((await runCli(["inspect", path, flag])).stdout);
        const piped = JSON.parse((await runCli(["inspect", "-", flag], { input: bytes })).stdout);
        if (flag === "--json") {
          expect(file.filename).toBe(path);
          delete file.filename;
          delete file["file-size"];
          delete piped.filename;
        }
        expect(file, `${path} ${flag}`).toEqual(piped);
      }
    }
  });

  it("says so when the file does not exist", async () => {
    const r = await runCli(["inspect", join(dir, "missing.mig")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing\.mig: no such file/);
  });
});

/** The version field of the `cpu` FULL section: type, id, idlen, "cpu", instance, then version. */
function cpuVersionOffset(bytes: Buffer): number {
  const needle = Buffer.from([0x04, 0, 0, 0, 5, 3, 0x63, 0x70, 0x75]);
  const at = bytes.indexOf(needle);
  if (at < 0) throw new Error("no cpu section in the fixture");
  return at + needle.length + 4;
}

function analyzerOutput(file: string, dump: "desc" | "state"): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("python3", [ANALYZER, "-f", file, "-d", dump], { maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`analyze-migration.py failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}
