import { QmpError } from "../errors.js";
import { QmpServer, type QmpServerOptions, type QmpVersion } from "../server.js";
import { t } from "../schema.js";

/**
 * A server with a few of QEMU 7.2's commands, declared with 7.2's argument schemas (member
 * order included), used to compare our protocol layer with real QEMU byte for byte.
 */

export const RunState = t.enum("RunState", [
  "debug", "inmigrate", "internal-error", "io-error", "paused", "postmigrate", "prelaunch", "finish-migrate",
  "restore-vm", "running", "save-vm", "shutdown", "suspended", "watchdog", "guest-panicked", "colo",
]);

export const MigrationCapability = t.enum("MigrationCapability", [
  "xbzrle", "rdma-pin-all", "auto-converge", "zero-blocks", "compress", "events", "postcopy-ram", "x-colo",
  "release-ram", "block", "return-path", "pause-before-switchover", "multifd", "dirty-bitmaps",
  "postcopy-blocktime", "late-block-activate", "x-ignore-shared", "validate-uuid", "background-snapshot",
  "zero-copy-send", "postcopy-preempt",
]);

const StrOrNull = t.alternate("StrOrNull", ["str", "null"]);
const BitmapMigrationBitmapAlias = t.struct("BitmapMigrationBitmapAlias", { name: "str", alias: "str", "*transform": t.struct("BitmapMigrationBitmapAliasTransform", { "*persistent": "bool" }) });
const BitmapMigrationNodeAlias = t.struct("BitmapMigrationNodeAlias", { "node-name": "str", alias: "str", bitmaps: t.array(BitmapMigrationBitmapAlias) });

export const MigrateSetParameters = {
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
  "*tls-creds": StrOrNull,
  "*tls-hostname": StrOrNull,
  "*tls-authz": StrOrNull,
  "*max-bandwidth": "size",
  "*downtime-limit": "uint64",
  "*x-checkpoint-delay": "uint32",
  "*block-incremental": "bool",
  "*multifd-channels": "uint8",
  "*xbzrle-cache-size": "size",
  "*max-postcopy-bandwidth": "size",
  "*max-cpu-throttle": "uint8",
  "*multifd-compression": t.enum("MultiFDCompression", ["none", "zlib", "zstd"]),
  "*multifd-zlib-level": "uint8",
  "*multifd-zstd-level": "uint8",
  "*block-bitmap-mapping": t.array(BitmapMigrationNodeAlias),
} as const;

const MIGRATION_SCHEMES = ["tcp:", "unix:", "vsock:", "exec:", "fd:", "rdma:"];

export function createQemuLikeServer(version: QmpVersion, options: QmpServerOptions = {}): QmpServer {
  const server = new QmpServer({ version, ...options });
  let status: "prelaunch" | "running" | "paused" = "prelaunch";
  server
    .command("query-status", {
      returns: t.struct("StatusInfo", { running: "bool", singlestep: "bool", status: RunState }),
      handler: () => ({ running: status === "running", singlestep: false, status }),
    })
    .command("stop", {
      handler: (_args, ctx) => {
        if (status === "running") {
          status = "paused";
          ctx.emitEvent("STOP");
        }
      },
    })
    .command("cont", {
      handler: (_args, ctx) => {
        if (status !== "running") {
          status = "running";
          ctx.emitEvent("RESUME");
        }
      },
    })
    .command("query-migrate", { handler: () => ({}) })
    .command("query-yank", {
      allowOob: true,
      returns: t.array(t.struct("YankInstance", { type: t.enum("YankInstanceType", ["block-node", "chardev", "migration"]), "*id": "str" })),
      handler: () => [{ type: "chardev", id: "compat_monitor0" }],
    })
    .command("migrate-pause", {
      allowOob: true,
      handler: () => {
        throw new QmpError("migrate-pause is currently only supported during postcopy-active state");
      },
    })
    .command("migrate", {
      args: { uri: "str", "*blk": "bool", "*inc": "bool", "*detach": "bool", "*resume": "bool" },
      handler: ({ uri }) => {
        if (!MIGRATION_SCHEMES.some((s) => uri.startsWith(s))) throw new QmpError("Parameter 'uri' expects a valid migration protocol");
        throw new QmpError("migration is not part of this test server");
      },
    })
    .command("migrate-set-capabilities", {
      args: { capabilities: t.array(t.struct("MigrationCapabilityStatus", { capability: MigrationCapability, state: "bool" })) },
      handler: () => {},
    })
    .command("migrate-set-parameters", {
      args: MigrateSetParameters,
      handler: (args) => {
        const downtime = args["downtime-limit"];
        if (downtime !== undefined && BigInt(downtime) > 2000n * 1000n) {
          throw new QmpError("Parameter 'downtime_limit' expects an integer in the range of 0 to (2000 * 1000) ms");
        }
      },
    })
    .command("human-monitor-command", {
      args: { "command-line": "str", "*cpu-index": "int" },
      returns: "str",
      handler: (args) => {
        if (args["cpu-index"] !== undefined && args["cpu-index"] !== 0) throw new QmpError("Parameter 'cpu-index' expects a CPU number");
        const line = args["command-line"].trim();
        if (line === "") return "";
        if (line === "info status") return status === "prelaunch" ? "VM status: paused (prelaunch)\r\n" : `VM status: ${status}\r\n`;
        return `unknown command: '${line.split(/\s+/)[0]}'\r\n`;
      },
    });
  server.event("STOP").event("RESUME");
  return server;
}
