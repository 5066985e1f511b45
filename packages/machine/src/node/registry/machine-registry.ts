import { randomBytes } from "node:crypto";
import { readdir, readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import { writeFileReplacing } from "@savevm/format/node";
import { withLockFile } from "./lock-file.js";
import { checkMachineName, checkMachineUuid, parseMachineRecord, type MachineRecord } from "./machine-record.js";
import { isProcessAlive, isSameProcessAlive, processStartTime } from "./process-liveness.js";
import { RegistryError } from "./registry-error.js";
import { defaultRuntimeDir, ensureRuntimeDir } from "./runtime-dir.js";

/** What a machine gives when it registers; the registry adds the id, the start time and the pid's start time. */
export type MachineRegistration = Omit<MachineRecord, "id" | "startedAt" | "pidStart">;

/** A registered machine's handle on its own entry. */
export interface RegisteredMachine {
  /** The entry as last written. */
  readonly record: MachineRecord;
  /** Rewrites the entry (temp file + rename) with new state or monitor addresses. */
  update(patch: Partial<Pick<MachineRecord, "state" | "qmp" | "hmp">>): Promise<void>;
  /** Removes the entry; later calls do nothing. */
  unregister(): Promise<void>;
}

export interface MachineRegistryOptions {
  /** Default {@link defaultRuntimeDir}. */
  runtimeDir?: string;
  /** How long `register` waits for another process's registration (default 10 s). */
  lockTimeoutMs?: number;
}

const ENTRY_RE = /^machine-(\d+)\.json$/;
const LEFTOVER_RE = /^\.tmp-(\d+)-[0-9a-f]+$/;
const LOCK = "registry.lock";
const NEXT_ID = "next-id";

function entryName(id: number): string {
  return `machine-${id}.json`;
}

/**
 * Writes `text` as `path` with the durable replace of @savevm/format/node; the temporary name
 * carries the writer's pid, so a listing can remove one whose writer died (LEFTOVER_RE).
 */
async function writeFileAtomic(dir: string, path: string, text: string): Promise<void> {
  await writeFileReplacing(path, text, { temporary: join(dir, `.tmp-${process.pid}-${randomBytes(4).toString("hex")}`) });
}

function sameUuid(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * libvirt's refusal for a machine that would duplicate a live one (virDomainObjListAdd with
 * ADD_LIVE | ADD_CHECK_LIVE), or undefined when there is none.
 */
export function conflictWith(records: readonly MachineRecord[], name: string, uuid: string): RegistryError | undefined {
  const byUuid = records.find((r) => sameUuid(r.uuid, uuid));
  if (byUuid) {
    if (byUuid.name === name) {
      return new RegistryError("DOMAIN_ACTIVE", `Requested operation is not valid: domain '${name}' is already active`);
    }
    return new RegistryError("DOMAIN_UUID_EXISTS", `operation failed: domain '${byUuid.name}' is already defined with uuid ${byUuid.uuid}`);
  }
  const byName = records.find((r) => r.name === name);
  if (byName) return new RegistryError("DOMAIN_EXISTS", `operation failed: domain '${name}' already exists with uuid ${byName.uuid}`);
  return undefined;
}

/**
 * The machines running on this host, one 0600 JSON file each in a 0700 runtime directory.
 * Entries of dead processes are dropped whenever the registry is read; registration is atomic
 * across processes (an O_EXCL lock file around the conflict check and the write).
 */
export class MachineRegistry {
  readonly dir: string;
  readonly #lockTimeoutMs: number | undefined;

  private constructor(dir: string, lockTimeoutMs: number | undefined) {
    this.dir = dir;
    this.#lockTimeoutMs = lockTimeoutMs;
  }

  /** Opens (creating when missing) the registry in `runtimeDir`. */
  static async open(options: MachineRegistryOptions = {}): Promise<MachineRegistry> {
    const dir = options.runtimeDir ?? defaultRuntimeDir();
    await ensureRuntimeDir(dir);
    return new MachineRegistry(dir, options.lockTimeoutMs);
  }

  /** Live machines by id. Entries whose process is gone are deleted on the way. */
  async list(): Promise<MachineRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      throw new RegistryError("RUNTIME_DIR", `cannot read runtime directory '${this.dir}': ${(err as Error).message}`, {
        path: this.dir,
        cause: err,
      });
    }
    const records: MachineRecord[] = [];
    for (const name of names) {
      const leftover = LEFTOVER_RE.exec(name);
      // a temporary file whose writer died before renaming it
      if (leftover && !isProcessAlive(Number(leftover[1]))) await unlink(join(this.dir, name)).catch(() => undefined);
      if (!ENTRY_RE.test(name)) continue;
      const path = join(this.dir, name);
      let record: MachineRecord;
      try {
        record = parseMachineRecord(await readFile(path, "utf8"), path);
      } catch {
        // Removed meanwhile, or not ours to interpret: neither is a live machine.
        continue;
      }
      if (!isSameProcessAlive(record.pid, record.pidStart)) {
        await unlink(path).catch(() => undefined);
        continue;
      }
      records.push(record);
    }
    return records.sort((a, b) => a.id - b.id);
  }

  /** A live machine by numeric id, UUID or name, in that order (as virsh looks domains up). */
  async find(ref: string): Promise<MachineRecord | undefined> {
    const records = await this.list();
    if (/^\d+$/.test(ref)) {
      const byId = records.find((r) => r.id === Number(ref));
      if (byId) return byId;
    }
    return records.find((r) => sameUuid(r.uuid, ref)) ?? records.find((r) => r.name === ref);
  }

  /** Throws libvirt's error when a machine with this name or UUID is running. */
  async checkConflict(name: string, uuid: string): Promise<void> {
    const conflict = conflictWith(await this.list(), name, uuid);
    if (conflict) throw conflict;
  }

  /**
   * Adds a machine: the conflict check, the id and the entry happen under the registry lock, so
   * of two processes registering one name exactly one succeeds.
   */
  async register(entry: MachineRegistration): Promise<RegisteredMachine> {
    checkMachineName(entry.name);
    checkMachineUuid(entry.uuid);
    if (!isProcessAlive(entry.pid)) throw new RegistryError("INVALID_RECORD", `process ${entry.pid} is not running`);
    const record = await withLockFile(
      join(this.dir, LOCK),
      async () => {
        const live = await this.list();
        const conflict = conflictWith(live, entry.name, entry.uuid);
        if (conflict) throw conflict;
        const id = await this.#nextId(live);
        const pidStart = processStartTime(entry.pid);
        const created: MachineRecord = {
          id,
          ...entry,
          uuid: entry.uuid.toLowerCase(),
          ...(pidStart !== undefined ? { pidStart } : {}),
          startedAt: new Date().toISOString(),
        };
        await writeFileAtomic(this.dir, join(this.dir, entryName(id)), `${JSON.stringify(created, null, 2)}\n`);
        return created;
      },
      this.#lockTimeoutMs !== undefined ? { timeoutMs: this.#lockTimeoutMs } : {}
    );
    return this.#handle(record);
  }

  async #nextId(live: readonly MachineRecord[]): Promise<number> {
    const path = join(this.dir, NEXT_ID);
    const stored = Number((await readFile(path, "utf8").catch(() => "1")).trim());
    const id = Math.max(Number.isSafeInteger(stored) && stored > 0 ? stored : 1, ...live.map((r) => r.id + 1));
    await writeFileAtomic(this.dir, path, `${id + 1}\n`);
    return id;
  }

  #handle(initial: MachineRecord): RegisteredMachine {
    const dir = this.dir;
    const path = join(dir, entryName(initial.id));
    let record = initial;
    let gone = false;
    // Updates are written one after another so an older state never lands last.
    let writing: Promise<void> = Promise.resolve();
    return {
      get record() {
        return record;
      },
      update(patch) {
        if (gone) return Promise.resolve();
        record = { ...record, ...patch };
        const text = `${JSON.stringify(record, null, 2)}\n`;
        // One failed write must not stop the later ones.
        writing = writing.catch(() => undefined).then(() => (gone ? undefined : writeFileAtomic(dir, path, text)));
        return writing;
      },
      async unregister() {
        if (gone) return;
        gone = true;
        await writing.catch(() => undefined);
        await unlink(path).catch(() => undefined);
      },
    };
  }
}
