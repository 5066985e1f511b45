/** The parts of OPFS that TypeScript's DOM library leaves out (they exist in dedicated workers). */
export interface SyncAccessHandle {
  write(data: Uint8Array, options?: { at?: number }): number;
  read(data: Uint8Array, options?: { at?: number }): number;
  getSize(): number;
  truncate(size: number): void;
  flush(): void;
  close(): void;
}

export interface OpfsFileHandle extends FileSystemFileHandle {
  createSyncAccessHandle(): Promise<SyncAccessHandle>;
  move(name: string): Promise<void>;
}

/** Where saved states live in the origin private file system. */
export const SNAPSHOT_DIR = "snapshots";

/** What the page keeps next to each saved state (`NAME.json`). */
export interface SnapshotMeta {
  name: string;
  /** File name of the state in the snapshot directory. */
  file: string;
  format: "qemu" | "libvirt";
  bytes: number;
  /** Guest RAM of the machine that saved it. */
  memory: number;
  created: string;
  /** How it was taken: stop-and-save, live snapshot, or a copy of a dropped file. */
  how: string;
  pauseMs?: number;
  /** The guest's step counter at T0 (a live snapshot) or at the save. */
  steps?: number;
}

export async function snapshotDirectory(): Promise<FileSystemDirectoryHandle> {
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle(SNAPSHOT_DIR, { create: true });
}

/** Snapshot names become file names: letters, digits, dot, dash and underscore only. */
export function checkSnapshotName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) {
    throw new Error(`Invalid snapshot name '${name}': use 1 to 64 letters, digits, '.', '-' or '_', starting with a letter or digit`);
  }
  return name;
}
