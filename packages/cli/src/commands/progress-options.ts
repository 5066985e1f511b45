/** `--quiet` and `--progress`, shared by the commands that draw a progress bar. */
import type { Command } from "commander";
import type { ProgressOptions } from "../progress.js";

export interface ProgressFlags {
  quiet?: boolean;
  progress?: boolean;
}

export function addProgressOptions(command: Command): Command {
  return command.option("-q, --quiet", "no progress bar").option("--progress", "draw the progress bar even when stderr is not a terminal");
}

export function progressOptions(flags: ProgressFlags): ProgressOptions {
  return { quiet: flags.quiet === true, force: flags.progress === true && flags.quiet !== true };
}
