import { RegistryError } from "./registry-error.js";

/** One running machine in the registry, as `savevm list` shows it and `savevm save NAME` finds it. */
export interface MachineRecord {
  /** Grows with every registration in the runtime directory, like virsh's domain ids. */
  id: number;
  name: string;
  /** Lower-case RFC 4122 text. */
  uuid: string;
  pid: number;
  /** The kernel's start time of `pid` (Linux), so a reused pid is not mistaken for the machine. */
  pidStart?: string;
  /** `savevm`: a `savevm run` machine; `qemu`: a QEMU process savevm launched. */
  kind: "savevm" | "qemu";
  /** QMP addresses (`unix:PATH`, `tcp:HOST:PORT`). */
  qmp: string[];
  /** HMP address, when the machine serves a text monitor. */
  hmp?: string;
  /** QEMU RunState word: running, paused, inmigrate, prelaunch, postmigrate, shutdown, … */
  state: string;
  /** ISO 8601. */
  startedAt: string;
  /** For kind `qemu`: the command line it was started with. */
  commandLine?: string[];
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Names as libvirt accepts them: not empty, no '/', no control characters. */
export function checkMachineName(name: string): void {
  if (name === "") throw new RegistryError("INVALID_NAME", "machine name must not be empty");
  if (name.includes("/")) throw new RegistryError("INVALID_NAME", `name '${name}' cannot contain '/'`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name))
    throw new RegistryError("INVALID_NAME", `name ${JSON.stringify(name)} contains control characters`);
}

export function checkMachineUuid(uuid: string): void {
  if (!UUID_RE.test(uuid)) throw new RegistryError("INVALID_UUID", `malformed uuid element '${uuid}'`);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}

/** A record read back from its file; anything not shaped like one is refused with where it came from. */
export function parseMachineRecord(text: string, path: string): MachineRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new RegistryError("INVALID_RECORD", `registry entry '${path}' is not JSON: ${(err as Error).message}`, { path });
  }
  const r = value as Partial<MachineRecord> | null;
  const ok =
    r !== null &&
    typeof r === "object" &&
    Number.isInteger(r.id) &&
    typeof r.name === "string" &&
    typeof r.uuid === "string" &&
    Number.isInteger(r.pid) &&
    (r.kind === "savevm" || r.kind === "qemu") &&
    isStringArray(r.qmp) &&
    (r.hmp === undefined || typeof r.hmp === "string") &&
    typeof r.state === "string" &&
    typeof r.startedAt === "string" &&
    (r.pidStart === undefined || typeof r.pidStart === "string") &&
    (r.commandLine === undefined || isStringArray(r.commandLine));
  if (!ok) throw new RegistryError("INVALID_RECORD", `registry entry '${path}' is not a machine record`, { path });
  return r as MachineRecord;
}
