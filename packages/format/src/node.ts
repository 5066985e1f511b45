/**
 * `@savevm/format/node`: files. Everything else in the package runs in browsers too.
 */
import { close as closeFd, closeSync, createReadStream, fsync, ftruncateSync, mkdirSync, openSync, rmSync } from "node:fs";
import { promisify } from "node:util";
import { join } from "node:path";
import { FormatError } from "./errors.js";
import type { MigrationRecord } from "./records.js";
import type { RamBlockAccess, RamSink } from "./ram/ram-applier.js";
import { readMigrationStream } from "./stream/decoder.js";
import { FileRamBlock } from "./file-ram-block.js";
import { commitTemporaryFile, openReplacingFile } from "./replacing-file.js";
import { releaseTemporaryFile, temporaryFileFor } from "./temporary-files.js";
import type { ReadMigrationOptions } from "./stream/read-options.js";

/**
 * A file's bytes as chunks (1 MiB by default), for readMigrationStream and friends. The file is
 * opened when an iteration reads its first chunk (each iteration reads it afresh) and closed when the iteration
 * ends: at the end of the file, on `break`, on a `return()` or `throw()`, or on a read error. A
 * source nobody iterates holds no file open.
 */
export function openFileSource(path: string, options: { start?: number; highWaterMark?: number } = {}): AsyncIterable<Uint8Array> {
  return {
    // A generator's body (the open) runs at the first next(): a decoder may take the iterator early.
    async *[Symbol.asyncIterator]() {
      yield* createReadStream(path, { start: options.start, highWaterMark: options.highWaterMark ?? 1024 * 1024 });
    },
  };
}

/** readMigrationStream over a file. */
export function readMigrationFile(path: string, options?: ReadMigrationOptions): AsyncIterable<MigrationRecord> {
  return readMigrationStream(openFileSource(path), options);
}

/**
 * A sink that writes to a file, each chunk written before the next (its promise settles once the
 * chunk is written). The bytes go to a temporary file beside `path`: `close()` puts it in place
 * durably (see openReplacingFile), `abort()` removes it and leaves a previous `path` as it was.
 */
export function createFileSink(path: string): {
  sink: (chunk: Uint8Array) => Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
} {
  const opening = openReplacingFile(path);
  // Failures surface from sink, close and abort; this keeps an early one from being unhandled.
  opening.catch(() => undefined);
  let written: Promise<unknown> = opening;
  const abort = async () => {
    await written.catch(() => undefined);
    await (await opening.catch(() => undefined))?.abort();
  };
  return {
    sink(chunk) {
      const write = written.then(async () => (await opening).write(chunk));
      written = write;
      return write;
    },
    async close() {
      try {
        await written;
      } catch (error) {
        await abort();
        throw error;
      }
      await (await opening).commit();
    },
    abort,
  };
}

const fsyncAsync = promisify(fsync);
const closeAsync = promisify(closeFd);

/**
 * Writes each RAM block to its own file under `dir`, named by its idstr the way
 * `analyze-migration.py -x` does (`pc.ram`, `rom@etc/acpi/tables`, …). Files start as sparse
 * zeros of the block's length. `dir` is created (with its parents, mode 0700: it holds guest
 * memory) when the first block arrives.
 */
export class FileRamSink implements RamSink {
  private readonly fds: number[] = [];
  private readonly blocks: FileRamBlock[] = [];
  /** Temporary name → final name, for the blocks being written. */
  private readonly temporaries: [string, string][] = [];
  /** Block name → file path. */
  readonly files = new Map<string, string>();

  constructor(private readonly dir: string) {}

  block(idstr: string, length: number): RamBlockAccess {
    const path = join(this.dir, ramBlockFileName(idstr));
    if (this.files.size === 0) mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    // Written under a temporary name, 0600 (guest memory), and renamed by close(): an interrupted
    // extraction leaves no half-written block behind and no earlier file damaged.
    const temporary = temporaryFileFor(path);
    let fd: number;
    try {
      fd = openSync(temporary, "wx+", 0o600);
    } catch (error) {
      releaseTemporaryFile(temporary);
      throw error;
    }
    this.fds.push(fd);
    this.temporaries.push([temporary, path]);
    // Sized up front, so pages the stream never sent read back as zero, as in fresh guest RAM.
    ftruncateSync(fd, length);
    this.files.set(idstr, path);
    const block = new FileRamBlock(fd, length);
    this.blocks.push(block);
    return block;
  }

  /** Closes the files and renames each into place, each synced to disk first and its rename after. */
  async close(): Promise<void> {
    try {
      for (const block of this.blocks.splice(0)) block.flush();
    } catch (error) {
      this.abort();
      throw error;
    }
    try {
      while (this.fds.length > 0) {
        const fd = this.fds.shift()!;
        const [temporary, path] = this.temporaries.shift()!;
        await commitTemporaryFile({ sync: () => fsyncAsync(fd), close: () => closeAsync(fd) }, temporary, path);
      }
    } catch (error) {
      this.abort();
      throw error;
    }
  }

  /** Closes and removes the files written so far; files already at the final names stay as they were. */
  abort(): void {
    this.blocks.length = 0;
    for (const fd of this.fds.splice(0)) closeSync(fd);
    for (const [temporary] of this.temporaries.splice(0)) {
      rmSync(temporary, { force: true });
      releaseTemporaryFile(temporary);
    }
  }
}

/**
 * The file a RAM block is extracted to, as QEMU's analyze-migration.py -x names it: the idstr with
 * every `/` turned into `_`, so `/rom@etc/acpi/tables` stays inside the directory.
 */
export function ramBlockFileName(idstr: string): string {
  const name = idstr.replaceAll("/", "_");
  if (name === "" || name === "." || name === ".." || name.includes("\0")) {
    throw new FormatError("INVALID_VALUE", `RAM block name ${JSON.stringify(idstr)} cannot be used as a file name`);
  }
  return name;
}

export * from "./libvirt/node.js";
export { openPositionalFile, type PositionalFile, writeMappedRamFile } from "./mapped-ram/node-file.js";
export {
  commitTemporaryFile,
  openReplacingFile,
  writeFileReplacing,
  type ReplaceFileOptions,
  type ReplaceFileSystem,
  type ReplacingFile,
} from "./replacing-file.js";
export {
  pendingTemporaryFiles,
  releaseTemporaryFile,
  removeTemporaryFiles,
  TEMPORARY_FILES,
  temporaryFileFor,
  trackTemporaryFile,
  type TemporaryFileList,
} from "./temporary-files.js";
