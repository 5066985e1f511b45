import { constants } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { SaveImageError } from "./errors.js";
import type { SaveImageSink } from "./write.js";

/**
 * `--bypass-cache`: image I/O with O_DIRECT, as libvirt's iohelper does it. O_DIRECT needs the
 * buffer, the file offset and the length aligned (512 bytes on most devices, 4096 to be safe),
 * so bytes are staged in an aligned block and written at block boundaries; the short last block
 * (and the final header rewrite) go through an ordinary descriptor, as the iohelper turns
 * O_DIRECT off for its tail.
 */

const BLOCK = 1 << 20;
const ALIGN = 4096;
// Allocators hand out memory aligned to at least 16 bytes, so the aligned spot is a multiple of 16 in.
const PROBE_STEP = 16;

function unsupported(cause?: unknown): SaveImageError {
  return new SaveImageError(
    "BYPASS_CACHE_UNSUPPORTED",
    "bypass cache unsupported by this system",
    undefined,
    cause === undefined ? undefined : { cause },
  );
}

async function openDirect(file: string, flags: number): Promise<FileHandle> {
  if (constants.O_DIRECT === undefined) throw unsupported();
  try {
    return await open(file, flags | constants.O_DIRECT);
  } catch (error) {
    // tmpfs and some others refuse O_DIRECT at open time.
    if ((error as NodeJS.ErrnoException).code === "EINVAL") throw unsupported(error);
    throw error;
  }
}

/**
 * A staging block whose memory address is aligned. JavaScript cannot see addresses, so the
 * first I/O tries offsets into an over-sized buffer until the kernel accepts one,
 * moving the staged bytes along with it.
 */
class AlignedBlock {
  readonly #raw = Buffer.allocUnsafeSlow(BLOCK + ALIGN);
  #offset: number | undefined;
  // Where the staged bytes sit while the aligned offset is still unknown.
  #dataAt = 0;

  /** Runs `io` on the block holding `length` staged bytes. */
  async io(length: number, io: (buffer: Buffer) => Promise<number>): Promise<number> {
    if (this.#offset !== undefined) return io(this.view());
    for (let offset = 0; offset < ALIGN; offset += PROBE_STEP) {
      if (offset !== this.#dataAt) {
        this.#raw.copyWithin(offset, this.#dataAt, this.#dataAt + length);
        this.#dataAt = offset;
      }
      try {
        const n = await io(this.#raw.subarray(offset, offset + BLOCK));
        this.#offset = offset;
        return n;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EINVAL") throw error;
      }
    }
    throw unsupported();
  }

  view(): Buffer {
    const base = this.#offset ?? this.#dataAt;
    return this.#raw.subarray(base, base + BLOCK);
  }
}

/** Writes one full block at `position`. */
async function writeBlock(direct: FileHandle, block: AlignedBlock, position: number): Promise<void> {
  await block.io(BLOCK, async (buffer) => {
    const { bytesWritten } = await direct.write(buffer, 0, BLOCK, position);
    if (bytesWritten !== BLOCK) throw new Error(`short O_DIRECT write: ${bytesWritten} of ${BLOCK}`);
    return bytesWritten;
  });
}

/**
 * A sink for {@link writeSaveImage} that writes `file` (already created and open as `plain`)
 * with O_DIRECT. Fails with BYPASS_CACHE_UNSUPPORTED ("bypass cache unsupported by this
 * system") where the file system does not do O_DIRECT.
 */
export async function directWriteSink(file: string, plain: FileHandle): Promise<SaveImageSink & { close(): Promise<void> }> {
  const direct = await openDirect(file, constants.O_WRONLY);
  const block = new AlignedBlock();
  let staged = 0;
  let blockStart = 0;
  const flushFull = async (): Promise<void> => {
    await writeBlock(direct, block, blockStart);
    blockStart += BLOCK;
    staged = 0;
  };
  const writeTail = async (): Promise<void> => {
    if (staged === 0) return;
    const bytes = block.view().subarray(0, staged);
    let done = 0;
    while (done < staged) done += (await plain.write(bytes, done, staged - done, blockStart + done)).bytesWritten;
  };
  return {
    async write(chunk) {
      let at = 0;
      while (at < chunk.length) {
        const take = Math.min(BLOCK - staged, chunk.length - at);
        block.view().set(chunk.subarray(at, at + take), staged);
        staged += take;
        at += take;
        if (staged === BLOCK) await flushFull();
      }
    },
    async rewrite(position, bytes) {
      await writeTail();
      await direct.sync();
      await plain.sync();
      let done = 0;
      while (done < bytes.length) done += (await plain.write(bytes, done, bytes.length - done, position + done)).bytesWritten;
    },
    async close() {
      await direct.close();
    },
  };
}

/** A file's bytes read with O_DIRECT in aligned blocks (`virsh restore --bypass-cache`). */
export async function* directFileChunks(file: string): AsyncGenerator<Uint8Array> {
  const direct = await openDirect(file, constants.O_RDONLY);
  try {
    const block = new AlignedBlock();
    let position = 0;
    for (;;) {
      const n = await block.io(0, async (buffer) => (await direct.read(buffer, 0, BLOCK, position)).bytesRead);
      if (n === 0) return;
      position += n;
      yield block.view().slice(0, n);
      if (n < BLOCK) return;
    }
  } finally {
    await direct.close();
  }
}
