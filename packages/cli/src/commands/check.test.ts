import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemorySaveImageSink, writeSaveImage } from "@savevm/format";
import { QEMU_FIXTURES as FIXTURES, readFixture } from "../test-support/qemu-fixtures.js";
import { runCli } from "../test-support/run-cli.js";

let dir: string;
let stopped: Buffer;
/** pc-stopped with its globalstate runstate "prelaunch" turned into "qrelaunch". */
let bad: string;
let badAt: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "savevm-check-"));
  stopped = await readFixture("pc-stopped.mig.gz");
  const patched = Buffer.from(stopped);
  badAt = patched.indexOf("prelaunch\0", 0, "latin1");
  patched[badAt] = "q".charCodeAt(0);
  bad = join(dir, "bad.mig");
  await writeFile(bad, patched);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function saveImage(stream: Uint8Array): Promise<{ path: string; payloadOffset: number }> {
  const sink = new MemorySaveImageSink();
  await writeSaveImage(
    sink,
    { domainXml: "<domain type='qemu'><name>tiny</name></domain>", wasRunning: false, format: "raw" },
    (async function* () {
      yield stream;
    })(),
  );
  const bytes = sink.bytes();
  const path = join(dir, "image.save");
  await writeFile(path, bytes);
  return { path, payloadOffset: Buffer.from(bytes).indexOf("QEVM", 0, "latin1") };
}

describe("savevm check", () => {
  it("finds no problems in any QEMU 7.2 fixture, exit status 0", async () => {
    const names = (await readdir(FIXTURES)).filter((n) => n.endsWith(".mig.gz"));
    expect(names.length).toBeGreaterThanOrEqual(9);
    for (const name of names) {
      const r = await runCli(["check", join(FIXTURES, name)]);
      expect([name, r.code, r.stdout]).toEqual([name, 0, "no problems found\n"]);
    }
  });

  it("prints one line per problem at its offset and section, then the count, exit status 1", async () => {
    const r = await runCli(["check", bad]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`savevm check: 0x${badAt.toString(16)} globalstate: invalid parameter value: qrelaunch\n1 problem\n`);
  });

  it("--json prints the file and the typed findings", async () => {
    const r = await runCli(["check", bad, "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      file: bad,
      problems: [
        { code: "BAD_RUNSTATE", message: "invalid parameter value: qrelaunch", offset: badAt, section: "globalstate", sectionId: 40 },
      ],
    });
    const clean = await runCli(["check", "-", "--json"], { input: stopped });
    expect([clean.code, JSON.parse(clean.stdout)]).toEqual([0, { file: "<stdin>", problems: [] }]);
  });

  it("checks the stream inside a libvirt save image, with offsets in the image file", async () => {
    const image = await saveImage(await readFile(bad));
    const r = await runCli(["check", image.path]);
    expect(r.code).toBe(1);
    expect(r.stdout.split("\n")[0]).toBe(
      `savevm check: 0x${(image.payloadOffset + badAt).toString(16)} globalstate: invalid parameter value: qrelaunch`,
    );
  });

  it("compares RAM blocks with --ram-block in QEMU's words", async () => {
    const r = await runCli(["check", join(FIXTURES, "pc-stopped.mig.gz"), "--ram-block", "pc.ram=32M", "--ram-block", "pc.bios=256K"]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^savevm check: 0x[0-9a-f]+ ram: Size mismatch: pc\.ram: 0x1000000 != 0x2000000: Invalid argument$/);
    expect(lines[1]).toMatch(/^savevm check: 0x[0-9a-f]+ ram: Unknown ramblock "\/rom@etc\/acpi\/tables", cannot accept migration$/);
    expect(lines.at(-1)).toBe("5 problems");
  });

  it("reports a truncated stream's decoder error as its one problem", async () => {
    const r = await runCli(["check", "-"], { input: stopped.subarray(0, 100_000) });
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^savevm check: 0x[0-9a-f]+ ram: /);
    expect(lines[1]).toBe("1 problem");
  });

  it("exits 2 for usage mistakes", async () => {
    expect((await runCli(["check", join(dir, "missing.mig")])).code).toBe(2);
    expect((await runCli(["check", bad, "--ram-block", "pc.ram"])).code).toBe(2);
    expect((await runCli(["check", bad, "--ram-block", "pc.ram=lots"])).code).toBe(2);
    expect((await runCli(["check"])).code).toBe(2);
  });
});
