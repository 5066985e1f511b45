import { closeSync, createReadStream, openSync, readSync } from "node:fs";
import { stat } from "node:fs/promises";
import type { ReadIntoSource } from "@savevm/format/reader";
import { UsageError } from "./cli-error.js";

/** A command's input: a file or standard input, read as a stream of chunks, never whole. */
export interface Input {
  name: string;
  /** Total size when known (a regular file), for progress reporting. */
  size: number | undefined;
  /** The bytes as chunks; a file is opened when they are first read. */
  chunks: AsyncIterable<Uint8Array>;
  /** Set for a regular file: it can also be read with `fileReader`. */
  path?: string;
}

export async function openInput(path: string): Promise<Input> {
  if (path === "-") {
    return { name: "<stdin>", size: undefined, chunks: process.stdin };
  }
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(code === "ENOENT" ? `${path}: no such file` : `${path}: ${(err as Error).message}`);
  }
  if (info.isDirectory()) throw new UsageError(`${path}: is a directory`);
  const chunks: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => createReadStream(path, { highWaterMark: 1 << 20 })[Symbol.asyncIterator](),
  };
  return info.isFile() ? { name: path, size: info.size, chunks, path } : { name: path, size: undefined, chunks };
}

export interface FileReaderOptions {
  /** Offset of the first byte to read (a stream inside a save image). */
  start?: number;
  /** Told the file offset reached after each read. */
  onRead?: (position: number) => void;
  /** Runs once, when the reader is closed (the decoder is done with the file). */
  onClose?: () => void;
}

/**
 * A regular file read with blocking positional reads, straight into the decoder's buffer: no
 * chunk allocated and no promise per read, the cheapest way through a large file.
 */
export function fileReader(path: string, options: FileReaderOptions = {}): ReadIntoSource {
  const { onRead, onClose } = options;
  let fd: number | undefined;
  let closed = false;
  let position = options.start ?? 0;
  const close = (): void => {
    if (closed) return;
    closed = true;
    if (fd !== undefined) closeSync(fd);
    onClose?.();
  };
  return {
    readInto(into) {
      if (closed) return 0;
      fd ??= openSync(path, "r");
      const n = readSync(fd, into, 0, into.length, position);
      position += n;
      onRead?.(position);
      return n;
    },
    close,
  };
}

/** The first `n` bytes of a file (fewer if it is shorter). */
export function readHead(path: string, n: number): Uint8Array {
  const fd = openSync(path, "r");
  try {
    const head = new Uint8Array(n);
    let have = 0;
    while (have < n) {
      const got = readSync(fd, head, have, n - have, have);
      if (got === 0) break;
      have += got;
    }
    return head.subarray(0, have);
  } finally {
    closeSync(fd);
  }
}
