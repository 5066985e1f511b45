/**
 * `@savevm/format/node`: files. Everything else in the package runs in browsers too.
 */
import { closeSync, createReadStream, createWriteStream, ftruncateSync, openSync, readSync, writeSync } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import { FormatError } from "./errors.js";
import type { MigrationRecord } from "./records.js";
import type { RamBlockAccess, RamSink } from "./ram/ram-applier.js";
import { readMigrationStream } from "./stream/decoder.js";
import type { ReadMigrationOptions } from "./stream/read-options.js";

/** A file's bytes as chunks (1 MiB by default), for readMigrationStream and friends. */
export function openFileSource(path: string, options: { start?: number; highWaterMark?: number } = {}): AsyncIterable<Uint8Array> {
  return createReadStream(path, { start: options.start, highWaterMark: options.highWaterMark ?? 1024 * 1024 });
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
 * zeros of the block's length.
 */
export class FileRamSink implements RamSink {
  private readonly fds: number[] = [];
  /** Block name → file path. */
  readonly files = new Map<string, string>();

  constructor(private readonly dir: string) {}

  block(idstr: string, length: number): RamBlockAccess {
    const path = join(this.dir, ramBlockFileName(idstr));
    const fd = openSync(path, "w+");
    this.fds.push(fd);
    // Sized up front, so pages the stream never sent read back as zero, as in fresh guest RAM.
    ftruncateSync(fd, length);
    this.files.set(idstr, path);
    return {
      length,
      read(offset, into) {
        let done = 0;
        while (done < into.length) {
          const n = readSync(fd, into, done, into.length - done, offset + done);
          if (n === 0) {
            into.fill(0, done);
            return;
          }
          done += n;
        }
      },
      write(offset, data) {
        let done = 0;
        while (done < data.length) done += writeSync(fd, data, done, data.length - done, offset + done);
      },
    };
  }

  close(): void {
    for (const fd of this.fds.splice(0)) closeSync(fd);
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
