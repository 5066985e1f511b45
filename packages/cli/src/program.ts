import { Command, CommanderError } from "commander";
import { commands } from "./commands/index.js";
import { exitCodeFor, formatError } from "./cli-error.js";
import { version } from "./version.js";

export function createProgram(): Command {
  const program = new Command("savevm")
    .description("Save, restore, inspect and migrate virtual machine state in QEMU's formats.")
    .version(version)
    .showHelpAfterError()
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/** Runs the CLI with `argv` (as `process.argv`) and resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : 2;
    }
    process.stderr.write(`savevm: ${formatError(err)}\n`);
    return exitCodeFor(err);
  }
}
