import { describe, expect, it } from "vitest";
import { MemoryOutputChannel, memoryInputChannel } from "../channel.js";
import { MachineError } from "../errors.js";
import { logMachine } from "../test-support/machines.js";
import { RecordLogCodec, type LoggedRecord } from "../test-support/record-log-codec.js";

/** Saves a small stopped machine and returns its records, for crafting bad streams. */
async function savedLog(codec: RecordLogCodec): Promise<LoggedRecord[]> {
  const m = logMachine({ guest: { seed: 5 } }, codec);
  m.step(10);
  const out = new MemoryOutputChannel();
  await m.migrate(out).done;
  return codec.logs.at(-1)!;
}

function bytesOf(records: LoggedRecord[]): Uint8Array {
  const json = JSON.stringify(records, (_k, v: unknown) => {
    if (typeof v === "bigint") return { $big: v.toString() };
    if (v instanceof Uint8Array) return { $bytes: Buffer.from(v).toString("base64") };
    return v;
  });
  return new TextEncoder().encode(`${json}\n`);
}

async function loadInto(records: LoggedRecord[], codec: RecordLogCodec, config = {}): Promise<{ error: MachineError; machine: ReturnType<typeof logMachine> }> {
  const machine = logMachine({ incoming: true, ...config }, codec);
  const before = await machine.digest();
  const error = await machine.incoming(memoryInputChannel(bytesOf(records))).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MachineError);
  // A failed load leaves everything as it was, and the machine can take another stream.
  expect(await machine.digest()).toEqual(before);
  expect(machine.runState.state).toBe("inmigrate");
  expect(() => machine.checkIncoming()).not.toThrow();
  return { error: error as MachineError, machine };
}

describe("strict load (record level)", () => {
  it("refuses another machine type with QEMU's words", async () => {
    const codec = new RecordLogCodec();
    const log = await savedLog(codec);
    const { error } = await loadInto(log, codec, { machineType: "pc-i440fx-7.2" });
    expect(error.code).toBe("MACHINE_TYPE_MISMATCH");
    expect(error.message).toBe("Machine type received is 'savevm-virt-1.0' and local is 'pc-i440fx-7.2'");
  });

  it("requires the configuration record", async () => {
    const codec = new RecordLogCodec();
    const log = (await savedLog(codec)).filter((r) => r.t !== "configuration");
    const { error } = await loadInto(log, codec);
    expect(error.message).toBe("Configuration section missing");
  });

  it("refuses a RAM block of another size", async () => {
    const codec = new RecordLogCodec();
    const log = await savedLog(codec);
    const { error } = await loadInto(log, codec, { memory: 2 << 20 });
    expect(error.code).toBe("RAMBLOCK_SIZE_MISMATCH");
    expect(error.message).toBe("Size mismatch: guest.ram: 0x100000 != 0x200000: Invalid argument");
  });

  it("refuses an unknown RAM block", async () => {
    const codec = new RecordLogCodec();
    const log = (await savedLog(codec)).map((r) =>
      r.t === "mem-size" ? { ...r, blocks: [...r.blocks, { name: "vga.vram", size: 4096 }] } : r,
    );
    const { error } = await loadInto(log, codec);
    expect(error.code).toBe("UNKNOWN_RAMBLOCK");
    expect(error.message).toBe('Unknown ramblock "vga.vram", cannot accept migration');
  });

  it("refuses a section the machine does not have", async () => {
    const codec = new RecordLogCodec();
    const log = (await savedLog(codec)).map((r) =>
      r.t === "section" && r.entry.idstr === "serial" ? { ...r, entry: { ...r.entry, instanceId: 1 } } : r,
    );
    const { error } = await loadInto(log, codec);
    expect(error.code).toBe("UNKNOWN_SECTION");
    expect(error.message).toBe(
      "Unknown savevm section or instance 'serial' 1. Make sure that your current VM setup matches your saved VM setup, including any hotplugged devices",
    );
    expect(error.section).toBe("serial");
  });

  it("refuses a section version newer than the device and one older than its minimum", async () => {
    const codec = new RecordLogCodec();
    const log = await savedLog(codec);
    const withVersion = (v: number) =>
      log.map((r) => (r.t === "section" && r.entry.idstr === "serial" ? { ...r, entry: { ...r.entry, versionId: v } } : r));
    const tooNew = await loadInto(withVersion(4), codec);
    expect(tooNew.error.code).toBe("SECTION_VERSION_TOO_NEW");
    expect(tooNew.error.message).toBe("savevm: unsupported version 4 for 'serial' v3");
    const tooOld = await loadInto(withVersion(1), codec);
    expect(tooOld.error.code).toBe("VERSION_TOO_OLD");
    expect(tooOld.error.message).toBe("serial: incoming version_id 1 is too old for local minimum version_id  2");
  });

  it("refuses device state its post-load checks reject, after RAM already loaded into staging", async () => {
    const codec = new RecordLogCodec();
    const log = (await savedLog(codec)).map((r) => {
      if (r.t !== "device" || r.vmsd !== "globalstate") return r;
      const runstate = new Uint8Array(100);
      runstate.set(new TextEncoder().encode("flying"));
      return { ...r, state: { size: 7, runstate } };
    });
    const { error } = await loadInto(log, codec);
    expect(error.message).toBe("invalid parameter value: flying");
  });

  it("after a failed attempt, the same machine loads a good stream", async () => {
    const codec = new RecordLogCodec();
    const good = await savedLog(codec);
    const bad = good.map((r) => (r.t === "configuration" ? { ...r, machineType: "other" } : r));
    const { machine } = await loadInto(bad, codec);
    await machine.incoming(memoryInputChannel(bytesOf(good)));
    expect(machine.runState.state).toBe("prelaunch");
    expect(machine.guest.state.steps).toBe(10);
  });
});
