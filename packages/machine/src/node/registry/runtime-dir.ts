import { chmod, lstat, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RegistryError } from "./registry-error.js";

/**
 * Where machines register: `$SAVEVM_RUNTIME_DIR` when set, else `$XDG_RUNTIME_DIR/savevm`, else
 * `/run/savevm` for root, else `savevm-UID` under the temporary directory.
 */
export function defaultRuntimeDir(env: NodeJS.ProcessEnv = process.env): string {
  const own = env["SAVEVM_RUNTIME_DIR"];
  if (own !== undefined && own !== "") return own;
  const xdg = env["XDG_RUNTIME_DIR"];
  if (xdg !== undefined && xdg !== "") return join(xdg, "savevm");
  const uid = process.getuid?.();
  if (uid === 0) return "/run/savevm";
  return join(tmpdir(), `savevm-${uid ?? "user"}`);
}

/**
 * Creates the directory (0700) when missing. An existing one must be a real directory of ours:
 * under a shared /tmp someone else could have made it first to read or plant entries.
 */
export async function ensureRuntimeDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new RegistryError("RUNTIME_DIR", `cannot create runtime directory '${dir}': ${(err as Error).message}`, {
      path: dir,
      cause: err,
    });
  }
  const info = await lstat(dir);
  if (!info.isDirectory()) throw new RegistryError("RUNTIME_DIR", `runtime directory '${dir}' is not a directory`, { path: dir });
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) {
    throw new RegistryError("RUNTIME_DIR", `runtime directory '${dir}' belongs to uid ${info.uid}, not to you (uid ${uid})`, { path: dir });
  }
  if ((info.mode & 0o077) !== 0) await chmod(dir, 0o700);
}
