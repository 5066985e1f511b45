import { randomBytes } from "node:crypto";
import { link, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { isSameProcessAlive, processStartTime } from "./process-liveness.js";
import { RegistryError } from "./registry-error.js";

export interface LockOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
}

// A lock file is created and then written; one that is still empty after this long lost its owner
// between the two steps.
const EMPTY_LOCK_GRACE_MS = 2000;

function ownerText(): string {
  return `${process.pid} ${processStartTime(process.pid) ?? "-"}\n`;
}

function ownerIsGone(text: string): boolean {
  const [pid, start] = text.trim().split(" ");
  const n = Number(pid);
  if (!Number.isInteger(n) || n <= 0) return false;
  return !isSameProcessAlive(n, start === "-" ? undefined : start);
}

async function isStale(path: string, text: string): Promise<boolean> {
  if (text.trim() !== "") return ownerIsGone(text);
  try {
    return Date.now() - (await stat(path)).mtimeMs > EMPTY_LOCK_GRACE_MS;
  } catch {
    return false;
  }
}

/**
 * Breaks a lock whose owner died. The file is first moved aside, then its content compared with
 * what was judged stale: when another process re-took the lock in between, it is put back.
 */
async function breakLock(path: string, judged: string): Promise<void> {
  const aside = `${path}.stale.${process.pid}.${randomBytes(4).toString("hex")}`;
  try {
    await rename(path, aside);
  } catch {
    return; // someone else broke or released it
  }
  const moved = await readFile(aside, "utf8").catch(() => "");
  if (moved !== judged) await link(aside, path).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

/**
 * Runs `body` holding an exclusive lock file (created with O_EXCL, so two processes can never
 * both hold it). The file names its owner's pid, so a lock left by a dead process is broken.
 */
export async function withLockFile<T>(path: string, body: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  const mine = ownerText();
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(path, "wx", 0o600);
      try {
        await handle.writeFile(mine);
      } finally {
        await handle.close();
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new RegistryError("RUNTIME_DIR", `cannot create lock file '${path}': ${(err as Error).message}`, { path, cause: err });
      }
    }
    const text = await readFile(path, "utf8").catch(() => undefined);
    if (text !== undefined && (await isStale(path, text))) {
      await breakLock(path, text);
      continue;
    }
    if (Date.now() > deadline) {
      throw new RegistryError("LOCK_TIMEOUT", `timed out waiting for the lock '${path}' held by pid ${text?.trim().split(" ")[0] ?? "?"}`, {
        path,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(50, 2 + attempt * 2) + Math.random() * 5));
  }
  try {
    return await body();
  } finally {
    // Only remove the lock if it is still ours (it is, unless someone wrongly judged it stale).
    const text = await readFile(path, "utf8").catch(() => undefined);
    if (text === mine) await unlink(path).catch(() => undefined);
  }
}
