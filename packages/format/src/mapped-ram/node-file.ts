import { close, closeSync, fstatSync, fsync, ftruncateSync, openSync, read, readSync, rmSync, writeSync } from "node:fs";
import { promisify } from "node:util";
import { commitTemporaryFile } from "../replacing-file.js";
import { releaseTemporaryFile, temporaryFileFor } from "../temporary-files.js";
import type { MigrationRecord } from "../records.js";
import type { PositionalSink, PositionalSource } from "./positional.js";
import { type MappedRamWriteOptions, type MappedRamWriteResult, writeMappedRam } from "./writer.js";

const fsyncAsync = promisify(fsync);
const closeAsync = promisify(close);
const readAsync = promisify(read);

function writeAll(fd: number, offset: number, data: Uint8Array): void {
  for (let done = 0; done < data.length; ) done += writeSync(fd, data, done, data.length - done, offset + done);
}

/** A file read at absolute offsets (a mapped-ram file needs them: it cannot come from a pipe). */
export interface PositionalFile extends PositionalSource {
  close(): Promise<void>;
}

/** Opens `path` for positional reads. */
export function openPositionalFile(path: string): PositionalFile {
  const fd = openSync(path, "r");
  const size = fstatSync(fd).size;
  return {
    size,
    async pread(offset, length) {
      const into = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
      for (let done = 0; done < into.length; ) {
        const { bytesRead } = await readAsync(fd, into, done, into.length - done, offset + done);
        if (bytesRead === 0) return into.subarray(0, done);
        done += bytesRead;
      }
      return into;
    },
    close: () => closeAsync(fd),
  };
}

/**
 * Writes a mapped-ram file from a stream's records (see writeMappedRam). Pages go to their offsets
 * with pwrite, so zero pages and the gaps before each 1 MiB boundary stay holes: the file is
 * sparse. It is written beside `path` and renamed into place at the end; on failure nothing
 * replaces a previous `path`.
 */
export async function writeMappedRamFile(
  records: AsyncIterable<MigrationRecord> | Iterable<MigrationRecord>,
  path: string,
  options?: MappedRamWriteOptions,
): Promise<MappedRamWriteResult> {
  const temporary = temporaryFileFor(path);
  const fd = openSync(temporary, "wx+", 0o600);
  const sink: PositionalSink = {
    pwrite: (offset, data) => writeAll(fd, offset, data),
    pread(offset, into) {
      into.fill(0);
      for (let done = 0; done < into.length; ) {
        const n = readSync(fd, into, done, into.length - done, offset + done);
        if (n === 0) return;
        done += n;
      }
    },
    setSize: (size) => ftruncateSync(fd, size),
  };
  let result: MappedRamWriteResult;
  try {
    result = await writeMappedRam(records, sink, options);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    releaseTemporaryFile(temporary);
    throw error;
  }
  await commitTemporaryFile({ sync: () => fsyncAsync(fd), close: () => closeAsync(fd) }, temporary, path);
  return result;
}
