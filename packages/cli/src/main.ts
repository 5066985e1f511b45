/**
 * What bin/savevm.js runs. `savevm --help` and `savevm --version` are answered by top-help.ts
 * without loading commander; everything else loads the program and the command that runs.
 */
import { installInterruptHandling, isBrokenPipe } from "./interrupt.js";
import { fs } from "./startup-fs.js";
import { quickAnswer } from "./top-help.js";

/** Runs the CLI with `argv` (as `process.argv`) and resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const quick = quickAnswer(argv.slice(2), terminalColumns());
  if (quick === undefined) return (await import("./program.js")).main(argv);
  writeOut(quick);
  return 0;
}

/**
 * The width of the terminal standard output is, or undefined. Only a character device can be one:
 * a pipe or a file is told so by fstat, without creating `process.stdout` (see writeOut).
 */
function terminalColumns(): number | undefined {
  if (!fs.fstatSync(1).isCharacterDevice()) return undefined;
  return process.stdout.isTTY ? process.stdout.columns : undefined;
}

/**
 * Straight to file descriptor 1: `process.stdout` would first load Node's stream machinery, which
 * costs more than the help itself. A reader that went away (`savevm --help | head -1`) is no
 * error, as everywhere in the CLI; any other trouble (a non-blocking pipe that is full, a full
 * disk) goes the usual way, through `process.stdout` and its error handling.
 */
function writeOut(text: string): void {
  const bytes = Buffer.from(text);
  let done = 0;
  try {
    while (done < bytes.length) done += fs.writeSync(1, bytes, done);
  } catch (err) {
    if (isBrokenPipe(err)) return;
    installInterruptHandling();
    process.stdout.write(bytes.subarray(done));
  }
}
