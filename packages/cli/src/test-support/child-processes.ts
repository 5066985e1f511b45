/** Teardown of what a test started: monitor clients closed, child processes killed and waited for. */
import type { ChildProcess } from "node:child_process";

/** Closes each client (a failure to close is no test failure) and empties the set. */
export async function closeAll(clients: Set<{ close(): Promise<void> }>): Promise<void> {
  for (const c of clients) await c.close().catch(() => undefined);
  clients.clear();
}

/** SIGKILLs every child still running, waits for each to exit, and empties the set. */
export async function killAll(children: Set<ChildProcess>): Promise<void> {
  await Promise.all(
    [...children].map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await gone;
    }),
  );
  children.clear();
}

/** SIGKILLs every process of the set that is still there (one gone already is fine) and empties the set. */
export function killPids(pids: Set<number>): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone already
    }
  }
  pids.clear();
}
