/**
 * mapped-ram files in `inspect` and `convert`: they are read and written at fixed offsets, so
 * they need a regular file, never a pipe.
 */
import { isFormatError, isMappedRam, MAPPED_RAM_CAPABILITY, readMappedRam, withCapabilities, type MigrationRecord, type ReadMigrationOptions } from "@savevm/format";
import { openPositionalFile, type PositionalFile, writeMappedRamFile } from "@savevm/format/node";
import { namingFile, UsageError } from "../cli-error.js";
import { mayBeMappedRam } from "./mapped-ram-sniff.js";

/** The file opened for positional reads when `path` is a regular file holding a mapped-ram file. */
export async function openMappedRamInput(path: string): Promise<PositionalFile | undefined> {
  // A FIFO would block the open and lose the bytes the stream reader needs afterwards.
  if (!mayBeMappedRam(path)) return undefined;
  const file = openPositionalFile(path);
  if (await isMappedRam(file)) return file;
  await file.close();
  return undefined;
}

/** A mapped-ram file's records; `plain` drops the capability so they make an ordinary stream. */
export async function* mappedRamRecords(file: PositionalFile, options: ReadMigrationOptions, plain: boolean): AsyncGenerator<MigrationRecord> {
  for await (const rec of readMappedRam(file, options)) {
    yield plain && rec.kind === "configuration"
      ? withCapabilities(
          rec,
          rec.capabilities.filter((c) => c !== MAPPED_RAM_CAPABILITY),
        )
      : rec;
  }
}

/** The stream decoder's refusal of the capability, explained when the input was standard input. */
export function explainMappedRamOnStdin(err: unknown, path: string): unknown {
  if (path === "-" && isFormatError(err) && err.code === "EXTENSION_UNSUPPORTED" && err.message.includes(`capability ${MAPPED_RAM_CAPABILITY}`)) {
    return new UsageError("standard input holds a mapped-ram file, which is read at fixed offsets (pread): give its path instead of -");
  }
  return err;
}

/** Writes `--to mapped-ram` output: a sparse file put in place at the end (never standard output). */
export async function writeMappedRamOutput(records: AsyncIterable<MigrationRecord>, path: string): Promise<void> {
  if (path === "-") throw new UsageError("a mapped-ram file is written at fixed offsets (pwrite): give an output path, not -");
  await writeMappedRamFile(records, path).catch((err: unknown) => {
    throw namingFile(err, path);
  });
}
