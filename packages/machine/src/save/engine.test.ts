import { describe, expect, it } from "vitest";
import { logMachine } from "../test-support/machines.js";
import { RecordLogCodec } from "../test-support/record-log-codec.js";
import { savedBytes } from "../test-support/saved-bytes.js";
import { SaveRegistry } from "./engine.js";
import type { SaveHandler } from "./handler.js";
import { SaveMode } from "./save-mode.js";

function handler(idstr: string, live: boolean): SaveHandler {
  return {
    idstr,
    instanceId: 0,
    versionId: 1,
    minimumVersionId: 1,
    modes: SaveMode.MIGRATE,
    ...(live ? { iterate: () => true } : { save: () => undefined }),
    beginLoad: () => ({ apply: () => undefined, commit: () => undefined, abort: () => undefined }),
  };
}

describe("SaveRegistry section ids", () => {
  it("numbers entries in registration order from 0 when the first entry is written as FULL", () => {
    const registry = new SaveRegistry();
    expect(["timer", "ram", "cpu"].map((id) => registry.register(handler(id, id === "ram")).sectionId)).toEqual([0, 1, 2]);
  });

  it("never gives id 0 to a live entry: QEMU would route its PART and END sections to an entry not loaded yet", () => {
    const registry = new SaveRegistry();
    expect(["ram", "cpu", "block"].map((id) => registry.register(handler(id, id !== "cpu")).sectionId)).toEqual([1, 2, 3]);
  });
});

describe("section ids in a saved stream", () => {
  for (const machine of [undefined, "none"]) {
    it(`no START, PART or END section is numbered 0 (machine type ${machine ?? "default"})`, async () => {
      const codec = new RecordLogCodec();
      const m = logMachine(machine ? { machineType: machine } : {}, codec);
      m.step(5);
      await savedBytes(m);
      const sections = codec.logs[0]!.flatMap((r) => (r.t === "section" ? [r] : []));
      const live = sections.filter((r) => r.type !== "full");
      expect(live.map((r) => r.entry.idstr)).toContain("ram");
      expect(live.filter((r) => r.entry.sectionId === 0)).toEqual([]);
      // ids stay unique per entry
      const ids = new Map(sections.map((r) => [r.entry.idstr, r.entry.sectionId]));
      expect(new Set(ids.values()).size).toBe(ids.size);
    });
  }
});
