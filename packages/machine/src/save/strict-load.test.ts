import { decodeMigrationStream, encodeMigrationStream, type MigrationRecord } from "@savevm/format";
import { beforeAll, describe, expect, it } from "vitest";
import { createMachine } from "../backends.js";
import { MemoryOutputChannel, memoryInputChannel } from "../channel.js";

let good: Uint8Array;
let records: MigrationRecord[];

beforeAll(async () => {
  const m = createMachine({ memory: 1 << 20, startPaused: true, guest: { seed: 4 } });
  m.populate(0, 64);
  m.step(12);
  const out = new MemoryOutputChannel();
  await m.migrate(out).done;
  good = out.bytes();
  records = await decodeMigrationStream(good);
});

function edit(change: (r: MigrationRecord) => MigrationRecord): Uint8Array {
  return encodeMigrationStream(records.map((r) => change(structuredClone(r))));
}

interface Refusal {
  code: string;
  message: string;
  offset: number | undefined;
}

/** Loads `bytes` into a fresh incoming machine; checks it refused, changed nothing, and can retry. */
async function refuse(bytes: Uint8Array, config: { memory?: number; machineType?: string } = {}): Promise<Refusal> {
  const m = createMachine({ memory: config.memory ?? 1 << 20, incoming: true, ...(config.machineType ? { machineType: config.machineType } : {}) });
  const before = await m.digest();
  const err = (await m.incoming(memoryInputChannel(bytes, 1000)).then(
    () => undefined,
    (e: unknown) => e,
  )) as (Error & { code?: string; offset?: number }) | undefined;
  expect(err, "the load should fail").toBeDefined();
  expect(await m.digest()).toEqual(before);
  expect(m.runState.state).toBe("inmigrate");
  expect(m.queryMigrate().status).toBe("failed");
  if (!config.machineType && config.memory === undefined) {
    await m.incoming(memoryInputChannel(good));
    expect(m.guest.state.steps).toBe(12);
  }
  return { code: err!.code ?? "", message: err!.message, offset: err!.offset };
}

describe("strict load of byte streams", () => {
  it("wrong magic", async () => {
    const bad = good.slice();
    bad[0] = 0x51 ^ 0xff;
    const r = await refuse(bad);
    expect(r.code).toBe("BAD_MAGIC");
    expect(r.offset).toBe(0);
  });

  it("obsolete and newer stream versions", async () => {
    const v2 = good.slice();
    v2[7] = 2;
    expect((await refuse(v2)).message).toMatch(/^SaveVM v2 format is obsolete and don't work anymore/);
    const v4 = good.slice();
    v4[7] = 4;
    expect((await refuse(v4)).code).toBe("VERSION_UNSUPPORTED");
  });

  it("truncated stream", async () => {
    const r = await refuse(good.subarray(0, Math.floor(good.length / 2)));
    expect(r.code).toBe("TRUNCATED");
  });

  it("another machine type", async () => {
    const r = await refuse(good, { machineType: "pc-q35-7.2" });
    expect(r.code).toBe("MACHINE_TYPE_MISMATCH");
    expect(r.message).toBe("Machine type received is 'savevm-virt-1.0' and local is 'pc-q35-7.2'");
    expect(r.offset).toBe(8);
  });

  it("missing configuration record", async () => {
    const r = await refuse(encodeMigrationStream(records.filter((x) => x.kind !== "configuration")));
    expect(r.message).toBe("Configuration section missing");
  });

  it("RAM block of another size", async () => {
    const r = await refuse(good, { memory: 2 << 20 });
    expect(r.code).toBe("RAMBLOCK_SIZE_MISMATCH");
    expect(r.message).toBe("Size mismatch: guest.ram: 0x100000 != 0x200000: Invalid argument");
    expect(r.offset).toBeGreaterThan(8);
  });

  it("unknown RAM block", async () => {
    const bytes = edit((r) =>
      r.kind === "ram" && r.type === "mem-size" ? { ...r, address: r.address + 4096, blocks: [...r.blocks, { idstr: "vga.vram", length: 4096 }] } : r,
    );
    const r = await refuse(bytes);
    expect(r.code).toBe("UNKNOWN_RAMBLOCK");
    expect(r.message).toBe('Unknown ramblock "vga.vram", cannot accept migration');
  });

  it("unknown section", async () => {
    const bytes = edit((r) => (r.kind === "section" && r.idstr === "clock" ? { ...r, idstr: "rtc" } : r));
    const r = await refuse(bytes);
    expect(r.code).toBe("UNKNOWN_SECTION");
    expect(r.message).toMatch(/^Unknown savevm section or instance 'rtc' 0\. Make sure that your current VM setup matches/);
    const clock = records.find((x) => x.kind === "section" && x.idstr === "clock")!;
    expect(r.offset).toBe(clock.offset);
  });

  it("section version newer than the device, and older than its minimum", async () => {
    const newer = await refuse(edit((r) => (r.kind === "section" && r.idstr === "serial" ? { ...r, version: 9 } : r)));
    expect(newer.code).toBe("SECTION_VERSION_TOO_NEW");
    expect(newer.message).toMatch(/^savevm: unsupported version 9 for 'serial' v3/);
    const older = await refuse(edit((r) => (r.kind === "section" && r.idstr === "serial" ? { ...r, version: 1 } : r)));
    expect(older.message).toMatch(/^serial: incoming version_id 1 is too old for local minimum version_id {2}2/);
    const ram = await refuse(edit((r) => (r.kind === "section" && r.idstr === "ram" && r.type === "start" ? { ...r, version: 5 } : r)));
    expect(ram.message).toMatch(/^savevm: unsupported version 5 for 'ram' v4/);
  });

  it("mismatched section footer", async () => {
    const bytes = edit((r) => (r.kind === "footer" && r === records.find((x) => x.kind === "footer") ? r : r.kind === "footer" ? { ...r, sectionId: r.sectionId + 40 } : r));
    const r = await refuse(bytes);
    expect(r.code).toBe("FOOTER_MISMATCH");
  });

  it("device state its checks refuse (a run state that does not exist)", async () => {
    const bytes = edit((r) => {
      if (r.kind !== "section" || r.idstr !== "globalstate" || !r.body) return r;
      const body = r.body.slice();
      new DataView(body.buffer).setUint32(0, 7);
      body.fill(0, 4);
      body.set(new TextEncoder().encode("flying"), 4);
      return { ...r, body };
    });
    const r = await refuse(bytes);
    expect(r.message).toBe("invalid parameter value: flying");
  });
});
