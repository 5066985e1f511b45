import { Command, CommanderError } from "commander";
import { commands, type CommandEntry } from "./commands/index.js";
import { exitCodeFor, formatError } from "./cli-error.js";
import { examplesFor } from "./examples.js";
import { installInterruptHandling, stdoutClosed } from "./interrupt.js";
import { PROGRAM_DESCRIPTION } from "./top-help.js";
import { version } from "./version.js";

/** Commands that need every other command loaded: completion walks the whole tree. */
const WHOLE_TREE = new Set(["completion", "complete"]);

/** One line: commander's `error: …` becomes `savevm: …`, with a pointer to the right help. */
function oneLineErrors(command: Command, help: string): Command {
  return command.configureOutput({
    outputError: (text, write) => write(`savevm: ${text.replace(/^error: /, "").trimEnd()} (see '${help}')\n`),
  });
}

function baseProgram(): Command {
  const program = new Command("savevm")
    .description(PROGRAM_DESCRIPTION)
    .version(version)
    .showSuggestionAfterError()
    .exitOverride();
  return oneLineErrors(program, "savevm --help");
}

/** Listed in `savevm --help`, but not loaded: the command's module is imported only to run it. */
function addListing(program: Command, entry: CommandEntry): void {
  const listed = program.command(entry.args ? `${entry.name} ${entry.args}` : entry.name).description(entry.summary);
  listed.action(() => {
    throw new Error(`${entry.name} was listed but not loaded`);
  });
}

async function addCommand(program: Command, entry: CommandEntry): Promise<void> {
  (await entry.load())(program);
  const added = program.commands.find((c) => c.name() === entry.name);
  if (!added) throw new Error(`commands/index.ts: the module of '${entry.name}' added no command of that name`);
  if (!added.description()) added.description(entry.summary);
  const examples = examplesFor(entry.name);
  if (examples) added.addHelpText("after", examples);
  oneLineErrors(added.exitOverride(), `savevm ${entry.name} --help`);
}

/**
 * The program with the commands `argv` needs loaded and the rest only listed; `all` loads every
 * command (for completion, or a caller that wants the whole tree).
 */
export async function createProgram(argv: readonly string[] = [], options: { all?: boolean } = {}): Promise<Command> {
  const program = baseProgram();
  const wanted = wantedCommand(argv);
  const all = options.all === true || (wanted !== undefined && WHOLE_TREE.has(wanted));
  // completion goes last: it reads the tree the other commands made
  const ordered = [...commands.filter((e) => e.name !== "completion"), ...commands.filter((e) => e.name === "completion")];
  for (const entry of ordered) {
    if (all || entry.name === wanted) await addCommand(program, entry);
    else addListing(program, entry);
  }
  return program;
}

/** The command `argv` runs: the first word that is not an option (`help X` runs X's help). */
function wantedCommand(argv: readonly string[]): string | undefined {
  const words = argv.slice(2);
  const first = words.findIndex((w) => !w.startsWith("-"));
  if (first < 0) return undefined;
  if (words[first] === "help") return words.slice(first + 1).find((w) => !w.startsWith("-"));
  return words[first];
}

function isKnown(name: string): boolean {
  return name === "help" || name === "complete" || commands.some((e) => e.name === name);
}

/** Runs the CLI with `argv` (as `process.argv`) and resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  installInterruptHandling();
  try {
    const program = await createProgram(argv);
    const wanted = wantedCommand(argv);
    // An unknown command is an error even with --help after it (commander would print the
    // top-level help and succeed): parse the name alone so commander reports it, with a suggestion.
    const args = wanted !== undefined && !isKnown(wanted) ? [...argv.slice(0, 2), wanted] : [...argv];
    await program.parseAsync(args);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (stdoutClosed()) return 0;
    process.stderr.write(`savevm: ${formatError(err)}\n`);
    return exitCodeFor(err);
  }
}
