/**
 * Real QEMU 7.2 writes streams in every shape the issue names; for each, `savevm inspect`
 * reads it, `savevm convert` gives the same bytes back, the RAM `savevm inspect --extract` pulls
 * out equals what QEMU's own pmemsave dumps, and the converted stream loads back into QEMU.
 */
import { readFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { QemuVm, stopAll, GUEST_MIB, type MigrationTuning, type VmOptions } from "./test-support/qemu-vm.js";
import { runCli } from "./test-support/run-cli.js";
import { analyzeState, analyzerAvailable, ANALYZER, compareWithAnalyzer } from "./test-support/qemu-analyzer.js";

interface Case {
  name: string;
  vm: VmOptions;
  /** The guest keeps running while the stream is written. */
  running: boolean;
  tuning?: MigrationTuning;
  /** The destination needs the same capabilities (compress) or -global flags. */
  incomingTuning?: MigrationTuning;
  /** Page kinds the stream must contain, by `savevm inspect --state` RAM counter name. */
  expectKinds?: string[];
  /**
   * Which guest RAM the stream holds: at the end of the save (precopy stops the guest at
   * switchover), at the start (background-snapshot: QEMU 7.2 even resumes a paused guest
   * afterwards), or an instant the test cannot dump (a running guest's background snapshot).
   */
  ram?: "end" | "start" | "unknown";
  save?: "migrate" | "xen-save-devices-state";
  /** QEMU's analyze-migration.py reads it (it needs the vmdesc trailer and knows no XBZRLE or compressed pages). */
  analyzer?: boolean;
}

const NICS = [
  "-netdev", "user,id=n0", "-device", "e1000,netdev=n0",
  "-netdev", "user,id=n1", "-device", "virtio-net-pci,netdev=n1",
  "-chardev", "null,id=s0", "-device", "isa-serial,chardev=s0",
  "-device", "qemu-xhci", "-device", "usb-tablet",
];
const NO_CFG_NO_FOOTER = ["-global", "migration.send-configuration=off", "-global", "migration.send-section-footer=off"];
const ITERATE = { "max-bandwidth": 4 << 20, "downtime-limit": 1 };

const cases: Case[] = [
  { name: "pc stopped", vm: { machine: "pc" }, running: false, expectKinds: ["zero", "normal"] },
  { name: "pc running", vm: { machine: "pc" }, running: true, expectKinds: ["zero", "normal"] },
  { name: "q35 stopped", vm: { machine: "q35" }, running: false },
  { name: "q35 running", vm: { machine: "q35" }, running: true },
  { name: "pc with nics, serial, usb", vm: { machine: "pc", args: NICS }, running: true },
  { name: "q35 with nics, serial, usb", vm: { machine: "q35", args: NICS }, running: false },
  { name: "suppress-vmdesc", vm: { machine: "pc,suppress-vmdesc=on" }, running: false, analyzer: false },
  {
    name: "no configuration, no footers",
    vm: { machine: "pc", args: NO_CFG_NO_FOOTER },
    running: true,
  },
  {
    name: "xbzrle",
    vm: { machine: "pc" },
    running: true,
    tuning: {
      capabilities: { xbzrle: true },
      parameters: ITERATE,
      later: { afterMs: 1500, parameters: { "downtime-limit": 2000 } },
    },
    expectKinds: ["xbzrle"],
    analyzer: false,
  },
  {
    name: "compress",
    vm: { machine: "pc" },
    running: true,
    tuning: { capabilities: { compress: true } },
    incomingTuning: { capabilities: { compress: true } },
    expectKinds: ["compressed"],
    analyzer: false,
  },
  {
    name: "background-snapshot of a stopped guest",
    vm: { machine: "pc" },
    running: false,
    ram: "start",
    tuning: { capabilities: { "background-snapshot": true } },
  },
  {
    name: "background-snapshot of a running guest",
    vm: { machine: "pc" },
    running: true,
    tuning: { capabilities: { "background-snapshot": true } },
    ram: "unknown",
  },
  { name: "xen-save-devices-state", vm: { machine: "pc" }, running: false, save: "xen-save-devices-state", analyzer: false },
];

let work: string;
beforeAll(async () => {
  if (!analyzerAvailable()) throw new Error(`QEMU's analyzer is missing at ${ANALYZER}: run scripts/install-test-tools.sh`);
  work = await mkdtemp(join(tmpdir(), "savevm-interop-"));
});
afterEach(async () => {
  await stopAll();
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** pc.ram as the guest sees it, minus the legacy 640 KiB–1 MiB window that maps ROM and VGA. */
function comparableRam(ram: Uint8Array): Uint8Array[] {
  return [ram.subarray(0, 0xa0000), ram.subarray(0x100000, GUEST_MIB << 20)];
}

describe.each(cases)("QEMU 7.2 stream: $name", (c) => {
  it("inspects, converts byte for byte, extracts RAM equal to pmemsave, and loads back", async () => {
    const dir = await mkdtemp(join(work, "case-"));
    const stream = join(dir, "vm.mig");
    const source = await QemuVm.start(c.vm);
    await source.runFor(300);
    if (!c.running) await source.execute("stop");

    const pmem = join(dir, "pmem.bin");
    if (c.ram === "start") await source.pmemsave(pmem);
    if (c.save === "xen-save-devices-state") {
      await source.execute("xen-save-devices-state", { filename: stream });
    } else {
      await source.migrateToFile(stream, c.tuning);
    }
    if (c.save !== "xen-save-devices-state" && (c.ram ?? "end") === "end") {
      // A completed precopy leaves the guest stopped (postmigrate), so RAM still holds what was sent.
      expect(await source.status()).toBe("postmigrate");
      await source.pmemsave(pmem);
    }

    const inspected = await runCli(["inspect", stream]);
    expect(inspected.stderr).toBe("");
    expect(inspected.code).toBe(0);
    expect(inspected.stdout).toMatch(/QEMU migration stream/);

    const json = await runCli(["inspect", stream, "--state"]);
    expect(json.code).toBe(0);
    const state = JSON.parse(json.stdout) as Record<string, { "page counts"?: Record<string, Record<string, number>> }>;
    const ramKey = Object.keys(state).find((k) => k.startsWith("ram ("));
    if (c.analyzer !== false) {
      // Every device value savevm decoded must be what QEMU's own analyzer reads from the same bytes.
      expect(compareWithAnalyzer(state, await analyzeState(stream))).toEqual([]);
    }

    const converted = join(dir, "converted.mig");
    const conv = await runCli(["convert", stream, converted]);
    expect(conv.stderr).toBe("");
    expect(conv.code).toBe(0);
    expect(Buffer.compare(await readFile(converted), await readFile(stream))).toBe(0);

    if (c.save === "xen-save-devices-state") return;

    expect(ramKey, "a RAM section in --state").toBeDefined();
    const kinds = state[ramKey!]?.["page counts"]?.["pc.ram"] ?? {};
    for (const kind of c.expectKinds ?? []) expect(kinds[kind], `${kind} pages in pc.ram`).toBeGreaterThan(0);

    const extracted = join(dir, "ram");
    const ext = await runCli(["inspect", stream, "--extract", extracted]);
    expect(ext.code).toBe(0);
    const ram = await readFile(join(extracted, "pc.ram"));
    expect(ram.length).toBe(GUEST_MIB << 20);
    if (c.ram !== "unknown") {
      const dumped = await readFile(pmem);
      const [lowA, highA] = comparableRam(ram);
      const [lowB, highB] = comparableRam(dumped);
      expect(Buffer.compare(lowA!, lowB!), "RAM below 640 KiB").toBe(0);
      expect(Buffer.compare(highA!, highB!), "RAM above 1 MiB").toBe(0);
    }

    const destination = await QemuVm.start({ ...c.vm, incoming: true });
    await destination.incomingFromFile(converted, c.incomingTuning);
    const destPmem = join(dir, "dest-pmem.bin");
    await destination.pmemsave(destPmem);
    const [lowD, highD] = comparableRam(await readFile(destPmem));
    const [lowR, highR] = comparableRam(ram);
    expect(Buffer.compare(lowD!, lowR!), "loaded RAM below 640 KiB").toBe(0);
    expect(Buffer.compare(highD!, highR!), "loaded RAM above 1 MiB").toBe(0);
  });
});
