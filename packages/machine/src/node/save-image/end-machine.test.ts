import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { endUnreapedChildren, unreapedChild } from "../../test-support/unreaped-child.js";
import { endMachine } from "./end-machine.js";
import type { MonitorDriver } from "./monitor-driver.js";

afterEach(endUnreapedChildren);

function procStat(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

describe("endMachine", () => {
  it("counts a machine that died on SIGTERM but is not reaped yet (a zombie) as gone, instead of waiting it out", async () => {
    // a machine whose parent never reaps it (as PID 1 of a container may take its time to)
    const pid = await unreapedChild(30);
    let quits = 0;
    const driver = { quit: async () => void quits++ } as unknown as MonitorDriver;
    // a wait far beyond the test's own timeout: only seeing the zombie as dead ends it in time
    expect(await endMachine(driver, pid, 60_000)).toBe("signal");
    // Still a zombie, unless something outside the test (a container's init, once the parent
    // is gone) has reaped it since; that zombies count as dead is process-liveness.test's check.
    const stat = procStat(pid);
    if (stat !== undefined) expect(stat).toMatch(/\) Z /);
    expect(quits).toBe(0);
  });
});
