/** Runs the built `savevm` binary as a user would, capturing its output and exit status. */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

export const SAVEVM_BIN = fileURLToPath(new URL("../../bin/savevm.js", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: readonly string[], options: { input?: string | Uint8Array; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [SAVEVM_BIN, ...args],
      { maxBuffer: 256 << 20, timeout: options.timeoutMs ?? 60_000, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error && typeof (error as { code?: unknown }).code !== "number") {
          reject(error);
          return;
        }
        resolve({ code: error ? Number((error as { code: number }).code) : 0, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}
