import { readMigrationStream, readSaveImage, sniffLibvirtSaveImage } from "@savevm/format";
import type { InputChannel } from "@savevm/machine";
import { snapshotDirectory, type OpfsFileHandle, type SnapshotMeta } from "../shared/opfs-types.js";
import { fileInput } from "./opfs-channel.js";

/** Writes `NAME.json` next to a saved state (small: through a sync handle, then flushed). */
export async function writeMeta(meta: SnapshotMeta): Promise<void> {
  const dir = await snapshotDirectory();
  const file = (await dir.getFileHandle(`${meta.name}.json`, { create: true })) as OpfsFileHandle;
  const handle = await file.createSyncAccessHandle();
  try {
    const bytes = new TextEncoder().encode(JSON.stringify(meta));
    handle.truncate(0);
    handle.write(bytes, { at: 0 });
    handle.flush();
  } finally {
    handle.close();
  }
}

export async function readMeta(name: string): Promise<SnapshotMeta> {
  const dir = await snapshotDirectory();
  const file = await (await dir.getFileHandle(`${name}.json`)).getFile();
  return JSON.parse(await file.text()) as SnapshotMeta;
}

/**
 * A saved state as a migration stream: a QEMU stream as it is, a libvirt save image unwrapped
 * (header and XML read, payload streamed). Either way the file is read forward, in chunks.
 */
export async function migrationInput(file: Blob): Promise<InputChannel> {
  const prefix = new Uint8Array(await file.slice(0, 16).arrayBuffer());
  if (sniffLibvirtSaveImage(prefix) !== null) {
    const image = await readSaveImage(file.stream());
    return image.stream;
  }
  return fileInput(file);
}

/** Guest RAM a stream's main block needs, from its RAM START (read from the front, then dropped). */
export async function ramSizeOf(input: Blob): Promise<number> {
  const stream = await migrationInput(input);
  try {
    for await (const rec of readMigrationStream(stream)) {
      if (rec.kind === "ram" && rec.type === "mem-size") {
        const main = rec.blocks[0];
        if (!main) break;
        return main.length;
      }
      if (rec.kind === "eof") break;
    }
  } finally {
    await stream.close();
  }
  throw new Error("the file holds no RAM block list, so no machine can be sized for it");
}

export async function snapshotFile(name: string): Promise<File> {
  const dir = await snapshotDirectory();
  const meta = await readMeta(name);
  return (await dir.getFileHandle(meta.file)).getFile();
}
