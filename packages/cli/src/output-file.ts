/**
 * Output that never destroys what was there: bytes go to a temporary file beside the target,
 * which is renamed over it only when everything was written and synced.
 */
import { open, rename, rm } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { basename, dirname, join, resolve } from "node:path";

export interface ReplacingFile {
  write(chunk: Uint8Array): Promise<void>;
  /** Syncs and renames over the target. */
  commit(): Promise<void>;
  /** Removes the temporary file; the target is untouched. */
  abort(): Promise<void>;
}

export async function replaceFile(target: string, mode = 0o600): Promise<ReplacingFile> {
  const temporary = join(dirname(resolve(target)), `.${basename(target)}.${randomBytes(6).toString("hex")}.part`);
  const handle = await open(temporary, "wx", mode);
  let closed = false;
  const close = async () => {
    if (!closed) {
      closed = true;
      await handle.close();
    }
  };
  return {
    async write(chunk) {
      let done = 0;
      while (done < chunk.length) {
        const { bytesWritten } = await handle.write(chunk, done, chunk.length - done);
        done += bytesWritten;
      }
    },
    async commit() {
      await handle.sync();
      await close();
      await rename(temporary, target);
    },
    async abort() {
      await close().catch(() => {});
      await rm(temporary, { force: true });
    },
  };
}
