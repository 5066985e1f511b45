/** The byte all of `bytes` hold, or -1: a plain loop. */
export function referenceUniformValue(bytes: Uint8Array): number {
  const b = bytes[0] as number;
  for (let i = 1; i < bytes.length; i++) if (bytes[i] !== b) return -1;
  return b;
}
