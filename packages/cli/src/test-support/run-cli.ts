/** Runs the built `savevm` binary as a user would, capturing its output and exit status. */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

export const SAVEVM_BIN = fileURLToPath(new URL("../../bin/savevm.js", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  /** Standard output as bytes, for commands that write binary streams. */
  stdoutBytes: Buffer;
  stderr: string;
}

export function runCli(
  args: readonly string[],
  options: { input?: string | Uint8Array; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [SAVEVM_BIN, ...args],
      { maxBuffer: 256 << 20, timeout: options.timeoutMs ?? 60_000, encoding: "buffer", env: options.env ?? process.env },
      (error, stdout, stderr) => {
        if (error && typeof (error as { code?: unknown }).code !== "number") {
          reject(error);
          return;
        }
        resolve({
          code: error ? Number((error as { code: number }).code) : 0,
          stdout: stdout.toString("utf8"),
          stdoutBytes: stdout,
          stderr: stderr.toString("utf8"),
        });
      },
    );
    // A command that fails early stops reading: the rest of the input then meets a closed pipe.
    child.stdin?.on("error", () => undefined);
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}
