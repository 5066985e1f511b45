import { open, type FileHandle } from "node:fs/promises";
import { openReplacingFile, type ReplacingFile } from "@savevm/format/node";
import type { InputChannel, OutputChannel } from "../channel.js";
import { MachineError } from "../errors.js";
import { writeAll } from "./write-all.js";

/**
 * Writes a save to a temporary file next to `path` and renames it over `path` only when the
 * save succeeded, so a failed or cancelled save never replaces a good file. The data is on disk
 * (fsync) before the rename, and the rename is too (the directory is synced) before `close`
 * resolves: the replace of @savevm/format/node.
 */
export class FileOutputChannel implements OutputChannel {
  readonly path: string;
  #file: ReplacingFile | undefined;
  #opening: Promise<ReplacingFile> | undefined;
  #done = false;
  #aborting: Promise<void> | undefined;

  constructor(path: string, options: { mode?: number } = {}) {
    this.path = path;
    this.#opening = openReplacingFile(path, { mode: options.mode ?? 0o600 }).then(
      (file) => (this.#file = file),
      (err: unknown) => {
        throw new MachineError("CHANNEL", `Could not open '${path}': ${(err as Error).message}`, { cause: err });
      },
    );
    // Failures surface from write/close; this keeps an early failure from being unhandled.
    this.#opening.catch(() => undefined);
  }

  /** The temporary file's name, once it exists. */
  get tempPath(): string | undefined {
    return this.#file?.temporary;
  }

  /** Resolves once the temporary file exists (or rejects with why it could not be created). */
  async ready(): Promise<void> {
    await this.#opening;
  }

  async write(chunks: readonly Uint8Array[]): Promise<void> {
    const { handle } = this.#file ?? (await this.#opening!);
    await writeAll(chunks, async (part) => (await handle.writev(part)).bytesWritten);
  }

  async close(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await (this.#file ?? (await this.#opening!)).commit();
  }

  /** Removes the temporary file; a second call waits for the first one's removal. */
  abort(): Promise<void> {
    if (this.#aborting) return this.#aborting;
    if (this.#done) return Promise.resolve();
    this.#done = true;
    this.#aborting = (async () => {
      const file = this.#file ?? (await this.#opening?.catch(() => undefined));
      await file?.abort().catch(() => undefined);
    })();
    return this.#aborting;
  }
}

/** Reads a file (from `offset`). */
export async function openFileInput(path: string, offset = 0): Promise<InputChannel> {
  let handle: FileHandle;
  try {
    handle = await open(path, "r");
  } catch (err) {
    throw new MachineError("CHANNEL", `Could not open '${path}': ${(err as Error).message}`, { cause: err });
  }
  return fileHandleInput(handle, offset);
}

/**
 * Reads a file handle from `offset` in chunks, one read ahead: the next chunk is on its way
 * from the disk while the consumer decodes the current one. Each chunk is a new
 * `SharedArrayBuffer` that is never reused, so a staging helper thread can copy pages straight
 * out of it.
 */
export function fileHandleInput(handle: FileHandle, offset = 0, chunkSize = 4 << 20): InputChannel {
  let closed = false;
  const readAt = async (position: number): Promise<Uint8Array> => {
    const buffer = new Uint8Array(new SharedArrayBuffer(chunkSize));
    const { bytesRead } = await handle.read(buffer, 0, chunkSize, position);
    return bytesRead === chunkSize ? buffer : buffer.subarray(0, bytesRead);
  };
  return {
    async *[Symbol.asyncIterator]() {
      let position = offset;
      let next = readAt(position);
      try {
        for (;;) {
          const chunk = await next;
          if (chunk.length === 0) return;
          position += chunk.length;
          next = readAt(position);
          yield chunk;
        }
      } finally {
        // Settle a read still in flight before the handle can be closed.
        await next.catch(() => undefined);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await handle.close();
    },
  };
}
