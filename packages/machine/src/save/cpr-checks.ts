import { MachineError } from "../errors.js";

/**
 * URI schemes that stream to another process. A cpr-reboot checkpoint is written by a process
 * that then exits, and read by one started afterwards, so nobody would be at the other end.
 */
const STREAMING_SCHEMES: ReadonlySet<string> = new Set(["tcp", "unix", "vsock", "rdma"]);

export interface CprRebootRequest {
  /** Whether guest RAM is kept in a memory file (`savevm run --memory-file`). */
  hasMemoryFile: boolean;
  backgroundSnapshot: boolean;
  /** The migration URI, when the checkpoint goes through `migrate`. */
  uri?: string;
}

/**
 * What a cpr-reboot checkpoint (`migrate` in mode cpr-reboot, or `cprsave`) needs before it
 * starts. QEMU's CPR documentation says the URI "cannot be a type that streams data from one
 * instance to the other"; QEMU itself only refuses the opposite case (a file for cpr-transfer,
 * "Migration requires streamable transport (eg unix)"), so the wording here follows that one.
 */
export function checkCprReboot(request: CprRebootRequest): void {
  if (request.backgroundSnapshot) {
    throw new MachineError("INVALID_ARGUMENT", "Migration mode cpr-reboot is not compatible with background-snapshot");
  }
  const scheme = request.uri === undefined ? undefined : /^([A-Za-z0-9]+):/.exec(request.uri)?.[1];
  if (scheme !== undefined && STREAMING_SCHEMES.has(scheme)) {
    throw new MachineError(
      "INVALID_ARGUMENT",
      `Migration mode cpr-reboot requires a transport that keeps the state after this process exits (e.g. file), not ${scheme}:`,
    );
  }
  if (!request.hasMemoryFile) {
    // Without a memory file the checkpoint would have to carry all of RAM: that is a plain save
    // (mode normal), and calling it cpr-reboot would hide where the RAM went.
    throw new MachineError(
      "INVALID_ARGUMENT",
      "Migration mode cpr-reboot keeps guest RAM in a memory file, and this machine has none: start it with --memory-file PATH, or save everything with mode normal",
    );
  }
}
