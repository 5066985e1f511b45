import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { endUnreapedChildren, unreapedChild } from "../../test-support/unreaped-child.js";
import { isProcessAlive, isSameProcessAlive, processStartTime } from "./process-liveness.js";

afterEach(endUnreapedChildren);

const stateOf = (pid: number): string => /\) (\S) /.exec(readFileSync(`/proc/${pid}/stat`, "utf8"))?.[1] ?? "";

async function untilZombie(pid: number): Promise<void> {
  for (let i = 0; i < 1000 && stateOf(pid) !== "Z"; i++) await new Promise((r) => setTimeout(r, 10));
  expect(stateOf(pid)).toBe("Z");
}

describe("process liveness", () => {
  it("a running process is alive, and the same process by its start time", async () => {
    const pid = await unreapedChild(5);
    const start = processStartTime(pid);
    expect(start).toMatch(/^\d+$/);
    expect(isProcessAlive(pid)).toBe(true);
    expect(isSameProcessAlive(pid, start)).toBe(true);
    expect(isSameProcessAlive(pid, "1")).toBe(false);
  });

  it("a child that exited but is not reaped yet (a zombie) is dead, though signal 0 still reaches it", async () => {
    const pid = await unreapedChild(0.1);
    const start = processStartTime(pid);
    await untilZombie(pid);
    // signal 0 succeeds on a zombie, which is why the state letter must decide
    expect(() => process.kill(pid, 0)).not.toThrow();
    expect(isProcessAlive(pid)).toBe(false);
    expect(isSameProcessAlive(pid, start)).toBe(false);
    expect(isSameProcessAlive(pid, undefined)).toBe(false);
  });

  it("pids that cannot be a process are dead", () => {
    for (const pid of [0, -1, 1.5, Number.NaN]) expect(isProcessAlive(pid)).toBe(false);
  });
});
