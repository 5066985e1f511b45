export {
  MachineRegistry,
  conflictWith,
  type MachineRegistration,
  type MachineRegistryOptions,
  type RegisteredMachine,
} from "./machine-registry.js";
export { checkMachineName, checkMachineUuid, type MachineRecord } from "./machine-record.js";
export { RegistryError, type RegistryErrorCode } from "./registry-error.js";
export { defaultRuntimeDir } from "./runtime-dir.js";
export { isProcessAlive } from "./process-liveness.js";
