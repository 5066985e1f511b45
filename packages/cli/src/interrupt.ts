/**
 * What happens when the user stops the CLI: Ctrl-C or SIGTERM removes every temporary `.part`
 * file an operation had open (the process-wide list of @savevm/format/node) before the process
 * exits 130 or 143, so an earlier file under the target name is left as it was; a reader that
 * goes away (`savevm … | head`) ends the process quietly with status 0.
 */
import type { TemporaryFileList } from "@savevm/format/node";
import { CliFileError, formatError } from "./cli-error.js";

/**
 * @savevm/format/node's process-wide list, reached through its registered symbol so that start-up
 * never loads the format package: the list exists once a command that writes files has loaded it.
 */
function removeTemporaryFiles(): string[] {
  const list = (globalThis as Record<symbol, TemporaryFileList | undefined>)[Symbol.for("@savevm/format/temporary-files")];
  return list?.removeAll() ?? [];
}

const SIGNAL_STATUS: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

let installed = false;
let stdoutGone = false;

/** True once standard output has failed with EPIPE: the reader is gone and nothing more is said. */
export function stdoutClosed(): boolean {
  return stdoutGone;
}

/** Whether `err` is a broken pipe (the reader of standard output went away). */
export function isBrokenPipe(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === "EPIPE";
}

/** Work a command wants done before the process exits on a signal (e.g. cancel a migration). */
const beforeExit = new Set<() => void | Promise<void>>();
/** How long that work may take before the process exits anyway. */
const BEFORE_EXIT_MS = 3000;
let exiting = false;

/**
 * Runs `fn` when SIGINT/SIGTERM arrives, before the temporary files are removed and the process
 * exits 130/143 (at most 3 s; a second signal exits at once). Returns the function that
 * unregisters it. Commands that hold something outside the process (a QEMU migration writing
 * into our pipe, a machine being restored) use this to let it go cleanly.
 */
export function onInterrupt(fn: () => void | Promise<void>): () => void {
  beforeExit.add(fn);
  return () => beforeExit.delete(fn);
}

function exitOn(signal: NodeJS.Signals): never {
  removeTemporaryFiles();
  process.exit(SIGNAL_STATUS[signal] ?? 1);
}

function onSignal(signal: NodeJS.Signals): void {
  if (exiting) exitOn(signal);
  if (beforeExit.size > 0) {
    exiting = true;
    const work = Promise.allSettled([...beforeExit].map(async (fn) => fn()));
    const timeout = new Promise((resolve) => setTimeout(resolve, BEFORE_EXIT_MS));
    void Promise.race([work, timeout]).finally(() => exitOn(signal));
    return;
  }
  const removed = removeTemporaryFiles();
  // A command that handles the signal itself (`run` shuts its machine down) keeps that job when
  // there was nothing of ours to clean up.
  if (removed.length === 0 && process.listenerCount(signal) > 1) return;
  process.exit(SIGNAL_STATUS[signal] ?? 1);
}

/**
 * Installs the handlers once per process: SIGINT/SIGTERM drain the temporary-file list and exit
 * 128+signal; EPIPE on standard output drains it too and exits 0.
 */
export function installInterruptHandling(): void {
  if (installed) return;
  installed = true;
  for (const signal of Object.keys(SIGNAL_STATUS) as NodeJS.Signals[]) process.on(signal, onSignal);
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    removeTemporaryFiles();
    if (isBrokenPipe(err)) {
      stdoutGone = true;
      process.exit(0);
    }
    // any other failure of standard output (ENOSPC on a redirect): one line, status 1
    process.stderr.write(`savevm: ${formatError(CliFileError.from(err, "standard output"))}\n`);
    process.exit(1);
  });
}
