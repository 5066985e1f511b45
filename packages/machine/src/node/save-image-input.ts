import { peekStream, sniffLibvirtSaveImage, type LibvirtSaveHeader } from "@savevm/format";
import { readSaveImage } from "@savevm/format/node";
import type { InputChannel } from "../channel.js";
import type { IncomingInput } from "../monitor/monitor-channels.js";

// Enough to tell "LibvirtQemudSave"/"LibvirtQemudPart" from QEMU's "QEVM".
const SNIFF_BYTES = 16;

/**
 * An incoming stream that may be a libvirt save image (`virsh save` output, or ours): the header,
 * XML and cookie are skipped, the payload goes through the decompressor its header names, and
 * the header is handed on so the load can follow `was_running`. Anything else passes through
 * untouched.
 */
export async function unwrapSaveImage(input: InputChannel): Promise<IncomingInput> {
  let peeked;
  try {
    peeked = await peekStream(input, (head) => head.length >= SNIFF_BYTES, SNIFF_BYTES);
  } catch (err) {
    await input.close().catch(() => undefined);
    throw err;
  }
  const replay = (): AsyncGenerator<Uint8Array> => peeked.replay();
  const first = peeked.head;
  if (sniffLibvirtSaveImage(first) === null) {
    let used = false;
    return {
      [Symbol.asyncIterator]() {
        if (used) throw new Error("an incoming stream can be read only once");
        used = true;
        return replay();
      },
      close: () => input.close(),
    };
  }
  let image;
  try {
    image = await readSaveImage(replay());
  } catch (err) {
    await input.close().catch(() => undefined);
    throw err;
  }
  const header: LibvirtSaveHeader = image.header;
  return {
    saveImage: header,
    [Symbol.asyncIterator]: () => image.stream[Symbol.asyncIterator](),
    async close() {
      await image.stream.close().catch(() => undefined);
      await input.close();
    },
  };
}
