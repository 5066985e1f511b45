import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { UsageError } from "./cli-error.js";

/** A command's input: a file or standard input, read as a stream of chunks, never whole. */
export interface Input {
  name: string;
  /** Total size when known (a regular file), for progress reporting. */
  size: number | undefined;
  chunks: AsyncIterable<Uint8Array>;
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
  return {
    name: path,
    size: info.isFile() ? info.size : undefined,
    chunks: createReadStream(path, { highWaterMark: 1 << 20 }),
  };
}
