import { FormatError } from "../errors.js";
import { ByteReader, NEED_MORE } from "../wire/byte-reader.js";
import { type ByteSource, type ChunkPuller, concatBytes, isReadIntoSource, pullChunks, type ReadIntoSource } from "./byte-source.js";

/** Below this many surplus bytes a chunk is copied whole rather than split. */
const SPLIT_THRESHOLD = 16 * 1024;

/**
 * The buffer a ReadIntoSource is read through. 1 MiB stays in the CPU's caches, and larger reads
 * are no faster (measured with `npm run bench -w @savevm/cli`).
 */
const WINDOW_BYTES = 1 << 20;

/**
 * Forward-only buffered input over a ByteSource, for parsers that never seek. `reader` is a
 * partial-mode ByteReader over the bytes received so far; parse with it synchronously, and when it
 * signals that more input is needed, call `fill()` and parse the record again from its start.
 *
 * Only the unread tail is kept: when a record straddles two chunks, just that record's bytes are
 * copied together, the rest of the chunk is used in place. A ReadIntoSource is read into one
 * window that is reused: the unread tail moves to its front and the source fills the rest.
 */
export class StreamInput {
  readonly reader: ByteReader;
  private readonly puller: ChunkPuller;
  private readonly direct: ReadIntoSource | undefined;
  private window: Uint8Array | undefined;
  private pushedBack: Uint8Array | undefined;
  private exhausted = false;

  /** `baseOffset`: absolute offset of the first byte of `source` (for error messages). */
  constructor(source: ByteSource | ChunkPuller, baseOffset = 0) {
    this.direct = isReadIntoSource(source) ? source : undefined;
    this.puller = isPuller(source) ? source : pullChunks(source);
    this.reader = new ByteReader(new Uint8Array(0), baseOffset, true);
  }

  /** True once the source has no more chunks (everything left is in `reader`). */
  get done(): boolean {
    return this.exhausted;
  }

  /** Absolute offset one past the last byte received. */
  get receivedEnd(): number {
    return this.reader.base + this.reader.end;
  }

  private async nextChunk(): Promise<Uint8Array | undefined> {
    if (this.pushedBack) {
      const c = this.pushedBack;
      this.pushedBack = undefined;
      return c;
    }
    for (;;) {
      const c = await this.puller.next();
      if (c === undefined) return undefined;
      if (c.length > 0) return c;
    }
  }

  /**
   * The unread bytes plus further chunks until there are `need` of them, the source ends, or
   * (when `limit` is given) more than `limit` would be held.
   */
  private async gather(need: number, limit?: number, why?: string): Promise<{ parts: Uint8Array[]; have: number }> {
    const r = this.reader;
    const parts: Uint8Array[] = [];
    const leftover = r.buf.subarray(r.pos, r.end);
    if (leftover.length > 0) parts.push(leftover);
    let have = leftover.length;
    for (;;) {
      if (limit !== undefined && have > limit) {
        throw new FormatError(
          "LIMIT_EXCEEDED",
          `${why} needs more than ${limit} bytes (maxBufferedBytes); pass the device descriptions or raise the limit`,
          { offset: r.base + r.pos },
        );
      }
      if (have >= need || this.exhausted) return { parts, have };
      const c = await this.nextChunk();
      if (c === undefined) {
        this.exhausted = true;
      } else {
        parts.push(c);
        have += c.length;
      }
    }
  }

  /**
   * Receives input until the absolute offset `wanted` is covered. Bytes before `reader.pos` are
   * dropped. Returns false when the source ended first (then the reader stops asking for more and
   * throws TRUNCATED instead).
   */
  async fill(wanted: number): Promise<boolean> {
    const r = this.reader;
    if (r.base + r.end >= wanted) return true;
    if (this.exhausted) {
      r.partial = false;
      return false;
    }
    if (this.direct) return this.fillWindow(this.direct, wanted);
    const start = r.base + r.pos;
    const need = wanted - start;
    const { parts, have: got } = await this.gather(need);
    let have = got;
    if (have > need && parts.length > 1) {
      const surplus = have - need;
      const last = parts[parts.length - 1]!;
      if (surplus >= SPLIT_THRESHOLD && surplus < last.length) {
        parts[parts.length - 1] = last.subarray(0, last.length - surplus);
        this.pushedBack = last.subarray(last.length - surplus);
        have = need;
      }
    }
    r.reset(concatBytes(parts), start);
    if (this.exhausted) r.partial = false;
    return have >= need;
  }

  /**
   * fill() from a ReadIntoSource. The window doubles only while the bytes read fill it, so a
   * length read from the stream never sizes an allocation by itself.
   */
  private fillWindow(source: ReadIntoSource, wanted: number): boolean {
    const r = this.reader;
    const start = r.base + r.pos;
    const need = wanted - start;
    let have = r.end - r.pos;
    const current = this.window;
    let window: Uint8Array = current !== undefined && current.length >= have ? current : new Uint8Array(Math.max(WINDOW_BYTES, 2 * have));
    if (r.buf === window) window.copyWithin(0, r.pos, r.end);
    else window.set(r.buf.subarray(r.pos, r.end));
    while (have < need) {
      if (have === window.length) {
        const bigger = new Uint8Array(2 * window.length);
        bigger.set(window);
        window = bigger;
      }
      const n = source.readInto(window.subarray(have));
      if (n <= 0) {
        this.exhausted = true;
        break;
      }
      have += n;
    }
    this.window = window;
    r.reset(window, start, 0, have);
    if (this.exhausted) r.partial = false;
    return have >= need;
  }

  /** Makes `n` bytes after `reader.pos` available; false if the input ends first. */
  ensure(n: number): Promise<boolean> {
    return this.fill(this.reader.base + this.reader.pos + n);
  }

  /** True when no byte is left at `reader.pos`. */
  async atEnd(): Promise<boolean> {
    return !(await this.ensure(1));
  }

  /**
   * Receives everything that is left into the reader's buffer. More than `limit` unread bytes throws
   * LIMIT_EXCEEDED (the decoder's `maxBufferedBytes`).
   */
  async readAll(limit: number, why = "buffering the rest of the stream"): Promise<void> {
    const r = this.reader;
    const start = r.base + r.pos;
    const { parts } = await this.gather(Infinity, limit, why);
    r.reset(concatBytes(parts), start);
    r.partial = false;
  }

  /**
   * Runs a synchronous parse against `reader`; when it runs out of input, receives more and parses
   * again from the same start, so `parse` never sees a partial record. `limit` bounds how many bytes
   * one record may need (LIMIT_EXCEEDED beyond).
   */
  async parse<T>(parse: (r: ByteReader) => T, limit?: number): Promise<T> {
    const r = this.reader;
    for (;;) {
      const start = r.pos;
      try {
        return parse(r);
      } catch (e) {
        if (e !== NEED_MORE) throw e;
        r.pos = start;
        const begin = r.base + start;
        const wanted = NEED_MORE.wanted;
        if (limit !== undefined && wanted - begin > limit) {
          throw new FormatError("LIMIT_EXCEEDED", `a record needs more than ${limit} bytes (maxBufferedBytes)`, { offset: begin });
        }
        // Grow geometrically so a long record is not parsed again for every chunk.
        const grown = Math.max(wanted, begin + 2 * (r.end - start));
        await this.fill(limit === undefined ? grown : Math.min(grown, begin + limit + 1));
      }
    }
  }

  /** Reads exactly `n` bytes (a view; TRUNCATED if the input ends first). */
  async read(n: number): Promise<Uint8Array> {
    await this.ensure(n);
    return this.reader.bytes(n);
  }

  /** The unread input as chunks: what is buffered, then the rest of the source as it arrives. */
  async *rest(): AsyncGenerator<Uint8Array, void, undefined> {
    const r = this.reader;
    let offset = r.base + r.end;
    const buffered = r.buf.subarray(r.pos, r.end);
    r.reset(new Uint8Array(0), offset);
    if (buffered.length > 0) yield buffered;
    for (;;) {
      const c = await this.nextChunk();
      if (c === undefined) break;
      offset += c.length;
      r.reset(new Uint8Array(0), offset);
      yield c;
    }
    this.exhausted = true;
    r.partial = false;
  }

  /** Stops reading the source (cancels a ReadableStream, returns an iterator). */
  close(): Promise<void> {
    this.exhausted = true;
    return this.puller.close();
  }
}

function isPuller(source: ByteSource | ChunkPuller): source is ChunkPuller {
  return (
    typeof (source as ChunkPuller).next === "function" &&
    typeof (source as ChunkPuller).close === "function" &&
    !(Symbol.asyncIterator in source) &&
    !(Symbol.iterator in source)
  );
}

