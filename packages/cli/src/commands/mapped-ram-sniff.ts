import { closeSync, openSync, readSync, statSync } from "node:fs";

/** Head bytes that hold the header and the configuration record (its capability list). */
const HEAD = 16 * 1024;
const NAME = new TextEncoder().encode("mapped-ram");

/**
 * A cheap first look, so that commands load the mapped-ram code only for files that may be one:
 * a regular file whose first bytes name the capability. `openMappedRamInput` makes sure.
 */
export function mayBeMappedRam(path: string): boolean {
  if (path === "-") return false;
  let fd: number;
  try {
    if (!statSync(path).isFile()) return false;
    fd = openSync(path, "r");
  } catch {
    return false;
  }
  try {
    const head = new Uint8Array(HEAD);
    const n = readSync(fd, head, 0, HEAD, 0);
    outer: for (let i = 0; i + NAME.length <= n; i++) {
      for (let j = 0; j < NAME.length; j++) if (head[i + j] !== NAME[j]) continue outer;
      return true;
    }
    return false;
  } finally {
    closeSync(fd);
  }
}
