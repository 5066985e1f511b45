/**
 * A private libvirtd 9.0 for the interop tests, started and stopped by
 * scripts/libvirt-test-daemon.sh (root, no systemd, no virtlogd; its own mount namespace, so a
 * developer's libvirt is never touched), and `virsh` against it. `stop()` destroys every domain
 * it started, ends the daemon and every QEMU it spawned, and removes its state.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const DAEMON_SCRIPT = fileURLToPath(new URL("../../../../scripts/libvirt-test-daemon.sh", import.meta.url));
const DAEMON_TIMEOUT_MS = 60_000;
const VIRSH_TIMEOUT_MS = 60_000;

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end within `timeoutMs`, never rejecting on a non-zero exit. */
export function runProgram(file: string, args: readonly string[], timeoutMs: number): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 64 << 20, encoding: "utf8" }, (error, stdout, stderr) => {
      if (error && typeof (error as { code?: unknown }).code !== "number") {
        reject(new Error(`${file} ${args.join(" ")}: ${error.message} ${stderr}`));
        return;
      }
      resolve({ code: error ? Number((error as { code: number }).code) : 0, stdout, stderr });
    });
  });
}

/** The sentence virsh prints after `error: `, joined over its lines, as a user would read it. */
export function virshError(stderr: string): string {
  return stderr
    .split("\n")
    .map((line) => line.replace(/^error: /, "").trim())
    .filter((line) => line !== "")
    .join(" ");
}

export class Libvirt {
  private constructor(readonly stateDir: string, private readonly uriText: string, private readonly format: string) {}

  /** Starts a daemon whose qemu.conf sets `save_image_format` (what `virsh save` compresses with). */
  static async start(options: { saveImageFormat?: string } = {}): Promise<Libvirt> {
    if (process.getuid?.() !== 0) throw new Error("the libvirt interop tests run libvirt's qemu:///system and need root");
    // Short: the daemon's socket lives under it and a unix socket path holds at most 107 bytes.
    const stateDir = await mkdtemp(join(tmpdir(), "savevm-libvirt-"));
    const format = options.saveImageFormat ?? "raw";
    const uri = await Libvirt.runDaemon("start", stateDir, format);
    return new Libvirt(stateDir, uri, format);
  }

  private static async runDaemon(action: "start" | "stop", stateDir: string, format?: string): Promise<string> {
    const args = [DAEMON_SCRIPT, action, stateDir, ...(format ? [format] : [])];
    const result = await runProgram("bash", args, DAEMON_TIMEOUT_MS);
    if (result.code !== 0) throw new Error(`libvirt-test-daemon.sh ${action} failed (${result.code}): ${result.stderr}`);
    return result.stdout.trim();
  }

  get uri(): string {
    return this.uriText;
  }

  /** The `save_image_format` of its qemu.conf: libvirt 9.0 reads it when the driver starts, and its virsh has no per-save option. */
  get saveImageFormat(): string {
    return this.format;
  }

  virsh(args: readonly string[], timeoutMs = VIRSH_TIMEOUT_MS): Promise<CommandResult> {
    return runProgram("virsh", ["-q", "-c", this.uriText, ...args], timeoutMs);
  }

  /** `virsh` that must succeed; its stdout. */
  async virshOk(args: readonly string[], timeoutMs = VIRSH_TIMEOUT_MS): Promise<string> {
    const result = await this.virsh(args, timeoutMs);
    if (result.code !== 0) throw new Error(`virsh ${args.join(" ")} failed (${result.code}): ${result.stderr}${this.domainLogHint(args)}`);
    return result.stdout;
  }

  /** Where to look while the daemon still runs (a failed test's state is removed with the daemon). */
  private domainLogHint(args: readonly string[]): string {
    const qemuLogs = join(this.stateDir, "root/var/log/libvirt/qemu");
    return ` (virsh ${args[0]}; daemon log ${join(this.stateDir, "log/libvirtd.log")}, QEMU logs ${qemuLogs})`;
  }

  /** An HMP command through libvirt's own monitor connection. */
  hmp(domain: string, command: string): Promise<string> {
    return this.virshOk(["qemu-monitor-command", domain, "--hmp", command]);
  }

  /** Guest-physical RAM from 0, dumped by the QEMU libvirt runs. */
  async pmemsave(domain: string, size: number, file: string): Promise<void> {
    await this.hmp(domain, `pmemsave 0 ${size} "${file}"`);
  }

  /** `running`, `paused`, `shut off`, … as `virsh domstate` prints it. */
  async domstate(domain: string): Promise<string> {
    return (await this.virshOk(["domstate", domain])).trim();
  }

  /** Ends a domain, running or not, persistent or transient; a domain that is not there is fine. */
  async destroyDomain(name: string): Promise<void> {
    await this.virsh(["destroy", name]);
    await this.virsh(["undefine", "--managed-save", name]);
  }

  async stop(): Promise<void> {
    try {
      await Libvirt.runDaemon("stop", this.stateDir);
    } finally {
      await rm(this.stateDir, { recursive: true, force: true });
    }
  }
}
