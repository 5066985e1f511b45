import { describe, expect, it } from "vitest";
import { MemoryOutputChannel, memoryInputChannel } from "../channel.js";
import { logMachine } from "../test-support/machines.js";
import { RecordLogCodec } from "../test-support/record-log-codec.js";

describe("device state only (xen-save-devices-state / xen-load-devices-state)", () => {
  it("writes header, FULL device sections and EOF: no configuration, RAM or trailer", async () => {
    const codec = new RecordLogCodec();
    const m = logMachine({ startPaused: false }, codec);
    const events: string[] = [];
    m.events.on((e) => events.push(e.event));
    await m.saveDevicesState(new MemoryOutputChannel());
    const shape = codec.logs[0]!.filter((r) => r.t !== "footer" && r.t !== "device").map((r) => (r.t === "section" ? `${r.type}:${r.entry.idstr}` : r.t));
    expect(shape).toEqual(["header", "full:globalstate", "full:cpu", "full:clock", "full:serial", "eof"]);
    // A running guest is paused for the save and resumed after.
    expect(events).toEqual(["STOP", "RESUME"]);
    expect(m.runState.state).toBe("running");
    // The run state recorded is "running" whatever it was, as in QEMU.
    const gs = codec.logs[0]!.find((r) => r.t === "device" && r.vmsd === "globalstate");
    expect(gs?.t === "device" && new TextDecoder().decode((gs.state["runstate"] as Uint8Array).subarray(0, 7))).toBe("running");
    m.destroy();
  });

  it("loads device state into a stopped machine and leaves RAM alone", async () => {
    const codec = new RecordLogCodec();
    const a = logMachine({ guest: { seed: 1 } }, codec);
    a.step(30);
    const out = new MemoryOutputChannel();
    await a.saveDevicesState(out);
    const b = logMachine({ guest: { seed: 2 } }, codec);
    b.step(3);
    const ramBefore = (await b.digest()).ram;
    await b.loadDevicesState(memoryInputChannel(out.bytes()));
    const after = await b.digest();
    expect(after.ram).toBe(ramBefore);
    expect(after.devices).toBe((await a.digest()).devices);
    expect(after.steps).toBe(30);
  });

  it("refuses to load while the guest runs", async () => {
    const codec = new RecordLogCodec();
    const a = logMachine({}, codec);
    const out = new MemoryOutputChannel();
    await a.saveDevicesState(out);
    const b = logMachine({ startPaused: false }, codec);
    await expect(b.loadDevicesState(memoryInputChannel(out.bytes()))).rejects.toThrow("Cannot update device state while vm is running");
    b.destroy();
  });

  it("refuses a full migration stream's RAM section in a device-state load", async () => {
    const codec = new RecordLogCodec();
    const a = logMachine({}, codec);
    const out = new MemoryOutputChannel();
    await a.migrate(out).done;
    const b = logMachine({}, codec);
    await expect(b.loadDevicesState(memoryInputChannel(out.bytes()))).rejects.toThrow("Unknown savevm section or instance 'ram' 0");
  });
});
