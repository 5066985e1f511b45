/**
 * Where a save's bytes go. Implementations live in the Node entry (files, sockets, fds,
 * processes) or anywhere else (a browser download, an in-memory buffer).
 */
export interface OutputChannel {
  /** Takes the chunks (they may be reused after this resolves); resolves when more may follow. */
  write(chunks: readonly Uint8Array[]): Promise<void>;
  /** The save succeeded: flush, and make the result visible (a file is renamed into place). */
  close(): Promise<void>;
  /** The save failed or was cancelled: drop it (a temporary file is removed). Never throws. */
  abort(reason: Error): Promise<void>;
}

/** Where a load's bytes come from. */
export interface InputChannel extends AsyncIterable<Uint8Array> {
  close(): Promise<void>;
}

/** Collects a save in memory; `bytes()` gives the whole stream once closed. */
export class MemoryOutputChannel implements OutputChannel {
  readonly #chunks: Uint8Array[] = [];
  #length = 0;
  #state: "open" | "closed" | "aborted" = "open";

  async write(chunks: readonly Uint8Array[]): Promise<void> {
    if (this.#state !== "open") throw new Error("channel is closed");
    for (const c of chunks) {
      this.#chunks.push(c.slice());
      this.#length += c.length;
    }
  }

  async close(): Promise<void> {
    this.#state = "closed";
  }

  async abort(): Promise<void> {
    this.#state = "aborted";
    this.#chunks.length = 0;
    this.#length = 0;
  }

  get state(): "open" | "closed" | "aborted" {
    return this.#state;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** Reads a byte array in chunks of `chunkSize`, as a socket would deliver it. */
export function memoryInputChannel(bytes: Uint8Array, chunkSize = 1 << 20): InputChannel {
  return {
    async *[Symbol.asyncIterator]() {
      for (let at = 0; at < bytes.length; at += chunkSize) yield bytes.subarray(at, at + chunkSize);
    },
    async close() {},
  };
}
