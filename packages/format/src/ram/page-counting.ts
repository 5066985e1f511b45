import { RAM_SAVE_FLAG_CONTINUE, RAM_SAVE_FLAG_PAGE, RAM_SAVE_FLAG_ZERO } from "../constants.js";
import type { ByteReader } from "../wire/byte-reader.js";
import type { RamParseState } from "./ram-records.js";

/**
 * Told how many page records of a block went by, instead of getting a record for each:
 * `zero` ZERO records with fill 0, `uniform` ZERO records with another fill byte, `normal`
 * PAGE records. `StreamSummaryBuilder` is one.
 */
export interface RamPageCounter {
  countPages(block: string, zero: number, uniform: number, normal: number): void;
}

const ZERO_CONTINUED = RAM_SAVE_FLAG_ZERO | RAM_SAVE_FLAG_CONTINUE;
const PAGE_CONTINUED = RAM_SAVE_FLAG_PAGE | RAM_SAVE_FLAG_CONTINUE;
/** The highest high half of a RAM offset RamRecordParser accepts. */
const MAX_OFFSET_HI = 0x1f_ffff;
const TWO_POW_32 = 0x1_0000_0000;

function be32(buf: Uint8Array, at: number): number {
  return ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
}

/**
 * Steps over the ZERO and PAGE records at `r.pos` that continue the previous page's block, as far
 * as they are buffered, and tells `counter` how many of each kind it passed; page bytes are never
 * looked at. It stops before the first record that is anything else (another type, a block name,
 * an offset the parser refuses, a record not wholly buffered): RamRecordParser reads that one, so
 * every error comes from the one parser, at the same offset, whichever way the pages were read.
 */
export function countPageRecords(r: ByteReader, st: RamParseState, counter: RamPageCounter): void {
  const block = st.lastBlock;
  if (block === undefined) return;
  const length = st.blocks?.get(block) ?? Infinity;
  const buf = r.buf;
  const end = r.end;
  const flagMask = st.pageSize - 1;
  const pageRecord = 8 + st.pageSize;
  let pos = r.pos;
  let zero = 0;
  let uniform = 0;
  let normal = 0;
  while (end - pos >= 9) {
    const hi = be32(buf, pos);
    const lo = be32(buf, pos + 4);
    const flags = lo & flagMask;
    if (hi > MAX_OFFSET_HI || hi * TWO_POW_32 + (lo - flags) >= length) break;
    if (flags === ZERO_CONTINUED) {
      if (buf[pos + 8] === 0) zero++;
      else uniform++;
      pos += 9;
    } else if (flags === PAGE_CONTINUED && end - pos >= pageRecord) {
      normal++;
      pos += pageRecord;
    } else {
      break;
    }
  }
  r.pos = pos;
  if (zero + uniform + normal > 0) counter.countPages(block, zero, uniform, normal);
}
