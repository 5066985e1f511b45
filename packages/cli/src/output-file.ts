/**
 * Output that never destroys what was there: bytes go to a temporary file beside the target,
 * which is renamed over it only when everything was written and synced. The temporary file is on
 * the process-wide list of @savevm/format/node, so an interrupt removes it (see interrupt.ts).
 */
import { open, rename, rm } from "node:fs/promises";
import { releaseTemporaryFile, temporaryFileFor } from "@savevm/format/node";
import { CliFileError } from "./cli-error.js";

export interface ReplacingFile {
  write(chunk: Uint8Array): Promise<void>;
  /** Syncs and renames over the target. */
  commit(): Promise<void>;
  /** Removes the temporary file; the target is untouched. */
  abort(): Promise<void>;
}

export async function replaceFile(target: string, mode = 0o600): Promise<ReplacingFile> {
  const temporary = temporaryFileFor(target);
  let handle;
  try {
    handle = await open(temporary, "wx", mode);
  } catch (err) {
    releaseTemporaryFile(temporary);
    throw CliFileError.from(err, target);
  }
  const file = handle;
  let closed = false;
  const close = async () => {
    if (!closed) {
      closed = true;
      await file.close();
    }
  };
  return {
    async write(chunk) {
      let done = 0;
      while (done < chunk.length) {
        const { bytesWritten } = await file.write(chunk, done, chunk.length - done).catch((err: unknown) => {
          throw CliFileError.from(err, target);
        });
        done += bytesWritten;
      }
    },
    async commit() {
      try {
        await file.sync();
        await close();
        await rename(temporary, target);
      } catch (err) {
        throw CliFileError.from(err, target);
      }
      releaseTemporaryFile(temporary);
    },
    async abort() {
      await close().catch(() => {});
      await rm(temporary, { force: true });
      releaseTemporaryFile(temporary);
    },
  };
}
