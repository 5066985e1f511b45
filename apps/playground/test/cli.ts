/** The real `savevm` CLI and QEMU's analyzer, run from node as a user would. */
import { execFile } from "node:child_process";
import { homedir } from "node:os";
import { join } from "node:path";
import { SAVEVM_BIN } from "./harness.js";

export const ANALYZER =
  process.env.SAVEVM_QEMU_ANALYZER ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "savevm", "analyze-migration.py");

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[], timeout = 60_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 256 << 20, timeout }, (error, stdout, stderr) => {
      if (error && typeof (error as { code?: unknown }).code !== "number") reject(error);
      else resolve({ code: error ? Number((error as { code: number }).code) : 0, stdout, stderr });
    });
  });
}

export const savevm = (args: string[]): Promise<Run> => run(process.execPath, [SAVEVM_BIN, ...args]);

/**
 * The device state `savevm inspect` prints, shaped like analyze-migration.py -d state. Older
 * CLIs print it as the whole `--json` output; newer ones put a summary first and the state under
 * `state` (or behind `--state`): all three are accepted.
 */
export async function inspectState(file: string): Promise<{ state: Record<string, unknown>; json: Record<string, unknown> }> {
  const r = await savevm(["inspect", "--json", file]);
  if (r.code !== 0) throw new Error(`savevm inspect --json ${file} failed (${r.code}): ${r.stderr}`);
  const json = JSON.parse(r.stdout) as Record<string, unknown>;
  if (json.state && typeof json.state === "object") return { state: json.state as Record<string, unknown>, json };
  if (!("sections" in json)) return { state: json, json };
  const s = await savevm(["inspect", "--state", file]);
  if (s.code !== 0) throw new Error(`savevm inspect --state ${file} failed (${s.code}): ${s.stderr}`);
  return { state: JSON.parse(s.stdout) as Record<string, unknown>, json };
}
