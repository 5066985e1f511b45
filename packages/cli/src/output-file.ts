/**
 * Output that never destroys what was there: bytes go to a temporary file beside the target,
 * which is renamed over it only when everything was written and synced (openReplacingFile of
 * @savevm/format/node, with the CLI's file errors). The temporary file is on
 * the process-wide list of @savevm/format/node, so an interrupt removes it (see interrupt.ts).
 */
import { openReplacingFile } from "@savevm/format/node";
import { CliFileError } from "./cli-error.js";

export interface ReplacingFile {
  write(chunk: Uint8Array): Promise<void>;
  /** Syncs and renames over the target. */
  commit(): Promise<void>;
  /** Removes the temporary file; the target is untouched. */
  abort(): Promise<void>;
}

export async function replaceFile(target: string, mode = 0o600): Promise<ReplacingFile> {
  let file;
  try {
    file = await openReplacingFile(target, { mode });
  } catch (err) {
    throw CliFileError.from(err, target);
  }
  const replacing = file;
  return {
    async write(chunk) {
      await replacing.write(chunk).catch((err: unknown) => {
        throw CliFileError.from(err, target);
      });
    },
    async commit() {
      await replacing.commit().catch((err: unknown) => {
        throw CliFileError.from(err, target);
      });
    },
    abort: () => replacing.abort(),
  };
}
