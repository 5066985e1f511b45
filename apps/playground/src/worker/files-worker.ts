/**
 * The page's file work, off the UI thread: inspecting a dropped or opened file, listing and
 * deleting the saved states in OPFS, and wrapping a saved stream into a libvirt save image.
 */
import { writeSaveImage } from "@savevm/format";
import { snapshotDirectory, type OpfsFileHandle, type SnapshotMeta } from "../shared/opfs-types.js";
import type { Reply } from "../shared/protocol.js";
import { fileInput } from "./opfs-channel.js";
import { readMeta } from "./opfs-files.js";
import { inspectFile } from "./inspect-file.js";

export type FilesRequest =
  | { cmd: "inspect"; file: File }
  | { cmd: "list" }
  | { cmd: "delete"; name: string }
  | { cmd: "libvirt"; name: string };

interface WorkerScope {
  onmessage: ((e: MessageEvent<{ id: number; request: FilesRequest }>) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;

async function list(): Promise<SnapshotMeta[]> {
  const dir = await snapshotDirectory();
  const metas: SnapshotMeta[] = [];
  for await (const [name] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
    if (!name.endsWith(".json")) continue;
    try {
      metas.push(await readMeta(name.slice(0, -5)));
    } catch {
      // a half-written entry from a tab closed mid-save: not listed
    }
  }
  return metas.sort((a, b) => a.created.localeCompare(b.created));
}

async function remove(name: string): Promise<void> {
  const dir = await snapshotDirectory();
  for (const file of [`${name}.mig`, `${name}.save`, `${name}.json`]) await dir.removeEntry(file).catch(() => undefined);
}

/** Domain XML for a playground machine: enough for `virsh save-image-dumpxml` and `savevm inspect`. */
function domainXml(meta: SnapshotMeta): string {
  const kib = Math.floor(meta.memory / 1024);
  return [
    "<domain type='qemu'>",
    `  <name>${meta.name}</name>`,
    `  <memory unit='KiB'>${kib}</memory>`,
    `  <currentMemory unit='KiB'>${kib}</currentMemory>`,
    "  <vcpu>1</vcpu>",
    "  <os><type arch='x86_64'>hvm</type></os>",
    "</domain>",
    "",
  ].join("\n");
}

/** Streams `NAME.mig` into `NAME.save` (libvirt's container, raw payload), through a sync handle. */
async function toLibvirt(name: string): Promise<{ file: string; bytes: number }> {
  const meta = await readMeta(name);
  const dir = await snapshotDirectory();
  const source = await (await dir.getFileHandle(meta.file)).getFile();
  const target = `${name}.save`;
  const part = (await dir.getFileHandle(`${target}.part`, { create: true })) as OpfsFileHandle;
  const handle = await part.createSyncAccessHandle();
  let at = 0;
  try {
    handle.truncate(0);
    await writeSaveImage(
      {
        write(chunk) {
          at += handle.write(chunk, { at });
        },
        rewrite(position, bytes) {
          handle.write(bytes, { at: position });
        },
      },
      { domainXml: domainXml(meta), wasRunning: meta.how === "live snapshot", format: "raw" },
      fileInput(source),
    );
    handle.flush();
  } catch (err) {
    handle.close();
    await dir.removeEntry(`${target}.part`).catch(() => undefined);
    throw err;
  }
  handle.close();
  await dir.removeEntry(target).catch(() => undefined);
  await part.move(target);
  return { file: target, bytes: at };
}

async function handle(request: FilesRequest): Promise<{ result?: unknown; transfer?: Transferable[] }> {
  switch (request.cmd) {
    case "inspect": {
      const result = await inspectFile(request.file);
      return { result, transfer: result.map ? [result.map.kinds.buffer] : [] };
    }
    case "list":
      return { result: await list() };
    case "delete":
      await remove(request.name);
      return {};
    case "libvirt":
      return { result: await toLibvirt(request.name) };
  }
}

scope.onmessage = (e) => {
  const { id, request } = e.data;
  handle(request).then(
    ({ result, transfer }) => scope.postMessage({ id, ok: true, result } satisfies Reply, transfer ?? []),
    (err: unknown) => scope.postMessage({ id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies Reply),
  );
};
