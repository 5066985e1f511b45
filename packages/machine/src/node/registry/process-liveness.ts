import { readFileSync } from "node:fs";

/**
 * Whether a process runs: signal 0 checks without sending anything (EPERM means it exists but
 * belongs to someone else, which still makes it alive). A zombie (exited, not yet reaped by its
 * parent) still answers signal 0, so where /proc is there its state letter decides: a killed
 * machine whose parent reaps slowly (PID 1 in a container) is dead at once, not seconds later.
 */
export function isProcessAlive(pid: number): boolean {
  return signalable(pid) && !isExited(procStat(pid));
}

function signalable(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Z: exited, not reaped yet; X: being reaped. */
function isExited(stat: { state: string } | undefined): boolean {
  return stat !== undefined && (stat.state === "Z" || stat.state === "X");
}

/** State letter and start time (fields 3 and 22) of /proc/PID/stat, where /proc is there. */
function procStat(pid: number): { state: string; start: string | undefined } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may itself hold spaces and parentheses.
  const end = stat.lastIndexOf(")");
  if (end < 0) return undefined;
  const fields = stat.slice(end + 2).split(" ");
  return { state: fields[0] ?? "", start: fields[19] };
}

/**
 * The kernel's start time of a process (field 22 of /proc/PID/stat, in clock ticks since boot),
 * or undefined where /proc is not there. A record keeps it so that a dead machine whose pid was
 * reused by an unrelated process is still recognised as dead.
 */
export function processStartTime(pid: number): string | undefined {
  return procStat(pid)?.start;
}

/**
 * Alive (a zombie counts as dead, as in isProcessAlive), and (when both are known) the same
 * process that was recorded.
 */
export function isSameProcessAlive(pid: number, startTime: string | undefined): boolean {
  if (!signalable(pid)) return false;
  const now = procStat(pid);
  if (now === undefined) return true;
  if (isExited(now)) return false;
  return startTime === undefined || now.start === undefined || now.start === startTime;
}
