import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";

export const QEMU = "/usr/bin/qemu-system-x86_64";

/** A QEMU process driven over QMP on stdio. Always `kill()` it (tests do so in `finally`). */
export class QemuProcess {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly waiting: ((line: Record<string, unknown>) => void)[] = [];
  private readonly lines: Record<string, unknown>[] = [];
  private stderr = "";

  constructor(args: string[]) {
    this.proc = spawn(QEMU, ["-accel", "tcg", "-display", "none", "-nodefaults", "-m", "16", "-qmp", "stdio", ...args]);
    this.proc.stderr.on("data", (d: Buffer) => {
      this.stderr += d.toString();
    });
    createInterface({ input: this.proc.stdout }).on("line", (text) => {
      const msg = JSON.parse(text) as Record<string, unknown>;
      if ("event" in msg) return;
      const next = this.waiting.shift();
      if (next) next(msg);
      else this.lines.push(msg);
    });
  }

  private nextMessage(): Promise<Record<string, unknown>> {
    const ready = this.lines.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`QEMU did not answer; stderr: ${this.stderr}`)), 20_000);
      this.waiting.push((m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
  }

  async start(): Promise<void> {
    const greeting = await this.nextMessage();
    if (!("QMP" in greeting)) throw new Error(`no QMP greeting: ${JSON.stringify(greeting)}`);
    await this.execute("qmp_capabilities");
  }

  async execute(command: string, args?: Record<string, unknown>): Promise<unknown> {
    this.proc.stdin.write(JSON.stringify(args ? { execute: command, arguments: args } : { execute: command }) + "\n");
    const reply = await this.nextMessage();
    if ("error" in reply) throw new Error(`${command}: ${JSON.stringify(reply.error)}`);
    return reply.return;
  }

  hmp(commandLine: string): Promise<string> {
    return this.execute("human-monitor-command", { "command-line": commandLine }) as Promise<string>;
  }

  /** Polls query-migrate until it completes (or fails). */
  async waitMigration(): Promise<Record<string, unknown>> {
    for (let i = 0; i < 400; i++) {
      const info = (await this.execute("query-migrate")) as Record<string, unknown>;
      if (info.status === "completed") return info;
      if (info.status === "failed") throw new Error(`migration failed: ${JSON.stringify(info)}; stderr: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("migration did not complete");
  }

  kill(): void {
    if (this.proc.exitCode === null) this.proc.kill("SIGKILL");
  }
}
