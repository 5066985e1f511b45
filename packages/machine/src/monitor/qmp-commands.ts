import { HmpRegistry, QmpError, QmpRegistry, t, type CommandContext, type Members, type QmpInteger, type TypeSpec } from "@savevm/qmp";
import { MachineError } from "../errors.js";
import type { Machine } from "../machine.js";
import { isParameterName, MIGRATION_CAPABILITIES, MIGRATION_MODES, type MigrationParameters } from "../save/migration-params.js";
import { NamedSnapshots } from "../snapshot/named-snapshots.js";
import type { SnapshotStore } from "../snapshot/snapshot-store.js";
import { baseMemory, machineUuid, queryName, registerMachineHmpCommands } from "./hmp-commands.js";
import { startIncoming } from "./incoming-runner.js";
import { JobManager } from "./jobs.js";
import type { MonitorChannels } from "./monitor-channels.js";
import { registerSnapshotQmpCommands } from "./snapshot-commands.js";
import { registerCprCommands } from "./cpr-commands.js";

export interface MachineMonitorOptions {
  /** Files, sockets and descriptors; without them the migration commands refuse to run. */
  channels?: MonitorChannels;
  /** Called after `quit` replied (the process wiring exits). */
  onQuit?: () => void;
  /** The HMP commands behind `human-monitor-command`; the machine's own set by default. */
  hmp?: HmpRegistry;
  /** Where named snapshots live (`--snapshots DIR`); without it snapshot commands fail as in QEMU without a qcow2 disk. */
  snapshots?: SnapshotStore;
}

const MigrationCapabilityEnum = t.enum("MigrationCapability", MIGRATION_CAPABILITIES);
// The run state is reported as a string: an enum of 16 values in the return type is more than
// the schema's type inference can take.
const StatusInfo = t.struct("StatusInfo", { running: "bool", singlestep: "bool", status: "str" });
const MultiFDCompressionEnum = t.enum("MultiFDCompression", ["none", "zlib", "zstd"] as const);

const PARAMETER_MEMBERS = {
  "*announce-initial": "size",
  "*announce-max": "size",
  "*announce-rounds": "size",
  "*announce-step": "size",
  "*compress-level": "uint8",
  "*compress-threads": "uint8",
  "*compress-wait-thread": "bool",
  "*decompress-threads": "uint8",
  "*throttle-trigger-threshold": "uint8",
  "*cpu-throttle-initial": "uint8",
  "*cpu-throttle-increment": "uint8",
  "*cpu-throttle-tailslow": "bool",
  "*tls-creds": "str",
  "*tls-hostname": "str",
  "*tls-authz": "str",
  "*max-bandwidth": "size",
  "*downtime-limit": "uint64",
  "*x-checkpoint-delay": "uint32",
  "*block-incremental": "bool",
  "*multifd-channels": "uint8",
  "*xbzrle-cache-size": "size",
  "*max-postcopy-bandwidth": "size",
  "*max-cpu-throttle": "uint8",
  "*multifd-compression": MultiFDCompressionEnum,
  "*multifd-zlib-level": "uint8",
  "*multifd-zstd-level": "uint8",
  "*mode": t.enum("MigMode", MIGRATION_MODES),
} as const;

function toNumber(v: QmpInteger): number {
  return typeof v === "bigint" ? Number(v) : v;
}

interface Definition<A> {
  args?: Members;
  returns?: TypeSpec;
  handler: (args: A, ctx: CommandContext) => unknown;
}

/**
 * Registers a command with its argument type written out: letting the registry infer it from
 * the schema makes the type checker give up ("excessively deep"), so the schema stays the
 * source of truth at run time and `A` mirrors it here.
 */
function add<A = Record<string, never>>(registry: QmpRegistry, name: string, definition: Definition<A>): void {
  registry.command<Members, TypeSpec | undefined>(name, definition as never);
}

function needChannels(options: MachineMonitorOptions): MonitorChannels {
  if (!options.channels) throw new QmpError("This monitor cannot open migration channels");
  return options.channels;
}

/**
 * The machine's QMP command set, with QEMU's names, argument schemas and events, registered on
 * a @savevm/qmp registry. Commands only call machine operations.
 */
export function registerMachineCommands(registry: QmpRegistry, machine: Machine, options: MachineMonitorOptions = {}): QmpRegistry {
  const hmp = options.hmp ?? registerMachineHmpCommands(new HmpRegistry(), machine, options);
  registerSnapshotQmpCommands(
    registry,
    new NamedSnapshots(machine, options.snapshots),
    new JobManager((event, data) => machine.events.emit(event, data)),
  );
  registerCprCommands(registry, machine, () => needChannels(options));
  add(registry, "query-status", {
    returns: StatusInfo,
    handler: () => ({ running: machine.runState.running, singlestep: false, status: machine.runState.state as string }),
  });
  add(registry, "query-name", { returns: t.struct("NameInfo", { "*name": "str" }), handler: () => queryName(machine) });
  add(registry, "query-uuid", { returns: t.struct("UuidInfo", { UUID: "str" }), handler: () => ({ UUID: machineUuid(machine) }) });
  add(registry, "query-memory-size-summary", {
    returns: t.struct("MemoryInfo", { "base-memory": "size" }),
    handler: () => ({ "base-memory": baseMemory(machine) }),
  });
  add(registry, "stop", { handler: () => machine.stop() });
  add(registry, "cont", { handler: () => machine.cont() });
  add(registry, "system_reset", { handler: () => machine.systemReset() });
  add(registry, "quit", {
    handler: () => {
      machine.shutdown("host-qmp-quit");
      // After the reply went out: QEMU answers quit, then closes the connection.
      setTimeout(() => options.onQuit?.(), 0);
    },
  });
  add<{ uri: string; blk?: boolean; inc?: boolean; detach?: boolean; resume?: boolean }>(registry, "migrate", {
    args: { uri: "str", "*blk": "bool", "*inc": "bool", "*detach": "bool", "*resume": "bool" },
    handler: (args) => {
      if (args.blk || args.inc) throw new QmpError("Block migration is not supported by this machine");
      if (args.resume) throw new QmpError("Postcopy is not supported by this machine");
      const channels = needChannels(options);
      machine.checkMigrate(args.uri);
      let open;
      try {
        open = channels.prepareOutput(args.uri, machine.multifdRequest());
      } catch (err) {
        machine.noteRefusedMigration(err instanceof Error ? err : new Error(String(err)));
        throw err;
      }
      machine.migrate(open);
    },
  });
  add<{ uri: string }>(registry, "migrate-incoming", {
    args: { uri: "str" },
    handler: async (args) => {
      await startIncoming(machine, needChannels(options), args.uri);
    },
  });
  add(registry, "query-migrate", { returns: "any", handler: () => toJson(machine.queryMigrate()) });
  add(registry, "migrate_cancel", { handler: () => machine.cancelMigration() });
  add<{ capabilities: { capability: (typeof MIGRATION_CAPABILITIES)[number]; state: boolean }[] }>(registry, "migrate-set-capabilities", {
    args: { capabilities: t.array(t.struct("MigrationCapabilityStatus", { capability: MigrationCapabilityEnum, state: "bool" })) },
    handler: (args) => machine.setCapabilities(args.capabilities),
  });
  add(registry, "query-migrate-capabilities", {
    returns: t.array(t.struct("MigrationCapabilityStatus", { capability: MigrationCapabilityEnum, state: "bool" })),
    handler: () => machine.capabilities(),
  });
  add<Record<string, unknown>>(registry, "migrate-set-parameters", {
    args: PARAMETER_MEMBERS,
    handler: (args) => {
      const changes: Partial<MigrationParameters> = {};
      for (const [key, value] of Object.entries(args)) {
        if (!isParameterName(key) || value === undefined) continue;
        (changes as Record<string, unknown>)[key] = typeof value === "bigint" ? toNumber(value) : value;
      }
      machine.setParameters(changes);
    },
  });
  add(registry, "query-migrate-parameters", { returns: "any", handler: () => toJson(machine.parameters()) });
  add<{ fdname: string }>(registry, "getfd", {
    args: { fdname: "str" },
    handler: (args, ctx) => {
      const fd = ctx.takeFd();
      if (fd === undefined) throw new QmpError("No file descriptor supplied via SCM_RIGHTS");
      needChannels(options).addFd(args.fdname, fd);
    },
  });
  add<{ fdname: string }>(registry, "closefd", {
    args: { fdname: "str" },
    handler: (args) => needChannels(options).closeFd(args.fdname),
  });
  add<{ filename: string; live?: boolean }>(registry, "xen-save-devices-state", {
    args: { filename: "str", "*live": "bool" },
    handler: async (args) => {
      const out = await needChannels(options).openFileOutput(args.filename);
      await machine.saveDevicesState(out);
    },
  });
  add<{ filename: string }>(registry, "xen-load-devices-state", {
    args: { filename: "str" },
    handler: async (args) => {
      if (machine.runState.running) throw new MachineError("INVALID_STATE", "Cannot update device state while vm is running");
      const input = await needChannels(options).openFileInput(args.filename);
      await machine.loadDevicesState(input);
    },
  });
  add<{ "command-line": string; "cpu-index"?: QmpInteger }>(registry, "human-monitor-command", {
    args: { "command-line": "str", "*cpu-index": "int" },
    returns: "str",
    handler: async (args) => {
      if (args["cpu-index"] !== undefined && toNumber(args["cpu-index"]) !== 0) {
        throw new QmpError("Parameter 'cpu-index' expects a CPU number");
      }
      const out = await hmp.execute(args["command-line"], { history: [], cpuIndex: 0, close() {} });
      return out.replace(/\r?\n/g, "\r\n");
    },
  });
  add(registry, "x-query-digest", {
    returns: t.struct("DigestInfo", { ram: "str", devices: "str", steps: "int" }),
    handler: async () => {
      const d = await machine.digest();
      return { ram: d.ram, devices: d.devices, steps: d.steps };
    },
  });
  registry
    .event("STOP")
    .event("RESUME")
    .event("SHUTDOWN", { guest: "bool", reason: "str" })
    .event("RESET", { guest: "bool", reason: "str" })
    .event("MIGRATION", { status: "str" })
    .event("MIGRATION_PASS", { pass: "int" });
  return registry;
}

function toJson<T extends object>(value: T): { [key: string]: never } {
  return JSON.parse(JSON.stringify(value)) as { [key: string]: never };
}
