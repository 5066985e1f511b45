/**
 * `@savevm/format/node`: files. Everything else in the package runs in browsers too.
 */
import { closeSync, createReadStream, createWriteStream, ftruncateSync, mkdirSync, openSync, readSync, writeSync } from "node:fs";
import { once } from "node:events";
import { dirname, join, normalize, sep } from "node:path";
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
    const path = this.pathFor(idstr);
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(path, "w+");
    this.fds.push(fd);
    ftruncateSync(fd, length);
    this.files.set(idstr, path);
    return {
      length,
      read(offset, into) {
        readSync(fd, into, 0, into.length, offset);
      },
      write(offset, data) {
        writeSync(fd, data, 0, data.length, offset);
      },
    };
  }

  private pathFor(idstr: string): string {
    const rel = normalize(idstr.replace(/^\/+/, ""));
    if (rel === "" || rel === "." || rel.startsWith(".." + sep) || rel === "..") {
      throw new FormatError("INVALID_VALUE", `RAM block name ${JSON.stringify(idstr)} cannot be used as a file name`);
    }
    return join(this.dir, rel);
  }

  close(): void {
    for (const fd of this.fds.splice(0)) closeSync(fd);
  }
}

export * from "./libvirt/node.js";
