import type { InputChannel, OutputChannel } from "@savevm/machine";
import type { OpfsFileHandle, SyncAccessHandle } from "../shared/opfs-types.js";

/**
 * A save streamed into an OPFS file through a synchronous access handle (dedicated workers
 * only): every chunk goes straight to disk, so no part of the state is held in memory beyond the
 * writer's own buffers. It writes `NAME.part` and renames it to `NAME` only when the save
 * succeeded; a failed or cancelled save removes the partial file and leaves an older `NAME` as it was.
 */
export class OpfsOutputChannel implements OutputChannel {
  readonly #dir: FileSystemDirectoryHandle;
  readonly #name: string;
  readonly #file: OpfsFileHandle;
  readonly #handle: SyncAccessHandle;
  #at = 0;
  #open = true;

  private constructor(dir: FileSystemDirectoryHandle, name: string, file: OpfsFileHandle, handle: SyncAccessHandle) {
    this.#dir = dir;
    this.#name = name;
    this.#file = file;
    this.#handle = handle;
  }

  static async create(dir: FileSystemDirectoryHandle, name: string): Promise<OpfsOutputChannel> {
    const file = (await dir.getFileHandle(`${name}.part`, { create: true })) as OpfsFileHandle;
    const handle = await file.createSyncAccessHandle();
    handle.truncate(0);
    return new OpfsOutputChannel(dir, name, file, handle);
  }

  /** Bytes written so far. */
  get bytes(): number {
    return this.#at;
  }

  async write(chunks: readonly Uint8Array[]): Promise<void> {
    if (!this.#open) throw new Error("the OPFS file is closed");
    for (const chunk of chunks) {
      let done = 0;
      while (done < chunk.length) {
        const n = this.#handle.write(chunk.subarray(done), { at: this.#at });
        if (n <= 0) throw new Error(`writing ${this.#name}: no room left in the origin's storage`);
        done += n;
        this.#at += n;
      }
    }
  }

  async close(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    this.#handle.flush();
    this.#handle.close();
    await this.#dir.removeEntry(this.#name).catch(() => undefined);
    await this.#file.move(this.#name);
  }

  async abort(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    try {
      this.#handle.close();
    } catch {
      // already closed
    }
    await this.#dir.removeEntry(`${this.#name}.part`).catch(() => undefined);
  }
}

/** A file (from OPFS or a drop) read as a stream of chunks: never whole in memory. */
export function fileInput(file: Blob): InputChannel {
  const reader = file.stream().getReader();
  return {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    },
    async close() {
      await reader.cancel().catch(() => undefined);
    },
  };
}
