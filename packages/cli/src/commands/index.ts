import type { Command } from "commander";
import { registerConvert } from "./convert.js";
import { registerDemo } from "./demo.js";
import { registerInspect } from "./inspect.js";
import { registerRun } from "./run.js";
import { registerScan } from "./scan.js";
import { registerQmp } from "./qmp.js";

/** Each command lives in its own module and adds itself to the program. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [registerInspect, registerConvert, registerRun, registerScan, registerQmp, registerDemo];
