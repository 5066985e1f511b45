// What a JavaScript developer would write without this package, run on the same bytes.
import type { ScanCounts } from "@savevm/ram-wasm";
import { createXXHash3 } from "hash-wasm";
import xxhash from "xxhash-wasm";

/** The byte every position of the page holds, or -1: one 32-bit word at a time, stops early. */
function uniformByte(words: Uint32Array, first: number, count: number): number {
  const w0 = words[first] as number;
  const b = w0 & 0xff;
  if (w0 !== (b * 0x01010101) >>> 0) return -1;
  for (let i = first + 1, end = first + count; i < end; i++) if (words[i] !== w0) return -1;
  return b;
}

export function jsU32Zero(image: Uint8Array, pageSize: number): number {
  const words = new Uint32Array(image.buffer, image.byteOffset, image.length / 4);
  const per = pageSize / 4;
  let zero = 0;
  for (let p = 0; p < words.length; p += per) {
    let any = 0;
    for (let i = p, end = p + per; i < end; i++) {
      any |= words[i] as number;
      if (any !== 0) break;
    }
    if (any === 0) zero++;
  }
  return zero;
}

export function bufferEqualsZero(image: Uint8Array, pageSize: number): number {
  const whole = Buffer.from(image.buffer, image.byteOffset, image.length);
  const zeroPage = Buffer.alloc(pageSize);
  let zero = 0;
  for (let at = 0; at < whole.length; at += pageSize) {
    if (whole.subarray(at, at + pageSize).equals(zeroPage)) zero++;
  }
  return zero;
}

/** Zero/uniform checks in JS, then a 64-bit hash per page and a Map from hash to first page. */
function mapClassify(image: Uint8Array, pageSize: number, hash: (page: Uint8Array) => bigint): ScanCounts {
  const words = new Uint32Array(image.buffer, image.byteOffset, image.length / 4);
  const per = pageSize / 4;
  const seen = new Map<bigint, number>();
  const counts = { pages: 0, zero: 0, uniform: 0, duplicate: 0, unique: 0 };
  for (let p = 0; p * pageSize < image.length; p++) {
    counts.pages++;
    const b = uniformByte(words, p * per, per);
    if (b === 0) counts.zero++;
    else if (b > 0) counts.uniform++;
    else {
      const h = hash(image.subarray(p * pageSize, (p + 1) * pageSize));
      if (seen.has(h)) counts.duplicate++;
      else {
        seen.set(h, p);
        counts.unique++;
      }
    }
  }
  return counts;
}

export async function createPeers(): Promise<{
  xxhashMap: (image: Uint8Array, pageSize: number) => ScanCounts;
  hashWasmMap: (image: Uint8Array, pageSize: number) => ScanCounts;
}> {
  const { h64Raw } = await xxhash();
  const xxh3 = await createXXHash3();
  return {
    xxhashMap: (image, pageSize) => mapClassify(image, pageSize, (page) => h64Raw(page)),
    hashWasmMap: (image, pageSize) =>
      mapClassify(image, pageSize, (page) => {
        const d = xxh3.init().update(page).digest("binary");
        return new DataView(d.buffer, d.byteOffset, 8).getBigUint64(0);
      }),
  };
}
