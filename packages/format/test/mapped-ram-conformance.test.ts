import { describe, expect, it } from "vitest";
import { decodeMigrationStream, MemoryPositionalFile, readMappedRam, readMappedRamLayout, writeMappedRam } from "../src/index.js";
import { MIXED_BLOCKS, mixedGuestStream, ramOf, sameRam } from "../src/test-support/mapped-ram-guest.js";
import { readMappedRamIndependently } from "./mapped-ram-independent-reader.js";

describe("mapped-ram files against a reader written from the layout document", () => {
  for (const [name, blocks, seed] of [
    ["three blocks, mixed pages", MIXED_BLOCKS, 7],
    ["one large block and two small", [{ idstr: "pc.ram", pages: 300 }, { idstr: "pc.rom", pages: 1 }, { idstr: "/rom@etc/table-loader", pages: 2 }], 99],
  ] as const) {
    it(`reads the writer's file with equal RAM: ${name}`, async () => {
      const records = await decodeMigrationStream(mixedGuestStream([...blocks], seed));
      const file = new MemoryPositionalFile();
      await writeMappedRam(records, file);
      const independent = readMappedRamIndependently(file.bytes);
      expect(independent.capabilities).toContain("mapped-ram");
      const expected = await ramOf(records);
      expect([...independent.blocks.keys()]).toEqual([...expected.keys()]);
      expect(sameRam(independent.blocks, expected)).toBe(true);
    });
  }

  it("reads the block addresses of x-ignore-shared and keeps the capability next to mapped-ram", async () => {
    const records = await decodeMigrationStream(mixedGuestStream(MIXED_BLOCKS, 3, { ignoreShared: true }));
    const file = new MemoryPositionalFile();
    await writeMappedRam(records, file);
    const independent = readMappedRamIndependently(file.bytes);
    expect(independent.capabilities).toEqual(["x-ignore-shared", "mapped-ram"]);
    expect(sameRam(independent.blocks, await ramOf(records))).toBe(true);
    const layout = await readMappedRamLayout(file);
    expect(layout.blocks.map((b) => b.addr)).toEqual([0, 0x1_4000_0000, 0x2_8000_0000]);
    expect(sameRam(await ramOf(readMappedRam(file)), independent.blocks)).toBe(true);
  });

  it("notices a page the bitmap drops (the check can fail)", async () => {
    const records = await decodeMigrationStream(mixedGuestStream());
    const file = new MemoryPositionalFile();
    const result = await writeMappedRam(records, file);
    const block = result.blocks[0]!;
    const bitmap = file.bytes.subarray(block.bitmapOffset, block.bitmapOffset + 16);
    const first = bitmap.findIndex((b) => b !== 0);
    bitmap[first] = bitmap[first]! & (bitmap[first]! - 1);
    expect(sameRam(readMappedRamIndependently(file.bytes).blocks, await ramOf(records))).toBe(false);
  });
});
