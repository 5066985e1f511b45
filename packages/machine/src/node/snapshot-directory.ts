import { mkdir, readFile, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { InputChannel } from "../channel.js";
import { MachineError } from "../errors.js";
import { DEFAULT_SNAPSHOT_NODE, type SnapshotInfo, type SnapshotStore, type SnapshotWrite } from "../snapshot/snapshot-store.js";
import { FileOutputChannel, openFileInput } from "./file-channel.js";
import { writeFileReplacing } from "@savevm/format/node";

const INDEX = "index.json";
/** An index larger than this is not one this code wrote. */
const MAX_INDEX_BYTES = 16 << 20;

interface IndexFile {
  version: 1;
  nextId: number;
  snapshots: SnapshotInfo[];
}

function isInfo(v: unknown): v is SnapshotInfo {
  const o = v as Record<string, unknown>;
  return (
    typeof o === "object" &&
    o !== null &&
    typeof o["id"] === "string" &&
    /^\d+$/.test(o["id"]) &&
    typeof o["tag"] === "string" &&
    ["dateSec", "dateNsec", "vmStateSize", "vmClockNs"].every((k) => Number.isSafeInteger(o[k]) && (o[k] as number) >= 0)
  );
}

/**
 * Named snapshots in a directory (`savevm run --snapshots DIR`): one stream per snapshot,
 * `<id>.vmstate`, and `index.json` with tag, date, VM state size and VM clock of each. Streams
 * are written under a temporary name and renamed when complete; the index is replaced whole
 * (written to a temporary file, synced, renamed), so a crash leaves either the old or the new
 * index, never a half one.
 */
export class SnapshotDirectory implements SnapshotStore {
  readonly dir: string;
  readonly nodeName: string;
  /** Index updates one after the other. */
  #queue: Promise<unknown> = Promise.resolve();
  #reservedId = 0;

  private constructor(dir: string, nodeName: string) {
    this.dir = dir;
    this.nodeName = nodeName;
  }

  /** Opens (creating it, mode 0700) a snapshot directory; a damaged index is refused. */
  static async open(dir: string, nodeName = DEFAULT_SNAPSHOT_NODE): Promise<SnapshotDirectory> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const store = new SnapshotDirectory(dir, nodeName);
    await store.#read();
    return store;
  }

  async #read(): Promise<IndexFile> {
    const path = join(this.dir, INDEX);
    let text: string;
    try {
      if ((await stat(path)).size > MAX_INDEX_BYTES) throw new MachineError("INVALID_CONFIG", `Snapshot index '${path}' is too large`);
      text = await readFile(path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, nextId: 1, snapshots: [] };
      throw err;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new MachineError("INVALID_CONFIG", `Snapshot index '${path}' is not valid JSON`);
    }
    const index = parsed as Partial<IndexFile>;
    if (index.version !== 1 || !Number.isSafeInteger(index.nextId) || !Array.isArray(index.snapshots) || !index.snapshots.every(isInfo)) {
      throw new MachineError("INVALID_CONFIG", `Snapshot index '${path}' is damaged or of an unknown version`);
    }
    return index as IndexFile;
  }

  async #write(index: IndexFile): Promise<void> {
    await writeFileReplacing(join(this.dir, INDEX), `${JSON.stringify(index, null, 2)}\n`);
  }

  /** Runs `update` on the current index, writes what it returns; one update at a time. */
  #update<T>(update: (index: IndexFile) => { index: IndexFile; result: T }): Promise<T> {
    const run = this.#queue.then(async () => {
      const { index, result } = update(await this.#read());
      await this.#write(index);
      return result;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #file(id: string): string {
    return join(this.dir, `${id}.vmstate`);
  }

  async list(): Promise<SnapshotInfo[]> {
    return (await this.#read()).snapshots;
  }

  async create(): Promise<SnapshotWrite> {
    const index = await this.#read();
    const id = String(Math.max(index.nextId, this.#reservedId + 1));
    this.#reservedId = Number(id);
    const channel = new FileOutputChannel(this.#file(id));
    await channel.ready();
    return {
      channel,
      commit: async (info) => {
        const replaced = await this.#update((current) => {
          const old = current.snapshots.filter((s) => s.tag === info.tag);
          const entry: SnapshotInfo = { ...info, id };
          return {
            index: {
              version: 1,
              nextId: Math.max(current.nextId, Number(id) + 1),
              snapshots: [...current.snapshots.filter((s) => s.tag !== info.tag), entry],
            },
            result: old,
          };
        }).catch(async (err: unknown) => {
          await unlink(this.#file(id)).catch(() => undefined);
          throw err;
        });
        for (const o of replaced) await unlink(this.#file(o.id)).catch(() => undefined);
        return { ...info, id };
      },
    };
  }

  async open(tag: string): Promise<InputChannel | undefined> {
    const found = (await this.#read()).snapshots.find((s) => s.tag === tag);
    return found ? openFileInput(this.#file(found.id)) : undefined;
  }

  async delete(tag: string): Promise<boolean> {
    const removed = await this.#update((current) => ({
      index: { ...current, snapshots: current.snapshots.filter((s) => s.tag !== tag) },
      result: current.snapshots.filter((s) => s.tag === tag),
    }));
    for (const r of removed) await unlink(this.#file(r.id)).catch(() => undefined);
    return removed.length > 0;
  }
}
