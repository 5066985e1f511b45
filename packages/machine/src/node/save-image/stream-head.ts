import { peekStream } from "@savevm/format";

/** A QEMU stream's first bytes: `QEVM`, version 3, then a configuration record with the machine type. */
const QEVM = 0x5145564d;
const SECTION_CONFIGURATION = 0x07;

/**
 * The machine type in the configuration record at the start of a migration stream, `null`
 * when the stream has none (an older QEMU), `undefined` while more bytes are needed.
 */
export function machineTypeOfStream(head: Uint8Array): string | null | undefined {
  if (head.length < 9) return undefined;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (view.getUint32(0) !== QEVM || head[8] !== SECTION_CONFIGURATION) return null;
  if (head.length < 13) return undefined;
  const length = view.getUint32(9);
  if (length > 255) return null;
  if (head.length < 13 + length) return undefined;
  return new TextDecoder().decode(head.subarray(13, 13 + length));
}

/**
 * Reads from `source` until the machine type is known (at most a few hundred bytes), and
 * returns it with a stream that yields everything again from the first byte.
 */
export async function peekMachineType(
  source: AsyncIterable<Uint8Array>,
): Promise<{ machineType: string | undefined; stream: AsyncIterable<Uint8Array> }> {
  const peeked = await peekStream(source, (head) => machineTypeOfStream(head) !== undefined, 512);
  const found = machineTypeOfStream(peeked.head);
  return { machineType: typeof found === "string" ? found : undefined, stream: peeked.replay() };
}
