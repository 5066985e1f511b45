import { HmpDriver } from "./hmp-driver.js";
import type { MonitorDriver } from "./monitor-driver.js";
import type { MonitorTarget } from "./monitor-target.js";
import { QmpDriver } from "./qmp-driver.js";
import { SaveRestoreError } from "./save-image-error.js";

/** Opens the right driver for a resolved target. */
export async function connectMonitor(target: MonitorTarget, timeoutMs?: number): Promise<MonitorDriver> {
  const options = timeoutMs === undefined ? {} : { timeoutMs };
  try {
    return target.protocol === "hmp" ? await HmpDriver.connect(target.address, options) : await QmpDriver.connect(target.address, options);
  } catch (err) {
    throw new SaveRestoreError(
      "MONITOR",
      `cannot talk to the monitor at ${target.protocol === "hmp" ? "hmp:" : ""}${target.address}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}
