/**
 * Reads exact byte counts from a chunked stream (a socket's data events), copying only when a
 * read spans chunks. Multifd packets are a fixed-size header and then a length the header gave.
 */
export class ExactReader {
  readonly #iterator: AsyncIterator<Uint8Array>;
  #chunk: Uint8Array = new Uint8Array(0);
  #at = 0;
  #ended = false;
  /** Bytes consumed so far: the absolute offset of the next byte, for messages. */
  offset = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#iterator = source[Symbol.asyncIterator]();
  }

  /** Whether the stream ended exactly here (no byte left); otherwise waits for a byte. */
  async atEnd(): Promise<boolean> {
    while (this.#at >= this.#chunk.length) {
      if (this.#ended) return true;
      const next = await this.#iterator.next();
      if (next.done) {
        this.#ended = true;
        return true;
      }
      this.#chunk = next.value;
      this.#at = 0;
    }
    return false;
  }

  /**
   * The next `n` bytes, or undefined when the stream ends first (`got` says how many came). The
   * result may be a view into the input chunk: use it before the next read.
   */
  async read(n: number): Promise<{ bytes: Uint8Array | undefined; got: number }> {
    if (this.#chunk.length - this.#at >= n) {
      const bytes = this.#chunk.subarray(this.#at, this.#at + n);
      this.#at += n;
      this.offset += n;
      return { bytes, got: n };
    }
    const out = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      if (await this.atEnd()) return { bytes: undefined, got };
      const take = Math.min(n - got, this.#chunk.length - this.#at);
      out.set(this.#chunk.subarray(this.#at, this.#at + take), got);
      this.#at += take;
      got += take;
      this.offset += take;
    }
    return { bytes: out, got };
  }
}
