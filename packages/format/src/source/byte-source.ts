/**
 * Anything the decoders read from: one buffer, chunks from an (async) iterable such as a Node
 * Readable, a WHATWG ReadableStream, or a ReadIntoSource. Chunks may have any size, including zero.
 */
export type ByteSource =
  | Uint8Array
  | ArrayBuffer
  | Iterable<Uint8Array>
  | AsyncIterable<Uint8Array>
  | ReadableStream<Uint8Array>
  | ReadIntoSource;

/**
 * A source that copies its next bytes into the buffer it is given, synchronously, the way
 * `fs.readSync` does (`openFileReader` of `@savevm/format/node` is one). The decoder then reads
 * through one buffer it reuses, with no allocation and no promise per read: the cheapest way
 * through a large file.
 */
export interface ReadIntoSource {
  /** Fills the start of `into` with the next bytes and returns how many; 0 only at the end. */
  readInto(into: Uint8Array): number;
  /** Releases the source (closes the file); called once, at the end or when reading stops early. */
  close?(): void;
}

export function isReadIntoSource(source: unknown): source is ReadIntoSource {
  return typeof source === "object" && source !== null && typeof (source as ReadIntoSource).readInto === "function";
}

/** The chunk size of a ReadIntoSource read through pullChunks (each chunk is a fresh buffer). */
const READ_INTO_CHUNK = 1 << 20;

/** Pulls the chunks of any ByteSource one at a time. `close()` releases the source early. */
export interface ChunkPuller {
  next(): Promise<Uint8Array | undefined>;
  close(): Promise<void>;
}

export function pullChunks(source: ByteSource): ChunkPuller {
  if (source instanceof Uint8Array) return fromArray([asBytes(source)]);
  if (source instanceof ArrayBuffer) return fromArray([new Uint8Array(source)]);
  if (isReadIntoSource(source)) return fromReadInto(source);
  if (isReadableStream(source)) return fromReadableStream(source);
  if (Symbol.asyncIterator in source) return fromAsyncIterator(source[Symbol.asyncIterator]());
  if (Symbol.iterator in source) return fromIterator(source[Symbol.iterator]());
  throw new TypeError("not a byte source: expected Uint8Array, (async) iterable of Uint8Array or ReadableStream");
}

function isReadableStream(source: object): source is ReadableStream<Uint8Array> {
  return typeof (source as ReadableStream).getReader === "function";
}

function fromArray(chunks: Uint8Array[]): ChunkPuller {
  let i = 0;
  return {
    next: () => Promise.resolve(chunks[i++]),
    close: () => Promise.resolve(),
  };
}

function fromReadInto(source: ReadIntoSource): ChunkPuller {
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    source.close?.();
  };
  return {
    next() {
      if (finished) return Promise.resolve(undefined);
      try {
        const chunk = new Uint8Array(READ_INTO_CHUNK);
        const n = source.readInto(chunk);
        if (n > 0) return Promise.resolve(chunk.subarray(0, n));
        finish();
        return Promise.resolve(undefined);
      } catch (error) {
        finish();
        return Promise.reject(error);
      }
    },
    close() {
      finish();
      return Promise.resolve();
    },
  };
}

function fromIterator(it: Iterator<Uint8Array>): ChunkPuller {
  return {
    next() {
      const r = it.next();
      return Promise.resolve(r.done ? undefined : asBytes(r.value));
    },
    close() {
      it.return?.();
      return Promise.resolve();
    },
  };
}

function fromAsyncIterator(it: AsyncIterator<Uint8Array>): ChunkPuller {
  let finished = false;
  return {
    async next() {
      if (finished) return undefined;
      const r = await it.next();
      if (r.done) {
        finished = true;
        return undefined;
      }
      return asBytes(r.value);
    },
    async close() {
      if (finished) return;
      finished = true;
      await it.return?.();
    },
  };
}

function fromReadableStream(stream: ReadableStream<Uint8Array>): ChunkPuller {
  const reader = stream.getReader();
  let finished = false;
  return {
    async next() {
      if (finished) return undefined;
      const r = await reader.read();
      if (r.done) {
        finished = true;
        reader.releaseLock();
        return undefined;
      }
      return asBytes(r.value);
    },
    async close() {
      if (finished) return;
      finished = true;
      await reader.cancel();
    },
  };
}

function asBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) {
    // A plain view of a Node Buffer: its subarray() is much cheaper, and parsers take many.
    return chunk.constructor === Uint8Array ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  throw new TypeError(`byte source yielded ${typeof chunk}, expected Uint8Array`);
}

/** Joins chunks into one array (no copy when there is exactly one). */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  let total = 0;
  for (const c of chunks) total += c.length;
  const out = new Uint8Array(total);
  let pos = 0;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}
