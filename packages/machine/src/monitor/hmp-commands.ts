import type { HmpRegistry } from "@savevm/qmp";
import { MachineError } from "../errors.js";
import type { Machine } from "../machine.js";
import type { MigrationInfo } from "../save/migration-status.js";
import { NamedSnapshots } from "../snapshot/named-snapshots.js";
import type { SnapshotStore } from "../snapshot/snapshot-store.js";
import type { MonitorChannels } from "./monitor-channels.js";
import { registerSnapshotHmpCommands } from "./snapshot-commands.js";

const kb = (bytes: number): number => Math.floor(bytes / 1024);

/** `info migrate` in the layout of QEMU 7.2's HMP. */
export function formatInfoMigrate(machine: Machine): string {
  const info: MigrationInfo = machine.queryMigrate();
  const lines = [
    "globals:",
    "store-global-state: on",
    "only-migratable: off",
    "send-configuration: on",
    "send-section-footer: on",
    "decompress-error-check: on",
    "clear-bitmap-shift: 18",
  ];
  const on = machine.capabilities().filter((c) => c.state);
  if (on.length > 0) lines.push(`capabilities: ${on.map((c) => `${c.capability}: on`).join(" ")}`);
  if (info.status !== undefined) {
    lines.push(`Migration status: ${info.status}${info["error-desc"] !== undefined ? ` (${info["error-desc"]})` : ""}`);
  }
  if (info["total-time"] !== undefined) lines.push(`total time: ${info["total-time"]} ms`);
  if (info["expected-downtime"] !== undefined) lines.push(`expected downtime: ${info["expected-downtime"]} ms`);
  if (info.downtime !== undefined) lines.push(`downtime: ${info.downtime} ms`);
  if (info["setup-time"] !== undefined) lines.push(`setup: ${info["setup-time"]} ms`);
  const ram = info.ram;
  if (ram) {
    lines.push(
      `transferred ram: ${kb(ram.transferred)} kbytes`,
      `throughput: ${ram.mbps.toFixed(2)} mbps`,
      `remaining ram: ${kb(ram.remaining)} kbytes`,
      `total ram: ${kb(ram.total)} kbytes`,
      `duplicate: ${ram.duplicate} pages`,
      `skipped: ${ram.skipped} pages`,
      `normal: ${ram.normal} pages`,
      `normal bytes: ${kb(ram["normal-bytes"])} kbytes`,
      `dirty sync count: ${ram["dirty-sync-count"]}`,
      `page size: ${kb(ram["page-size"])} kbytes`,
      `multifd bytes: ${kb(ram["multifd-bytes"])} kbytes`,
      `pages-per-second: ${ram["pages-per-second"]}`,
    );
    if (ram["dirty-pages-rate"] > 0) lines.push(`dirty pages rate: ${ram["dirty-pages-rate"]} pages`);
    lines.push(`precopy ram: ${kb(ram["precopy-bytes"])} kbytes`, `downtime ram: ${kb(ram["downtime-bytes"])} kbytes`);
  }
  if (info["cpu-throttle-percentage"] !== undefined) lines.push(`cpu throttle percentage: ${info["cpu-throttle-percentage"]}`);
  return lines.map((l) => `${l}\r\n`).join("");
}

/** query-memory-size-summary's base-memory: the main RAM block, as QEMU's `-m`. */
export function baseMemory(machine: Machine): number {
  return machine.mainRam.size;
}

/** query-name: `{}` for a machine started without a name, as QEMU without `-name`. */
export function queryName(machine: Machine): { name?: string } {
  return machine.hasName ? { name: machine.name } : {};
}

/** query-uuid: lower case, and all zeros without one (QEMU's UUID_NONE). */
export function machineUuid(machine: Machine): string {
  return (machine.uuid ?? "00000000-0000-0000-0000-000000000000").toLowerCase();
}

export interface MachineHmpOptions {
  channels?: MonitorChannels;
  /** Where named snapshots live (savevm, loadvm, delvm, info snapshots). */
  snapshots?: SnapshotStore;
  /** Called after `quit` (the process wiring exits). */
  onQuit?: () => void;
}

/**
 * The machine's HMP commands on a @savevm/qmp HmpRegistry: `info status`, `info migrate`,
 * `stop`, `cont`, `system_reset`, `migrate [-d] uri`, `migrate_cancel`, `quit`. Output lines end
 * in "\n" (monitors send "\r\n"); failures print as `Error: …`.
 */
export function registerMachineHmpCommands(hmp: HmpRegistry, machine: Machine, options: MachineHmpOptions = {}): HmpRegistry {
  hmp
    .info({ name: "status", help: "show the current VM status (running|paused)", handler: () => `${machine.runState.describe()}\n` })
    .info({ name: "migrate", help: "show migration status", handler: () => formatInfoMigrate(machine).replace(/\r\n/g, "\n") })
    .info({ name: "name", help: "show the current VM name", handler: () => (machine.hasName ? `${machine.name}\n` : "") })
    .info({ name: "uuid", help: "show the current VM UUID", handler: () => `${machineUuid(machine)}\n` })
    .info({ name: "memory_size_summary", help: "show the amount of initially allocated and present hotpluggable (if enabled) memory in bytes.", handler: () => `base memory: ${baseMemory(machine)}\nplugged memory: 0\n` })
    .command({ name: "stop", aliases: ["s"], help: "stop emulation", handler: () => machine.stop() })
    .command({ name: "cont", aliases: ["c"], help: "resume emulation", handler: () => machine.cont() })
    .command({ name: "system_reset", help: "reset the system", handler: () => machine.systemReset() })
    .command({ name: "migrate_cancel", help: "cancel the current VM migration", handler: () => machine.cancelMigration() })
    .command({
      name: "quit",
      aliases: ["q"],
      help: "quit the emulator",
      handler: (_args, ctx) => {
        ctx.close();
        machine.shutdown("host-qmp-quit");
        setTimeout(() => options.onQuit?.(), 0);
      },
    })
    .command({
      name: "migrate",
      args: "detach:-d,blk:-b,inc:-i,resume:-r,uri:s",
      params: "[-d] [-b] [-i] [-r] uri",
      help: "migrate to URI (using -d to not wait for completion)",
      handler: async (args) => {
        if (args["blk"] || args["inc"]) throw new MachineError("INVALID_ARGUMENT", "Block migration is not supported by this machine");
        if (args["resume"]) throw new MachineError("INVALID_ARGUMENT", "Postcopy is not supported by this machine");
        const uri = String(args["uri"]);
        if (!options.channels) throw new MachineError("INVALID_ARGUMENT", "This monitor cannot open migration channels");
        machine.checkMigrate(uri);
        let open;
        try {
          open = options.channels.prepareOutput(uri, machine.multifdRequest());
        } catch (err) {
          machine.noteRefusedMigration(err instanceof Error ? err : new Error(String(err)));
          throw err;
        }
        const migration = machine.migrate(open);
        // Without -d the monitor waits for the end, as QEMU's HMP does.
        if (!args["detach"]) {
          await migration.done;
          if (migration.status === "failed") throw new MachineError("MIGRATION_FAILED", migration.error ?? "migration failed");
        }
      },
    });
  registerSnapshotHmpCommands(hmp, new NamedSnapshots(machine, options.snapshots));
  return hmp;
}
