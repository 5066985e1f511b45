import { QEMU_VM_EOF, QEMU_VM_VMDESCRIPTION } from "../constants.js";
import { type Vmdesc, parseVmdesc } from "./vmdesc.js";

export interface FoundTrailer {
  /** Index in the buffer of the 0x06 byte. */
  index: number;
  /** Index one past the JSON. */
  end: number;
  vmdesc: Vmdesc;
}

const OPEN_BRACE = 0x7b;

/**
 * Finds the vmdesc trailer in a buffer holding the end of a stream: the last `0x00 0x06 be32 len
 * {…}` whose JSON fits in the buffer and parses as a vmdesc. This is what lets the decoder walk
 * device bodies whose layout it does not know, without seeking.
 */
export function findVmdescTrailer(buf: Uint8Array, start = 0, end = buf.length): FoundTrailer | undefined {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  // lastIndexOf scans natively; a negative start would count from the end, hence the guard
  const from = end - 6;
  const marker = QEMU_VM_VMDESCRIPTION;
  for (let i = from > start ? buf.lastIndexOf(marker, from) : -1; i > start; i = buf.lastIndexOf(marker, i - 1)) {
    if (buf[i - 1] !== QEMU_VM_EOF || buf[i + 5] !== OPEN_BRACE) continue;
    const len = view.getUint32(i + 1);
    if (i + 5 + len > end) continue;
    try {
      return { index: i, end: i + 5 + len, vmdesc: parseVmdesc(buf.subarray(i + 5, i + 5 + len)) };
    } catch {
      // Bytes that only look like a trailer; keep looking further back.
    }
  }
  return undefined;
}
