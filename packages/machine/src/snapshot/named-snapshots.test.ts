import { HmpRegistry } from "@savevm/qmp";
import { afterEach, describe, expect, it } from "vitest";
import { createMachine } from "../backends.js";
import type { Machine, MachineConfig } from "../machine.js";
import { JobManager } from "../monitor/jobs.js";
import { registerMachineHmpCommands } from "../monitor/hmp-commands.js";
import { nodeBackends } from "../node/node-backends.js";
import { MemorySnapshotStore } from "./snapshot-store.js";
import { formatSnapshotTable, sizeToStr } from "./snapshot-table.js";

const MiB = 1 << 20;
const machines: Machine[] = [];
afterEach(() => {
  for (const m of machines.splice(0)) m.destroy();
});

function machine(config: Partial<MachineConfig> = {}): Machine {
  const m = createMachine({ memory: 2 * MiB, guest: { seed: 4, fill: 1 * MiB }, ...config }, nodeBackends());
  machines.push(m);
  return m;
}

function hmpFor(m: Machine, store?: MemorySnapshotStore): (line: string) => Promise<string> {
  const hmp = registerMachineHmpCommands(new HmpRegistry(), m, store ? { snapshots: store } : {});
  return (line) => hmp.execute(line);
}

describe("info snapshots formatting", () => {
  it("sizes as QEMU's size_to_str prints them", () => {
    expect(sizeToStr(0)).toBe("0 B");
    expect(sizeToStr(999)).toBe("999 B");
    expect(sizeToStr(1000)).toBe("0.977 KiB");
    expect(sizeToStr(759 * 1024)).toBe("759 KiB");
    expect(sizeToStr(1536 * 1024)).toBe("1.5 MiB");
    expect(sizeToStr(12.34 * MiB)).toBe("12.3 MiB");
    expect(sizeToStr(1023.7 * 1024)).toBe("1 MiB");
    expect(sizeToStr(999.6 * 1024)).toBe("1e+03 KiB");
    expect(sizeToStr(3 * 1024 ** 3)).toBe("3 GiB");
  });

  it("the table in QEMU 7.2's columns", () => {
    const tz = process.env["TZ"];
    process.env["TZ"] = "UTC";
    try {
      const table = formatSnapshotTable([
        { id: "1", tag: "snap1", dateSec: Date.UTC(2026, 10, 22, 18, 45, 39) / 1000, dateNsec: 0, vmStateSize: 759 * 1024, vmClockNs: 1_558_000_000 },
      ]);
      expect(table).toBe(
        "List of snapshots present on all disks:\n" +
          "ID        TAG               VM SIZE                DATE     VM CLOCK     ICOUNT\n" +
          "--        snap1             759 KiB 2026-11-22 18:45:39 00:00:01.558           \n",
      );
      expect(formatSnapshotTable([])).toBe("There is no snapshot available.\n");
    } finally {
      if (tz === undefined) delete process.env["TZ"];
      else process.env["TZ"] = tz;
    }
  });
});

describe("HMP savevm / loadvm / delvm / info snapshots", () => {
  it("saves, lists, restores, overwrites and deletes, with STOP and RESUME around each", async () => {
    const m = machine();
    const store = new MemorySnapshotStore();
    const hmp = hmpFor(m, store);
    m.step(20);
    const events: string[] = [];
    m.events.on((e) => events.push(e.event));
    expect(await hmp("savevm snap1")).toBe("");
    expect(events).toEqual(["STOP", "RESUME"]);
    const saved = await m.digest();
    const listed = await hmp("info snapshots");
    expect(listed).toMatch(/^List of snapshots present on all disks:\nID {8}TAG {15}VM SIZE {16}DATE {5}VM CLOCK {5}ICOUNT\n-- {8}snap1 {13}/);
    expect((await store.list())[0]!.vmStateSize).toBeGreaterThan(1000);

    m.step(30);
    expect((await m.digest()).steps).toBe(saved.steps + 30);
    events.length = 0;
    expect(await hmp("loadvm snap1")).toBe("");
    expect(events).toEqual(["STOP", "RESUME"]);
    expect(await m.digest()).toEqual(saved);
    expect(m.runState.state).toBe("running");

    // HMP savevm replaces a snapshot of the same tag.
    m.step(5);
    expect(await hmp("savevm snap1")).toBe("");
    expect((await store.list()).map((s) => s.tag)).toEqual(["snap1"]);
    expect(await hmp("savevm")).toBe("");
    expect((await store.list()).map((s) => s.tag)[1]).toMatch(/^vm-\d{14}$/);
    expect(await hmp("delvm snap1")).toBe("");
    expect(await hmp("delvm nosuch")).toBe("");
    expect((await store.list()).map((s) => s.tag)).toHaveLength(1);
  });

  it("loadvm of an unknown tag fails and leaves the guest stopped in restore-vm", async () => {
    const m = machine();
    const hmp = hmpFor(m, new MemorySnapshotStore());
    const before = await m.digest();
    expect(await hmp("loadvm nosuch")).toBe("Error: Snapshot 'nosuch' does not exist in one or more devices\n");
    expect(m.runState.state).toBe("restore-vm");
    expect(await m.digest()).toEqual(before);
    m.cont();
    expect(m.runState.state).toBe("running");
  });

  it("a snapshot that fails to load changes nothing and leaves the machine stopped", async () => {
    const store = new MemorySnapshotStore();
    const other = machine({ memory: 4 * MiB });
    expect(await hmpFor(other, store)("savevm big")).toBe("");
    const m = machine();
    m.step(7);
    const before = await m.digest();
    const out = await hmpFor(m, store)("loadvm big");
    expect(out).toBe("Error: Size mismatch: guest.ram: 0x400000 != 0x200000: Invalid argument\n");
    expect(m.runState.state).toBe("restore-vm");
    expect(await m.digest()).toEqual(before);
  });

  it("without a snapshot store, as QEMU without a qcow2 disk", async () => {
    const hmp = hmpFor(machine());
    expect(await hmp("savevm x")).toBe("Error: no block device can store vmstate for snapshot\n");
    expect(await hmp("info snapshots")).toBe("no block device can store vmstate for snapshot\n");
    expect(await hmp("delvm x")).toBe("");
  });
});

describe("jobs", () => {
  it("go created, running, waiting, pending, concluded; failures aborting, concluded; dismissed to null", async () => {
    const events: string[] = [];
    const jobs = new JobManager((event, data) => events.push(`${event} ${String(data["id"])} ${String(data["status"])}`));
    jobs.start("ok", "snapshot-save", async () => {});
    jobs.start("bad", "snapshot-load", async () => {
      throw new Error("Snapshot 'x' does not exist in one or more devices");
    });
    expect(() => jobs.start("ok", "snapshot-save", async () => {})).toThrow("Job ID 'ok' already in use");
    expect(() => jobs.start("1abc", "snapshot-save", async () => {})).toThrow("Invalid job ID '1abc'");
    expect(jobs.list()[0]).toEqual({ id: "ok", type: "snapshot-save", status: "created", "current-progress": 0, "total-progress": 1 });
    expect(() => jobs.dismiss("ok")).toThrow("Job 'ok' in state 'created' cannot accept command verb 'dismiss'");
    await new Promise((r) => setTimeout(r, 20));
    expect(events.filter((e) => e.includes(" ok "))).toEqual([
      "JOB_STATUS_CHANGE ok created",
      "JOB_STATUS_CHANGE ok running",
      "JOB_STATUS_CHANGE ok waiting",
      "JOB_STATUS_CHANGE ok pending",
      "JOB_STATUS_CHANGE ok concluded",
    ]);
    expect(events.filter((e) => e.includes(" bad "))).toEqual([
      "JOB_STATUS_CHANGE bad created",
      "JOB_STATUS_CHANGE bad running",
      "JOB_STATUS_CHANGE bad aborting",
      "JOB_STATUS_CHANGE bad concluded",
    ]);
    expect(jobs.list()).toEqual([
      { id: "ok", type: "snapshot-save", status: "concluded", "current-progress": 1, "total-progress": 1 },
      {
        id: "bad",
        type: "snapshot-load",
        status: "concluded",
        "current-progress": 1,
        "total-progress": 1,
        error: "Snapshot 'x' does not exist in one or more devices",
      },
    ]);
    jobs.dismiss("ok");
    expect(events.at(-1)).toBe("JOB_STATUS_CHANGE ok null");
    expect(() => jobs.dismiss("ok")).toThrow("Job not found");
    expect(jobs.list().map((j) => j.id)).toEqual(["bad"]);
  });
});
