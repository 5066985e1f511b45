/**
 * `savevm save`, `restore` and `save-image-*` as a user runs them, against `savevm run`
 * machines: run states, the text monitor, refusals with libvirt's words, in-place XML edits,
 * O_DIRECT, and a save killed at random points never leaving a bad image under its name.
 */
import { spawn } from "node:child_process";
import { copyFile, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readSaveImageFile } from "@savevm/format/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { killPids } from "../test-support/child-processes.js";
import { runCli, SAVEVM_BIN } from "../test-support/run-cli.js";
import { qmpOnce as qmp } from "../test-support/qmp-once.js";

let dir: string;
let runtimeDir: string;
const pids = new Set<number>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "savevm-save-cli-"));
  runtimeDir = join(dir, "run");
});

afterEach(() => killPids(pids));

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `savevm run --detach`; resolves with its pid and monitor addresses. */
async function machine(
  name: string,
  options: { hmp?: boolean; qmp?: boolean; guest?: string } = {},
): Promise<{ pid: number; qmp: string; hmp: string }> {
  const qmpAddress = `unix:${join(dir, `${name}.qmp`)}`;
  const hmpAddress = `unix:${join(dir, `${name}.hmp`)}`;
  const args = [
    "run",
    "--detach",
    "--memory",
    "8M",
    "--name",
    name,
    "--runtime-dir",
    runtimeDir,
    "--guest",
    options.guest ?? "rate=2M,seed=3",
  ];
  if (options.qmp !== false) args.push("--qmp", qmpAddress);
  if (options.hmp) args.push("--hmp", hmpAddress);
  const started = await runCli(args);
  expect(started.code, started.stderr).toBe(0);
  const pid = Number(/^pid (\d+)$/m.exec(started.stdout)![1]);
  pids.add(pid);
  return { pid, qmp: qmpAddress, hmp: hmpAddress };
}

async function gone(pid: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      pids.delete(pid);
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`process ${pid} is still alive`);
}

function restoredAddress(out: string): { qmp: string; pid: number } {
  const pid = Number(/pid (\d+)/.exec(out)![1]);
  pids.add(pid);
  return { qmp: /^QMP: (\S+)$/m.exec(out)![1]!, pid };
}

/** One image to refuse things with, saved once. */
let sample: string;
async function sampleImage(): Promise<string> {
  if (sample) return sample;
  const m = await machine("sample");
  sample = join(dir, "sample.save");
  const saved = await runCli(["save", "sample", sample, "--runtime-dir", runtimeDir]);
  expect(saved.code, saved.stderr).toBe(0);
  await gone(m.pid);
  return sample;
}

describe("savevm save / restore of savevm machines", () => {
  it("saves over a savevm run --hmp text monitor by name, and restores the digest of the save", async () => {
    const m = await machine("texty", { hmp: true });
    await new Promise((r) => setTimeout(r, 150));
    await qmp(m.qmp, "stop");
    const digest = await qmp(m.qmp, "x-query-digest");
    const file = join(dir, "texty 'quoted'.save");
    const saved = await runCli(["save", `hmp:${m.hmp}`, file, "--running", "--pid", String(m.pid)]);
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stdout).toContain(`Domain 'texty' saved to ${file}`);
    await gone(m.pid);
    expect((await readSaveImageFile(file)).header.wasRunning).toBe(true);

    const paused = await runCli(["restore", file, "--paused", "--runtime-dir", runtimeDir]);
    expect(paused.code, paused.stderr).toBe(0);
    const r = restoredAddress(paused.stdout);
    expect(paused.stdout).toContain("paused");
    expect(await qmp(r.qmp, "x-query-digest")).toEqual(digest);
    await qmp(r.qmp, "quit");
    await gone(r.pid);

    const running = await runCli(["restore", file, "--runtime-dir", runtimeDir]);
    const r2 = restoredAddress(running.stdout);
    expect((await qmp<{ status: string }>(r2.qmp, "query-status")).status).toBe("running");
    const list = await runCli(["list", "--runtime-dir", runtimeDir]);
    expect(list.stdout).toMatch(/texty\s+running/);
  });

  it("saves a machine that has only a text monitor, found by name in the registry", async () => {
    const m = await machine("hmponly", { hmp: true, qmp: false });
    const file = join(dir, "hmponly.save");
    const saved = await runCli(["save", "hmponly", file, "--runtime-dir", runtimeDir, "--format", "zstd"]);
    expect(saved.code, saved.stderr).toBe(0);
    await gone(m.pid);
    const image = await readSaveImageFile(file);
    expect(image.header).toMatchObject({ format: "zstd", wasRunning: true });
    expect(image.domainXml).toContain("<name>hmponly</name>");
    await image.stream.close();
  });

  it("writes and reads with O_DIRECT (--bypass-cache)", async () => {
    const m = await machine("direct", { guest: "rate=2M,seed=4,fill=7M" });
    await qmp(m.qmp, "stop");
    const digest = await qmp(m.qmp, "x-query-digest");
    const file = join(dir, "direct.save");
    const saved = await runCli(["save", "direct", file, "--runtime-dir", runtimeDir, "--bypass-cache"]);
    expect(saved.code, saved.stderr).toBe(0);
    await gone(m.pid);
    // several O_DIRECT blocks of 1 MiB and a short tail
    expect((await stat(file)).size).toBeGreaterThan(2 << 20);
    const restored = await runCli(["restore", file, "--runtime-dir", runtimeDir, "--bypass-cache"]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(await qmp(restoredAddress(restored.stdout).qmp, "x-query-digest")).toEqual(digest);
  });
});

describe("refusals with libvirt's words", () => {
  it("refuses both run-state flags", async () => {
    const file = await sampleImage();
    const commands = [
      ["restore", file, "--runtime-dir", runtimeDir],
      ["save", "sample", join(dir, "x.save"), "--runtime-dir", runtimeDir],
      ["save-image-define", file, file],
      ["save-image-edit", file],
    ];
    for (const args of commands) {
      const result = await runCli([...args, "--running", "--paused"]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^savevm: .*Flags 'VIR_DOMAIN_SAVE_RUNNING' and 'VIR_DOMAIN_SAVE_PAUSED' are mutually exclusive\n$/);
    }
  });

  it("refuses an incomplete image, a bad magic and a newer version", async () => {
    const file = await sampleImage();
    const cases: [string, (b: Buffer) => void, string][] = [
      ["part", (b) => b.write("LibvirtQemudPart", 0, "latin1"), "save image is incomplete"],
      ["magic", (b) => b.write("LibvirtQemudXXXX", 0, "latin1"), "image magic is incorrect"],
      ["version", (b) => b.writeUInt32LE(3, 16), "image version is not supported (50331648 > 2)"],
    ];
    for (const [name, damage, words] of cases) {
      const bytes = await readFile(file);
      damage(bytes);
      const bad = join(dir, `bad-${name}.save`);
      await writeFile(bad, bytes);
      for (const command of ["restore", "save-image-dumpxml"]) {
        const result = await runCli([command, bad, "--runtime-dir", runtimeDir].slice(0, command === "restore" ? 4 : 2));
        expect(result.code).toBe(1);
        expect(result.stderr).toContain(words);
      }
    }
    expect((await runCli(["list", "--name", "--runtime-dir", runtimeDir])).stdout.trim()).toBe("");
  });

  it("refuses a missing decompressor before starting anything", async () => {
    const m = await machine("squeezed");
    const file = join(dir, "squeezed.save");
    expect((await runCli(["save", "squeezed", file, "--format", "xz", "--runtime-dir", runtimeDir])).code).toBe(0);
    await gone(m.pid);
    const result = await runCli(["restore", file, "--runtime-dir", runtimeDir], { env: { ...process.env, PATH: "/nonexistent" } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Compression program for xz image format in configuration file isn't available");
    expect((await runCli(["list", "--name", "--runtime-dir", runtimeDir])).stdout.trim()).toBe("");
  });

  it("refuses to restore over an active machine of that name", async () => {
    const file = await sampleImage();
    const first = await runCli(["restore", file, "--runtime-dir", runtimeDir]);
    expect(first.code, first.stderr).toBe(0);
    restoredAddress(first.stdout);
    const second = await runCli(["restore", file, "--runtime-dir", runtimeDir]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain("Requested operation is not valid: domain 'sample' is already active");
  });

  it("checks restore --xml against the image's XML, with libvirt's ABI words", async () => {
    const file = await sampleImage();
    const xml = (await runCli(["save-image-dumpxml", file])).stdout;
    await writeFile(join(dir, "restore.xml"), xml.replace("<name>sample</name>", "<name>elsewhere</name>"));
    const result = await runCli(["restore", file, "--xml", join(dir, "restore.xml"), "--runtime-dir", runtimeDir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Target domain name 'elsewhere' does not match source 'sample'");
    expect((await runCli(["list", "--name", "--runtime-dir", runtimeDir])).stdout.trim()).toBe("");
  });

  it("treats an unknown format as a usage error", async () => {
    const result = await runCli(["save", "x", join(dir, "x.save"), "--format", "lzma"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^savevm: .*unknown format 'lzma'/);
  });
});

describe("save-image-dumpxml / define / edit", () => {
  it("redefines in place after the ABI check, within the data area", async () => {
    const file = join(dir, "define.save");
    await copyFile(await sampleImage(), file);
    const before = await readFile(file);
    const xml = (await runCli(["save-image-dumpxml", file])).stdout;
    const check = async (text: string, words: string): Promise<void> => {
      await writeFile(join(dir, "new.xml"), text);
      const result = await runCli(["save-image-define", file, join(dir, "new.xml")]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(words);
      expect((await readFile(file)).equals(before)).toBe(true);
    };
    const uuid = /<uuid>([^<]+)<\/uuid>/.exec(xml)![1]!;
    await check(xml.replace("<name>sample</name>", "<name>other</name>"), "Target domain name 'other' does not match source 'sample'");
    await check(
      xml.replace(uuid, "11111111-2222-4333-8444-555555555555"),
      `Target domain uuid 11111111-2222-4333-8444-555555555555 does not match source ${uuid}`,
    );
    await check(
      xml.replace(/<memory unit='KiB'>\d+</, "<memory unit='KiB'>65536<"),
      "unsupported configuration: Target domain max memory 65536 does not match source 8192",
    );
    await check(xml.replace("</domain>", `<description>${"x".repeat(70_000)}</description></domain>`), "new xml too large to fit in file");

    const edited = xml.replace("</domain>", "  <description>edited</description>\n</domain>");
    await writeFile(join(dir, "new.xml"), edited);
    const ok = await runCli(["save-image-define", file, join(dir, "new.xml"), "--paused"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toBe(`State file ${file} updated.\n`);
    expect((await runCli(["save-image-dumpxml", file])).stdout).toBe(edited);
    const image = await readSaveImageFile(file);
    expect(image.header.wasRunning).toBe(false);
    expect((await stat(file)).size).toBe(before.length);
    // the stream did not move
    const payload = image.payloadOffset;
    await image.stream.close();
    expect((await readFile(file)).subarray(payload).equals(before.subarray(payload))).toBe(true);
  });

  it("edits through $EDITOR and says when nothing changed", async () => {
    const file = join(dir, "edit.save");
    await copyFile(await sampleImage(), file);
    const unchanged = await runCli(["save-image-edit", file], { env: { ...process.env, EDITOR: "true", VISUAL: "" } });
    expect(unchanged.stdout).toBe(`Saved image ${file} XML configuration not changed.\n`);
    const changed = await runCli(["save-image-edit", file], {
      env: { ...process.env, VISUAL: "", EDITOR: "sed -i 's|</domain>|<description>by sed</description></domain>|'" },
    });
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.stdout).toBe(`State file ${file} edited.\n`);
    expect((await runCli(["save-image-dumpxml", file])).stdout).toContain("<description>by sed</description>");
    const refused = await runCli(["save-image-edit", file], {
      env: { ...process.env, VISUAL: "", EDITOR: "sed -i 's|<name>sample</name>|<name>renamed</name>|'" },
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("Target domain name 'renamed' does not match source 'sample'");
  });
});

describe("a save killed at random points", () => {
  it("never leaves a partial or corrupt image under the final name (20 trials)", async () => {
    const file = join(dir, "killed.save");
    await copyFile(await sampleImage(), file);
    let previous = await readFile(file);
    let replaced = 0;
    const save = (name: string, format: string) =>
      spawn(process.execPath, [SAVEVM_BIN, "save", name, file, "--runtime-dir", runtimeDir, "--format", format], { stdio: "ignore" });
    // How long a whole save takes on this host now: the kills are spread over that span, from
    // before the command started its work to after it renamed the image.
    const calibration = await machine("kill-calibration", { guest: "rate=2M,seed=99,fill=2M" });
    const started = Date.now();
    const whole = save("kill-calibration", "gzip");
    await new Promise<void>((resolve) => whole.once("exit", () => resolve()));
    const span = Date.now() - started;
    await gone(calibration.pid);
    previous = await readFile(file);
    for (let trial = 0; trial < 20; trial++) {
      const name = `kill${trial}`;
      const m = await machine(name, { guest: `rate=2M,seed=${trial},fill=2M` });
      const child = save(name, trial % 2 ? "gzip" : "raw");
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      const delay = Math.floor(Math.random() * span * 1.1);
      const signal = (["SIGKILL", "SIGTERM", "SIGINT"] as const)[trial % 3];
      const timer = setTimeout(() => child.kill(signal), delay);
      await exited;
      clearTimeout(timer);
      const now = await readFile(file);
      const replacedNow = !now.equals(previous);
      if (replacedNow) {
        // a new image appeared: it must be whole
        const image = await readSaveImageFile(file);
        expect(image.header.complete).toBe(true);
        expect(image.domainXml).toContain(`<name>${name}</name>`);
        let length = 0;
        for await (const chunk of image.stream) length += chunk.length;
        expect(length).toBeGreaterThan(0);
        previous = now;
        replaced++;
      } else if (signal !== "SIGKILL") {
        // a save cancelled by Ctrl-C or SIGTERM resumes the machine (SIGKILL gives it no chance)
        expect((await qmp<{ status: string }>(m.qmp, "query-status")).status).toBe("running");
      }
      try {
        process.kill(m.pid, "SIGKILL");
      } catch {
        // ended by the save
      }
      pids.delete(m.pid);
    }
    expect((await readdir(dir)).filter((f) => f === "killed.save").length).toBe(1);
    // the delays cover both outcomes in practice; report how many saves completed
    console.log(`killed saves (a save takes ${span} ms): ${20 - replaced} left the old image, ${replaced} completed`);
  }, 240_000);
});
