/**
 * The decoder's fast paths — a ReadIntoSource read through one reused window, and page records
 * counted (`forEachRecord(…, { pages })`) instead of parsed — must agree with the plain path
 * record for record on good streams, and fail with the same error (code, offset, message) at
 * the same place on bad ones.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isFormatError } from "../errors.js";
import type { ReadIntoSource } from "../source/byte-source.js";
import { concatBytes } from "../source/byte-source.js";
import { StreamSummaryBuilder, type StreamSummary } from "../views/summary.js";
import { forEachRecord, readMigrationStream } from "./decoder.js";
import { MigrationStreamWriter } from "./writer.js";

const PAGE = 4096;

/** Reads `bytes` into whatever buffer it is given, at most `step` bytes a time (a pipe's short reads). */
function readInto(bytes: Uint8Array, step = Infinity): ReadIntoSource & { closed: boolean } {
  let at = 0;
  return {
    closed: false,
    readInto(into) {
      const n = Math.min(into.length, bytes.length - at, step);
      into.set(bytes.subarray(at, at + n));
      at += n;
      return n;
    },
    close() {
      this.closed = true;
    },
  };
}

function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

type Outcome = { summary: StreamSummary } | { error: { code: string; offset: number | undefined; message: string } };

/** The plain way: chunks, every record parsed and handed over. */
async function plain(bytes: Uint8Array, chunk: number): Promise<Outcome> {
  const builder = new StreamSummaryBuilder();
  return outcome(builder, forEachRecord(readMigrationStream(chunked(bytes, chunk)), (rec) => builder.add(rec)));
}

/** The fast way: a ReadIntoSource, page records counted. */
async function fast(bytes: Uint8Array, step?: number): Promise<Outcome> {
  const builder = new StreamSummaryBuilder();
  return outcome(builder, forEachRecord(readMigrationStream(readInto(bytes, step)), (rec) => builder.add(rec), { pages: builder }));
}

async function outcome(builder: StreamSummaryBuilder, pass: Promise<void>): Promise<Outcome> {
  try {
    await pass;
    return { summary: builder.result() };
  } catch (e) {
    if (!isFormatError(e)) throw e;
    return { error: { code: e.code, offset: e.offset, message: e.message } };
  }
}

/** A stream with every kind of page record, two blocks, block switches and several RAM sections. */
function mixedStream(): Uint8Array {
  const out: Uint8Array[] = [];
  const random = new Uint8Array(PAGE).map((_, i) => (i * 7919) % 251);
  const w = new MigrationStreamWriter(out).ramStart([
    { idstr: "pc.ram", length: 64 * PAGE },
    { idstr: "vga.vram", length: 8 * PAGE },
  ]);
  for (let section = 0; section < 3; section++) {
    w.beginRamSection(section === 2 ? "end" : "part");
    for (let p = 0; p < 20; p++) {
      const address = (section * 20 + p) * PAGE;
      if (p % 3 === 0) w.ramZero("pc.ram", address);
      else if (p % 3 === 1) w.ramZero("pc.ram", address, p);
      else w.ramPage("pc.ram", address, random);
      if (p === 10) w.ramPage("vga.vram", section * PAGE, random).ramZero("vga.vram", (section + 4) * PAGE);
    }
    w.ramXbzrle("pc.ram", 63 * PAGE, Uint8Array.from([0, 1, 9]));
    w.finishRamSection();
  }
  w.sectionFull({ idstr: "timer", version: 2 }, Uint8Array.from([1, 2, 3, 4])).eof().flush();
  return concatBytes(out);
}

const qemuStream = new Uint8Array(gunzipSync(readFileSync(new URL("../../test/fixtures/qemu-7.2/pc-stopped.mig.gz", import.meta.url))));

describe("the decoder's fast paths", () => {
  it("count the same pages as the plain path, on a constructed stream and on QEMU's own", async () => {
    for (const bytes of [mixedStream(), qemuStream]) {
      const expected = await plain(bytes, 4099);
      expect("summary" in expected && expected.summary.ram?.pages.normal).toBeGreaterThan(0);
      expect(await fast(bytes)).toEqual(expected);
      expect(await fast(bytes, 1000)).toEqual(expected);
    }
    const mixed = await fast(mixedStream());
    const pages = { zero: 24, uniform: 21, normal: 21, xbzrle: 3, compressed: 0, dedup: 0 };
    expect("summary" in mixed && mixed.summary.ram?.pages).toEqual(pages);
  });

  it("reads a record larger than the window (1 MiB) and bytes after the stream", async () => {
    const out: Uint8Array[] = [];
    const body = new Uint8Array(3 << 20).map((_, i) => i & 0xff);
    new MigrationStreamWriter(out).sectionFull({ idstr: "big", version: 1 }, body).eof().flush();
    const bytes = concatBytes([...out, Uint8Array.from([9, 9, 9])]);
    const expected = await plain(bytes, 65536);
    expect("summary" in expected && expected.summary.trailingBytes).toBe(3);
    expect(await fast(bytes)).toEqual(expected);
    expect(await fast(bytes, 300_000)).toEqual(expected);
  });

  it("close a ReadIntoSource at the end and when the decoder fails", async () => {
    const good = readInto(mixedStream());
    await forEachRecord(readMigrationStream(good), () => undefined);
    expect(good.closed).toBe(true);
    const bad = readInto(mixedStream().subarray(0, 5000));
    await expect(forEachRecord(readMigrationStream(bad), () => undefined)).rejects.toMatchObject({ code: "TRUNCATED" });
    expect(bad.closed).toBe(true);
  });

  it("fail like the plain path on a truncated or corrupted stream", async () => {
    const bytes = mixedStream();
    await fc.assert(
      fc.asyncProperty(
        fc.nat(bytes.length - 1),
        fc.option(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 })), { nil: undefined }),
        fc.integer({ min: 1, max: 5000 }),
        async (cut, flip, step) => {
          const bad = bytes.slice(0, flip ? bytes.length : cut);
          if (flip) bad[flip[0]]! ^= flip[1];
          const expected = await plain(bad, 4099);
          expect(await fast(bad, step)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("fail like the plain path where a page record is refused: offset, flags, block", async () => {
    const bytes = mixedStream();
    let page = -1;
    let zero = -1;
    await forEachRecord(readMigrationStream(bytes), (rec) => {
      if (rec.kind !== "ram" || !rec.continued) return;
      if (page < 0 && rec.type === "page") page = rec.offset;
      if (zero < 0 && rec.type === "zero") zero = rec.offset;
    });
    expect(page).toBeGreaterThan(0);
    expect(zero).toBeGreaterThan(0);
    // the flags are the low bits of the record's be64 offset word
    const cases: [string, (b: Uint8Array) => void][] = [
      ["offset past the block", (b) => (b[page + 4] = 0x7f)],
      ["offset past 2^53", (b) => (b[page] = 0xff)],
      ["unknown flags", (b) => (b[page + 7] = 0x21)],
      ["PAGE with the XBZRLE bit", (b) => (b[page + 7] = 0x68)],
      ["PAGE without CONTINUE", (b) => (b[page + 7] = 0x08)],
      ["HOOK flag", (b) => (b[page + 7] = 0xa8)],
      ["ZERO with the PAGE bit", (b) => (b[zero + 7] = 0x2a)],
      ["ZERO with bit 0x800", (b) => (b[zero + 6] = b[zero + 6]! | 0x08)],
    ];
    for (const [what, corrupt] of cases) {
      const bad = bytes.slice();
      corrupt(bad);
      const expected = await plain(bad, 4099);
      expect("error" in expected, what).toBe(true);
      expect(await fast(bad), what).toEqual(expected);
    }
  });
});
