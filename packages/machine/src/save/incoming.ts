import type { InputChannel } from "../channel.js";
import { errorMessage } from "../errors.js";
import type { EventBus } from "../events.js";
import type { SaveRegistry } from "./engine.js";
import { Loader } from "./loader.js";
import type { MigrationInfo, MigrationStatus } from "./migration-status.js";
import type { SaveKind } from "./save-mode.js";
import type { StreamCodec } from "./stream-codec.js";

export interface IncomingHost {
  readonly registry: SaveRegistry;
  readonly machineType: string;
  readonly uuid: string | undefined;
  readonly codec: StreamCodec;
  readonly events: EventBus;
  eventsEnabled(): boolean;
  now(): number;
}

export interface IncomingOptions {
  kind?: SaveKind;
  requireConfiguration?: boolean;
  /** No MIGRATION events (loading a named snapshot is not a migration). */
  quiet?: boolean;
}

/**
 * Loads one incoming stream into staging and commits it only when the whole stream loaded.
 * The machine decides afterwards which run state to enter; a failed load changes nothing, so
 * the machine can take another incoming stream.
 */
export class IncomingLoad {
  readonly #host: IncomingHost;
  readonly #quiet: boolean;
  #status: MigrationStatus = "setup";
  #error: string | undefined;
  readonly #startedAt: number;
  #totalTime: number | undefined;
  readonly done: Promise<void>;

  constructor(host: IncomingHost, input: InputChannel, options: IncomingOptions = {}) {
    this.#host = host;
    this.#quiet = options.quiet ?? false;
    this.#startedAt = host.now();
    this.done = this.#run(input, options);
  }

  get status(): MigrationStatus {
    return this.#status;
  }

  get error(): string | undefined {
    return this.#error;
  }

  info(): MigrationInfo {
    const info: MigrationInfo = { status: this.#status };
    if (this.#status === "completed" && this.#totalTime !== undefined) info["total-time"] = this.#totalTime;
    if (this.#status === "failed" && this.#error !== undefined) info["error-desc"] = this.#error;
    return info;
  }

  #setStatus(status: MigrationStatus): void {
    this.#status = status;
    if (!this.#quiet && this.#host.eventsEnabled()) this.#host.events.emit("MIGRATION", { status });
  }

  async #run(input: InputChannel, options: IncomingOptions): Promise<void> {
    await Promise.resolve();
    const host = this.#host;
    this.#setStatus("setup");
    const loader = new Loader(host.registry, {
      kind: options.kind ?? "MIGRATE",
      machineType: host.machineType,
      requireConfiguration: options.requireConfiguration ?? true,
      uuid: host.uuid,
    });
    try {
      this.#setStatus("active");
      await loader.load(host.codec.readRecords(input, loader.resolve));
      this.#totalTime = host.now() - this.#startedAt;
    } catch (err) {
      this.#error = errorMessage(err);
      this.#status = "failed";
      throw err;
    } finally {
      await input.close().catch(() => undefined);
    }
  }

  /** Announces the end; called by the machine after it chose the run state. */
  finish(): void {
    if (this.#status === "active") this.#setStatus("completed");
    else if (this.#status === "failed" && this.#host.eventsEnabled()) this.#host.events.emit("MIGRATION", { status: "failed" });
  }
}
