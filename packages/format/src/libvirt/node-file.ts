import { open, type FileHandle } from "node:fs/promises";
import { closingIterator } from "../source/closing-iterator.js";
import { openReplacingFile, type ReplacingFile } from "../replacing-file.js";
import { SaveImageError } from "./errors.js";
import { directFileChunks, directWriteSink } from "./node-direct-io.js";
import { withExternalPrograms } from "./node-programs.js";
import { readSaveImage, type ReadSaveImageOptions, type SaveImage } from "./read.js";
import {
  rewrittenHeaderAndData,
  writeSaveImage,
  type RewriteSaveImageXmlOptions,
  type SaveImageSink,
  type WriteSaveImageOptions,
  type WrittenSaveImage,
} from "./write.js";

const READ_CHUNK = 256 * 1024;

const SYSTEM_ERROR_TEXT: Record<string, string> = {
  ENOENT: "No such file or directory",
  EACCES: "Permission denied",
  EPERM: "Operation not permitted",
  ENOTDIR: "Not a directory",
  EISDIR: "Is a directory",
  ELOOP: "Too many levels of symbolic links",
};

async function openImage(file: string, flags: string): Promise<FileHandle> {
  try {
    return await open(file, flags);
  } catch (error) {
    throw openFailed(error, file);
  }
}

/** An open that failed, naming the file the caller gave (never a temporary name). */
function openFailed(error: unknown, file: string): SaveImageError {
  const code = (error as NodeJS.ErrnoException).code ?? "";
  const reason = SYSTEM_ERROR_TEXT[code] ?? (error as Error).message;
  return new SaveImageError("OPEN_FAILED", `Failed to open file '${file}': ${reason}`, undefined, { cause: error });
}

async function writeFully(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

/** The file's bytes from the start, read in order (positional reads: the handle may also be written). */
async function* fileChunks(handle: FileHandle): AsyncGenerator<Uint8Array> {
  let position = 0;
  for (;;) {
    const buffer = new Uint8Array(READ_CHUNK);
    const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

function fileChunksThenClose(handle: FileHandle): AsyncIterableIterator<Uint8Array> {
  return closingIterator(fileChunks(handle), () => handle.close());
}

/** Progress of reading an image file, in file bytes (compressed, for a compressed image). */
export interface FileProgressOption {
  /** Called with the bytes of the file read so far, header included. */
  onFileBytes?: (bytesRead: number) => void;
}

function countingBytes(source: AsyncIterableIterator<Uint8Array>, onBytes: ((bytes: number) => void) | undefined): AsyncIterableIterator<Uint8Array> {
  if (!onBytes) return source;
  return (async function* () {
    let read = 0;
    for await (const chunk of source) {
      read += chunk.length;
      onBytes(read);
      yield chunk;
    }
  })();
}

/** `virsh save/restore --bypass-cache`: image I/O with O_DIRECT. */
export interface BypassCacheOption {
  /** Read or write the file with O_DIRECT; fails with BYPASS_CACHE_UNSUPPORTED where the file system cannot. */
  bypassCache?: boolean;
}

/**
 * Reads a save image file from the front (no seeking), with the external programs available
 * for bzip2, xz, lzop and zstd. Open failures use libvirt's words: `Failed to open file '<file>': ...`.
 */
export async function readSaveImageFile(
  file: string,
  options: ReadSaveImageOptions & BypassCacheOption & FileProgressOption = {},
): Promise<SaveImage> {
  if (options.bypassCache) {
    // Opened once normally first, so a missing file reports libvirt's open error.
    await (await openImage(file, "r")).close();
    return readSaveImage(countingBytes(directFileChunks(file), options.onFileBytes), withExternalPrograms(options));
  }
  const handle = await openImage(file, "r");
  try {
    // The stream owns the handle from here: finishing or closing the image closes the file.
    return await readSaveImage(countingBytes(fileChunksThenClose(handle), options.onFileBytes), withExternalPrograms(options));
  } catch (error) {
    // Closing a handle the stream closed already does nothing.
    await handle.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Saves an image to `file` without ever exposing a half-written file under that name: writes a
 * temporary file (mode 0600) in the same directory, `LibvirtQemudPart` magic first, syncs the
 * data, writes the `LibvirtQemudSave` magic, syncs again, then renames over `file`. On any
 * failure the temporary file is removed and a previous `file` is left as it was.
 */
export async function saveImageToFile(
  file: string,
  options: WriteSaveImageOptions & BypassCacheOption,
  streamBytes: AsyncIterable<Uint8Array>,
): Promise<WrittenSaveImage> {
  let replacing: ReplacingFile;
  try {
    replacing = await openReplacingFile(file);
  } catch (error) {
    throw openFailed(error, file);
  }
  const handle = replacing.handle;
  try {
    // The creation mode is filtered by the umask; the image holds guest memory, so be exact.
    await handle.chmod(0o600);
    let position = 0;
    const direct = options.bypassCache ? await directWriteSink(replacing.temporary, handle) : undefined;
    const sink: SaveImageSink = direct ?? {
      async write(chunk) {
        await writeFully(handle, chunk, position);
        position += chunk.length;
      },
      async rewrite(at, bytes) {
        // Data first: the complete magic must never reach the disk before what it vouches for.
        await handle.sync();
        await writeFully(handle, bytes, at);
      },
    };
    let written: WrittenSaveImage;
    try {
      written = await writeSaveImage(sink, withExternalPrograms(options), streamBytes);
    } finally {
      await direct?.close();
    }
    await replacing.commit();
    return written;
  } finally {
    await replacing.abort();
  }
}

/**
 * Replaces the domain XML of a complete image file in place, keeping its data area (and so
 * the payload) where it is, as `virsh save-image-define` does. Fails with XML_DOES_NOT_FIT
 * ("new xml too large to fit in file") when the XML and cookie outgrow the area.
 */
export async function rewriteSaveImageXmlFile(file: string, newXml: string, options: RewriteSaveImageXmlOptions = {}): Promise<void> {
  const handle = await openImage(file, "r+");
  try {
    const front = await rewrittenHeaderAndData(fileChunks(handle), newXml, options);
    await writeFully(handle, front, 0);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
