import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { MigrationRecord } from "../records.js";
import { mixedGuestStream, ramOf, sameRam, streamRecords } from "../test-support/mapped-ram-guest.js";
import { openPositionalFile, writeMappedRamFile } from "./node-file.js";
import { isMappedRam, readMappedRam } from "./reader.js";

const dir = mkdtempSync(join(tmpdir(), "savevm-mapped-ram-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("writeMappedRamFile", () => {
  it("writes a sparse file (zero pages and alignment gaps are holes) that reads back with the same RAM", async () => {
    // 2 MiB of mostly zero RAM: only every third page of the first pass carries data.
    const stream = mixedGuestStream([
      { idstr: "pc.ram", pages: 512 },
      { idstr: "pc.bios", pages: 8 },
    ]);
    const records = await streamRecords(stream);
    const path = join(dir, "guest.mapped");
    const result = await writeMappedRamFile(records, path);
    const st = statSync(path);
    expect(st.size).toBe(result.size);
    expect(st.size).toBeGreaterThan(3 * 1024 * 1024);
    expect(st.blocks * 512).toBeLessThan(st.size / 2);
    expect(readdirSync(dir).filter((n) => n.endsWith(".part"))).toEqual([]);

    const file = openPositionalFile(path);
    try {
      expect(await isMappedRam(file)).toBe(true);
      const read: MigrationRecord[] = [];
      for await (const r of readMappedRam(file)) read.push(r);
      expect(sameRam(await ramOf(read), await ramOf(records))).toBe(true);
    } finally {
      await file.close();
    }
  });

  it("leaves a previous file in place when the records are bad", async () => {
    const path = join(dir, "kept.mapped");
    await writeMappedRamFile(await streamRecords(mixedGuestStream()), path);
    const before = statSync(path).size;
    const records = await streamRecords(mixedGuestStream());
    const memSize = records.find((r) => r.kind === "ram" && r.type === "mem-size");
    if (memSize?.kind === "ram" && memSize.type === "mem-size") memSize.blocks[0]!.pageSize = 2 * 1024 * 1024;
    await expect(writeMappedRamFile(records, path)).rejects.toThrow(/postcopy/);
    expect(statSync(path).size).toBe(before);
    expect(readdirSync(dir).filter((n) => n.endsWith(".part"))).toEqual([]);
  });
});
