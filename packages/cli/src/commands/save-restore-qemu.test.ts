/**
 * `savevm save` / `savevm restore` against real QEMU 7.2: over QMP (the stream comes through a
 * descriptor passed with getfd) and over the text monitor (`-monitor unix:`, a socket we listen
 * on), with file names holding spaces and both quote kinds, every compression format, restored
 * into a fresh QEMU fed through a pipe. Guest RAM is compared with QEMU's own pmemsave.
 */
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  HmpDriver,
  execUriWriting,
  quoteHmpString,
  restoreFromImage,
  saveToImage,
  type RestoredMachine,
  type SaveFormat,
} from "@savevm/machine/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { killPids } from "../test-support/child-processes.js";
import { QemuVm, stopAll } from "../test-support/qemu-vm.js";
import { runCli } from "../test-support/run-cli.js";
import { qmpOnce as qmp } from "../test-support/qmp-once.js";

let dir: string;
let runtimeDir: string;
const restoredPids = new Set<number>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "savevm-save-qemu-"));
  runtimeDir = join(dir, "run");
});

afterEach(async () => {
  killPids(restoredPids);
  await stopAll();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A QEMU guest (the dirtying test kernel) with a second monitor for the save to use. */
async function guest(monitor: "qmp" | "hmp", name: string): Promise<{ vm: QemuVm; address: string }> {
  const socket = join(dir, `${name}-${monitor}.sock`);
  const args = monitor === "qmp" ? ["-qmp", `unix:${socket},server=on,wait=off`] : ["-monitor", `unix:${socket},server=on,wait=off`];
  const vm = await QemuVm.start({ args: [...args, "-name", name] });
  return { vm, address: `${monitor === "hmp" ? "hmp:" : ""}unix:${socket}` };
}

async function ramOf(dump: (file: string) => Promise<void>, file: string): Promise<Buffer> {
  await dump(file);
  return readFile(file);
}

async function restoredRam(restored: RestoredMachine, file: string): Promise<Buffer> {
  return ramOf((f) => qmp(restored.qmp[0]!, "pmemsave", { val: 0, size: 16 << 20, filename: f }), file);
}

function remember(restored: RestoredMachine): RestoredMachine {
  restoredPids.add(restored.pid);
  return restored;
}

async function quitRestored(restored: RestoredMachine): Promise<void> {
  await qmp(restored.qmp[0]!, "quit").catch(() => undefined);
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(restored.pid, 0);
    } catch {
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  restoredPids.delete(restored.pid);
}

describe("save over QMP", () => {
  it("passes QEMU a descriptor, records the command line, and restores RAM exactly; the run state follows was_running and the flags", async () => {
    const { vm, address } = await guest("qmp", "qmp-guest");
    await vm.runFor(300);
    const file = join(dir, `qmp "double" and 'single' name.save`);
    // no pid given: the process behind the unix socket is found through /proc
    const saved = await saveToImage({ target: address, file, afterSave: "keep" });
    expect(saved).toMatchObject({ channel: "fd", wasRunning: true, name: "qmp-guest" });
    expect(saved.domainXml).toContain("<qemu:commandline>");
    expect(saved.domainXml).toContain("machine='pc-i440fx-7.2'");
    const atSave = await ramOf((f) => vm.pmemsave(f), join(dir, "qmp-at-save.ram"));
    await vm.stop();

    const paused = remember(await restoreFromImage({ file, runState: "paused", runtimeDir }));
    expect(paused).toMatchObject({ kind: "qemu", state: "paused", wasRunning: true, name: "qmp-guest" });
    expect((await qmp<{ status: string }>(paused.qmp[0]!, "query-status")).status).toBe("paused");
    expect((await restoredRam(paused, join(dir, "qmp-restored.ram"))).equals(atSave)).toBe(true);
    await quitRestored(paused);

    // no flag: was_running=1 runs it; through the CLI this time
    const restore = await runCli(["restore", file, "--runtime-dir", runtimeDir, "--verbose"]);
    expect(restore.stderr).toContain("Restore: [100 %]");
    expect(restore.code).toBe(0);
    expect(restore.stdout).toContain(`Domain restored from ${file}`);
    const address2 = /^QMP: (\S+)$/m.exec(restore.stdout)![1]!;
    const pid = Number(/pid (\d+)/.exec(restore.stdout)![1]);
    restoredPids.add(pid);
    expect((await qmp<{ status: string }>(address2, "query-status")).status).toBe("running");
    const list = await runCli(["list", "--runtime-dir", runtimeDir]);
    expect(list.stdout).toMatch(/qmp-guest\s+running/);
  });

  it("round-trips every compression format", async () => {
    const formats: SaveFormat[] = ["raw", "gzip", "bzip2", "xz", "lzop", "zstd"];
    const sizes: Record<string, number> = {};
    for (const format of formats) {
      const { vm, address } = await guest("qmp", `format-${format}`);
      await vm.runFor(100);
      await vm.execute("stop");
      const atSave = await ramOf((f) => vm.pmemsave(f), join(dir, `${format}-at-save.ram`));
      const file = join(dir, `formats.${format}.save`);
      const saved = await saveToImage({ target: address, file, format, pid: vm.process.pid! });
      expect(saved).toMatchObject({ wasRunning: false, format, ended: "signal" });
      sizes[format] = saved.imageLength;
      await vm.stop();
      const restored = remember(await restoreFromImage({ file, runtimeDir }));
      expect(restored.state).toBe("paused");
      expect((await restoredRam(restored, join(dir, `${format}-restored.ram`))).equals(atSave)).toBe(true);
      await quitRestored(restored);
    }
    for (const format of formats.slice(1)) expect(sizes[format]!).toBeLessThan(sizes.raw!);
  });

  it("restores an image without savevm metadata given the QEMU command line", async () => {
    const { vm, address } = await guest("qmp", "plain");
    await vm.runFor(100);
    await vm.execute("stop");
    const atSave = await ramOf((f) => vm.pmemsave(f), join(dir, "plain-at-save.ram"));
    const commandLine = (await readFile(`/proc/${vm.process.pid}/cmdline`, "utf8")).split("\0").filter((a) => a !== "");
    const xml =
      "<domain type='qemu'><name>plain</name><uuid>7e7e7e7e-0000-4000-8000-000000000001</uuid><memory unit='MiB'>16</memory></domain>";
    const file = join(dir, "plain.save");
    await saveToImage({ target: address, file, xml, afterSave: "keep" });
    await vm.stop();
    const restored = remember(await restoreFromImage({ file, runtimeDir, qemuCommandLine: commandLine }));
    expect((await restoredRam(restored, join(dir, "plain-restored.ram"))).equals(atSave)).toBe(true);
    expect(await qmp(restored.qmp[0]!, "query-uuid")).toEqual({ UUID: "7e7e7e7e-0000-4000-8000-000000000001" });
  });

  it("on a channel that fails mid-save leaves no image, keeps an older one and the guest running", async () => {
    const { vm, address } = await guest("qmp", "failing");
    await vm.runFor(100);
    // an xz that reads part of the stream and dies, as a compressor killed mid-save
    const bin = join(dir, "bin");
    await mkdir(bin, { recursive: true });
    await writeFile(join(bin, "xz"), "#!/bin/sh\nhead -c 100000 > /dev/null\nkill -9 $$\n");
    await chmod(join(bin, "xz"), 0o755);
    const file = join(dir, "failing.save");
    await writeFile(file, "older image");
    const result = await runCli(["save", address, file, "--format", "xz"], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^savevm: .*xz -c -3 was killed by SIGKILL/m);
    expect(await readFile(file, "utf8")).toBe("older image");
    expect((await readdir(dir)).filter((f) => f.startsWith(".failing.save"))).toEqual([]);
    expect(await vm.status()).toBe("running");
  });
});

describe("save over the text monitor", () => {
  it("drives QEMU's -monitor unix: with quoted names, SIGTERMs it, and the image restores", async () => {
    const { vm, address } = await guest("hmp", "hmp-guest");
    await vm.runFor(200);
    await vm.execute("stop");
    const atSave = await ramOf((f) => vm.pmemsave(f), join(dir, "hmp-at-save.ram"));
    const sub = join(dir, `dir with "quotes" 'and' spaces`);
    await mkdir(sub);
    const file = join(sub, `image "x" 'y'.save`);
    const result = await runCli(["save", address, file, "--verbose"]);
    // virsh's lines, one per new percentage when stderr is not a terminal
    expect(result.stderr).toMatch(/^(Save: \[ {0,2}\d{1,3} %\]\n)*Save: \[100 %\]\n$/);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`\nDomain 'hmp-guest' saved to ${file}\n\n`);
    await new Promise<void>((resolve) =>
      vm.process.exitCode !== null || vm.process.signalCode !== null ? resolve() : vm.process.once("exit", () => resolve()),
    );
    // QEMU's own words for libvirt's way of ending a saved guest
    expect(vm.log).toMatch(/terminating on signal 15 from pid/);

    const dump = await runCli(["save-image-dumpxml", file]);
    expect(dump.stdout).toContain("<name>hmp-guest</name>");
    const restored = remember(await restoreFromImage({ file, runtimeDir }));
    expect(restored.state).toBe("paused");
    expect((await restoredRam(restored, join(dir, "hmp-restored.ram"))).equals(atSave)).toBe(true);
    await quitRestored(restored);
    const running = remember(await restoreFromImage({ file, runtimeDir, runState: "running" }));
    expect((await qmp<{ status: string }>(running.qmp[0]!, "query-status")).status).toBe("running");
  });

  it("quotes exec: URIs for the monitor and the shell: QEMU writes the file under the exact name", async () => {
    const { vm, address } = await guest("hmp", "exec");
    const driver = await HmpDriver.connect(address.slice("hmp:".length));
    try {
      const target = join(dir, `exec "d" 'q' \\ back$slash.qemu`);
      const status = await driver.run(`migrate ${quoteHmpString(execUriWriting(target))}`);
      expect(status).toBe("");
      const head = (await readFile(target)).subarray(0, 4).toString("latin1");
      expect(head).toBe("QEVM");
      expect((await driver.status()).status).toBe("postmigrate");
    } finally {
      await driver.close();
      await vm.stop();
    }
  });
});
