import { MemoryRamSink, applyRam } from "../ram/ram-applier.js";
import { MigrationStreamWriter } from "../stream/writer.js";
import { decodeMigrationStream } from "../stream/decoder.js";
import { concatBytes } from "../source/byte-source.js";
import type { MigrationRecord } from "../records.js";

export const PAGE = 4096;

/** xorshift32: the same "random" pages on every run. */
function random(seed: number): (into: Uint8Array) => Uint8Array {
  let x = seed | 1;
  return (into) => {
    for (let i = 0; i < into.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      into[i] = x & 0xff;
    }
    return into;
  };
}

export interface GuestBlock {
  idstr: string;
  pages: number;
}

/** Blocks of several sizes; 70 pages leaves part of the last bitmap word unused. */
export const MIXED_BLOCKS: GuestBlock[] = [
  { idstr: "pc.ram", pages: 70 },
  { idstr: "/rom@etc/acpi/tables", pages: 3 },
  { idstr: "pc.bios", pages: 16 },
];

/**
 * A stream of a guest with zero, uniform and random pages in several blocks, sent over two
 * passes: the second rewrites some pages, turns some back to zero and fills some zero ones.
 */
export function mixedGuestStream(blocks: GuestBlock[] = MIXED_BLOCKS, seed = 7, options: { ignoreShared?: boolean } = {}): Uint8Array {
  const next = random(seed);
  const out: Uint8Array[] = [];
  const w = new MigrationStreamWriter(
    out,
    options.ignoreShared ? { configuration: { machineType: "pc-i440fx-7.2", capabilities: ["x-ignore-shared"] } } : {},
  );
  w.header();
  // With x-ignore-shared every block carries its guest address; some above 4 GiB.
  w.ramStart(blocks.map((b, i) => ({ idstr: b.idstr, length: b.pages * PAGE, ...(options.ignoreShared ? { addr: i * 0x1_4000_0000 } : {}) })));
  for (const pass of [0, 1]) {
    w.beginRamSection("part");
    for (const b of blocks) {
      for (let i = 0; i < b.pages; i++) {
        const kind = (i * 7 + pass * 3 + b.idstr.length) % 5;
        if (pass === 1 && i % 3 !== 0) continue;
        const page = new Uint8Array(PAGE);
        if (kind === 1) page.fill((i + 1) & 0xff || 1);
        else if (kind === 2 || kind === 3) next(page);
        w.ramPage(b.idstr, i * PAGE, page);
      }
    }
    w.finishRamSection();
  }
  w.beginRamSection("end").finishRamSection();
  w.sectionFull({ idstr: "timer", version: 2 }, Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]));
  w.sectionFull({ idstr: "slirp", version: 4 }, Uint8Array.from([1, 2, 3]));
  w.eof();
  w.flush();
  return concatBytes(out);
}

/** The RAM a loader ends up with, block by block. */
export async function ramOf(records: AsyncIterable<MigrationRecord> | Iterable<MigrationRecord>): Promise<Map<string, Uint8Array>> {
  const sink = new MemoryRamSink();
  await applyRam(records, sink);
  return sink.blocks;
}

export async function streamRecords(bytes: Uint8Array): Promise<MigrationRecord[]> {
  return decodeMigrationStream(bytes);
}

/** Same block names, lengths and bytes (without vitest's slow element-by-element diff). */
export function sameRam(a: ReadonlyMap<string, Uint8Array>, b: ReadonlyMap<string, Uint8Array>): boolean {
  if (a.size !== b.size) return false;
  for (const [idstr, mem] of a) {
    const other = b.get(idstr);
    if (!other || other.length !== mem.length) return false;
    for (let i = 0; i < mem.length; i++) if (mem[i] !== other[i]) return false;
  }
  return true;
}
