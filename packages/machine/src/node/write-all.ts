/** Most chunks handed to one writev call (the kernel's IOV_MAX is 1024). */
const MAX_IOV = 1024;

/**
 * Writes every byte of `chunks` with a vectored write, finishing chunk by chunk after a short
 * write (a full disk, a signal): `writev` resolves with the number of bytes it wrote.
 */
export async function writeAll(chunks: readonly Uint8Array[], writev: (chunks: Uint8Array[]) => Promise<number>): Promise<void> {
  for (let i = 0; i < chunks.length; i += MAX_IOV) {
    const part = chunks.slice(i, i + MAX_IOV);
    let expected = 0;
    for (const c of part) expected += c.length;
    let skip = await writev(part);
    if (skip === expected) continue;
    for (const c of part) {
      if (skip >= c.length) {
        skip -= c.length;
        continue;
      }
      let rest = c.subarray(skip);
      skip = 0;
      while (rest.length > 0) rest = rest.subarray(await writev([rest]));
    }
  }
}
