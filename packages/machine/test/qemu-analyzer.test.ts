import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMachine } from "../src/backends.js";
import { FileOutputChannel } from "../src/node/file-channel.js";
import { nodeBackends } from "../src/node/node-backends.js";

/**
 * QEMU 7.2's own scripts/analyze-migration.py, which scripts/fetch-qemu-analyzer.sh (run by
 * scripts/install-test-tools.sh) takes from Debian's QEMU source package; never committed.
 */
const ANALYZER =
  process.env["SAVEVM_QEMU_ANALYZER"] ?? join(process.env["XDG_CACHE_HOME"] ?? join(homedir(), ".cache"), "savevm", "analyze-migration.py");

function analyze(file: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("python3", [ANALYZER, "-f", file, ...args], { maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`analyze-migration.py failed (run scripts/fetch-qemu-analyzer.sh if it is missing): ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "savevm-analyzer-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("QEMU's analyze-migration.py reads savevm streams", () => {
  it("a pre-copy migration of a running guest: RAM sections and every device", async () => {
    const m = createMachine({ memory: 8 << 20, guest: { seed: 12, fill: 2 << 20, pacing: { rate: 4 << 20 } } }, nodeBackends());
    await new Promise((r) => setTimeout(r, 50));
    m.setParameters({ "max-bandwidth": 32 << 20 });
    const file = join(dir, "live.mig");
    const migration = m.migrate(new FileOutputChannel(file));
    await migration.done;
    expect(migration.status).toBe("completed");

    const state = JSON.parse(await analyze(file)) as Record<string, Record<string, unknown>>;
    expect(Object.keys(state)).toEqual(["ram (1)", "globalstate (2)", "cpu (3)", "clock (4)", "serial (5)"]);
    expect(state["ram (1)"]!["section sizes"]).toEqual({ "guest.ram": "0x0000000000800000" });
    const steps = m.guest.state.steps;
    expect(Number(state["cpu (3)"]!["steps"])).toBe(steps);
    // cpu version 2: the guest's pacing is device state QEMU's analyzer reads like any other.
    expect(Number(state["cpu (3)"]!["pace_rate"])).toBe(4 << 20);
    expect(Number(state["cpu (3)"]!["pace_credit"])).toBe(m.guest.state.pacing.credit);
    const runstate = String(state["globalstate (2)"]!["runstate"]).split(" ").slice(0, 8).map((h) => parseInt(h, 16));
    expect(String.fromCharCode(...runstate)).toBe("running\0");

    const desc = JSON.parse(await analyze(file, "-d", "desc")) as { page_size: number; devices: { name: string }[] };
    expect(desc.page_size).toBe(4096);
    expect(desc.devices.map((d) => d.name)).toEqual(["globalstate", "cpu", "clock", "serial"]);
  });

  it("a live snapshot (background-snapshot): START, PARTs, no END, uniform pages as ZERO with a fill byte", async () => {
    const m = createMachine({ memory: 8 << 20, guest: { seed: 13, fill: 6 << 20, pacing: { rate: 8 << 20 } } }, nodeBackends());
    await new Promise((r) => setTimeout(r, 50));
    m.setCapabilities([{ capability: "background-snapshot", state: true }]);
    m.setParameters({ "max-bandwidth": 16 << 20 });
    let steps = -1;
    m.events.on((e) => {
      if (e.event === "STOP" && steps < 0) steps = m.guest.state.steps;
    });
    const file = join(dir, "snapshot.mig");
    const migration = m.migrate(new FileOutputChannel(file));
    await migration.done;
    expect(migration.status).toBe("completed");
    expect(m.ramHandler.stats.uniform).toBeGreaterThan(0);
    m.destroy();

    const state = JSON.parse(await analyze(file)) as Record<string, Record<string, unknown>>;
    expect(Object.keys(state)).toEqual(["ram (1)", "globalstate (2)", "cpu (3)", "clock (4)", "serial (5)"]);
    // The device state is the one of T0, not of the end.
    expect(Number(state["cpu (3)"]!["steps"])).toBe(steps);
  });
});
