import { MemoryOutputChannel, memoryInputChannel, type InputChannel, type OutputChannel } from "../channel.js";
import { MachineError } from "../errors.js";

/** One named snapshot, as QEMU's snapshot table keeps it. */
export interface SnapshotInfo {
  /** QEMU's snapshot ID: a number, unique in its store, as text. */
  readonly id: string;
  readonly tag: string;
  /** When it was taken: seconds and nanoseconds since the epoch. */
  readonly dateSec: number;
  readonly dateNsec: number;
  /** Bytes of the saved VM state (the stream). */
  readonly vmStateSize: number;
  /** The guest's virtual clock at the save, in nanoseconds. */
  readonly vmClockNs: number;
}

/** A snapshot being written: its stream goes to `channel`, then `commit` records it. */
export interface SnapshotWrite {
  readonly channel: OutputChannel;
  /** Records the closed stream under `info.tag`, replacing a snapshot with that tag. */
  commit(info: Omit<SnapshotInfo, "id">): Promise<SnapshotInfo>;
}

/**
 * Where named snapshots live (QEMU keeps them in a qcow2 image; savevm in a directory, or in
 * memory). Monitors see it as one block node called `nodeName`.
 */
export interface SnapshotStore {
  readonly nodeName: string;
  list(): Promise<SnapshotInfo[]>;
  create(): Promise<SnapshotWrite>;
  /** The stream of the snapshot with this tag, or undefined. */
  open(tag: string): Promise<InputChannel | undefined>;
  /** Removes the snapshot with this tag; false when there was none. */
  delete(tag: string): Promise<boolean>;
}

/** The block node name a store gets unless told otherwise. */
export const DEFAULT_SNAPSHOT_NODE = "snapshots";

/** Snapshots kept in memory (for browsers and tests). */
export class MemorySnapshotStore implements SnapshotStore {
  readonly nodeName: string;
  readonly #snapshots: { info: SnapshotInfo; bytes: Uint8Array }[] = [];
  #nextId = 1;

  constructor(nodeName = DEFAULT_SNAPSHOT_NODE) {
    this.nodeName = nodeName;
  }

  async list(): Promise<SnapshotInfo[]> {
    return this.#snapshots.map((s) => s.info);
  }

  async create(): Promise<SnapshotWrite> {
    const channel = new MemoryOutputChannel();
    return {
      channel,
      commit: async (info) => {
        if (channel.state !== "closed") throw new MachineError("INVALID_STATE", "snapshot stream not closed");
        const entry = { info: { ...info, id: String(this.#nextId++) }, bytes: channel.bytes() };
        const old = this.#snapshots.findIndex((s) => s.info.tag === info.tag);
        if (old >= 0) this.#snapshots.splice(old, 1);
        this.#snapshots.push(entry);
        return entry.info;
      },
    };
  }

  async open(tag: string): Promise<InputChannel | undefined> {
    const found = this.#snapshots.find((s) => s.info.tag === tag);
    return found ? memoryInputChannel(found.bytes) : undefined;
  }

  async delete(tag: string): Promise<boolean> {
    const i = this.#snapshots.findIndex((s) => s.info.tag === tag);
    if (i < 0) return false;
    this.#snapshots.splice(i, 1);
    return true;
  }
}
