import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MachineRegistry } from "./registry/index.js";
import { runMachine, type RunningMachine } from "./run-machine.js";

let dir: string;
const running: RunningMachine[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "savevm-run-registration-"));
});
afterEach(async () => {
  for (const r of running.splice(0)) await r.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

/** What another process reads: the entry files as they are on disk this instant. */
function entriesOnDisk(): Record<string, unknown>[] {
  return readdirSync(dir)
    .filter((f) => /^machine-\d+\.json$/.test(f))
    .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as Record<string, unknown>);
}

describe("runMachine's registry entry", () => {
  for (const startPaused of [false, true]) {
    it(`is complete on disk once runMachine resolves: the state entered and the bound addresses (${startPaused ? "-S" : "running"})`, async () => {
      const qmp = `unix:${join(dir, "m.qmp")}`;
      const r = await runMachine({ memory: 1 << 20, qmp: [qmp], hmp: "tcp:127.0.0.1:0", register: true, runtimeDir: dir, startPaused, log: () => undefined });
      running.push(r);
      // read at once, with no chance for a write still under way to land
      const [entry] = entriesOnDisk();
      expect(entry).toMatchObject({ state: startPaused ? "prelaunch" : "running", qmp: [qmp], hmp: r.addresses[1] });
      expect(r.machine.runState.state).toBe(entry!.state);
      expect(r.registration!.record).toMatchObject({ state: entry!.state, qmp: [qmp] });
    });
  }

  it("still refuses a duplicate before it binds anything", async () => {
    const first = await runMachine({ memory: 1 << 20, qmp: [`unix:${join(dir, "a.qmp")}`], name: "dup", register: true, runtimeDir: dir, log: () => undefined });
    running.push(first);
    await expect(
      runMachine({ memory: 1 << 20, qmp: [`unix:${join(dir, "b.qmp")}`], name: "dup", register: true, runtimeDir: dir, log: () => undefined }),
    ).rejects.toMatchObject({ code: "DOMAIN_EXISTS" });
    expect(readdirSync(dir)).not.toContain("b.qmp");
    expect((await (await MachineRegistry.open({ runtimeDir: dir })).list()).map((m) => m.name)).toEqual(["dup"]);
  });
});
