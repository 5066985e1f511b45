import { isProcessAlive as alive } from "../registry/process-liveness.js";
import type { MonitorDriver } from "./monitor-driver.js";

/**
 * Ends a saved machine as libvirt does: SIGTERM to a local process (QEMU logs "terminating on
 * signal 15"), waiting up to `waitMs` for it to go; `quit` over the monitor otherwise.
 */
export async function endMachine(driver: MonitorDriver, pid: number | undefined, waitMs = 10_000): Promise<"signal" | "quit"> {
  if (pid !== undefined && alive(pid)) {
    try {
      process.kill(pid, "SIGTERM");
      const deadline = Date.now() + waitMs;
      while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      return "signal";
    } catch {
      // Not ours to signal after all: fall through to quit.
    }
  }
  await driver.quit().catch(() => undefined);
  return "quit";
}
