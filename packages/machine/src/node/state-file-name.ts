import { isAbsolute, resolve } from "node:path";
import { MachineError } from "../errors.js";

/** A device-state file name as the monitor understands it. */
export type StateFileTarget = { kind: "fd"; name: string } | { kind: "path"; path: string };

/**
 * A name that starts with letters and a colon is a protocol prefix (QEMU's `migrate_is_uri`
 * takes the same shape), so `file:x` or `C:x` cannot silently become a file called that.
 */
const PREFIX = /^([A-Za-z]+):/;

/**
 * Reads a file name given to the monitor (`xen-save-devices-state filename`, `cprsave file`, …)
 * by the rule asked for on qemu-devel when these commands took file names: `fd:NAME` is a
 * descriptor received with `getfd`; any other `letters:` prefix is reserved and refused, with how
 * to mean a file of that name; every other name is a file, and a relative one is resolved against
 * `baseDir` (the machine's state directory), never against whatever the process's working
 * directory is at the time.
 */
export function parseStateFileName(name: string, baseDir: string, argument = "filename"): StateFileTarget {
  if (name === "") throw new MachineError("INVALID_ARGUMENT", `Parameter '${argument}' expects a file name or fd:NAME`);
  const prefix = PREFIX.exec(name)?.[1];
  if (prefix === "fd") {
    const fdName = name.slice(3);
    if (fdName === "") throw new MachineError("INVALID_ARGUMENT", `Parameter '${argument}' expects fd:NAME with the name given to getfd`);
    return { kind: "fd", name: fdName };
  }
  if (prefix !== undefined) {
    throw new MachineError(
      "INVALID_ARGUMENT",
      `Parameter '${argument}': '${prefix}:' is a reserved prefix (only fd:NAME is understood); use ./${name} or an absolute path to mean a file of that name`,
    );
  }
  return {
    kind: "path",
    path: isAbsolute(name) ? name : resolve(baseDir, name),
  };
}
