import type { Command } from "commander";
import { registerRun } from "./run.js";

/** Each command lives in its own module and adds itself to the program. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [registerRun];
