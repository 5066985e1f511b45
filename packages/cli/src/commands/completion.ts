/**
 * `savevm completion bash|zsh|fish|powershell`: a completion script for the shell, made by
 * @bomb.sh/tab from the commander tree. The script asks `savevm complete -- WORDS…` at each
 * Tab, so completions always match the installed commands and options.
 */
import type { Command } from "commander";
import tab from "@bomb.sh/tab/commander";

export function registerCompletion(program: Command): void {
  tab(program, { completionCommandName: "completion" });
}
