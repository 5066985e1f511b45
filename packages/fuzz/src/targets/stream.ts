import { decodeMigrationStream, encodeMigrationStream, FormatError, RamApplier, type RamBlockAccess, type RamSink } from "@savevm/format";
import { qemuRecords, qemuStreams, reducedStream } from "../fixtures.js";
import { hasCode, type FuzzTarget } from "../target.js";

const MAX_BUFFERED = 1 << 20;
/** Pages a sparse block keeps before the harness stops applying (a bound of the harness, not a finding). */
const MAX_STORED_PAGES = 2048;

/** RAM blocks of any announced size, holding only the pages written (most of a guest is zero). */
class SparseRamSink implements RamSink {
  stored = 0;

  block(_idstr: string, length: number): RamBlockAccess {
    const pages = new Map<number, Uint8Array>();
    return {
      length,
      zeroed: true,
      read: (offset, into) => {
        const page = pages.get(offset);
        if (page) into.set(page.subarray(0, into.length));
        else into.fill(0);
      },
      write: (offset, data) => {
        if (!pages.has(offset)) {
          if (this.stored >= MAX_STORED_PAGES) return;
          this.stored++;
        }
        pages.set(offset, data.slice());
      },
    };
  }
}

/**
 * The stream decoder and the RAM applier: decode, write back (what decodes must encode to the
 * same bytes), apply the RAM records.
 */
export const streamTarget: FuzzTarget = {
  name: "stream",
  description: "@savevm/format decodeMigrationStream + encodeMigrationStream (lossless) + RamApplier",
  async seeds() {
    const seeds: Uint8Array[] = [];
    for (const records of (await qemuRecords()).values()) seeds.push(reducedStream(records, 6), reducedStream(records, 2, false));
    const xen = qemuStreams().get("pc-xen-devices.mig.gz");
    if (xen) seeds.push(xen);
    return seeds;
  },
  async run(input) {
    const records = await decodeMigrationStream(input, { maxBufferedBytes: MAX_BUFFERED });
    const again = encodeMigrationStream(records);
    if (again.length !== input.length || again.some((b, i) => b !== input[i])) {
      throw new Error(`not lossless: ${input.length} bytes decoded and encoded again as ${again.length} different bytes`);
    }
    const applier = new RamApplier(new SparseRamSink());
    for (const rec of records) applier.apply(rec);
  },
  expected: (error) => hasCode(error, [FormatError]),
  // The decoder buffers at most maxBufferedBytes (plus the chunk being read).
  maxAllocation: 2 * MAX_BUFFERED,
  maxInput: 256 * 1024,
  dictionary: [
    "QEVM",
    "\x00\x00\x00\x03",
    "\x07",
    "\x01",
    "\x02",
    "\x03",
    "\x04",
    "\x7e",
    "\x06",
    "\x08",
    "pc.ram",
    "ram",
    "timer",
    "configuration",
    "pc-i440fx-7.2",
    '{"page_size": 4096',
  ],
};
