import { decodeMigrationStream, type MigrationRecord } from "@savevm/format";
import { describe, expect, it } from "vitest";
import { createMachine } from "../backends.js";
import { MemoryOutputChannel, memoryInputChannel } from "../channel.js";
import type { Machine } from "../machine.js";

async function save(machine: Machine): Promise<Uint8Array> {
  const out = new MemoryOutputChannel();
  const migration = machine.migrate(out);
  await migration.done;
  expect(migration.error).toBeUndefined();
  return out.bytes();
}

function shape(records: MigrationRecord[]): string[] {
  return records
    .filter((r) => r.kind !== "ram" && r.kind !== "footer")
    .map((r) => (r.kind === "section" ? `${r.type}:${r.idstr}` : r.kind));
}

describe("streams written with @savevm/format", () => {
  it("are QEMU v3 streams: header, configuration, RAM START/PART/END, FULL devices, EOF, vmdesc", async () => {
    const m = createMachine({ memory: 1 << 20, startPaused: true, guest: { seed: 3 } });
    m.populate();
    m.step(20);
    const bytes = await save(m);
    expect(Buffer.from(bytes.subarray(0, 8)).toString("hex")).toBe("5145564d00000003");
    const records = await decodeMigrationStream(bytes);
    const s = shape(records);
    expect(s.slice(0, 3)).toEqual(["header", "configuration", "start:ram"]);
    expect(s.slice(-7)).toEqual(["end:ram", "full:globalstate", "full:cpu", "full:clock", "full:serial", "eof", "vmdesc"]);
    const config = records.find((r) => r.kind === "configuration");
    expect(config?.kind === "configuration" && config.machineType).toBe("savevm-virt-1.0");
    const vmdesc = records.find((r) => r.kind === "vmdesc");
    const devices = vmdesc?.kind === "vmdesc" ? vmdesc.description.devices.map((d) => `${d.name}/${d.vmsd_name}/v${d.version}`) : [];
    expect(devices).toEqual(["globalstate/globalstate/v1", "cpu/cpu/v2", "clock/clock/v1", "serial/serial/v3"]);
    // Every page once in the first pass; all-zero ones as ZERO records with CONTINUE after the first.
    const pages = records.filter((r) => r.kind === "ram" && (r.type === "page" || r.type === "zero"));
    expect(pages.length).toBe(256);
  });

  it("round-trip a stopped machine byte-exactly and continue identically", async () => {
    const src = createMachine({ memory: 2 << 20, startPaused: true, guest: { seed: 8 } });
    src.populate();
    src.step(50);
    const bytes = await save(src);
    const dst = createMachine({ memory: 2 << 20, incoming: true, guest: { seed: 1 } });
    await dst.incoming(memoryInputChannel(bytes, 4093));
    expect(await dst.digest()).toEqual(await src.digest());
    src.step(17);
    dst.step(17);
    expect(await dst.digest()).toEqual(await src.digest());
    // Saving the restored machine gives the same stream (nothing lost, nothing invented).
    const again = createMachine({ memory: 2 << 20, incoming: true });
    await again.incoming(memoryInputChannel(bytes));
    const resaved = await save(again);
    const original = await decodeMigrationStream(bytes);
    const second = await decodeMigrationStream(resaved);
    expect(shape(second)).toEqual(shape(original));
  });
});
