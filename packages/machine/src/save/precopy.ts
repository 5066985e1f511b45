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
import { sleep, yieldToEventLoop } from "./event-loop.js";
import { TARGET_PAGE_SIZE } from "../ram/ram-block.js";
import { MultifdSender } from "./multifd/multifd-sender.js";
import type { MultifdOutputChannel } from "./multifd/multifd-transport.js";
import { AutoConverge, type CpuThrottle } from "./auto-converge.js";

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
  /**
   * A live point-in-time snapshot (background-snapshot): after START the guest is paused (T0),
   * device state is captured into memory, `arm` starts copy-before-write, and the guest resumes.
   * RAM then goes out as PART sections while the guest runs, and the captured device state is
   * appended at the end. There is no END section, as in QEMU.
   */
  snapshot?: { arm(): void };
  /**
   * cpr-reboot: runs once the guest is stopped and before the stream starts (brings a memory
   * file up to date).
   */
  prepare?: () => Promise<void>;
  /** Measures the bound on the stream's size reported as `x-expected-size` (see `expectedFileSize`); called once. */
  expectedSize?: () => number | undefined;
  /** `auto-converge`: the guest's CPU throttle, raised while the guest dirties faster than RAM goes out. */
  autoConverge?: CpuThrottle;
}

const precise: () => number =
  typeof globalThis.performance?.now === "function" ? () => globalThis.performance.now() : () => Date.now();

/**
 * One outgoing migration: pre-copy while the guest runs (RAM iterations under `max-bandwidth`
 * until the remaining pages fit in `downtime-limit` at the measured bandwidth), then
 * stop-and-copy. A stopped machine goes through the same steps with nothing re-dirtied. With
 * `snapshot` it is a live snapshot instead, with `prepare` a checkpoint of a stopped guest.
 * Errors and cancellation end it cleanly: the channel is aborted and the guest keeps running.
 */
export class OutgoingMigration {
  readonly #host: MigrationHost;
  #channel: OutputChannel | undefined;
  readonly #open: () => Promise<OutputChannel>;
  readonly #kind: SaveKind;
  readonly #options: MigrationOptions;
  #status: MigrationStatus = "setup";
  #pauseMs: number | undefined;
  #stoppedFirst = false;
  #error: string | undefined;
  #startedAt = 0;
  #setupTime = 0;
  #totalTime: number | undefined;
  #downtime: number | undefined;
  /** When stop-and-copy stopped the guest. */
  #stoppedAt: number | undefined;
  #expectedDowntime = 0;
  #mbps = 0;
  #pagesPerSecond = 0;
  #cancelRequested = false;
  #vmWasRunning = false;
  /** null: not measured yet. */
  #expectedSize: number | undefined | null = null;
  #multifd: MultifdSender | undefined;
  readonly #autoConverge: AutoConverge | undefined;
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
    this.#options = options;
    this.#startedAt = host.now();
    if (options.autoConverge) this.#autoConverge = new AutoConverge(options.autoConverge, () => host.parameters());
    this.done = this.#run();
  }

  get status(): MigrationStatus {
    return this.#status;
  }

  /** What kind of save this is (`REBOOT` for a cpr-reboot checkpoint). */
  get kind(): SaveKind {
    return this.#kind;
  }

  /** A live snapshot's pause of the guest at T0, in milliseconds (fractions included). */
  get pauseMs(): number | undefined {
    return this.#pauseMs;
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
    const reason = new MachineError("MIGRATION_CANCELLED", "Migration cancelled");
    void this.#multifd?.abort(reason);
    void this.#channel?.abort(reason);
  }

  info(): MigrationInfo {
    const info = this.#info();
    // A save that ended without a file has nothing to reserve space for.
    if (this.#status === "failed" || this.#status === "cancelled") return info;
    const expected = this.expectedSize;
    return expected === undefined ? info : { ...info, "x-expected-size": expected };
  }

  /** The most bytes this save writes, for one that sends each page at most once; else undefined. */
  get expectedSize(): number | undefined {
    if (this.#expectedSize === null) this.#expectedSize = this.#options.expectedSize?.();
    return this.#expectedSize;
  }

  #info(): MigrationInfo {
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
        "multifd-bytes": this.#multifd?.bytes ?? 0,
        "pages-per-second": this.#pagesPerSecond,
        "precopy-bytes": ram.precopyBytes,
        "downtime-bytes": ram.downtimeBytes,
        "postcopy-bytes": 0,
        "dirty-sync-missed-zero-copy": 0,
      },
    };
    if (this.#autoConverge) info["cpu-throttle-percentage"] = this.#autoConverge.throttle.percentage;
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
      // Taken over at once, so a cancel or failure from here on closes the multifd channels too.
      const lanes = (channel as MultifdOutputChannel).multifd;
      if (lanes) this.#multifd = new MultifdSender(lanes.lanes, { uuid: lanes.uuid, pageSize: TARGET_PAGE_SIZE, codec: lanes.codec });
      this.#checkCancelled();
      if (this.#options.prepare) await this.#stopFirst(this.#options.prepare);
      const mainSink = host.codec.createSink(channel, { vmdesc: true });
      const sink = this.#multifd ? this.#multifd.wrap(mainSink) : mainSink;
      session = new SaveSession(host.registry, sink, {
        kind: this.#kind,
        live: host.runState.running,
        configuration: host.configuration(),
      });
      await session.begin();
      this.#checkCancelled();
      this.#setupTime = host.now() - this.#startedAt;
      this.#setStatus("active");
      const snapshot = this.#options.snapshot;
      if (snapshot) {
        const captured = this.#pointInTime(session, snapshot);
        await this.#transfer(session, sink, true);
        await session.completeWith(captured);
      } else {
        await this.#transfer(session, sink, false);
        await this.#completion(session);
      }
      await sink.end();
      await this.#multifd?.close();
      await channel.close();
      // As QEMU's, the downtime lasts until the last byte was handed to the channels, multifd's included.
      if (this.#stoppedAt !== undefined) this.#downtime = host.now() - this.#stoppedAt;
      this.#checkCancelled();
      this.#finishTiming(sink.position);
      this.#setStatus("completed");
      if (host.runState.state === "finish-migrate") host.runState.set("postmigrate");
    } catch (err) {
      const reason = err instanceof Error ? err : new Error(String(err));
      await this.#multifd?.abort(reason);
      await this.#channel?.abort(reason);
      this.#totalTime = host.now() - this.#startedAt;
      if (this.#cancelRequested) {
        this.#setStatus("cancelled");
      } else {
        this.#error = errorMessage(err);
        this.#setStatus("failed");
      }
      this.#restoreRunState();
    } finally {
      // As QEMU at the end of a migration, whatever way it ended.
      this.#autoConverge?.throttle.stop();
      session?.finish();
    }
  }

  /**
   * RAM iterations under `max-bandwidth`. Pre-copy stops once what is left fits in
   * `downtime-limit` at the measured bandwidth; a snapshot once every page is written.
   */
  async #transfer(session: SaveSession, sink: { readonly position: number }, untilAllWritten: boolean): Promise<void> {
    const host = this.#host;
    let windowStart = host.now();
    let windowBytes = sink.position;
    let threshold = 0;
    let allWritten = false;
    let syncs = host.ramHandler.stats.dirtySyncCount;
    for (;;) {
      this.#checkCancelled();
      const params = host.parameters();
      if (untilAllWritten) {
        if (allWritten) return;
      } else {
        let pending = session.pending(false);
        if (pending <= threshold) {
          pending = session.pending(true);
          if (pending <= threshold) return;
        }
      }
      const limit = params["max-bandwidth"] > 0 ? params["max-bandwidth"] / (1000 / WINDOW_MS) : Infinity;
      const used = sink.position - windowBytes;
      if (used >= limit) {
        await sleep(windowStart + WINDOW_MS - host.now());
      } else {
        allWritten = await session.iterate(Math.min(limit - used, MAX_ITERATION_BYTES));
        await yieldToEventLoop();
      }
      const stats = host.ramHandler.stats;
      if (this.#autoConverge && stats.dirtySyncCount !== syncs) {
        syncs = stats.dirtySyncCount;
        this.#autoConverge.observe({ dirtiedPages: stats.dirtiedPages, transferredBytes: stats.transferred, now: host.now() });
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

  /**
   * T0 of a live snapshot, all synchronous so nothing runs in between: the run state is
   * recorded, the guest paused, the device state captured and copy-before-write armed, then the
   * guest resumes. QEMU does the same around `ram_write_tracking_start`.
   */
  #pointInTime(session: SaveSession, snapshot: { arm(): void }): ReturnType<SaveSession["captureDevices"]> {
    const host = this.#host;
    // A first capture while the guest still runs: the code it runs is compiled by the time the
    // guest is paused, so the pause is only the capture itself.
    session.captureDevices();
    const t0 = precise();
    host.storeGlobalState();
    const wasRunning = host.runState.running;
    if (wasRunning) host.vmStop("paused");
    const captured = session.captureDevices();
    snapshot.arm();
    if (wasRunning) host.vmStart();
    this.#pauseMs = precise() - t0;
    this.#downtime = Math.round(this.#pauseMs);
    return captured;
  }

  /** cpr-reboot: the guest stops before anything is written (QEMU's migration_stop_vm). */
  async #stopFirst(prepare: () => Promise<void>): Promise<void> {
    const host = this.#host;
    host.storeGlobalState();
    this.#vmWasRunning = host.runState.running;
    this.#stoppedFirst = true;
    host.vmStop("finish-migrate");
    await prepare();
    this.#checkCancelled();
  }

  async #completion(session: SaveSession): Promise<void> {
    const host = this.#host;
    const stoppedAt = host.now();
    if (!this.#stoppedFirst) {
      host.storeGlobalState();
      this.#vmWasRunning = host.runState.running;
      host.vmStop("finish-migrate");
    }
    await session.complete();
    this.#checkCancelled();
    this.#stoppedAt = stoppedAt;
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
