import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MemoryRamSink, RamApplier } from "../src/ram/ram-applier.js";
import type { SectionRecord } from "../src/records.js";
import { concatBytes } from "../src/source/byte-source.js";
import { decodeMigrationStream } from "../src/stream/decoder.js";
import { MigrationStreamWriter } from "../src/stream/writer.js";
import { firstDifference } from "../src/test-support/bytes.js";
import { QemuProcess } from "./qemu.js";

const PAGE = 4096;
const dir = mkdtempSync(join(tmpdir(), "savevm-format-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function withQemu<T>(args: string[], run: (q: QemuProcess) => Promise<T>): Promise<T> {
  const q = new QemuProcess(args);
  try {
    await q.start();
    return await run(q);
  } finally {
    q.kill();
  }
}

describe("real QEMU 7.2 loads what the writer produces", () => {
  it("re-emitted records plus an extra RAM section load, and the guest sees our page", async () => {
    const original = join(dir, "a.mig");
    await withQemu(["-M", "pc", "-S"], async (q) => {
      await q.execute("migrate", { uri: `exec:cat > ${original}` });
      await q.waitMigration();
    });
    const records = await decodeMigrationStream(readFileSync(original));
    const ramStart = records.find((r): r is SectionRecord => r.kind === "section" && r.idstr === "ram" && r.type === "start")!;

    const page = Uint8Array.from({ length: PAGE }, (_, i) => (i * 13 + 1) & 0xff);
    const out: Uint8Array[] = [];
    const w = new MigrationStreamWriter(out);
    for (const rec of records) {
      if (rec.kind === "section" && rec.idstr === "ram" && rec.type === "end") {
        w.beginRamSection("part", { sectionId: ramStart.sectionId }).ramPage("pc.ram", 0x300000, page).ramZero("pc.ram", 0x301000, 0x5a).finishRamSection();
      }
      w.write(rec);
    }
    w.flush();
    const modified = concatBytes(out);
    const loaded = join(dir, "b.mig");
    writeFileSync(loaded, modified);

    // What the applier says the guest RAM is after loading the modified stream.
    const sink = new MemoryRamSink();
    const applier = new RamApplier(sink);
    for (const rec of await decodeMigrationStream(modified)) applier.apply(rec);
    const expected = sink.blocks.get("pc.ram")!;
    expect(expected[0x300001]).toBe(14);
    expect(expected[0x301234]).toBe(0x5a);

    const dump = join(dir, "b.pmem");
    await withQemu(["-M", "pc", "-S", "-incoming", `exec:cat ${loaded}`], async (q) => {
      await q.waitMigration();
      const words = await q.hmp("xp /4xb 0x300000");
      expect(words).toContain("0x01 0x0e 0x1b 0x28");
      await q.hmp(`pmemsave 0 0x1000000 "${dump}"`);
    });
    const guest = new Uint8Array(readFileSync(dump));
    expect(firstDifference(guest.subarray(0x100000), expected.subarray(0x100000))).toBe(-1);
    expect(firstDifference(guest.subarray(0, 0xa0000), expected.subarray(0, 0xa0000))).toBe(-1);
  });
});
