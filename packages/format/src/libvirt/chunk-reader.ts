import type { ChunkPuller } from "../source/byte-source.js";

const EMPTY = new Uint8Array(0);

/**
 * Pulls exact byte counts out of a chunked source without copying where a chunk suffices, and
 * counts the absolute position for error offsets.
 */
export class ChunkReader {
  #puller: ChunkPuller;
  #pending: Uint8Array = EMPTY;
  #ended = false;
  /** Absolute offset of the next byte to be taken. */
  position = 0;

  constructor(puller: ChunkPuller) {
    this.#puller = puller;
  }

  async #pull(): Promise<boolean> {
    const next = await this.#puller.next();
    if (next === undefined) {
      this.#ended = true;
      return false;
    }
    this.#pending = next;
    return true;
  }

  /** The next piece of at most `max` bytes (a view, not a copy), or `undefined` at the end. */
  async take(max: number): Promise<Uint8Array | undefined> {
    while (this.#pending.length === 0) {
      if (this.#ended || !(await this.#pull())) return undefined;
    }
    const piece = this.#pending.subarray(0, max);
    this.#pending = this.#pending.subarray(piece.length);
    this.position += piece.length;
    return piece;
  }

  /** Exactly `length` bytes, or fewer when the source ends first. */
  async read(length: number): Promise<Uint8Array> {
    const first = await this.take(length);
    if (first === undefined) return EMPTY;
    if (first.length === length) return first;
    const out = new Uint8Array(length);
    out.set(first);
    let filled = first.length;
    while (filled < length) {
      const piece = await this.take(length - filled);
      if (piece === undefined) return out.subarray(0, filled);
      out.set(piece, filled);
      filled += piece.length;
    }
    return out;
  }

  /** Everything not taken yet, chunk by chunk. Stopping early closes the source. */
  async *rest(): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        const piece = await this.take(Number.POSITIVE_INFINITY);
        if (piece === undefined) return;
        yield piece;
      }
    } finally {
      await this.close();
    }
  }

  /** Releases the source, e.g. when only the header was wanted. */
  async close(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    this.#pending = EMPTY;
    await this.#puller.close();
  }
}
