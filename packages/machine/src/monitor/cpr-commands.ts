import { t, type QmpRegistry } from "@savevm/qmp";
import { MachineError } from "../errors.js";
import type { Machine } from "../machine.js";
import type { MonitorChannels } from "./monitor-channels.js";

/** The modes `cprsave` takes. `restart` (re-exec in place) has no equivalent here. */
const CPR_MODES = ["reboot"] as const;

/**
 * The checkpoint/restart commands of the 2020–21 Live Update series, with its syntax:
 * `cprsave {file, mode}`, `cprload {file}` and `cprinfo`. `cprsave` is the same operation as
 * `migrate` in mode cpr-reboot (one implementation, `Machine.checkpoint`): the guest stops, RAM
 * stays in the memory file, the rest goes to `file` (mode 0600, temporary name, synced, renamed),
 * and the process wiring then exits. `file` follows the device-state file-name rule (`fd:NAME`,
 * reserved prefixes, relative names against the state directory).
 */
export function registerCprCommands(registry: QmpRegistry, machine: Machine, channels: () => MonitorChannels): void {
  const add = (name: string, definition: object): void => void registry.command(name, definition as never);
  add("cprsave", {
    args: { file: "str", mode: "str" },
    handler: async (args: { file: string; mode: string }) => {
      if (!(CPR_MODES as readonly string[]).includes(args.mode))
        throw new MachineError("INVALID_ARGUMENT", `cprsave: bad mode ${args.mode}`);
      const open = channels();
      const migration = machine.checkpoint(() => open.openFileOutput(args.file, { argument: "file", durable: true }));
      await migration.done;
      if (migration.status === "completed") return;
      if (migration.status === "cancelled") throw new MachineError("MIGRATION_CANCELLED", "cprsave: cancelled");
      throw new MachineError("MIGRATION_FAILED", migration.error ?? "cprsave failed");
    },
  });
  add("cprload", {
    args: { file: "str" },
    handler: async (args: { file: string }) => {
      if (machine.runState.running) throw new MachineError("INVALID_STATE", "cprload called for a running VM");
      const input = await channels().openFileInput(args.file, {
        argument: "file",
      });
      await machine.loadCheckpoint(input);
    },
  });
  add("cprinfo", {
    returns: t.struct("CprInfo", {
      modes: t.array(t.enum("CprMode", CPR_MODES)),
    }),
    handler: () => ({ modes: [...CPR_MODES] }),
  });
}
