import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const QEMU_BINARY = "/usr/bin/qemu-system-x86_64";

export interface QemuProcess {
  dir: string;
  /** QMP socket (`-qmp unix:…,server=on,wait=off`). */
  qmpPath: string;
  /** HMP socket when asked for (`-monitor unix:…,server=on,wait=off`). */
  hmpPath: string | undefined;
  child: ChildProcess;
  stderr: () => string;
  stop(): Promise<void>;
}

const running = new Set<QemuProcess>();

export interface StartQemuOptions {
  hmp?: boolean;
  /** Extra QMP monitor with pretty=on. */
  prettyQmp?: boolean;
  extraArgs?: string[];
}

/** Starts a tiny paused QEMU (TCG, no display, no devices, 16 MiB) with a QMP socket. */
export async function startQemu(options: StartQemuOptions = {}): Promise<QemuProcess> {
  const dir = mkdtempSync(join(tmpdir(), "savevm-qmp-"));
  const qmpPath = join(dir, "qmp.sock");
  const hmpPath = options.hmp ? join(dir, "hmp.sock") : undefined;
  const args = ["-accel", "tcg", "-display", "none", "-nodefaults", "-S", "-m", "16", "-qmp", `unix:${qmpPath},server=on,wait=off`];
  if (hmpPath) args.push("-monitor", `unix:${hmpPath},server=on,wait=off`);
  args.push(...(options.extraArgs ?? []));
  const child = spawn(QEMU_BINARY, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const proc: QemuProcess = {
    dir,
    qmpPath,
    hmpPath,
    child,
    stderr: () => stderr,
    async stop() {
      running.delete(proc);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  running.add(proc);
  const deadline = Date.now() + 15_000;
  while (!existsSync(qmpPath) || (hmpPath !== undefined && !existsSync(hmpPath))) {
    if (child.exitCode !== null) {
      await proc.stop();
      throw new Error(`QEMU exited early: ${stderr}`);
    }
    if (Date.now() > deadline) {
      await proc.stop();
      throw new Error(`QEMU did not create its sockets: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return proc;
}

/** Kills every QEMU started by this module (for afterAll/afterEach, also after failures). */
export async function stopAllQemu(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}
