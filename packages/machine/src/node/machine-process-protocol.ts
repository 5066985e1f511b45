import type { MachineRecord } from "./registry/index.js";
import type { RunMachineOptions } from "./run-machine.js";

/** What `spawnMachine` hands the machine process (JSON in its first argument). */
export type MachineProcessOptions = Omit<RunMachineOptions, "log">;

/** The machine process's one message to its parent, over the IPC channel. */
export type MachineProcessMessage =
  | { type: "ready"; pid: number; addresses: string[]; record?: MachineRecord }
  | { type: "error"; message: string; code?: string; name?: string };
