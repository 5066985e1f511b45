import type { MachineRecord } from "../registry/index.js";
import { MachineRegistry } from "../registry/index.js";
import { SaveRestoreError } from "./save-image-error.js";

/** Where a monitor is, and which protocol it speaks. */
export interface MonitorTarget {
  protocol: "qmp" | "hmp";
  /** `unix:PATH` or `tcp:HOST:PORT`. */
  address: string;
  /** The registry entry when TARGET named a registered machine. */
  record?: MachineRecord;
}

const ADDRESS_RE = /^(unix:.+|tcp:.*:\d+)$/;

/**
 * Resolves a TARGET as `savevm save` takes it: `unix:PATH` / `tcp:HOST:PORT` (QMP),
 * `hmp:unix:PATH` / `hmp:tcp:HOST:PORT` (a text monitor), or the id, UUID or name of a machine
 * in the registry (its first QMP address, else its HMP one).
 */
export async function resolveMonitorTarget(target: string, registry?: MachineRegistry | { runtimeDir?: string }): Promise<MonitorTarget> {
  if (target.startsWith("hmp:")) {
    const address = target.slice(4);
    if (!ADDRESS_RE.test(address))
      throw new SaveRestoreError("INVALID_TARGET", `invalid monitor address '${target}': expected hmp:unix:PATH or hmp:tcp:HOST:PORT`);
    return { protocol: "hmp", address };
  }
  if (ADDRESS_RE.test(target)) return { protocol: "qmp", address: target };
  const machines = registry instanceof MachineRegistry ? registry : await MachineRegistry.open(registry ?? {});
  const record = await machines.find(target);
  if (!record) throw new SaveRestoreError("INVALID_TARGET", `failed to get domain '${target}'`);
  const qmp = record.qmp[0];
  if (qmp !== undefined) return { protocol: "qmp", address: qmp, record };
  if (record.hmp !== undefined) return { protocol: "hmp", address: record.hmp, record };
  throw new SaveRestoreError("INVALID_TARGET", `machine '${record.name}' has no monitor address in the registry`);
}
