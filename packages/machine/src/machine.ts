import type { InputChannel, OutputChannel } from "./channel.js";
import { STEP_NS } from "./devices/clock-core.js";
import { VirtualClock } from "./devices/clock.js";
import type { Device } from "./devices/device.js";
import { GlobalState } from "./devices/global-state.js";
import { GuestCpu } from "./devices/guest-cpu.js";
import { REG } from "./devices/serial-16550-core.js";
import { Serial16550 } from "./devices/serial-16550.js";
import type { HasherFactory, MachineDigest } from "./digest.js";
import { MachineError } from "./errors.js";
import { EventBus } from "./events.js";
import { initialGuestState, PAGE_SIZE, type DeterministicGuest, type WritableRam } from "./guest/guest.js";
import { GuestPacer } from "./guest/pacer.js";
import { CpuThrottle } from "./save/auto-converge.js";
import { defaultGuestOptions, type GuestOptions } from "./guest/workload.js";
import { DirtyBitmapSource } from "./ram/dirty-bitmap-source.js";
import type { PageMemoryFactory } from "./ram/page-memory.js";
import type { PageSource } from "./ram/page-source.js";
import { RamSet, TARGET_PAGE_SIZE, type RamBlock } from "./ram/ram-block.js";
import { canTransition, RunStateMachine, type RunState } from "./run-state.js";
import { SnapshotPageSource } from "./snapshot/snapshot-page-source.js";
import { stepFits } from "./snapshot/step-gate.js";
import { MemoryFileEntry, type RamBacking } from "./save/memory-file-entry.js";
import type { SaveKind } from "./save/save-mode.js";
import { yieldToEventLoop } from "./save/event-loop.js";
import { DeviceSaveHandler } from "./save/device-handler.js";
import { SaveRegistry, SaveSession, type SaveEntry } from "./save/engine.js";
import type { SaveContext, SaveHandler } from "./save/handler.js";
import { IncomingLoad } from "./save/incoming.js";
import { MultifdReceiver } from "./save/multifd/multifd-receiver.js";
import { QemuTimers } from "./devices/qemu-timers.js";
import type { MultifdInputChannel, MultifdRequest } from "./save/multifd/multifd-transport.js";
import { checkCprReboot } from "./save/cpr-checks.js";
import { expectedFileSize } from "./save/expected-size.js";
import {
  applyParameters,
  checkCapabilities,
  DEDUP_CAPABILITY,
  defaultParameters,
  MIGRATION_CAPABILITIES,
  SUPPORTED_CAPABILITIES,
  type MigrationCapability,
  type MigrationParameters,
} from "./save/migration-params.js";
import type { MigrationInfo } from "./save/migration-status.js";
import type { MigrationSocketAddress } from "./monitor/monitor-channels.js";
import { OutgoingMigration, type MigrationHost, type MigrationOptions } from "./save/precopy.js";
import { RamSaveHandler } from "./save/ram-handler.js";
import type { StreamCodec } from "./save/stream-codec.js";
import type { StagingHelper } from "./ram/staging-helper.js";
import type { StreamConfiguration } from "./save/record-sink.js";
import { uuidBytes } from "./uuid.js";

/** The machine type written to (and required in) the configuration record. */
export const DEFAULT_MACHINE_TYPE = "savevm-virt-1.0";
export const MAIN_RAM_BLOCK = "guest.ram";
/**
 * QEMU's `-M none`: a machine of this type saves and loads what such a QEMU does (one RAM block
 * named `ram`, `timer` and `globalstate`), so its streams and QEMU's load into each other. Its
 * guest still runs, but its CPU, clock and serial port are not part of the stream.
 */
export const QEMU_NONE_MACHINE_TYPE = "none";

/** Where the machine gets its RAM storage, stream codec and hashes. */
export interface MachineBackends {
  codec: StreamCodec;
  memory: PageMemoryFactory;
  hasher: HasherFactory;
  /** A thread that shares the page writes of incoming loads (the Node entry's `nodeBackends` has one). */
  staging?: StagingHelper;
}

export interface MachineConfig {
  name?: string;
  uuid?: string;
  /** Size of the main RAM block in bytes (a multiple of 4096). */
  memory: number;
  machineType?: string;
  /** More RAM blocks after the main one. */
  ramBlocks?: readonly { name: string; size: number }[];
  /** More devices after the built-in ones. */
  devices?: readonly Device[];
  guest?: Partial<GuestOptions>;
  /** Start stopped (QEMU's `-S`): the machine stays in prelaunch until `cont`. */
  startPaused?: boolean;
  /** Wait for an incoming migration (QEMU's `-incoming`). */
  incoming?: boolean;
  /** Allow `exec:` channels (off by default). */
  allowExec?: boolean;
  /**
   * Write pages of one non-zero byte value as ZERO records with that fill byte (default true):
   * QEMU 7.2 loads them, QEMU 8.2 and later refuse them. False writes them as full pages.
   */
  uniformPagesAsZero?: boolean;
  /**
   * Pages the copy-before-write queue of a live snapshot holds (default 4096, 16 MiB; never
   * more than the machine's RAM).
   */
  snapshotQueuePages?: number;
  now?: () => number;
}

/** Default size of a live snapshot's copy-before-write queue, in pages. */
export const DEFAULT_SNAPSHOT_QUEUE_PAGES = 4096;

/**
 * An emulated machine whose whole state — RAM blocks, devices and run state — saves to and
 * loads from QEMU migration streams. The guest is deterministic and writes RAM through the
 * write barrier while the machine runs.
 */
export class Machine {
  readonly name: string;
  /** Whether the configuration gave a name: QEMU's query-name answers `{}` without `-name`. */
  readonly hasName: boolean;
  readonly uuid: string | undefined;
  readonly machineType: string;
  readonly allowExec: boolean;
  readonly runState: RunStateMachine;
  readonly events = new EventBus();
  readonly ram: RamSet;
  readonly registry = new SaveRegistry();
  readonly ramHandler: RamSaveHandler;
  readonly serial = new Serial16550();
  readonly clock = new VirtualClock();
  readonly globalState: GlobalState;
  readonly cpu: GuestCpu;
  readonly backends: MachineBackends;
  readonly #now: () => number;
  readonly #guestRam: WritableRam;
  #parameters: MigrationParameters = defaultParameters();
  readonly #capabilities = new Map<MigrationCapability, boolean>(MIGRATION_CAPABILITIES.map((c) => [c, false]));
  #migration: OutgoingMigration | undefined;
  #incoming: IncomingLoad | undefined;
  #incomingExpected: boolean;
  /** idle: may start; waiting: listening for a source; loading; done: loaded, no more. */
  #incomingPhase: "idle" | "waiting" | "loading" | "done" = "idle";
  #incomingError: string | undefined;
  #incomingAddress: MigrationSocketAddress | undefined;
  #autostart: boolean;
  #pageSourceFactory: ((ctx: SaveContext) => PageSource) | undefined;
  /** The page source of the save under way, when the machine chose one (a live snapshot). */
  #savePageSource: PageSource | undefined;
  /** The armed (or about to be) live snapshot: guest steps wait for room in its queue. */
  #liveSnapshot: SnapshotPageSource | undefined;
  #lastLiveSnapshot: SnapshotPageSource | undefined;
  /** A named snapshot being saved or loaded (no migration may start meanwhile). */
  #busy = false;
  readonly #migrationListeners = new Set<(migration: OutgoingMigration) => void>();
  readonly #uniformAsZero: boolean;
  #snapshotQueuePages: number;
  readonly #memoryFile: MemoryFileEntry;
  readonly #pacer: GuestPacer;
  /** The guest's CPU throttle, which an `auto-converge` migration raises. */
  readonly #throttle = new CpuThrottle();
  #destroyed = false;

  constructor(config: MachineConfig, backends: MachineBackends) {
    this.name = config.name ?? "savevm";
    this.hasName = config.name !== undefined;
    this.uuid = config.uuid;
    this.machineType = config.machineType ?? DEFAULT_MACHINE_TYPE;
    this.allowExec = config.allowExec ?? false;
    this.backends = backends;
    this.#now = config.now ?? (() => Date.now());
    this.#autostart = !(config.startPaused ?? false);
    this.#incomingExpected = config.incoming ?? false;
    this.#uniformAsZero = config.uniformPagesAsZero ?? true;
    this.#snapshotQueuePages = config.snapshotQueuePages ?? DEFAULT_SNAPSHOT_QUEUE_PAGES;
    this.runState = new RunStateMachine("prelaunch");

    this.ram = new RamSet(backends.memory, { sharedStaging: backends.staging !== undefined });
    const qemuNone = this.machineType === QEMU_NONE_MACHINE_TYPE;
    const main = this.ram.add(qemuNone ? "ram" : MAIN_RAM_BLOCK, config.memory);
    for (const b of config.ramBlocks ?? []) this.ram.add(b.name, b.size);
    this.#guestRam = { pageCount: main.pageCount, writablePage: (p) => this.ram.writablePage(main, p) };

    const guest = { ...defaultGuestOptions(), ...config.guest };
    this.cpu = new GuestCpu(initialGuestState(guest.seed, guest.workload, guest.pacing.rate));
    this.#pacer = new GuestPacer({
      pacing: () => this.cpu.guest.state.pacing,
      bytesPerStep: () => Math.max(1, this.cpu.guest.state.workload.pagesPerStep) * PAGE_SIZE,
      mayRun: () => this.runState.running && !this.#destroyed,
      stepFits: () => this.#stepFits(),
      step: () => this.#step(),
      waitForRoom: () => this.#waitForRoom(),
      now: this.#now,
      runFraction: () => this.#throttle.runFraction,
    });
    if (guest.fill > 0) this.populate(0, Math.min(main.pageCount, Math.ceil(guest.fill / PAGE_SIZE)));
    this.globalState = new GlobalState(() => this.runState.state);

    this.ramHandler = new RamSaveHandler({
      ram: this.ram,
      pageSource: (ctx) => {
        if (this.#savePageSource) return this.#savePageSource;
        const custom = this.#pageSourceFactory?.(ctx);
        if (custom) return custom;
        // x-ignore-shared: blocks kept in a memory file stay out of the stream.
        const ignoreShared = ctx.configuration?.capabilities?.includes("x-ignore-shared") ?? false;
        return new DirtyBitmapSource(this.ram, (b) => !(ignoreShared && b.shared));
      },
      onSync: (pass) => {
        if (this.eventsEnabled()) this.events.emit("MIGRATION_PASS", { pass });
      },
      uniformAsZero: () => this.#uniformAsZero,
      now: this.#now,
      ...(backends.staging ? { staging: backends.staging } : {}),
    });
    // QEMU 7.2 finds the entry of a PART or END section by a load id that is 0 in every entry not
    // loaded yet, so a RAM section numbered 0 is taken for its first entry (`timer`): as in QEMU,
    // `timer` comes first and RAM gets another number.
    if (qemuNone) this.addDevice(new QemuTimers());
    this.registry.register(this.ramHandler);
    const builtIn = qemuNone ? [this.globalState] : [this.globalState, this.cpu, this.clock, this.serial];
    for (const device of [...builtIn, ...(config.devices ?? [])]) {
      this.addDevice(device);
    }
    this.#memoryFile = new MemoryFileEntry(main, backends.hasher);
    this.registry.register(this.#memoryFile);
    this.runState.onChange((state) => {
      if (state === "running") this.#pacer.start();
      else this.#pacer.stop();
    });
  }

  /** Enters the initial run state: inmigrate, running, or (with `startPaused`) prelaunch. */
  start(): void {
    if (this.#incomingExpected) {
      this.runState.set("inmigrate");
      this.ram.prepareStaging();
    } else if (this.#autostart) this.vmStart();
  }

  get guest(): DeterministicGuest {
    return this.cpu.guest;
  }

  get mainRam(): RamBlock {
    return this.ram.blocks[0]!;
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  /** Registers a device saved as a FULL section in every save its modes allow. */
  addDevice(device: Device): SaveEntry {
    return this.registry.register(new DeviceSaveHandler(device));
  }

  /** Registers a custom state entry (live or not). */
  addHandler(handler: SaveHandler): SaveEntry {
    return this.registry.register(handler);
  }

  addRamBlock(name: string, size: number): RamBlock {
    this.#assertNoSave();
    return this.ram.add(name, size);
  }

  /** Replaces how the RAM handler picks pages (for snapshots); undefined restores pre-copy. */
  setPageSource(factory: ((ctx: SaveContext) => PageSource) | undefined): void {
    this.#pageSourceFactory = factory;
  }

  // ---- guest ------------------------------------------------------------------------------

  /** Guest bytes per second while running. */
  get guestRate(): number {
    return this.cpu.guest.state.pacing.rate;
  }

  set guestRate(bytesPerSecond: number) {
    this.#pacer.stop();
    this.cpu.guest.state.pacing.rate = Math.max(0, bytesPerSecond);
    if (this.runState.running) this.#pacer.start();
  }

  /**
   * Has the guest write `count` pages from `first` of its RAM with content drawn from its mix,
   * as an operating system initialising memory would (through the write barrier).
   */
  populate(first = 0, count = this.mainRam.pageCount): void {
    if (this.#liveSnapshot?.armed) {
      throw new MachineError("MIGRATION_ACTIVE", "RAM cannot be populated while a live snapshot is being written");
    }
    this.cpu.guest.fill(this.#guestRam, first, count);
  }

  /**
   * Runs `count` guest steps now, whatever the run state (for tests and embedders). During a
   * live snapshot a step may have to wait for room in the copy-before-write queue, which a
   * synchronous call cannot do: it then throws before the step, and `runSteps` is the way.
   */
  step(count = 1): void {
    for (let i = 0; i < count; i++) {
      if (!this.#stepFits()) {
        throw new MachineError(
          "INVALID_STATE",
          "The guest has to wait for the live snapshot's copy-before-write queue; use runSteps() to let it wait",
        );
      }
      this.#step();
    }
  }

  /** Runs `count` guest steps, each waiting for room in a live snapshot's queue when it must. */
  async runSteps(count = 1): Promise<void> {
    for (let i = 0; i < count; i++) {
      while (!this.#stepFits()) await this.#waitForRoom();
      this.#step();
    }
  }

  #stepFits(): boolean {
    const snapshot = this.#liveSnapshot;
    return snapshot === undefined || stepFits(snapshot, this.cpu.guest, this.mainRam);
  }

  /** Resolves once a waiting guest should check again (the writer made progress or finished). */
  async #waitForRoom(): Promise<void> {
    const snapshot = this.#liveSnapshot;
    if (!snapshot) return;
    const since = this.#now();
    snapshot.stall.stalls++;
    await snapshot.progress();
    snapshot.stall.stalledMs += this.#now() - since;
  }

  #step(): void {
    const guest = this.cpu.guest;
    // The guest's boot code: enable and clear the UART FIFOs before anything else.
    if (guest.state.steps === 0) this.serial.write(REG.IIR_FCR, 0x07);
    guest.step(this.#guestRam);
    if (guest.state.steps % 8 === 0) this.serial.write(REG.RBR_THR_DLL, 0x41 + (guest.state.acc % 26));
    this.serial.tick();
    this.clock.advance(STEP_NS);
  }

  // ---- run state --------------------------------------------------------------------------

  /** Starts the guest (QEMU's vm_start): RESUME, unless it is already running. */
  vmStart(): void {
    if (this.runState.running) return;
    this.runState.set("running");
    this.events.emit("RESUME");
  }

  /** Stops the guest if it runs and enters `state` (QEMU's vm_stop_force_state). */
  vmStop(state: RunState): void {
    const wasRunning = this.runState.running;
    this.runState.set(state);
    if (wasRunning) this.events.emit("STOP");
  }

  /** QMP `stop`. */
  stop(): void {
    if (this.runState.state === "inmigrate" || this.runState.state === "prelaunch") {
      this.#autostart = false;
      return;
    }
    if (this.runState.running) this.vmStop("paused");
  }

  /** QMP `cont`. */
  cont(): void {
    const state = this.runState.state;
    if (state === "shutdown" || state === "internal-error") {
      throw new MachineError("INVALID_STATE", "Resetting the Virtual Machine is required");
    }
    if (state === "inmigrate") {
      this.#autostart = true;
      return;
    }
    this.vmStart();
  }

  /** QMP `system_reset`: devices and guest back to their initial state, RAM untouched. */
  systemReset(reason = "host-qmp-system-reset"): void {
    for (const entry of this.registry.entries) {
      if (entry.handler instanceof DeviceSaveHandler) entry.handler.device.reset?.();
    }
    this.events.emit("RESET", { guest: false, reason });
    const s = this.runState.state;
    if (s !== "running" && s !== "inmigrate" && s !== "finish-migrate") this.runState.set("prelaunch");
  }

  /** QMP `quit` / a signal: SHUTDOWN, then the machine stops for good. */
  shutdown(reason = "host-qmp-quit"): void {
    if (this.#destroyed) return;
    this.#migration?.cancel();
    this.events.emit("SHUTDOWN", { guest: false, reason });
    this.destroy();
  }

  destroy(): void {
    this.#destroyed = true;
    this.#pacer.stop();
    this.backends.staging?.close();
  }

  // ---- migration parameters ---------------------------------------------------------------

  parameters(): MigrationParameters {
    return { ...this.#parameters };
  }

  setParameters(changes: Partial<MigrationParameters>): void {
    this.#parameters = applyParameters(this.#parameters, changes);
  }

  capabilities(): { capability: MigrationCapability; state: boolean }[] {
    return MIGRATION_CAPABILITIES.map((capability) => ({ capability, state: this.#capabilities.get(capability) ?? false }));
  }

  setCapabilities(changes: readonly { capability: MigrationCapability; state: boolean }[]): void {
    if (this.#migration?.active) throw new MachineError("MIGRATION_ACTIVE", "There's a migration process in progress");
    const next = new Map(this.#capabilities);
    for (const c of changes) next.set(c.capability, c.state);
    checkCapabilities(next);
    for (const [c, v] of next) this.#capabilities.set(c, v);
  }

  capability(name: MigrationCapability): boolean {
    return this.#capabilities.get(name) ?? false;
  }

  eventsEnabled(): boolean {
    return this.capability("events");
  }

  // ---- outgoing ---------------------------------------------------------------------------

  /**
   * Checks that `migrate` may start now; throws QEMU's message when not. With `uri`, also that
   * the transport suits the migration mode (a cpr-reboot checkpoint cannot stream to a socket).
   */
  checkMigrate(uri?: string): void {
    if (this.#destroyed) throw new MachineError("INVALID_STATE", "The machine has shut down");
    this.#assertNoSave();
    if (this.runState.state === "inmigrate") {
      throw new MachineError("INVALID_STATE", "Guest is waiting for an incoming migration");
    }
    if (this.runState.state === "postmigrate") {
      throw new MachineError("INVALID_STATE", "Can't migrate the vm that was paused due to previous migration");
    }
    for (const c of MIGRATION_CAPABILITIES) {
      if (this.capability(c) && !SUPPORTED_CAPABILITIES.has(c)) {
        throw new MachineError("INVALID_ARGUMENT", `Migration capability '${c}' is not supported by this machine`);
      }
    }
    if (this.#parameters.mode === "cpr-reboot") this.#checkCheckpoint(uri);
  }

  #checkCheckpoint(uri?: string): void {
    checkCprReboot({
      hasMemoryFile: this.#memoryFile.backing !== undefined,
      backgroundSnapshot: this.capability("background-snapshot"),
      ...(uri !== undefined ? { uri } : {}),
    });
  }

  /**
   * Starts a migration (or a save to a file) on `channel`: pre-copy if the guest runs,
   * stop-and-copy otherwise. With the `background-snapshot` capability it is a live
   * point-in-time snapshot instead; with `mode: cpr-reboot` a checkpoint for a restart (the
   * guest stops, RAM kept in a memory file stays out of the stream). Returns the migration
   * object; await its `done`.
   */
  migrate(channel: OutputChannel | (() => Promise<OutputChannel>)): OutgoingMigration {
    this.checkMigrate();
    return this.#startMigration(channel, this.#parameters.mode === "cpr-reboot");
  }

  /**
   * A cpr-reboot checkpoint whatever the `mode` parameter (`cprsave`): the guest stops, RAM
   * stays in the memory file (flushed and synced) and the stream holds the rest. The same
   * operation as `migrate` in mode cpr-reboot.
   */
  checkpoint(channel: OutputChannel | (() => Promise<OutputChannel>)): OutgoingMigration {
    this.checkMigrate();
    this.#checkCheckpoint();
    return this.#startMigration(channel, true);
  }

  #startMigration(channel: OutputChannel | (() => Promise<OutputChannel>), checkpoint: boolean): OutgoingMigration {
    const options: MigrationOptions = {};
    let snapshot: SnapshotPageSource | undefined;
    if (this.capability("background-snapshot")) {
      const capacity = Math.max(1, Math.min(this.#snapshotQueuePages, this.ram.totalPages));
      snapshot = new SnapshotPageSource(this.ram, capacity);
      options.snapshot = snapshot;
      this.#savePageSource = snapshot;
      this.#liveSnapshot = snapshot;
      this.#lastLiveSnapshot = snapshot;
    } else if (checkpoint) {
      options.kind = "REBOOT";
      options.prepare = () => this.#memoryFile.prepare();
    }
    // Bounded when each page goes out at most once: a snapshot, a checkpoint, a stopped guest.
    // Measured when first asked for (query-migrate), so a save nobody sizes costs nothing.
    if (snapshot || checkpoint || !this.runState.running) {
      const kind = options.kind ?? "MIGRATE";
      const configuration = this.streamConfiguration(kind);
      options.expectedSize = () => this.#expectedSize(kind, configuration, snapshot !== undefined);
    }
    // Throttling only helps a pre-copy of a running guest; background-snapshot refuses the capability.
    if (this.capability("auto-converge") && !checkpoint) options.autoConverge = this.#throttle;
    const migration = new OutgoingMigration(this.#migrationHost(options.kind ?? "MIGRATE"), channel, options);
    this.#migration = migration;
    for (const listener of this.#migrationListeners) listener(migration);
    if (snapshot) {
      void migration.done.then(() => {
        if (this.#savePageSource === snapshot) this.#savePageSource = undefined;
        if (this.#liveSnapshot === snapshot) this.#liveSnapshot = undefined;
      });
    }
    if (checkpoint) {
      // A checkpoint that was not written leaves nothing for a restart to load.
      void migration.done.then(() => (migration.status === "completed" ? undefined : this.#memoryFile.abandon()));
    }
    return migration;
  }

  #expectedSize(kind: SaveKind, configuration: StreamConfiguration, snapshot: boolean): number | undefined {
    try {
      return expectedFileSize({
        registry: this.registry,
        codec: this.backends.codec,
        ram: this.ram,
        ramHandler: this.ramHandler,
        kind,
        configuration,
        snapshot,
        pageSize: TARGET_PAGE_SIZE,
      });
    } catch {
      // An estimate that cannot be made is left out; it never stops the save.
      return undefined;
    }
  }

  /** Calls `listener` with every migration `migrate` starts; returns its remover. */
  onMigration(listener: (migration: OutgoingMigration) => void): () => void {
    this.#migrationListeners.add(listener);
    return () => this.#migrationListeners.delete(listener);
  }

  /** The live snapshot being written, if any: its queue and what the guest waited. */
  get liveSnapshot(): SnapshotPageSource | undefined {
    return this.#liveSnapshot;
  }

  /** The last live snapshot, finished or not (its queue high-water mark, guest stalls). */
  get lastLiveSnapshot(): SnapshotPageSource | undefined {
    return this.#lastLiveSnapshot;
  }

  /** Pages of the copy-before-write queue the next live snapshot gets. */
  get snapshotQueuePages(): number {
    return this.#snapshotQueuePages;
  }

  set snapshotQueuePages(pages: number) {
    if (!Number.isInteger(pages) || pages < 1) throw new MachineError("INVALID_ARGUMENT", `Invalid queue size ${pages}: expected a positive number of pages`);
    this.#snapshotQueuePages = pages;
  }

  /**
   * Records a `migrate` refused before it started (a bad URI): QEMU reports it as a failed
   * migration in `query-migrate`.
   */
  noteRefusedMigration(error: Error): void {
    if (this.#migration?.active) return;
    this.#migration = new OutgoingMigration(this.#migrationHost("MIGRATE"), () => Promise.reject(error));
  }

  /** The current or last outgoing migration. */
  get migration(): OutgoingMigration | undefined {
    return this.#migration;
  }

  cancelMigration(): void {
    this.#migration?.cancel();
  }

  queryMigrate(): MigrationInfo {
    if (this.#migration) return this.#migration.info();
    const where = this.#incomingAddress ? { "socket-address": [this.#incomingAddress] } : {};
    if (this.#incoming) return { ...this.#incoming.info(), ...where };
    if (this.#incomingError !== undefined) return { status: "failed", "error-desc": this.#incomingError };
    if (this.#incomingPhase === "waiting") return { status: "setup", ...where };
    return {};
  }

  #migrationHost(kind: SaveKind): MigrationHost {
    return {
      runState: this.runState,
      registry: this.registry,
      events: this.events,
      ramHandler: this.ramHandler,
      configuration: () => this.streamConfiguration(kind),
      codec: this.backends.codec,
      ramTotal: () => this.ram.totalSize,
      parameters: () => this.#parameters,
      eventsEnabled: () => this.eventsEnabled(),
      storeGlobalState: () => this.globalState.store(),
      vmStop: (state) => this.vmStop(state),
      vmStart: () => this.vmStart(),
      now: this.#now,
    };
  }

  #assertNoSave(): void {
    if (this.#migration?.active || this.#busy) throw new MachineError("MIGRATION_ACTIVE", "There's a migration process in progress");
  }

  // ---- incoming ---------------------------------------------------------------------------

  /** Whether the machine waits for an incoming migration (`-incoming`). */
  /** Whether the guest starts by itself after an incoming load (false with `-S`, or after `stop`). */
  get autostart(): boolean {
    return this.#autostart;
  }

  get incomingExpected(): boolean {
    return this.#incomingExpected;
  }

  /** Checks that `migrate-incoming` may start now; throws QEMU's message when not. */
  checkIncoming(): void {
    if (!this.#incomingExpected) {
      throw new MachineError("INCOMING_NOT_ALLOWED", "'-incoming' was not specified on the command line");
    }
    if (this.#incomingPhase !== "idle") {
      throw new MachineError("INCOMING_NOT_ALLOWED", "The incoming migration has already been started");
    }
  }

  /** The monitor started listening for a source: a second `migrate-incoming` is refused. */
  markIncomingStarted(socketAddress?: MigrationSocketAddress): void {
    this.checkIncoming();
    this.#incomingPhase = "waiting";
    this.#incomingAddress = socketAddress;
    // A new attempt: query-migrate reports it, not how the previous one failed.
    this.#incoming = undefined;
    this.#incomingError = undefined;
  }

  /** Waiting for a source failed before any stream arrived; another attempt may follow. */
  markIncomingFailed(message: string): void {
    if (this.#incomingPhase === "waiting") this.#incomingPhase = "idle";
    if (this.#incoming?.status !== "failed") {
      this.#incoming = undefined;
      this.#incomingError = message;
    }
  }

  /**
   * Loads an incoming migration stream. On success the machine enters the run state the
   * source had (running only with autostart); on failure nothing changed and it keeps waiting.
   */
  async incoming(input: InputChannel): Promise<void> {
    if (this.#incomingPhase !== "waiting") this.checkIncoming();
    this.#incomingPhase = "loading";
    this.#incomingError = undefined;
    this.globalState.clearReceived();
    const multifd = (input as MultifdInputChannel).multifd;
    const receiver = multifd
      ? new MultifdReceiver(multifd.lanes, { uuid: multifd.uuid, pageSize: TARGET_PAGE_SIZE, codec: multifd.codec })
      : undefined;
    this.ramHandler.useMultifd(receiver);
    const load = new IncomingLoad(this.#incomingHost(), input);
    this.#incoming = load;
    try {
      await load.done;
    } catch (err) {
      this.#incomingPhase = "idle";
      load.finish();
      throw receiver?.error ?? err;
    } finally {
      this.ramHandler.useMultifd(undefined);
      await receiver?.close();
    }
    this.#incomingPhase = "done";
    const received = this.globalState.received;
    if (received === undefined || received === "running") {
      if (this.#autostart) this.vmStart();
      else this.runState.set("paused");
    } else {
      this.runState.set(received);
    }
    load.finish();
  }

  /**
   * With the `multifd` capability, what the channels must open besides the main stream:
   * `multifd-channels` channels, each announcing this machine's UUID (zeros without one, as QEMU).
   */
  multifdRequest(): MultifdRequest | undefined {
    if (!this.capability("multifd")) return undefined;
    const compression = this.#parameters["multifd-compression"];
    if (compression === "zstd") {
      throw new MachineError("INVALID_ARGUMENT", "multifd-compression 'zstd' is not supported by this machine; use 'none' or 'zlib'");
    }
    return {
      channels: this.#parameters["multifd-channels"],
      uuid: this.uuid === undefined ? new Uint8Array(16) : uuidBytes(this.uuid),
      compression,
      level: this.#parameters["multifd-zlib-level"],
    };
  }

  get incomingLoad(): IncomingLoad | undefined {
    return this.#incoming;
  }

  /**
   * The configuration record of a save of `kind`: machine type, the UUID when validate-uuid is
   * on, and the capabilities that change how the stream reads: `x-dedup` when on, and
   * `x-ignore-shared` when on or for a cpr-reboot checkpoint of a machine with a memory file.
   */
  streamConfiguration(kind: SaveKind = "MIGRATE"): StreamConfiguration {
    const config: StreamConfiguration = { machineType: this.machineType };
    if (this.capability("validate-uuid") && this.uuid !== undefined) config.uuid = uuidBytes(this.uuid);
    const capabilities: string[] = [];
    const shared = this.ram.blocks.some((b) => b.shared);
    if (kind !== "SNAPSHOT" && (this.capability("x-ignore-shared") || (kind === "REBOOT" && shared))) capabilities.push("x-ignore-shared");
    if (this.capability(DEDUP_CAPABILITY)) capabilities.push(DEDUP_CAPABILITY);
    if (capabilities.length > 0) config.capabilities = capabilities;
    return config;
  }

  // ---- memory file --------------------------------------------------------------------------

  /**
   * Keeps the main RAM block in `backing` (a memory file): cpr-reboot checkpoints then leave it
   * out and record its digest, and a machine restarted with the same file takes it back.
   */
  attachRamBacking(backing: RamBacking): void {
    this.#assertNoSave();
    this.#memoryFile.attach(backing);
  }

  get ramBacking(): RamBacking | undefined {
    return this.#memoryFile.backing;
  }

  // ---- named snapshots ---------------------------------------------------------------------

  /**
   * Saves the whole machine to `channel` with the guest stopped meanwhile (QEMU's
   * save_snapshot): STOP, stream, RESUME. The channel is closed on success and aborted on
   * failure. Returns the stream's size and the virtual clock at the save.
   */
  async saveSnapshot(channel: OutputChannel): Promise<{ bytes: number; vmClockNs: number }> {
    this.#assertNoSave();
    this.#busy = true;
    const wasRunning = this.runState.running;
    this.globalState.store();
    if (wasRunning) this.vmStop("save-vm");
    const vmClockNs = Number(this.clock.state.nowNs);
    const sink = this.backends.codec.createSink(channel, { vmdesc: true });
    const session = new SaveSession(this.registry, sink, { kind: "SNAPSHOT", live: false, configuration: this.streamConfiguration("SNAPSHOT") });
    try {
      await session.begin();
      while (!(await session.iterate(64 << 20))) await yieldToEventLoop();
      await session.complete();
      await sink.end();
      await channel.close();
      return { bytes: sink.position, vmClockNs };
    } catch (err) {
      await channel.abort(err instanceof Error ? err : new Error(String(err)));
      throw err;
    } finally {
      session.finish();
      this.#busy = false;
      if (wasRunning) this.vmStart();
    }
  }

  /**
   * Loads a snapshot stream into the machine: all of it or, when anything is wrong, nothing.
   * The caller decides the run state (QEMU's loadvm stops the guest first and resumes it only
   * after a successful load).
   */
  async loadSnapshot(input: InputChannel): Promise<void> {
    this.#assertNoSave();
    this.#busy = true;
    try {
      await new IncomingLoad(this.#incomingHost(), input, { kind: "SNAPSHOT", quiet: true }).done;
    } finally {
      this.#busy = false;
    }
  }

  /**
   * `cprload`: loads a checkpoint into a machine whose guest is not running — one waiting for an
   * incoming migration (as `migrate-incoming` would), or one started stopped (`-S`). Afterwards
   * the guest runs if it ran when the checkpoint was taken, as the checkpoint's run state says.
   */
  async loadCheckpoint(input: InputChannel): Promise<void> {
    if (this.runState.running) {
      await input.close().catch(() => undefined);
      throw new MachineError("INVALID_STATE", "cprload called for a running VM");
    }
    if (this.runState.state === "inmigrate") {
      await this.incoming(input);
      return;
    }
    this.#assertNoSave();
    this.#busy = true;
    this.globalState.clearReceived();
    try {
      await new IncomingLoad(this.#incomingHost(), input, { quiet: true }).done;
    } finally {
      this.#busy = false;
    }
    const received = this.globalState.received;
    if (received === undefined || received === "running") this.vmStart();
    else if (canTransition(this.runState.state, received)) this.runState.set(received);
  }

  #incomingHost() {
    return {
      registry: this.registry,
      machineType: this.machineType,
      uuid: this.capability("validate-uuid") ? this.uuid : undefined,
      codec: this.backends.codec,
      events: this.events,
      eventsEnabled: () => this.eventsEnabled(),
      now: this.#now,
    };
  }

  // ---- device state only ------------------------------------------------------------------

  /**
   * `xen-save-devices-state`: header, a FULL section per device, EOF — no configuration, no
   * RAM, no trailer. A running guest is paused for the save and resumed after.
   */
  async saveDevicesState(channel: OutputChannel): Promise<void> {
    this.#assertNoSave();
    const wasRunning = this.runState.running;
    if (wasRunning) this.vmStop("save-vm");
    this.globalState.store("running");
    const sink = this.backends.codec.createSink(channel, { vmdesc: false });
    const session = new SaveSession(this.registry, sink, { kind: "DEVICES", live: false, configuration: undefined });
    try {
      await session.begin();
      await session.complete();
      await sink.end();
      await channel.close();
    } catch (err) {
      await channel.abort(err instanceof Error ? err : new Error(String(err)));
      throw err;
    } finally {
      session.finish();
      if (wasRunning) this.vmStart();
    }
  }

  /** `xen-load-devices-state`: only while stopped; all devices change or none. */
  async loadDevicesState(input: InputChannel): Promise<void> {
    if (this.runState.running) {
      throw new MachineError("INVALID_STATE", "Cannot update device state while vm is running");
    }
    const load = new IncomingLoad(this.#incomingHost(), input, { kind: "DEVICES", requireConfiguration: false });
    await load.done;
  }

  // ---- digest -----------------------------------------------------------------------------

  /** SHA-256 of guest RAM and of device state, and the guest's step counter. */
  async digest(): Promise<MachineDigest> {
    const ramHash = this.backends.hasher();
    for (const block of this.ram.blocks) block.forEachSpan((bytes) => ramHash.update(bytes));
    const devHash = this.backends.hasher();
    const enc = new TextEncoder();
    for (const entry of this.registry.entries) {
      const h = entry.handler;
      if (!(h instanceof DeviceSaveHandler) || h.excludeFromDigest) continue;
      devHash.update(enc.encode(`${entry.idstr}\0${entry.instanceId}\0${entry.versionId}\0`));
      devHash.update(this.backends.codec.encodeVmstate(h.device.digestVmsd ?? h.device.vmsd, h.device.saveState()));
    }
    return { ram: await ramHash.digest(), devices: await devHash.digest(), steps: this.cpu.guest.state.steps };
  }
}
