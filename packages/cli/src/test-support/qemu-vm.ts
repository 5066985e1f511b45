/**
 * Drives a real QEMU 7.2 for the interop tests: starts it with a QMP socket, runs migrations to
 * and from files, dumps guest RAM with pmemsave. Every VM started is killed by `stopAll()`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectMonitor, type Monitor } from "./monitor.js";
import { mixedBlob, multibootKernel } from "./guest-image.js";

export const QEMU = process.env.QEMU ?? "qemu-system-x86_64";
export const GUEST_MIB = 16;
/** Where the data blob lands in guest RAM: far from the dirtying loop at 4-5 MiB. */
const BLOB_ADDRESS = 0x800000;

export interface VmOptions {
  machine?: string;
  /** Extra QEMU arguments (devices, -global properties). */
  args?: string[];
  /** Start with `-incoming defer`. */
  incoming?: boolean;
  /** Run the dirtying guest kernel and place the mixed-content blob. */
  guest?: boolean;
  /**
   * QEMU's whole argument list instead of the one built from the options above (for a command
   * line taken from libvirt); it must open a QMP monitor on the given socket path.
   */
  commandLine?: (qmpSocket: string) => string[];
}

export interface MigrationTuning {
  capabilities?: Record<string, boolean>;
  parameters?: Record<string, unknown>;
  /**
   * Parameters set this long after `migrate` started: XBZRLE needs a page dirtied again in a
   * third pass, so a tiny downtime limit keeps the migration iterating until it is raised here.
   */
  later?: { afterMs: number; parameters: Record<string, unknown> };
}

const running = new Set<QemuVm>();

let assets: Promise<{ dir: string; kernel: string; blob: string }> | undefined;

/** The guest kernel and blob are written once per test file. */
function guestAssets() {
  assets ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), "savevm-guest-"));
    const kernel = join(dir, "guest.bin");
    const blob = join(dir, "blob.bin");
    await writeFile(kernel, multibootKernel());
    await writeFile(blob, mixedBlob({ random: 64, uniform: 16, duplicate: 32, zero: 16 }));
    return { dir, kernel, blob };
  })();
  return assets;
}

export class QemuVm {
  private constructor(
    readonly process: ChildProcess,
    readonly monitor: Monitor,
    readonly dir: string,
    private readonly stderr: string[],
  ) {}

  static async start(options: VmOptions = {}): Promise<QemuVm> {
    const dir = await mkdtemp(join(tmpdir(), "savevm-qemu-"));
    const socket = join(dir, "qmp.sock");
    const args = [
      "-accel", "tcg",
      "-display", "none",
      "-nodefaults",
      "-no-user-config",
      "-S",
      "-M", options.machine ?? "pc",
      "-m", String(GUEST_MIB),
      "-qmp", `unix:${socket},server=on,wait=off`,
    ];
    if (options.guest !== false) {
      const { kernel, blob } = await guestAssets();
      args.push("-kernel", kernel, "-device", `loader,file=${blob},addr=${BLOB_ADDRESS},force-raw=on`);
    }
    if (options.incoming) args.push("-incoming", "defer");
    args.push(...(options.args ?? []));
    const child = spawn(QEMU, options.commandLine?.(socket) ?? args, { stdio: ["ignore", "ignore", "pipe"] });
    const stderr: string[] = [];
    child.stderr?.setEncoding("utf8").on("data", (s: string) => stderr.push(s));
    const exited = new Promise<never>((_, reject) => {
      child.once("error", reject);
      child.once("exit", (code, signal) =>
        reject(new Error(`QEMU exited (${signal ?? code}) before its monitor answered: ${stderr.join("")}`)),
      );
    });
    exited.catch(() => {});
    const monitor = await Promise.race([connectMonitor(socket, 10_000), exited]);
    const vm = new QemuVm(child, monitor, dir, stderr);
    running.add(vm);
    return vm;
  }

  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    return this.monitor.execute(command, args) as Promise<T>;
  }

  hmp(commandLine: string): Promise<string> {
    return this.execute<string>("human-monitor-command", { "command-line": commandLine });
  }

  async status(): Promise<string> {
    return (await this.execute<{ status: string }>("query-status")).status;
  }

  /** Runs the guest for a while so firmware and kernel have written RAM. */
  async runFor(ms: number): Promise<void> {
    await this.execute("cont");
    await new Promise((r) => setTimeout(r, ms));
  }

  async tune(tuning: MigrationTuning = {}): Promise<void> {
    const caps = Object.entries(tuning.capabilities ?? {}).map(([capability, state]) => ({ capability, state }));
    if (caps.length > 0) await this.execute("migrate-set-capabilities", { capabilities: caps });
    if (tuning.parameters) await this.execute("migrate-set-parameters", tuning.parameters);
  }

  /** `migrate` to FILE through `exec:cat`, then waits for the end state. */
  async migrateToFile(file: string, tuning?: MigrationTuning): Promise<void> {
    await this.tune(tuning);
    await this.execute("migrate", { uri: `exec:cat > '${file}'` });
    if (tuning?.later) {
      await new Promise((r) => setTimeout(r, tuning.later!.afterMs));
      await this.execute("migrate-set-parameters", tuning.later.parameters);
    }
    await this.waitMigration();
  }

  async incomingFromFile(file: string, tuning?: MigrationTuning): Promise<void> {
    await this.tune(tuning);
    await this.execute("migrate-incoming", { uri: `exec:cat '${file}'` });
    await this.waitMigration();
  }

  async waitMigration(timeoutMs = 60_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const info = await this.execute<Record<string, unknown>>("query-migrate");
      if (info.status === "completed") return info;
      if (info.status === "failed" || info.status === "cancelled") {
        throw new Error(`migration ${String(info.status)}: ${String(info["error-desc"] ?? "")} ${this.stderr.join("")}`);
      }
      if (Date.now() > deadline) throw new Error(`migration still ${String(info.status)} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Guest-physical RAM from 0, as QEMU itself sees it. */
  async pmemsave(file: string, size = GUEST_MIB << 20): Promise<void> {
    await this.execute("pmemsave", { val: 0, size, filename: file });
  }

  /** Runs a QMP command QEMU answers only after work on its side, e.g. xen-save-devices-state. */
  get log(): string {
    return this.stderr.join("");
  }

  async stop(): Promise<void> {
    running.delete(this);
    if (this.process.exitCode === null && this.process.signalCode === null) {
      const gone = new Promise((r) => this.process.once("exit", r));
      this.process.kill("SIGKILL");
      await gone;
    }
    await this.monitor.close().catch(() => {});
    await rm(this.dir, { recursive: true, force: true });
  }
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((vm) => vm.stop()));
  if (assets) {
    const { dir } = await assets;
    assets = undefined;
    await rm(dir, { recursive: true, force: true });
  }
}
