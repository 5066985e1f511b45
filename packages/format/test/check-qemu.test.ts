import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkMigrationStream } from "../src/check/check-stream.js";
import type { CheckOptions } from "../src/check/finding.js";
import { makeConfigurationRecord } from "../src/configuration.js";
import type { RamMemSizeRecord } from "../src/records.js";
import { encodeMigrationStream } from "../src/stream/writer.js";
import { QEMU } from "./qemu.js";
import { decode, fixture } from "./support.js";

const dir = mkdtempSync(join(tmpdir(), "savevm-check-qemu-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts QEMU 7.2 as the fixtures were made, loading `bytes`; resolves to what it printed once it gave up. */
function loadInQemu(name: string, bytes: Uint8Array, memory = "16"): Promise<string> {
  const file = join(dir, `${name}.mig`);
  writeFileSync(file, bytes);
  const args = ["-accel", "tcg", "-display", "none", "-nodefaults", "-m", memory, "-monitor", "none", "-incoming", `exec:cat ${file}`];
  return new Promise((resolve) => {
    // A stream QEMU accepts would leave the guest running: the timeout ends it, and the test then fails.
    execFile(QEMU, args, { timeout: 30_000, killSignal: "SIGKILL" }, (_error, _stdout, stderr) => resolve(stderr));
  });
}

function patched(at: (bytes: Buffer) => number, value: number): Uint8Array {
  const bytes = fixture("pc-stopped");
  bytes[at(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length))] = value;
  return bytes;
}

const subsectionVersionLow = (b: Buffer) => b.indexOf("cpu/poll_control_msr", 0, "latin1") + "cpu/poll_control_msr".length + 3;

/** The one finding the check gives is the error QEMU 7.2 stops the load with, word for word. */
async function expectQemuAgrees(name: string, bytes: Uint8Array, options: CheckOptions = {}, memory?: string): Promise<void> {
  const findings = await checkMigrationStream(bytes, options);
  expect(findings).toHaveLength(1);
  const stderr = await loadInQemu(name, bytes, memory);
  expect(stderr).toContain(`qemu-system-x86_64: ${findings[0]!.message}\n`);
  expect(stderr).toContain("load of migration failed");
}

describe("what checkMigrationStream reports, real QEMU 7.2 refuses with the same words", () => {
  it("a globalstate run state QEMU does not know", async () => {
    await expectQemuAgrees(
      "runstate",
      patched((b) => b.indexOf("prelaunch\0", 0, "latin1"), "q".charCodeAt(0)),
    );
  });

  it("a subsection older and newer than the vmdesc lists", async () => {
    await expectQemuAgrees("subsection-old", patched(subsectionVersionLow, 0));
    await expectQemuAgrees("subsection-new", patched(subsectionVersionLow, 9));
  });

  it("no footers in a stream whose configuration record promises them", async () => {
    const records = await decode(fixture("pc-nocfg-nofooter"));
    records.splice(1, 0, makeConfigurationRecord({ machineType: "pc-i440fx-7.2" }));
    await expectQemuAgrees("no-footers", encodeMigrationStream(records));
  });

  it("a RAM block of another size than the loading machine's", async () => {
    const bytes = fixture("pc-stopped");
    const memSize = (await decode(bytes)).find((r): r is RamMemSizeRecord => r.kind === "ram" && r.type === "mem-size")!;
    const local = Object.fromEntries(memSize.blocks.map((b) => [b.idstr, b.length]));
    local["pc.ram"] = 32 << 20;
    await expectQemuAgrees("ram-size", bytes, { ramBlocks: local }, "32");
  });
});
