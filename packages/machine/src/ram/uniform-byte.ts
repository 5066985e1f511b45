/**
 * The byte every position of `bytes` holds, or -1. Reads 32-bit words when the view is aligned,
 * so a page of random content is rejected after its first word.
 */
export function uniformByte(bytes: Uint8Array): number {
  if (bytes.length === 0) return -1;
  const b = bytes[0]!;
  if (bytes.byteOffset % 4 === 0 && bytes.length % 4 === 0) {
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
    const w = words[0]!;
    if (w !== ((b * 0x01010101) >>> 0)) return -1;
    for (let i = 1; i < words.length; i++) if (words[i] !== w) return -1;
    return b;
  }
  for (let i = 1; i < bytes.length; i++) if (bytes[i] !== b) return -1;
  return b;
}
