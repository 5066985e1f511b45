/**
 * Turns any error thrown by a command into the one line the CLI prints.
 * Typed errors from the packages carry a stable `code` and often a byte `offset`.
 */
export interface CodedError {
  code?: unknown;
  offset?: unknown;
  message: string;
}

export class UsageError extends Error {
  readonly code = "USAGE";
}

export function formatError(err: unknown): string {
  if (err instanceof Error) {
    const coded = err as CodedError;
    const code = typeof coded.code === "string" ? coded.code : undefined;
    return code ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

/** Exit status for a failed command: 2 for usage mistakes, 1 for everything else. */
export function exitCodeFor(err: unknown): number {
  return err instanceof UsageError ? 2 : 1;
}
