import { HmpError, type HmpTextClient } from "@savevm/qmp";
import { connectHmp } from "@savevm/qmp/node";
import { quoteHmpString } from "./hmp-quote.js";
import type { MigrationProgress, MonitorDriver, MonitorFacts, MonitorStatus } from "./monitor-driver.js";
import { UNLIMITED_BANDWIDTH } from "./monitor-driver.js";
import { SaveRestoreError } from "./save-image-error.js";

function isUnknownCommand(err: unknown): boolean {
  return err instanceof HmpError && /^unknown command/.test(err.message);
}

/** `1234 kbytes` in `info migrate` lines, as bytes. */
function kbytesField(text: string, label: string): number | undefined {
  const m = new RegExp(`^${label}: (\\d+) kbytes$`, "m").exec(text);
  return m ? Number(m[1]) * 1024 : undefined;
}

/** Reads `info migrate` as QEMU 7.2 prints it. */
export function parseInfoMigrate(text: string): MigrationProgress {
  const status = /^Migration status: (\S+)(?: \((.*)\))?$/m.exec(text);
  const progress: MigrationProgress = { status: status?.[1] ?? "none" };
  if (status?.[2] !== undefined) progress.error = status[2];
  const transferred = kbytesField(text, "transferred ram");
  const remaining = kbytesField(text, "remaining ram");
  const total = kbytesField(text, "total ram");
  if (transferred !== undefined) progress.transferred = transferred;
  if (remaining !== undefined) progress.remaining = remaining;
  if (total !== undefined) progress.total = total;
  return progress;
}

/** Reads `info status`: `VM status: running`, `VM status: paused`, `VM status: paused (prelaunch)`. */
export function parseInfoStatus(text: string): MonitorStatus {
  const m = /VM status: (running|paused)(?: \(([^)]+)\))?/.exec(text);
  if (!m) throw new SaveRestoreError("MONITOR", `unexpected 'info status' output: ${JSON.stringify(text.slice(0, 200))}`);
  return { status: m[2] ?? m[1]!, running: m[1] === "running" };
}

/**
 * {@link MonitorDriver} over the human monitor's text protocol (QEMU's `-monitor unix:…`, or
 * `savevm run --hmp`). Commands go out as `cmd\r` (as libvirt's text monitor sent them), the
 * echo's terminal escapes are replayed away by {@link HmpTextClient}, and string arguments are
 * quoted with QEMU's HMP escapes.
 */
export class HmpDriver implements MonitorDriver {
  readonly protocol = "hmp" as const;

  private constructor(readonly client: HmpTextClient) {}

  static async connect(address: string, options: { timeoutMs?: number } = {}): Promise<HmpDriver> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    return new HmpDriver(await connectHmp(address, { connectTimeoutMs: timeoutMs, bannerTimeoutMs: timeoutMs }));
  }

  /** Runs a command line; the monitor's `Error: …` or `unknown command` becomes an HmpError. */
  run(commandLine: string): Promise<string> {
    return this.client.run(commandLine, { throwOnError: true });
  }

  async status(): Promise<MonitorStatus> {
    return parseInfoStatus(await this.run("info status"));
  }

  async stop(): Promise<void> {
    await this.run("stop");
  }

  async cont(): Promise<void> {
    await this.run("cont");
  }

  async resetMigrationCapabilities(): Promise<void> {
    let listing: string;
    try {
      listing = await this.run("info migrate_capabilities");
    } catch (err) {
      if (isUnknownCommand(err)) return;
      throw err;
    }
    for (const m of listing.matchAll(/^([a-z0-9-]+): (on|off)$/gm)) {
      const wanted = m[1] === "events" ? "on" : "off";
      if (m[2] !== wanted) await this.run(`migrate_set_capability ${m[1]} ${wanted}`);
    }
  }

  async unlimitedBandwidth(): Promise<void> {
    try {
      // HMP sizes default to MiB for bandwidth; the B suffix keeps the value in bytes.
      await this.run(`migrate_set_parameter max-bandwidth ${UNLIMITED_BANDWIDTH}B`);
    } catch (err) {
      if (!isUnknownCommand(err)) throw err;
    }
  }

  /** The text monitor is driven without descriptor passing; callers use a socket channel. */
  async passFd(): Promise<boolean> {
    return false;
  }

  async migrate(uri: string): Promise<void> {
    await this.run(`migrate -d ${quoteHmpString(uri)}`);
  }

  async migrateIncoming(uri: string): Promise<void> {
    await this.run(`migrate_incoming ${quoteHmpString(uri)}`);
  }

  async cancelMigration(): Promise<void> {
    await this.run("migrate_cancel");
  }

  async migration(): Promise<MigrationProgress> {
    return parseInfoMigrate(await this.run("info migrate"));
  }

  async facts(): Promise<MonitorFacts> {
    const facts: MonitorFacts = {};
    const ask = async (command: string): Promise<string | undefined> => {
      try {
        return await this.run(command);
      } catch (err) {
        if (err instanceof HmpError) return undefined;
        throw err;
      }
    };
    const name = (await ask("info name"))?.trim();
    if (name) facts.name = name;
    const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.exec((await ask("info uuid")) ?? "")?.[0];
    if (uuid) facts.uuid = uuid.toLowerCase();
    const memory = /^base memory: (\d+)$/m.exec((await ask("info memory_size_summary")) ?? "");
    if (memory) facts.memory = Number(memory[1]);
    const cpus = ((await ask("info cpus")) ?? "").match(/CPU #\d+/g);
    if (cpus && cpus.length > 0) facts.vcpus = cpus.length;
    return facts;
  }

  async quit(): Promise<void> {
    await this.client.run("quit");
  }

  async close(): Promise<void> {
    this.client.close();
  }
}
