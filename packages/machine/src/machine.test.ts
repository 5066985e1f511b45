import { describe, expect, it } from "vitest";
import { MemoryOutputChannel, memoryInputChannel } from "./channel.js";
import type { MachineEvent } from "./events.js";
import type { SaveHandler } from "./save/handler.js";
import { SaveMode } from "./save/save-mode.js";
import { logMachine, wasmLogMachine } from "./test-support/machines.js";
import { RecordLogCodec } from "./test-support/record-log-codec.js";
import { savedBytes } from "./test-support/saved-bytes.js";

const saveOf = savedBytes;

describe("Machine save engine (record level)", () => {
  it("round-trips a stopped machine: same RAM, devices and step counter", async () => {
    const codec = new RecordLogCodec();
    const src = logMachine({ guest: { seed: 11 } }, codec);
    src.step(40);
    const bytes = await saveOf(src);
    const dst = logMachine({ incoming: true, guest: { seed: 99 } }, codec);
    await dst.incoming(memoryInputChannel(bytes));
    expect(await dst.digest()).toEqual(await src.digest());
    // The source was stopped in prelaunch, and the destination takes over that state.
    expect(src.runState.state).toBe("postmigrate");
    expect(dst.runState.state).toBe("prelaunch");
    // As in QEMU, a machine paused by a completed migration does not migrate again until it runs.
    expect(() => src.migrate(new MemoryOutputChannel())).toThrow("Can't migrate the vm that was paused due to previous migration");
    // Restore, then run N steps, equals run N steps.
    src.step(25);
    dst.step(25);
    expect(await dst.digest()).toEqual(await src.digest());
  });

  it("writes QEMU's section order: START, PARTs, END, FULLs, EOF, trailer", async () => {
    const codec = new RecordLogCodec();
    const m = logMachine({}, codec);
    m.step(5);
    await saveOf(m);
    const log = codec.logs[0]!;
    const shape = log
      .filter((r) => ["header", "configuration", "section", "eof", "vmdesc"].includes(r.t))
      .map((r) => (r.t === "section" ? `${r.type}:${r.entry.idstr}` : r.t));
    expect(shape[0]).toBe("header");
    expect(shape[1]).toBe("configuration");
    expect(shape[2]).toBe("start:ram");
    const end = shape.indexOf("end:ram");
    expect(shape.slice(3, end).every((s) => s === "part:ram")).toBe(true);
    expect(shape.slice(end + 1)).toEqual(["full:globalstate", "full:cpu", "full:clock", "full:serial", "eof", "vmdesc"]);
    // Every page is sent; untouched ones as ZERO records.
    const pages = log.filter((r) => r.t === "zero" || r.t === "page").length;
    expect(pages).toBe((1 << 20) / 4096);
  });

  it("an error from a handler's iterate ends the save with that error; the guest keeps running", async () => {
    const m = logMachine({ startPaused: false });
    const failing: SaveHandler = {
      idstr: "flaky",
      instanceId: 0,
      versionId: 1,
      minimumVersionId: 1,
      modes: SaveMode.MIGRATE,
      iterate() {
        throw new Error("flaky device lost its state");
      },
      beginLoad() {
        throw new Error("not loadable");
      },
    };
    m.addHandler(failing);
    const out = new MemoryOutputChannel();
    const events: MachineEvent[] = [];
    m.setCapabilities([{ capability: "events", state: true }]);
    m.events.on((e) => events.push(e));
    const migration = m.migrate(out);
    await migration.done;
    expect(migration.status).toBe("failed");
    expect(m.queryMigrate()).toEqual({ status: "failed", "error-desc": "flaky device lost its state" });
    expect(m.runState.state).toBe("running");
    expect(out.state).toBe("aborted");
    expect(events.filter((e) => e.event === "MIGRATION").map((e) => e.data?.["status"])).toEqual(["setup", "active", "failed"]);
    m.destroy();
  });

  it("an error in complete restarts a guest that was stopped for the final copy", async () => {
    const m = logMachine({ startPaused: false });
    const events: string[] = [];
    m.events.on((e) => events.push(e.event));
    m.addHandler({
      idstr: "late",
      instanceId: 0,
      versionId: 1,
      minimumVersionId: 1,
      modes: SaveMode.MIGRATE,
      iterate: () => true,
      complete() {
        throw new Error("late failure");
      },
      beginLoad() {
        throw new Error("not loadable");
      },
    });
    const migration = m.migrate(new MemoryOutputChannel());
    await migration.done;
    expect(migration.error).toBe("late failure");
    expect(events).toEqual(["STOP", "RESUME"]);
    expect(m.runState.state).toBe("running");
    m.destroy();
  });

  it("pre-copies a running guest and the destination matches the source at switchover", async () => {
    const codec = new RecordLogCodec();
    const src = logMachine({ memory: 2 << 20, startPaused: false, guest: { pacing: { rate: 4 << 20 } } }, codec);
    src.populate();
    await new Promise((r) => setTimeout(r, 30));
    src.setParameters({ "max-bandwidth": 16 << 20, "downtime-limit": 50 });
    src.setCapabilities([{ capability: "events", state: true }]);
    const events: MachineEvent[] = [];
    src.events.on((e) => events.push(e));
    const out = new MemoryOutputChannel();
    const migration = src.migrate(out);
    await migration.done;
    expect(migration.status).toBe("completed");
    expect(src.runState.state).toBe("postmigrate");
    const stepsAtSwitchover = src.guest.state.steps;
    expect(stepsAtSwitchover).toBeGreaterThan(0);
    const names = events.map((e) => (e.event === "MIGRATION" ? `M:${String(e.data?.["status"])}` : e.event));
    expect(names[0]).toBe("M:setup");
    expect(names).toContain("STOP");
    expect(names.at(-1)).toBe("M:completed");
    const passes = events.filter((e) => e.event === "MIGRATION_PASS").map((e) => e.data?.["pass"]);
    expect(passes[0]).toBe(1);
    expect(passes.length).toBeGreaterThanOrEqual(2);
    const info = src.queryMigrate();
    expect(info.status).toBe("completed");
    expect(info.ram?.total).toBe(2 << 20);
    expect(info.ram?.["dirty-sync-count"]).toBe(passes.at(-1));

    const dst = logMachine({ memory: 2 << 20, incoming: true, startPaused: true }, codec);
    await dst.incoming(memoryInputChannel(out.bytes()));
    expect(await dst.digest()).toEqual(await src.digest());
    expect(dst.runState.state).toBe("paused");
    dst.destroy();
    src.destroy();
  });

  it("cancel keeps the guest running and reports cancelled", async () => {
    const src = logMachine({ startPaused: false, memory: 8 << 20, guest: { pacing: { rate: 1 << 20 } } });
    src.populate();
    src.setParameters({ "max-bandwidth": 1 << 20 });
    src.setCapabilities([{ capability: "events", state: true }]);
    const statuses: unknown[] = [];
    src.events.on((e) => e.event === "MIGRATION" && statuses.push(e.data?.["status"]));
    const out = new MemoryOutputChannel();
    const migration = src.migrate(out);
    await new Promise((r) => setTimeout(r, 150));
    src.cancelMigration();
    await migration.done;
    expect(migration.status).toBe("cancelled");
    expect(statuses).toEqual(["setup", "active", "cancelling", "cancelled"]);
    expect(src.runState.state).toBe("running");
    expect(out.state).toBe("aborted");
    src.destroy();
  });
});

describe("Machine on @savevm/ram-wasm memory", () => {
  it("pre-copies a running guest with RAM in wasm memory", async () => {
    const codec = new RecordLogCodec();
    const src = wasmLogMachine({ memory: 2 << 20, startPaused: false, guest: { pacing: { rate: 4 << 20 } } }, codec);
    src.populate();
    await new Promise((r) => setTimeout(r, 30));
    src.setParameters({ "max-bandwidth": 16 << 20, "downtime-limit": 50 });
    const out = new MemoryOutputChannel();
    const migration = src.migrate(out);
    await migration.done;
    expect(migration.status).toBe("completed");
    const dst = wasmLogMachine({ memory: 2 << 20, incoming: true }, codec);
    await dst.incoming(memoryInputChannel(out.bytes()));
    expect(await dst.digest()).toEqual(await src.digest());
    src.destroy();
  });
});
