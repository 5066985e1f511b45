/**
 * RAM blocks written to one raw file each, named as QEMU's analyze-migration.py -x names them:
 * the block's idstr with every `/` turned into `_` (so `/rom@etc/acpi/tables` stays in the
 * directory), sized to the block's length up front so unsent pages read as zero.
 */
import { closeSync, ftruncateSync, openSync, readSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { RamBlockAccess, RamSink } from "@savevm/format";
import { UsageError } from "./cli-error.js";

export function extractFileName(idstr: string): string {
  const name = idstr.replaceAll("/", "_");
  if (name === "" || name === "." || name === ".." || name.includes("\0")) {
    throw new UsageError(`RAM block name ${JSON.stringify(idstr)} cannot be used as a file name`);
  }
  return name;
}

export class FileBlockWriter implements RamSink {
  private readonly fds: number[] = [];
  /** Block idstr → file path. */
  readonly files = new Map<string, string>();

  constructor(private readonly dir: string) {}

  block(idstr: string, length: number): RamBlockAccess {
    const path = join(this.dir, extractFileName(idstr));
    const fd = openSync(path, "w+");
    this.fds.push(fd);
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
