import { QmpError } from "@savevm/qmp";
import { QmpClient } from "@savevm/qmp/node";
import type { MigrationProgress, MonitorDriver, MonitorFacts, MonitorStatus } from "./monitor-driver.js";
import { UNLIMITED_BANDWIDTH } from "./monitor-driver.js";

interface QueryMigrate {
  status?: string;
  "error-desc"?: string;
  ram?: { transferred?: number; remaining?: number; total?: number };
}

/** Runs a query the machine may not have; `undefined` when it answers CommandNotFound or an error. */
async function optional<T>(run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof QmpError) return undefined;
    throw err;
  }
}

/** {@link MonitorDriver} over QMP (QEMU's `-qmp`, or a `savevm run` machine's). */
export class QmpDriver implements MonitorDriver {
  readonly protocol = "qmp" as const;

  private constructor(readonly client: QmpClient) {}

  static async connect(address: string, options: { timeoutMs?: number } = {}): Promise<QmpDriver> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const client = await QmpClient.connect(address, { connectTimeoutMs: timeoutMs, greetingTimeoutMs: timeoutMs });
    return new QmpDriver(client);
  }

  async status(): Promise<MonitorStatus> {
    const reply = await this.client.execute<{ status: string; running: boolean }>("query-status");
    return { status: reply.status, running: reply.running };
  }

  async stop(): Promise<void> {
    await this.client.execute("stop");
  }

  async cont(): Promise<void> {
    await this.client.execute("cont");
  }

  async resetMigrationCapabilities(): Promise<void> {
    const current = await this.client.execute<{ capability: string; state: boolean }[]>("query-migrate-capabilities");
    const capabilities = current.map(({ capability }) => ({ capability, state: capability === "events" }));
    if (capabilities.length > 0) await this.client.execute("migrate-set-capabilities", { capabilities });
  }

  async unlimitedBandwidth(): Promise<void> {
    await this.client.execute("migrate-set-parameters", { "max-bandwidth": UNLIMITED_BANDWIDTH });
  }

  async passFd(name: string, fd: number): Promise<boolean> {
    try {
      await this.client.execute("getfd", { fdname: name }, { fd });
      return true;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      // No way to send one here (tcp, no helper), or the peer could not receive it (savevm's
      // own monitor, whose Node transport cannot read SCM_RIGHTS).
      if (code === "FD_PASSING_UNAVAILABLE") return false;
      if (err instanceof QmpError && /SCM_RIGHTS/.test(err.message)) return false;
      throw err;
    }
  }

  async migrate(uri: string): Promise<void> {
    await this.client.execute("migrate", { uri });
  }

  async migrateIncoming(uri: string): Promise<void> {
    await this.client.execute("migrate-incoming", { uri });
  }

  async cancelMigration(): Promise<void> {
    await this.client.execute("migrate_cancel");
  }

  async migration(): Promise<MigrationProgress> {
    const info = await this.client.execute<QueryMigrate>("query-migrate");
    const progress: MigrationProgress = { status: info.status ?? "none" };
    if (info["error-desc"] !== undefined) progress.error = info["error-desc"];
    if (info.ram?.transferred !== undefined) progress.transferred = info.ram.transferred;
    if (info.ram?.remaining !== undefined) progress.remaining = info.ram.remaining;
    if (info.ram?.total !== undefined) progress.total = info.ram.total;
    return progress;
  }

  async facts(): Promise<MonitorFacts> {
    const facts: MonitorFacts = {};
    const name = await optional(() => this.client.execute<{ name?: string }>("query-name"));
    if (name?.name !== undefined) facts.name = name.name;
    const uuid = await optional(() => this.client.execute<{ UUID: string }>("query-uuid"));
    if (uuid?.UUID !== undefined) facts.uuid = uuid.UUID;
    const memory = await optional(() => this.client.execute<{ "base-memory": number }>("query-memory-size-summary"));
    if (typeof memory?.["base-memory"] === "number") facts.memory = memory["base-memory"];
    const cpus = await optional(() => this.client.execute<unknown[]>("query-cpus-fast"));
    if (Array.isArray(cpus) && cpus.length > 0) facts.vcpus = cpus.length;
    return facts;
  }

  async quit(): Promise<void> {
    try {
      await this.client.execute("quit");
    } catch (err) {
      // QEMU may close the connection before its reply arrives.
      if ((err as { code?: unknown }).code !== "DISCONNECTED") throw err;
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
