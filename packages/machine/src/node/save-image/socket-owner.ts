import { readdir, readFile, readlink } from "node:fs/promises";
import { resolve } from "node:path";

// __SO_ACCEPTCON in /proc/net/unix's Flags column: a listening socket.
const ACCEPTING = 0x10000;

/** Inodes of the listening unix sockets bound at `path` (as bound, or resolved). */
async function listeningInodes(path: string): Promise<Set<string>> {
  const wanted = new Set([path, resolve(path)]);
  const inodes = new Set<string>();
  let table: string;
  try {
    table = await readFile("/proc/net/unix", "utf8");
  } catch {
    return inodes;
  }
  for (const line of table.split("\n").slice(1)) {
    // Num RefCount Protocol Flags Type St Inode Path (the path may hold spaces)
    const m = /^\s*\S+: \S+ \S+ ([0-9A-Fa-f]+) \S+ \S+ (\d+) (.+)$/.exec(line);
    if (m && (Number.parseInt(m[1]!, 16) & ACCEPTING) !== 0 && wanted.has(m[3]!)) inodes.add(m[2]!);
  }
  return inodes;
}

/**
 * The local process that listens on the unix socket `path` (Linux: /proc/net/unix, then the
 * process holding that socket), or `undefined` when it cannot be told — another host's socket,
 * another user's process, no /proc.
 */
export async function unixSocketOwner(path: string): Promise<number | undefined> {
  const inodes = await listeningInodes(path);
  if (inodes.size === 0) return undefined;
  const links = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  let pids: string[];
  try {
    pids = (await readdir("/proc")).filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = await readdir(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "");
      if (links.has(target)) return Number(pid);
    }
  }
  return undefined;
}
