/**
 * @savevm/machine: an emulated machine whose whole state — RAM blocks, devices, run state —
 * saves progressively to QEMU migration streams and loads back, migrates live while its
 * deterministic guest runs, and saves device state alone. Browser-safe; files, sockets and the
 * `savevm run` process are in `@savevm/machine/node`.
 */
export {
  Machine,
  DEFAULT_MACHINE_TYPE,
  DEFAULT_SNAPSHOT_QUEUE_PAGES,
  MAIN_RAM_BLOCK,
  QEMU_NONE_MACHINE_TYPE,
  type MachineBackends,
  type MachineConfig,
} from "./machine.js";
export { createMachine, defaultBackends } from "./backends.js";
export { MultifdReceiver, type MultifdPageTarget, type MultifdReceiverOptions } from "./save/multifd/multifd-receiver.js";
export { MultifdSender, type MultifdSenderOptions } from "./save/multifd/multifd-sender.js";
export type { MultifdInputChannel, MultifdOutputChannel, MultifdRequest } from "./save/multifd/multifd-transport.js";
export { QemuTimers, QEMU_TIMERS_VMSD } from "./devices/qemu-timers.js";
export { MachineError, type MachineErrorCode } from "./errors.js";
export { EventBus, type MachineEvent, type EventListener } from "./events.js";
export { RUN_STATES, RunStateMachine, RunStateError, canTransition, isRunState, type RunState } from "./run-state.js";
export { MemoryOutputChannel, memoryInputChannel, type InputChannel, type OutputChannel } from "./channel.js";
export { webCryptoHasher, type Hasher, type HasherFactory, type MachineDigest } from "./digest.js";

export { DeterministicGuest, initialGuestState, PAGE_SIZE, type GuestCpuState, type GuestPacingState, type WritableRam } from "./guest/guest.js";
export {
  DEFAULT_WORKLOAD,
  PAGE_KINDS,
  defaultGuestOptions,
  parseGuestOptions,
  parseSize,
  type GuestOptions,
  type GuestPacing,
  type GuestWorkload,
  type PageKind,
} from "./guest/workload.js";
export { seedPrng, nextU32, type PrngState } from "./guest/prng.js";

export type { Device } from "./devices/device.js";
export { Serial16550, SERIAL_VMSD } from "./devices/serial-16550.js";
export { REG as SERIAL_REGISTERS, FIFO_SIZE, type SerialState } from "./devices/serial-16550-core.js";
export { VirtualClock, CLOCK_VMSD } from "./devices/clock.js";
export { GlobalState, GLOBAL_STATE_VMSD } from "./devices/global-state.js";
export { GuestCpu, GUEST_CPU_VMSD } from "./devices/guest-cpu.js";

export { RamBlock, RamSet, TARGET_PAGE_SIZE, type WriteHook } from "./ram/ram-block.js";
export type { PageMemory, PageMemoryFactory, PageMemoryOptions } from "./ram/page-memory.js";
export type { StagingHelper, StagingLane } from "./ram/staging-helper.js";
export { WebStagingHelper, webStagingHelper, DEFAULT_WEB_LANE_SLOTS, type WebStagingOptions } from "./ram/web-staging-helper.js";
export { stagedMemory, type Staged } from "./save/staged-memory.js";
export type { PageBitmap } from "./ram/page-bitmap.js";
export type { PageRun, PageSource } from "./ram/page-source.js";
export { DirtyBitmapSource } from "./ram/dirty-bitmap-source.js";
export { BitmapCursor } from "./ram/bitmap-cursor.js";
export { wasmMemory } from "./ram/wasm-memory.js";

export { SaveMode, ALL_SAVE_MODES, joins, type SaveKind } from "./save/save-mode.js";
export type { SaveContext, SaveHandler, LoadTransaction } from "./save/handler.js";
export { SaveRegistry, SaveSession, type SaveEntry, type SessionOptions } from "./save/engine.js";
export type { RecordSink, RamBodyWriter, StreamConfiguration } from "./save/record-sink.js";
export type { SectionIdentity, SectionType, RamBlockInfo } from "./save/section.js";
export type { IncomingSection, IncomingBody, RamRecord } from "./save/incoming-section.js";
export type { LoadRecord, SectionLayout, SectionResolver } from "./save/load-record.js";
export type { StreamCodec, ChannelSink, SinkOptions } from "./save/stream-codec.js";
export type { DeviceBody } from "./save/device-body.js";
export type { VMStateDescription, VMStateField, VMStateValue } from "./save/vmstate.js";
export { FormatStreamCodec } from "./save/format-codec.js";
export { DeviceSaveHandler } from "./save/device-handler.js";
export { RamSaveHandler, type RamHandlerOptions } from "./save/ram-handler.js";
export { RamRunWriter, MAX_RUN_PAGES, type RunEncoding } from "./save/ram-run-writer.js";
export { CaptureSink, type CapturedSection } from "./save/capture-sink.js";
export { MemoryFileEntry, MEMORY_FILE_VMSD, type RamBacking } from "./save/memory-file-entry.js";
export { SnapshotPageSource, BlockRegion, type GuestStallStats } from "./snapshot/snapshot-page-source.js";
export { stepFits } from "./snapshot/step-gate.js";
export { RamStats } from "./save/ram-stats.js";
export { Loader, type LoadOptions } from "./save/loader.js";
export { OutgoingMigration, type MigrationHost, type MigrationOptions } from "./save/precopy.js";
export { AutoConverge, CpuThrottle, type ConvergenceSample } from "./save/auto-converge.js";
export { IncomingLoad } from "./save/incoming.js";
export {
  DEDUP_CAPABILITY,
  MIGRATION_CAPABILITIES,
  MIGRATION_MODES,
  SUPPORTED_CAPABILITIES,
  applyParameters,
  defaultParameters,
  type MigrationCapability,
  type MigrationMode,
  type MigrationParameters,
} from "./save/migration-params.js";
export type { MigrationInfo, MigrationRamInfo, MigrationStatus } from "./save/migration-status.js";

export { registerMachineCommands, type MachineMonitorOptions } from "./monitor/qmp-commands.js";
export { JobManager, type JobInfo, type JobStatus } from "./monitor/jobs.js";
export { registerSnapshotQmpCommands, registerSnapshotHmpCommands } from "./monitor/snapshot-commands.js";
export { NamedSnapshots, defaultSnapshotTag, type SnapshotNodes } from "./snapshot/named-snapshots.js";
export {
  MemorySnapshotStore,
  DEFAULT_SNAPSHOT_NODE,
  type SnapshotInfo,
  type SnapshotStore,
  type SnapshotWrite,
} from "./snapshot/snapshot-store.js";
export { formatSnapshotTable, sizeToStr } from "./snapshot/snapshot-table.js";
export { registerMachineHmpCommands, formatInfoMigrate, type MachineHmpOptions } from "./monitor/hmp-commands.js";
export type { MonitorChannels, PreparedInput, MigrationSocketAddress, StateFileOptions } from "./monitor/monitor-channels.js";
export { registerCprCommands } from "./monitor/cpr-commands.js";
export { startIncoming } from "./monitor/incoming-runner.js";
