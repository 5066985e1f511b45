/**
 * Where encoders write: a function (may return a promise for backpressure), a WHATWG
 * WritableStream, or an array that collects the chunks.
 */
export type ByteSink =
  | ((chunk: Uint8Array) => void | Promise<void>)
  | WritableStream<Uint8Array>
  | Uint8Array[];

export interface ChunkWriter {
  /** Returns a promise only when the sink wants the caller to wait. */
  write(chunk: Uint8Array): void | Promise<void>;
  close(): Promise<void>;
}

export function toChunkWriter(sink: ByteSink): ChunkWriter {
  if (Array.isArray(sink)) {
    return {
      write(chunk) {
        sink.push(chunk);
      },
      close: () => Promise.resolve(),
    };
  }
  if (typeof sink === "function") {
    return { write: sink, close: () => Promise.resolve() };
  }
  const writer = sink.getWriter();
  return {
    async write(chunk) {
      await writer.ready;
      await writer.write(chunk);
    },
    async close() {
      await writer.close();
    },
  };
}
