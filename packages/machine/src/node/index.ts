/**
 * Node-only parts of @savevm/machine: channels over files (temporary name, renamed on
 * success), unix and tcp sockets, descriptors and commands; streaming SHA-256; and
 * `runMachine`, the process behind `savevm run`.
 */
export { NodeChannels, type NodeChannelOptions } from "./channels.js";
export { FileOutputChannel, openFileInput, fileHandleInput } from "./file-channel.js";
export {
  SocketOutputChannel,
  connectSocket,
  listenSocket,
  socketInput,
  describeSystemError,
  type IncomingListener,
  type SocketAddress,
} from "./socket-channel.js";
export { fdInput, fdOutput } from "./fd-channel.js";
export { execInput, execOutput } from "./exec-channel.js";
export { parseMigrationUri, type MigrationUri, type UriDirection } from "./migration-uri.js";
export { NodeMonitorChannels } from "./node-monitor-channels.js";
export { acceptMultifd, connectMultifd } from "./multifd-sockets.js";
export { ThreadLaneChannel } from "./multifd-send-thread.js";
export { nodeHasher } from "./node-hasher.js";
export { nodeBackends, type NodeBackendOptions } from "./node-backends.js";
export { NodeStagingHelper, nodeStagingHelper, DEFAULT_LANE_SLOTS, type NodeStagingOptions } from "./staging-thread.js";
export { serveHmp } from "./hmp-server.js";
export { runMachine, type RunMachineOptions, type RunningMachine } from "./run-machine.js";
export { MemoryFile, memoryFileMatches, type MemoryFileOptions } from "./memory-file.js";
export { parseStateFileName, type StateFileTarget } from "./state-file-name.js";
export { SnapshotDirectory } from "./snapshot-directory.js";
export { liveSnapshotDemo, type LiveSnapshotDemoOptions, type LiveSnapshotDemoReport } from "./live-snapshot-demo.js";
export {
  MachineRegistry,
  RegistryError,
  conflictWith,
  defaultRuntimeDir,
  isProcessAlive,
  checkMachineName,
  checkMachineUuid,
  type MachineRecord,
  type MachineRegistration,
  type MachineRegistryOptions,
  type RegisteredMachine,
  type RegistryErrorCode,
} from "./registry/index.js";
export { serveUntilExit } from "./serve-until-exit.js";
export { spawnMachine, SpawnMachineError, type SpawnMachineOptions, type SpawnedMachine } from "./spawn-machine.js";
export type { MachineProcessOptions } from "./machine-process-protocol.js";
export { unwrapSaveImage } from "./save-image-input.js";
export * from "./save-image/index.js";
