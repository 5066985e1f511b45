import { MachineError } from "../errors.js";
import type { Machine } from "../machine.js";
import type { SnapshotInfo, SnapshotStore } from "./snapshot-store.js";

/** The block nodes a QMP snapshot command names; absent for HMP (every node, any for vmstate). */
export interface SnapshotNodes {
  /** Node that stores the VM state. */
  vmstate?: string;
  /** Nodes taking part. */
  devices?: readonly string[];
}

function failure(message: string): MachineError {
  return new MachineError("INVALID_ARGUMENT", message);
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** HMP `savevm` without a name: `vm-%Y%m%d%H%M%S` in local time, as QEMU names it. */
export function defaultSnapshotTag(date: Date): string {
  return `vm-${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
}

/**
 * Named snapshots of a machine in a store, with QEMU's rules and words (`save_snapshot`,
 * `load_snapshot`, `delete_snapshot`): the store is the only block node there is.
 */
export class NamedSnapshots {
  readonly machine: Machine;
  readonly store: SnapshotStore | undefined;
  readonly #now: () => number;

  constructor(machine: Machine, store: SnapshotStore | undefined, now: () => number = () => Date.now()) {
    this.machine = machine;
    this.store = store;
    this.#now = now;
  }

  /** QEMU's bdrv_all_get_snapshot_devices: an explicit list must name existing nodes. */
  #checkDevices(nodes: SnapshotNodes): void {
    const devices = nodes.devices;
    if (devices === undefined) return;
    if (devices.length === 0) throw failure("At least one device is required for snapshot");
    for (const d of devices) if (d !== this.store?.nodeName) throw failure(`No block device node '${d}'`);
  }

  /** QEMU's bdrv_all_find_vmstate_bs: the store, if the request lets it hold the VM state. */
  #vmstateStore(nodes: SnapshotNodes): SnapshotStore {
    const store = this.store;
    if (nodes.vmstate !== undefined) {
      const listed = nodes.devices === undefined || nodes.devices.includes(nodes.vmstate);
      if (!store || nodes.vmstate !== store.nodeName || !listed) throw failure(`vmstate block device '${nodes.vmstate}' does not exist`);
      return store;
    }
    if (!store) throw failure("no block device can store vmstate for snapshot");
    return store;
  }

  async list(): Promise<SnapshotInfo[]> {
    if (!this.store) throw failure("no block device can store vmstate for snapshot");
    return this.store.list();
  }

  async find(tag: string): Promise<SnapshotInfo | undefined> {
    return (await this.store?.list())?.find((s) => s.tag === tag);
  }

  /**
   * Saves the machine under `tag` (HMP: `savevm` overwrites; QMP `snapshot-save` refuses an
   * existing tag). The guest is stopped during the save. A failed save leaves an existing
   * snapshot of that tag as it was.
   */
  async save(tag: string | undefined, options: SnapshotNodes & { overwrite: boolean }): Promise<SnapshotInfo> {
    this.#checkDevices(options);
    const name = tag ?? defaultSnapshotTag(new Date(this.#now()));
    if (!options.overwrite && (await this.find(name))) throw failure(`Snapshot '${name}' already exists in one or more devices`);
    const store = this.#vmstateStore(options);
    const now = this.#now();
    const write = await store.create();
    const { bytes, vmClockNs } = await this.machine.saveSnapshot(write.channel);
    return write.commit({ tag: name, dateSec: Math.floor(now / 1000), dateNsec: (now % 1000) * 1e6, vmStateSize: bytes, vmClockNs });
  }

  /**
   * Loads the snapshot `tag`: the guest stops first (`restore-vm`), and runs again only if it
   * was running and the load succeeded. A failed load changes nothing in the machine, which
   * stays stopped.
   */
  async load(tag: string, options: SnapshotNodes = {}): Promise<void> {
    const machine = this.machine;
    const wasRunning = machine.runState.running;
    if (wasRunning) machine.vmStop("restore-vm");
    this.#checkDevices(options);
    if (!(await this.find(tag))) throw failure(`Snapshot '${tag}' does not exist in one or more devices`);
    const store = this.#vmstateStore(options);
    const input = await store.open(tag);
    if (!input) throw failure(`Snapshot '${tag}' does not exist in one or more devices`);
    await machine.loadSnapshot(input);
    if (wasRunning) machine.vmStart();
  }

  /** Deletes the snapshot `tag`; one that does not exist is no error (as in QEMU). */
  async delete(tag: string, options: SnapshotNodes = {}): Promise<void> {
    this.#checkDevices(options);
    await this.store?.delete(tag);
  }
}
