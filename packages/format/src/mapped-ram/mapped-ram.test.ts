import { describe, expect, it } from "vitest";
import { FormatError } from "../errors.js";
import type { MigrationRecord } from "../records.js";
import { mixedGuestStream, PAGE, ramOf, sameRam, streamRecords } from "../test-support/mapped-ram-guest.js";
import { ByteReader } from "../wire/byte-reader.js";
import { ByteWriter } from "../wire/byte-writer.js";
import { decodeMappedRamHeader, encodeMappedRamHeader, MAPPED_RAM_ALIGNMENT, MAPPED_RAM_HEADER_SIZE } from "./header.js";
import { blobPositionalSource, MemoryPositionalFile } from "./positional.js";
import { isMappedRam, readMappedRam, readMappedRamLayout } from "./reader.js";
import { writeMappedRam } from "./writer.js";

async function collect(records: AsyncIterable<MigrationRecord>): Promise<MigrationRecord[]> {
  const out: MigrationRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
}

function nonRam(records: MigrationRecord[]): unknown[] {
  return records
    .filter((r) => r.kind !== "ram" && r.kind !== "configuration")
    .map((r) => (r.kind === "section" ? { type: r.type, idstr: r.idstr, body: r.body } : r.kind === "vmdesc" ? r.json : r.kind));
}

async function mappedFile(stream: Uint8Array): Promise<MemoryPositionalFile> {
  const file = new MemoryPositionalFile();
  await writeMappedRam(await streamRecords(stream), file);
  return file;
}

describe("mapped-ram header", () => {
  const block = { idstr: "pc.ram", length: 16 * PAGE };
  const encode = (h: Partial<{ version: number; pageSize: number; bitmapOffset: number; pagesOffset: number }>): ByteReader => {
    const w = new ByteWriter(64);
    encodeMappedRamHeader(w, { version: 1, pageSize: PAGE, bitmapOffset: 0x1000 + MAPPED_RAM_HEADER_SIZE, pagesOffset: 0x100000, ...h });
    return new ByteReader(w.finish(), 0x1000);
  };
  const expectFail = (r: ByteReader, pattern: RegExp): void => {
    try {
      decodeMappedRamHeader(r, block, { pageSize: PAGE, fileSize: 0x200000 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FormatError);
      expect((e as FormatError).message).toMatch(pattern);
      expect((e as FormatError).message).toMatch(/pc\.ram/);
    }
  };

  it("round-trips and names block and offset in its refusals", () => {
    expect(decodeMappedRamHeader(encode({}), block, { pageSize: PAGE, fileSize: 0x200000 })).toEqual({
      version: 1,
      pageSize: PAGE,
      bitmapOffset: 0x101c,
      pagesOffset: 0x100000,
    });
    expectFail(encode({ version: 2 }), /version not supported \(expected <= 1, got 2\).*at byte 0x1000/);
    expectFail(encode({ pageSize: 0x10000 }), /page size 0x10000/);
    expectFail(encode({ pagesOffset: 0x100800 }), /bad alignment/);
    expectFail(encode({ pagesOffset: 0x1f8000 }), /run past the end/);
    expectFail(encode({ bitmapOffset: 0x10 }), /bitmap/);
    expectFail(new ByteReader(new Uint8Array(20), 0x1000), /./);
  });
});

describe("writeMappedRam / readMappedRam", () => {
  it("lays out blocks at 1 MiB, keeps zero pages out, and reads back the same RAM and device state", async () => {
    const stream = mixedGuestStream();
    const original = await streamRecords(stream);
    const file = new MemoryPositionalFile();
    const result = await writeMappedRam(original, file);
    expect(result.size).toBe(file.size);
    for (const b of result.blocks) expect(b.pagesOffset % MAPPED_RAM_ALIGNMENT).toBe(0);
    const layout = await readMappedRamLayout(file);
    expect(layout.configuration.capabilities).toEqual(["mapped-ram"]);
    expect(layout.blocks.map((b) => [b.idstr, b.length, b.bitmapOffset, b.pagesOffset])).toEqual(
      result.blocks.map((b) => [b.idstr, b.length, b.bitmapOffset, b.pagesOffset]),
    );
    const expected = await ramOf(original);
    let nonZeroPages = 0;
    for (const [idstr, mem] of expected) {
      for (let p = 0; p < mem.length; p += PAGE) if (mem.subarray(p, p + PAGE).some((x) => x !== 0)) nonZeroPages++;
      expect(mem.length).toBe(result.blocks.find((b) => b.idstr === idstr)!.length);
    }
    expect(result.blocks.reduce((n, b) => n + b.presentPages, 0)).toBe(nonZeroPages);

    const read = await collect(readMappedRam(file));
    expect(sameRam(await ramOf(read), expected)).toBe(true);
    expect(nonRam(read)).toEqual(nonRam(original));
    expect(await isMappedRam(file)).toBe(true);
    expect(await isMappedRam(new MemoryPositionalFile())).toBe(false);
    // A browser File (a Blob) reads the same records.
    expect(sameRam(await ramOf(readMappedRam(blobPositionalSource(new Blob([file.bytes.slice()])))), expected)).toBe(true);
  });

  it("writes a page that went back to zero as a hole (its bit cleared)", async () => {
    const file = await mappedFile(mixedGuestStream());
    const layout = await readMappedRamLayout(file);
    const ram = await ramOf(await collect(readMappedRam(file)));
    for (const b of layout.blocks) {
      const bitmap = file.bytes.subarray(b.bitmapOffset, b.bitmapOffset + Math.ceil(b.length / PAGE / 64) * 8);
      const mem = ram.get(b.idstr)!;
      for (let i = 0; i < b.length / PAGE; i++) {
        const present = (bitmap[i >> 3]! >> (i & 7)) & 1;
        expect(present).toBe(mem.subarray(i * PAGE, (i + 1) * PAGE).some((x) => x !== 0) ? 1 : 0);
      }
    }
  });

  it("refuses a file without the capability and a header of an unknown version, naming block and offset", async () => {
    await expect(readMappedRamLayout(new MemoryPositionalFile())).rejects.toBeInstanceOf(FormatError);
    const plain = new MemoryPositionalFile();
    plain.pwrite(0, mixedGuestStream());
    await expect(readMappedRamLayout(plain)).rejects.toThrow(/does not list the mapped-ram capability/);
    const file = await mappedFile(mixedGuestStream());
    const layout = await readMappedRamLayout(file);
    const second = layout.blocks[1]!;
    const headerAt = second.bitmapOffset - MAPPED_RAM_HEADER_SIZE;
    file.pwrite(headerAt, Uint8Array.from([0, 0, 0, 9]));
    await expect(readMappedRamLayout(file)).rejects.toThrow(
      new RegExp(`got 9\\) in the mapped-ram header of block /rom@etc/acpi/tables \\(at byte 0x${headerAt.toString(16)}`),
    );
  });

  it("refuses postcopy page sizes in the block list", async () => {
    const records = await streamRecords(mixedGuestStream());
    const memSize = records.find((r) => r.kind === "ram" && r.type === "mem-size")!;
    if (memSize.kind === "ram" && memSize.type === "mem-size") memSize.blocks[0]!.pageSize = 2 * 1024 * 1024;
    await expect(writeMappedRam(records, new MemoryPositionalFile())).rejects.toThrow(/postcopy/);
  });

  it("gives typed errors, never a crash, for a cut file and for damaged bytes before the pages", async () => {
    const file = await mappedFile(mixedGuestStream());
    const bytes = file.bytes.slice();
    const cut = new MemoryPositionalFile();
    cut.pwrite(0, bytes.subarray(0, MAPPED_RAM_ALIGNMENT + 8 * PAGE));
    await expect(readMappedRamLayout(cut)).rejects.toThrow(/block pc\.ram.*at byte 0x/);
    const layout = await readMappedRamLayout(file);
    const prefixEnd = layout.blocks[0]!.bitmapOffset + 16;
    let refused = 0;
    for (let at = 0; at < prefixEnd; at++) {
      const damaged = new MemoryPositionalFile();
      damaged.pwrite(0, bytes);
      damaged.pwrite(at, Uint8Array.of(bytes[at]! ^ 0xa5));
      try {
        await collect(readMappedRam(damaged));
      } catch (e) {
        expect(e, `flip at ${at}`).toBeInstanceOf(FormatError);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(prefixEnd / 2);
  });
});
