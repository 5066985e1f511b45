/**
 * Where a mapped-ram file is written: writes and reads at absolute offsets, synchronous (pages are
 * applied as the stream decoder hands them out). `@savevm/format/node`'s `createMappedRamFile` is
 * the file implementation; bytes never written are holes of a sparse file.
 */
export interface PositionalSink {
  pwrite(offset: number, data: Uint8Array): void;
  /** Fills `into` from `offset` (bytes past what was written read as zero). */
  pread(offset: number, into: Uint8Array): void;
  /** Sets the final length of the file (a hole at the end stays a hole). */
  setSize(size: number): void;
}

/** Where a mapped-ram file is read from: its size and reads at absolute offsets. */
export interface PositionalSource {
  readonly size: number;
  /** `length` bytes from `offset` (fewer only past the end of the source). */
  pread(offset: number, length: number): Promise<Uint8Array> | Uint8Array;
}

/** A mapped-ram file held in memory: a sink to write one, then a source to read it back. */
export class MemoryPositionalFile implements PositionalSink, PositionalSource {
  private buf = new Uint8Array(0);
  private length = 0;

  get size(): number {
    return this.length;
  }

  /** The file's bytes (holes as zeros). */
  get bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  pwrite(offset: number, data: Uint8Array): void {
    this.reserve(offset + data.length);
    this.buf.set(data, offset);
    this.length = Math.max(this.length, offset + data.length);
  }

  pread(offset: number, lengthOrInto: number | Uint8Array): Uint8Array {
    if (typeof lengthOrInto === "number") return this.buf.slice(offset, Math.min(this.length, offset + lengthOrInto));
    lengthOrInto.fill(0);
    lengthOrInto.set(this.buf.subarray(offset, Math.min(this.length, offset + lengthOrInto.length)));
    return lengthOrInto;
  }

  setSize(size: number): void {
    this.reserve(size);
    this.buf.fill(0, size);
    this.length = size;
  }

  private reserve(end: number): void {
    if (end <= this.buf.length) return;
    const next = new Uint8Array(Math.max(end, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
}

/** A `Blob` (a browser `File`, or Node's) as a positional source: each read is one `slice()`. */
export function blobPositionalSource(blob: Blob): PositionalSource {
  return {
    size: blob.size,
    pread: async (offset, length) => new Uint8Array(await blob.slice(offset, Math.min(blob.size, offset + length)).arrayBuffer()),
  };
}
