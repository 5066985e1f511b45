import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeConfigurationRecord } from "../src/configuration.js";
import type { SectionRecord } from "../src/records.js";
import { concatBytes } from "../src/source/byte-source.js";
import { decodeMigrationStream } from "../src/stream/decoder.js";
import { MigrationStreamWriter } from "../src/stream/writer.js";
import { QEMU, QemuProcess } from "./qemu.js";

const dir = mkdtempSync(join(tmpdir(), "savevm-format-dedup-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs QEMU 7.2 loading `file` at start; resolves with its exit code and stderr (it exits on a failed load). */
function qemuIncoming(file: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(QEMU, ["-accel", "tcg", "-display", "none", "-nodefaults", "-m", "16", "-M", "pc", "-S", "-incoming", `exec:cat ${file}`]);
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`QEMU did not exit: ${stderr}`));
    }, 30_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe("real QEMU 7.2 and the dedup extension", () => {
  it("refuses a stream that records x-dedup, naming the capability", async () => {
    const original = join(dir, "a.mig");
    const q = new QemuProcess(["-M", "pc", "-S"]);
    try {
      await q.start();
      await q.execute("migrate", { uri: `exec:cat > ${original}` });
      await q.waitMigration();
    } finally {
      q.kill();
    }
    const records = await decodeMigrationStream(readFileSync(original));
    const ramStart = records.find((r): r is SectionRecord => r.kind === "section" && r.idstr === "ram" && r.type === "start")!;
    const out: Uint8Array[] = [];
    const w = new MigrationStreamWriter(out, { configuration: { machineType: "pc-i440fx-7.2", capabilities: ["x-dedup"] } });
    for (const rec of records) {
      if (rec.kind === "configuration") {
        w.write(makeConfigurationRecord({ machineType: rec.machineType, capabilities: ["x-dedup"] }));
        continue;
      }
      if (rec.kind === "section" && rec.idstr === "ram" && rec.type === "end") {
        w.beginRamSection("part", { sectionId: ramStart.sectionId }).ramDedup("pc.ram", 0x301000, 0x300000).finishRamSection();
      }
      w.write(rec);
    }
    w.flush();
    const file = join(dir, "dedup.mig");
    writeFileSync(file, concatBytes(out));
    const { code, stderr } = await qemuIncoming(file);
    expect(code).not.toBe(0);
    expect(stderr).toContain("Received unknown capability x-dedup");
  });
});
