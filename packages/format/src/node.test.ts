import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { createFileSink, FileRamSink, readMigrationFile } from "./node.js";
import { applyRam, MemoryRamSink } from "./ram/ram-applier.js";
import { readMigrationStream } from "./stream/decoder.js";
import { MigrationStreamWriter } from "./stream/writer.js";
import { firstDifference } from "./test-support/bytes.js";

const dir = mkdtempSync(join(tmpdir(), "savevm-format-node-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fixture = new Uint8Array(gunzipSync(readFileSync(new URL("../test/fixtures/qemu-7.2/pc-xbzrle.mig.gz", import.meta.url))));

describe("@savevm/format/node", () => {
  it("writes a stream to a file and reads it back as records", async () => {
    const path = join(dir, "out.mig");
    const file = createFileSink(path);
    const w = new MigrationStreamWriter(file.sink, { highWaterMark: 64 * 1024 });
    for await (const rec of readMigrationStream(fixture)) {
      w.write(rec);
      await w.drain();
    }
    await w.close();
    await file.close();
    expect(firstDifference(new Uint8Array(readFileSync(path)), fixture)).toBe(-1);
    let records = 0;
    for await (const _ of readMigrationFile(path)) records++;
    expect(records).toBeGreaterThan(1000);
  });

  it("extracts RAM blocks to files, named like analyze-migration.py -x", async () => {
    mkdirSync(join(dir, "ram"));
    const files = new FileRamSink(join(dir, "ram"));
    await applyRam(readMigrationStream(fixture), files);
    await files.close();
    const memory = new MemoryRamSink();
    await applyRam(readMigrationStream(fixture), memory);
    expect([...files.files.keys()]).toEqual([...memory.blocks.keys()]);
    expect(files.files.get("/rom@etc/acpi/tables")).toBe(join(dir, "ram", "_rom@etc_acpi_tables"));
    for (const [name, path] of files.files) {
      expect(firstDifference(new Uint8Array(readFileSync(path)), memory.blocks.get(name)!), name).toBe(-1);
    }
    expect(() => new FileRamSink(dir).block("..", 4096)).toThrow(expect.objectContaining({ code: "INVALID_VALUE" }));
  });

  it("creates the directory it extracts into, with its parents, private to the user", async () => {
    const target = join(dir, "new", "ram");
    const files = new FileRamSink(target);
    await applyRam(readMigrationStream(fixture), files);
    await files.close();
    expect(statSync(target).mode & 0o777).toBe(0o700);
    expect(statSync(files.files.get("pc.ram")!).size).toBeGreaterThan(0);
  });
});
