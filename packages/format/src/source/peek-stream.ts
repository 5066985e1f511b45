/** The first bytes of a stream, read ahead, and the whole stream again from its first byte. */
export interface PeekedStream {
  /** The bytes read ahead, joined (at most `limit`). */
  head: Uint8Array;
  /** The source ended while reading ahead. */
  ended: boolean;
  /** Every byte from the first, read ahead or not; stopping early ends the source's iteration. */
  replay(): AsyncGenerator<Uint8Array>;
}

function join(chunks: readonly Uint8Array[], limit: number): Uint8Array {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(Math.min(total, limit));
  let at = 0;
  for (const chunk of chunks) {
    if (at >= out.length) break;
    const piece = chunk.subarray(0, out.length - at);
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

/**
 * Reads `source` ahead until `enough(head)` says the first bytes tell what is needed (or the
 * source ends), never buffering more than the chunks that took: for sniffing a format or a
 * machine type before deciding what to do with a stream.
 */
export async function peekStream(
  source: AsyncIterable<Uint8Array>,
  enough: (head: Uint8Array) => boolean,
  limit = 4096,
): Promise<PeekedStream> {
  const iterator = source[Symbol.asyncIterator]();
  const held: Uint8Array[] = [];
  let length = 0;
  let ended = false;
  let head: Uint8Array = new Uint8Array(0);
  while (!enough(head) && length < limit) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    held.push(next.value);
    length += next.value.length;
    head = join(held, limit);
  }
  return {
    head,
    ended,
    async *replay() {
      try {
        yield* held;
        if (ended) return;
        for (;;) {
          const next = await iterator.next();
          if (next.done) return;
          yield next.value;
        }
      } finally {
        // A consumer that stops early ends the source's iteration too (its read ahead settles).
        await iterator.return?.();
      }
    },
  };
}
