/**
 * Turns any error thrown by a command into the one line the CLI prints, and into its exit status.
 * Typed errors from the packages carry a stable `code` and often a byte `offset`.
 */
export interface CodedError {
  code?: unknown;
  offset?: unknown;
  message: string;
}

/** A mistake in how the command was called: exit status 2. */
export class UsageError extends Error {
  readonly code = "USAGE";
}

/**
 * Codes of the typed errors that mean the command was called wrongly (an option value, a size, an
 * address, an input file that is missing or not a file), not that the work failed.
 */
const USAGE_CODES = new Set(["USAGE", "INVALID_ARGUMENT", "BAD_ADDRESS", "INVALID_SIZE", "BAD_PAGE_SIZE", "NOT_FOUND", "NOT_A_FILE"]);

const SYSTEM_ERROR_TEXT: Record<string, string> = {
  ENOENT: "No such file or directory",
  EACCES: "Permission denied",
  EPERM: "Operation not permitted",
  EEXIST: "File exists",
  ENOTDIR: "Not a directory",
  EISDIR: "Is a directory",
  ENOSPC: "No space left on device",
  EROFS: "Read-only file system",
  EDQUOT: "Disk quota exceeded",
  EIO: "Input/output error",
};

/** A file operation that failed, named by the file the user gave (never a temporary name). */
export class CliFileError extends Error {
  constructor(readonly code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CliFileError";
  }

  static from(err: unknown, file: string): CliFileError {
    const code = (err as NodeJS.ErrnoException).code ?? "IO_ERROR";
    return new CliFileError(code, `${file}: ${SYSTEM_ERROR_TEXT[code] ?? (err as Error).message}`, { cause: err });
  }
}

/**
 * A system error from writing `file` (ENOSPC, EIO, …) as one that names it: Node's own text names
 * no file, or the temporary one. Other errors pass through.
 */
export function namingFile(err: unknown, file: string): unknown {
  const syscall = (err as NodeJS.ErrnoException | undefined)?.syscall;
  // a failed read is about the input, not the file being written
  return typeof syscall === "string" && syscall !== "read" ? CliFileError.from(err, file) : err;
}

/** Node's own system errors (`listen EACCES: permission denied /x`) as `path: text`. */
function systemErrorText(err: NodeJS.ErrnoException): string {
  let text = err.message;
  const prefix = `${err.syscall} ${err.code}: `;
  if (text.startsWith(prefix)) text = text.slice(prefix.length);
  const where = err.path ?? (err as { address?: string }).address;
  if (where !== undefined) {
    text = text.replace(new RegExp(`[ ,]+'?${where.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}'?$`), "");
    return `${where}: ${SYSTEM_ERROR_TEXT[err.code ?? ""] ?? text}`;
  }
  return SYSTEM_ERROR_TEXT[err.code ?? ""] ?? text;
}

/** `CODE: message` on one line; the code is not repeated when the message already starts with it. */
export function formatError(err: unknown): string {
  if (!(err instanceof Error)) return oneLine(String(err));
  const coded = err as CodedError & NodeJS.ErrnoException;
  const code = typeof coded.code === "string" ? coded.code : undefined;
  const message = typeof coded.syscall === "string" ? systemErrorText(coded) : err.message;
  if (!code || message.startsWith(`${code}:`) || message.startsWith(`${code} `)) return oneLine(message);
  return oneLine(`${code}: ${message}`);
}

function oneLine(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .join("; ");
}

/** Exit status for a failed command: 2 for usage mistakes, 1 for everything else. */
export function exitCodeFor(err: unknown): number {
  const code = (err as CodedError | undefined)?.code;
  return err instanceof UsageError || (typeof code === "string" && USAGE_CODES.has(code)) ? 2 : 1;
}
