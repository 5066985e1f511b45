import type { OutputChannel } from "../channel.js";
import { MachineError, errorMessage } from "../errors.js";
import type { EventBus } from "../events.js";
import type { RunState, RunStateMachine } from "../run-state.js";
import type { SaveRegistry } from "./engine.js";
import { SaveSession } from "./engine.js";
import type { MigrationParameters } from "./migration-params.js";
import type { MigrationInfo, MigrationStatus } from "./migration-status.js";
import type { RamSaveHandler } from "./ram-handler.js";
import type { SaveKind } from "./save-mode.js";
import type { StreamCodec } from "./stream-codec.js";
import type { StreamConfiguration } from "./record-sink.js";

/** QEMU's BUFFER_DELAY: the window over which bandwidth is limited and measured. */
const WINDOW_MS = 100;
/** Upper bound of one iteration, so the guest and the monitor get the event loop back often. */
const MAX_ITERATION_BYTES = 4 << 20;

/** What an outgoing migration needs from the machine. */
export interface MigrationHost {
  readonly runState: RunStateMachine;
  readonly registry: SaveRegistry;
  readonly events: EventBus;
  readonly ramHandler: RamSaveHandler;
  readonly codec: StreamCodec;
  ramTotal(): number;
  /** The configuration record this machine writes. */
  configuration(): StreamConfiguration;
  parameters(): MigrationParameters;
  eventsEnabled(): boolean;
  /** Records the run state for the `globalstate` section (before the final stop). */
  storeGlobalState(): void;
  /** Stops the guest and enters `state` (STOP event if it was running). */
  vmStop(state: RunState): void;
  /** Resumes the guest (RESUME event). */
  vmStart(): void;
  now(): number;
}

export interface MigrationOptions {
  kind?: SaveKind;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

// setImmediate (Node) lets timers and I/O run without the 1 ms floor of setTimeout(0).
const defer: (fn: () => void) => void =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === "function"
    ? (fn) => (globalThis as unknown as { setImmediate: (f: () => void) => void }).setImmediate(fn)
    : (fn) => setTimeout(fn, 0);

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => defer(resolve));
}

/**
 * One outgoing migration: pre-copy while the guest runs (RAM iterations under `max-bandwidth`
 * until the remaining pages fit in `downtime-limit` at the measured bandwidth), then
 * stop-and-copy. A stopped machine goes through the same steps with nothing re-dirtied.
 * Errors and cancellation end it cleanly: the channel is aborted and the guest keeps running.
 */
export class OutgoingMigration {
  readonly #host: MigrationHost;
  #channel: OutputChannel | undefined;
  readonly #open: () => Promise<OutputChannel>;
  readonly #kind: SaveKind;
  #status: MigrationStatus = "setup";
  #error: string | undefined;
  #startedAt = 0;
  #setupTime = 0;
  #totalTime: number | undefined;
  #downtime: number | undefined;
  #expectedDowntime = 0;
  #mbps = 0;
  #pagesPerSecond = 0;
  #cancelRequested = false;
  #vmWasRunning = false;
  readonly done: Promise<void>;

  /**
   * `target` is the channel, or a function that opens it (a connect that fails then makes the
   * migration fail, as QEMU reports connection errors through query-migrate).
   */
  constructor(host: MigrationHost, target: OutputChannel | (() => Promise<OutputChannel>), options: MigrationOptions = {}) {
    this.#host = host;
    if (typeof target === "function") {
      this.#open = target;
    } else {
      this.#channel = target;
      this.#open = async () => target;
    }
    this.#kind = options.kind ?? "MIGRATE";
    this.#startedAt = host.now();
    this.done = this.#run();
  }

  get status(): MigrationStatus {
    return this.#status;
  }

  get error(): string | undefined {
    return this.#error;
  }

  get active(): boolean {
    return this.#status === "setup" || this.#status === "active" || this.#status === "cancelling" || this.#status === "device";
  }

  /** `migrate_cancel`: the migration ends at its next step and the guest keeps running. */
  cancel(): void {
    if (!this.active || this.#cancelRequested) return;
    this.#cancelRequested = true;
    this.#setStatus("cancelling");
    void this.#channel?.abort(new MachineError("MIGRATION_CANCELLED", "Migration cancelled"));
  }

  info(): MigrationInfo {
    const status = this.#status;
    if (status === "setup") return { status };
    if (status === "failed") return this.#error === undefined ? { status } : { status, "error-desc": this.#error };
    if (status === "cancelled") return { status };
    const ram = this.#host.ramHandler.stats;
    const completed = status === "completed";
    const info: MigrationInfo = {
      status,
      "setup-time": this.#setupTime,
      "total-time": completed ? (this.#totalTime ?? 0) : this.#host.now() - this.#startedAt,
      ram: {
        transferred: ram.transferred,
        remaining: completed ? 0 : this.#host.ramHandler.remainingBytes,
        total: this.#host.ramTotal(),
        duplicate: ram.duplicate,
        skipped: 0,
        normal: ram.normal,
        "normal-bytes": ram.normalBytes,
        "dirty-pages-rate": completed ? 0 : ram.dirtyPagesRate,
        mbps: this.#mbps,
        "dirty-sync-count": ram.dirtySyncCount,
        "postcopy-requests": 0,
        "page-size": 4096,
        "multifd-bytes": 0,
        "pages-per-second": this.#pagesPerSecond,
        "precopy-bytes": ram.precopyBytes,
        "downtime-bytes": ram.downtimeBytes,
        "postcopy-bytes": 0,
        "dirty-sync-missed-zero-copy": 0,
      },
    };
    if (completed) info.downtime = this.#downtime ?? 0;
    else info["expected-downtime"] = this.#expectedDowntime;
    return info;
  }

  #setStatus(status: MigrationStatus): void {
    this.#status = status;
    if (this.#host.eventsEnabled()) this.#host.events.emit("MIGRATION", { status });
  }

  #checkCancelled(): void {
    if (this.#cancelRequested) throw new MachineError("MIGRATION_CANCELLED", "Migration cancelled");
  }

  async #run(): Promise<void> {
    // Let the caller see the returned object (and QMP reply) before the first event.
    await Promise.resolve();
    const host = this.#host;
    if (host.eventsEnabled()) host.events.emit("MIGRATION", { status: "setup" });
    let session: SaveSession | undefined;
    try {
      const channel = await this.#open();
      this.#channel = channel;
      this.#checkCancelled();
      const sink = host.codec.createSink(channel, { vmdesc: true });
      session = new SaveSession(host.registry, sink, {
        kind: this.#kind,
        live: host.runState.running,
        configuration: host.configuration(),
      });
      await session.begin();
      this.#checkCancelled();
      this.#setupTime = host.now() - this.#startedAt;
      this.#setStatus("active");
      await this.#iterate(session, sink);
      await this.#completion(session);
      await sink.end();
      await channel.close();
      this.#checkCancelled();
      this.#finishTiming(sink.position);
      this.#setStatus("completed");
      if (host.runState.state === "finish-migrate") host.runState.set("postmigrate");
    } catch (err) {
      await this.#channel?.abort(err instanceof Error ? err : new Error(String(err)));
      this.#totalTime = host.now() - this.#startedAt;
      if (this.#cancelRequested) {
        this.#setStatus("cancelled");
      } else {
        this.#error = errorMessage(err);
        this.#setStatus("failed");
      }
      this.#restoreRunState();
    } finally {
      session?.finish();
    }
  }

  async #iterate(session: SaveSession, sink: { readonly position: number }): Promise<void> {
    const host = this.#host;
    let windowStart = host.now();
    let windowBytes = sink.position;
    let threshold = 0;
    for (;;) {
      this.#checkCancelled();
      const params = host.parameters();
      let pending = session.pending(false);
      if (pending <= threshold) {
        pending = session.pending(true);
        if (pending <= threshold) return;
      }
      const limit = params["max-bandwidth"] > 0 ? params["max-bandwidth"] / (1000 / WINDOW_MS) : Infinity;
      const used = sink.position - windowBytes;
      if (used >= limit) {
        await sleep(windowStart + WINDOW_MS - host.now());
      } else {
        await session.iterate(Math.min(limit - used, MAX_ITERATION_BYTES));
        await yieldToEventLoop();
      }
      const now = host.now();
      const elapsed = now - windowStart;
      if (elapsed >= WINDOW_MS) {
        const bytes = sink.position - windowBytes;
        const bandwidth = bytes / elapsed; // bytes per ms
        threshold = bandwidth * params["downtime-limit"];
        this.#expectedDowntime = bandwidth > 0 ? Math.round(session.pending(false) / bandwidth) : 0;
        this.#mbps = (bytes * 8) / 1000 / elapsed;
        windowStart = now;
        windowBytes = sink.position;
      }
    }
  }

  async #completion(session: SaveSession): Promise<void> {
    const host = this.#host;
    const stoppedAt = host.now();
    host.storeGlobalState();
    this.#vmWasRunning = host.runState.running;
    host.vmStop("finish-migrate");
    await session.complete();
    this.#checkCancelled();
    this.#downtime = host.now() - stoppedAt;
  }

  #finishTiming(bytes: number): void {
    const host = this.#host;
    this.#totalTime = host.now() - this.#startedAt;
    const transferMs = Math.max(1, this.#totalTime - this.#setupTime);
    this.#mbps = (bytes * 8) / 1000 / transferMs;
    const stats = host.ramHandler.stats;
    this.#pagesPerSecond = Math.round(((stats.normal + stats.duplicate) * 1000) / transferMs);
  }

  /** After a failed or cancelled migration: resume a guest we stopped, as QEMU does. */
  #restoreRunState(): void {
    const rs = this.#host.runState;
    if (this.#vmWasRunning) {
      if (rs.state !== "shutdown") this.#host.vmStart();
    } else if (rs.state === "finish-migrate") {
      rs.set("postmigrate");
    }
  }
}
