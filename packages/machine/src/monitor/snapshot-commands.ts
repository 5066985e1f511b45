import type { HmpRegistry, QmpRegistry } from "@savevm/qmp";
import { t } from "@savevm/qmp";
import type { NamedSnapshots } from "../snapshot/named-snapshots.js";
import { formatSnapshotTable } from "../snapshot/snapshot-table.js";
import type { JobManager } from "./jobs.js";

const JOB_STATUSES = ["undefined", "created", "running", "paused", "ready", "standby", "waiting", "pending", "aborting", "concluded", "null"] as const;
const JobInfoType = t.struct("JobInfo", {
  id: "str",
  type: "str",
  status: t.enum("JobStatus", JOB_STATUSES),
  "current-progress": "int",
  "total-progress": "int",
  "*error": "str",
});

interface SnapshotArgs {
  "job-id": string;
  tag: string;
  vmstate: string;
  devices: string[];
}

/**
 * QEMU's internal-snapshot commands: QMP `snapshot-save`, `snapshot-load`, `snapshot-delete`
 * as jobs, with `query-jobs`, `job-dismiss` and `JOB_STATUS_CHANGE`.
 */
export function registerSnapshotQmpCommands(registry: QmpRegistry, snapshots: NamedSnapshots, jobs: JobManager): void {
  const add = (name: string, definition: object): void => void registry.command(name, definition as never);
  add("snapshot-save", {
    args: { "job-id": "str", tag: "str", vmstate: "str", devices: t.array("str") },
    handler: (args: SnapshotArgs) =>
      jobs.start(args["job-id"], "snapshot-save", async () => {
        await snapshots.save(args.tag, { overwrite: false, vmstate: args.vmstate, devices: args.devices });
      }),
  });
  add("snapshot-load", {
    args: { "job-id": "str", tag: "str", vmstate: "str", devices: t.array("str") },
    handler: (args: SnapshotArgs) =>
      jobs.start(args["job-id"], "snapshot-load", () => snapshots.load(args.tag, { vmstate: args.vmstate, devices: args.devices })),
  });
  add("snapshot-delete", {
    args: { "job-id": "str", tag: "str", devices: t.array("str") },
    handler: (args: Omit<SnapshotArgs, "vmstate">) =>
      jobs.start(args["job-id"], "snapshot-delete", () => snapshots.delete(args.tag, { devices: args.devices })),
  });
  add("query-jobs", { returns: t.array(JobInfoType), handler: () => jobs.list() });
  add("job-dismiss", { args: { id: "str" }, handler: (args: { id: string }) => jobs.dismiss(args.id) });
  registry.event("JOB_STATUS_CHANGE", { id: "str", status: "str" });
}

/** HMP `savevm [tag]`, `loadvm tag`, `delvm tag` and `info snapshots`, with QEMU's output. */
export function registerSnapshotHmpCommands(hmp: HmpRegistry, snapshots: NamedSnapshots): void {
  hmp
    .command({
      name: "savevm",
      args: "name:s?",
      params: "tag",
      help: "save a VM snapshot. If no tag is provided, a new snapshot is created",
      handler: async (args) => {
        await snapshots.save(typeof args["name"] === "string" ? args["name"] : undefined, { overwrite: true });
      },
    })
    .command({
      name: "loadvm",
      args: "name:s",
      params: "tag",
      help: "restore a VM snapshot from its tag",
      handler: async (args) => {
        await snapshots.load(String(args["name"]));
      },
    })
    .command({
      name: "delvm",
      args: "name:s",
      params: "tag",
      help: "delete a VM snapshot from its tag",
      handler: async (args) => {
        await snapshots.delete(String(args["name"]));
      },
    })
    .info({
      name: "snapshots",
      help: "show the currently saved VM snapshots",
      handler: async () => {
        if (!snapshots.store) return "no block device can store vmstate for snapshot\n";
        return formatSnapshotTable(await snapshots.list());
      },
    });
}
