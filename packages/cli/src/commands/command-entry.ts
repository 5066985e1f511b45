/**
 * A command as `savevm --help` lists it, and the module that adds it, loaded only when the
 * command runs: `savevm --help` and `savevm inspect` then never load what `run` or `demo` need.
 */
import type { Command } from "commander";

/** Adds one command (with its options, help text and action) to the program. */
export type RegisterCommand = (program: Command) => void;

export interface CommandEntry {
  /** The name, as typed after `savevm`. */
  name: string;
  /** The arguments as the top-level help lists them, e.g. `<file>`. */
  args: string;
  summary: string;
  load(): Promise<RegisterCommand>;
}

/**
 * `lazy("inspect <file>", "what it does", () => import("./inspect.js"), (m) => m.registerInspect)`:
 * one line per command in commands/index.ts.
 */
export function lazy<M>(usage: string, summary: string, load: () => Promise<M>, register: (module: M) => RegisterCommand): CommandEntry {
  const space = usage.indexOf(" ");
  return {
    name: space < 0 ? usage : usage.slice(0, space),
    args: space < 0 ? "" : usage.slice(space + 1),
    summary,
    load: async () => register(await load()),
  };
}
