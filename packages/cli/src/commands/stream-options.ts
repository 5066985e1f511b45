/** Options every command that decodes a stream shares, turned into the decoder's options. */
import { Option, type Command } from "commander";
import type { ReadMigrationOptions } from "@savevm/format";
import { UsageError } from "../cli-error.js";

export interface StreamFlags {
  configuration?: boolean;
  footers?: boolean;
  postcopyPageSizes?: boolean;
  ignoreShared?: boolean;
  maxBuffer?: string;
}

export function addStreamOptions(command: Command): Command {
  return command
    .addOption(new Option("--no-configuration", "the stream has no configuration record (send-configuration=off)"))
    .addOption(new Option("--no-footers", "sections carry no footers (send-section-footer=off)"))
    .option("--postcopy-page-sizes", "MEM_SIZE entries carry a page size (postcopy-ram with huge pages)")
    .option("--ignore-shared", "MEM_SIZE entries carry block addresses (x-ignore-shared)")
    .option("--max-buffer <MiB>", "most device-state bytes held while looking for the vmdesc trailer", "64");
}

/** commander sets `configuration`/`footers` to true by default; only an explicit --no- turns detection off. */
export function streamOptions(flags: StreamFlags, baseOffset: number): ReadMigrationOptions {
  const maxMiB = Number(flags.maxBuffer ?? "64");
  if (!Number.isFinite(maxMiB) || maxMiB <= 0) throw new UsageError(`--max-buffer: not a positive number of MiB: ${flags.maxBuffer}`);
  const options: ReadMigrationOptions = {
    configuration: flags.configuration === false ? false : "auto",
    footers: flags.footers === false ? false : "auto",
    maxBufferedBytes: Math.floor(maxMiB * 1024 * 1024),
    baseOffset,
  };
  if (flags.postcopyPageSizes) options.postcopyPageSizes = true;
  if (flags.ignoreShared) options.ignoreShared = true;
  return options;
}
