/**
 * The one way savevm writes a file: a temporary file beside the target (mode 0600 unless told),
 * synced to disk, renamed over the target, and the directory synced so the rename is on disk too.
 * A reader, a crash or a power cut sees the old file or the whole new one, never part of one, and
 * a failure before the rename leaves the old file as it was and no temporary file. While it
 * exists the temporary file is on the process-wide list of temporary-files.ts, so a signal
 * handler can remove it.
 */
import { open, rename, rm, type FileHandle } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { releaseTemporaryFile, temporaryFileFor, trackTemporaryFile } from "./temporary-files.js";

/** The file operations a replace uses: node's, or a wrapper (tests record the order of syncs). */
export interface ReplaceFileSystem {
  open(path: string, flags: string, mode?: number): Promise<FileHandle>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options: { force: boolean }): Promise<void>;
}

const NODE_FILE_SYSTEM: ReplaceFileSystem = { open, rename, rm };

/** Error codes of file systems that cannot fsync a directory; the rename happened all the same. */
const DIRECTORY_SYNC_UNSUPPORTED = new Set(["EINVAL", "ENOTSUP", "EOPNOTSUPP"]);

export interface ReplaceFileOptions {
  /** Creation mode of the file (filtered by the umask); 0600, as the files hold guest state. */
  mode?: number;
  /** The temporary name to use instead of a fresh `.NAME.RANDOM.part` beside the target. */
  temporary?: string;
  fs?: ReplaceFileSystem;
}

/** A file being written under a temporary name; {@link ReplacingFile.commit} puts it in place. */
export interface ReplacingFile {
  readonly target: string;
  readonly temporary: string;
  /** The open temporary file, for positional writes; closed by commit or abort. */
  readonly handle: FileHandle;
  /** Appends `chunk` at the file position. */
  write(chunk: Uint8Array): Promise<void>;
  /** Syncs the file, closes it, renames it over the target and syncs the directory. */
  commit(): Promise<void>;
  /** Closes and removes the temporary file; the target is untouched. Does nothing after commit. */
  abort(): Promise<void>;
}

/** Creates the temporary file for replacing `target` (failing if that name exists). */
export async function openReplacingFile(target: string, options: ReplaceFileOptions = {}): Promise<ReplacingFile> {
  const fs = options.fs ?? NODE_FILE_SYSTEM;
  const given = options.temporary !== undefined;
  const temporary = given ? resolve(options.temporary!) : temporaryFileFor(target);
  let handle: FileHandle;
  try {
    handle = await fs.open(temporary, "wx", options.mode ?? 0o600);
  } catch (error) {
    // A given name that exists may be someone else's, still listed.
    if (!given) releaseTemporaryFile(temporary);
    throw error;
  }
  if (given) trackTemporaryFile(temporary);
  let open = true;
  let settled = false;
  const close = async () => {
    if (!open) return;
    open = false;
    await handle.close();
  };
  const remove = async () => {
    await close().catch(() => undefined);
    await fs.rm(temporary, { force: true });
    releaseTemporaryFile(temporary);
  };
  return {
    target,
    temporary,
    handle,
    async write(chunk) {
      let done = 0;
      while (done < chunk.length) done += (await handle.write(chunk, done, chunk.length - done)).bytesWritten;
    },
    async commit() {
      if (settled) throw new Error(`'${target}' was already committed or aborted`);
      settled = true;
      await commitTemporaryFile({ sync: () => handle.sync(), close }, temporary, target, fs);
    },
    async abort() {
      if (settled) return;
      settled = true;
      await remove();
    },
  };
}

/**
 * The commit of {@link openReplacingFile}, for a temporary file opened some other way (a listed
 * `temporary`, open as `file`): syncs and closes it, renames it over `target`, syncs the directory.
 * A failure before the rename removes the temporary file and takes it off the list.
 */
export async function commitTemporaryFile(
  file: { sync(): Promise<void>; close(): Promise<void> },
  temporary: string,
  target: string,
  fs: ReplaceFileSystem = NODE_FILE_SYSTEM,
): Promise<void> {
  let closed = false;
  try {
    await file.sync();
    closed = true;
    await file.close();
    await fs.rename(temporary, target);
  } catch (error) {
    if (!closed) await file.close().catch(() => undefined);
    await fs.rm(temporary, { force: true }).catch(() => undefined);
    releaseTemporaryFile(temporary);
    throw error;
  }
  releaseTemporaryFile(temporary);
  await syncDirectory(fs, dirname(resolve(target)));
}

/** Replaces `target` with `data` (see {@link openReplacingFile}). */
export async function writeFileReplacing(target: string, data: string | Uint8Array, options: ReplaceFileOptions = {}): Promise<void> {
  const file = await openReplacingFile(target, options);
  try {
    await file.write(typeof data === "string" ? new TextEncoder().encode(data) : data);
  } catch (error) {
    await file.abort().catch(() => undefined);
    throw error;
  }
  await file.commit();
}

/** The directory entry a rename changed must reach the disk as well as the file's data. */
async function syncDirectory(fs: ReplaceFileSystem, directory: string): Promise<void> {
  const handle = await fs.open(directory, "r");
  try {
    await handle.sync();
  } catch (error) {
    if (!DIRECTORY_SYNC_UNSUPPORTED.has((error as NodeJS.ErrnoException).code ?? "")) throw error;
  } finally {
    await handle.close();
  }
}
