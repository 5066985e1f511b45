/**
 * `@savevm/format/node`: files. Everything else in the package runs in browsers too.
 */
import { closeSync, createReadStream, createWriteStream, ftruncateSync, mkdirSync, openSync, renameSync, rmSync } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import { FormatError } from "./errors.js";
import type { MigrationRecord } from "./records.js";
import type { RamBlockAccess, RamSink } from "./ram/ram-applier.js";
import { readMigrationStream } from "./stream/decoder.js";
import { FileRamBlock } from "./file-ram-block.js";
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

/** A sink that writes to a file, waiting when the file stream asks for it; `close()` ends the file. */
export function createFileSink(path: string): { sink: (chunk: Uint8Array) => void | Promise<void>; close(): Promise<void> } {
  const out = createWriteStream(path);
  const failed = once(out, "error");
  failed.catch(() => undefined);
  return {
    sink(chunk) {
      if (!out.write(chunk)) return Promise.race([once(out, "drain").then(() => undefined), failed.then(([e]) => Promise.reject(e))]);
      return undefined;
    },
    async close() {
      out.end();
      await Promise.race([once(out, "finish"), failed.then(([e]) => Promise.reject(e))]);
    },
  };
}

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

  /** Closes the files and renames each into place. */
  close(): void {
    try {
      for (const block of this.blocks.splice(0)) block.flush();
    } catch (error) {
      this.abort();
      throw error;
    }
    for (const fd of this.fds.splice(0)) closeSync(fd);
    for (const [temporary, path] of this.temporaries.splice(0)) {
      renameSync(temporary, path);
      releaseTemporaryFile(temporary);
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
export {
  pendingTemporaryFiles,
  releaseTemporaryFile,
  removeTemporaryFiles,
  TEMPORARY_FILES,
  temporaryFileFor,
  trackTemporaryFile,
  type TemporaryFileList,
} from "./temporary-files.js";
