import { randomUUID } from "node:crypto";
import { parseSize } from "../../guest/workload.js";
import type { MachineRecord } from "../registry/index.js";
import { qemuArgsForRestart, runOption } from "./command-line.js";
import type { DomainDescription } from "./domain-xml.js";
import type { MonitorFacts } from "./monitor-driver.js";
import { qemuDomainOf } from "./qemu-domain.js";
import { SaveRestoreError } from "./save-image-error.js";
import { runArgsOfProcess } from "./savevm-run-options.js";

const NIL_UUID = "00000000-0000-0000-0000-000000000000";

export interface MachineSources {
  facts: MonitorFacts;
  record?: MachineRecord;
  /** argv of the machine's process (local pid, or given by the caller), with its executable. */
  process?: { argv: string[]; executable?: string };
  /** From the migration stream's configuration record. */
  machineType?: string;
}

function isQemu(argv: readonly string[], record: MachineRecord | undefined): boolean {
  if (record) return record.kind === "qemu";
  return /(^|\/)qemu-(system-[^/]*|kvm)$/.test(argv[0] ?? "");
}

/**
 * What the domain XML says about a machine being saved, from everything known about it: the
 * monitor's answers, the registry entry, the process's command line and the stream's head.
 */
export function describeMachine(sources: MachineSources): DomainDescription {
  const { facts, record } = sources;
  const argv = sources.process?.argv ?? record?.commandLine ?? [];
  const qemu = argv.length > 0 && isQemu(argv, record);
  const run = !qemu && argv.length > 0 ? runArgsOfProcess(argv) : undefined;
  const qemuArgs = qemu ? argv.slice(1) : [];
  const native = qemu ? qemuDomainOf(qemuArgs) : undefined;

  const memory =
    facts.memory ??
    native?.memoryBytes ??
    (run && runOption(run, "--memory") !== undefined ? parseSize(runOption(run, "--memory")!, "memory size") : undefined);
  if (memory === undefined) {
    throw new SaveRestoreError(
      "INVALID_ARGUMENT",
      "cannot tell the machine's memory size (no query-memory-size-summary and no local command line): give the domain XML",
    );
  }
  const uuid = [facts.uuid, record?.uuid, native?.uuid].find((u) => u !== undefined && u !== NIL_UUID) ?? randomUUID();
  const name = facts.name ?? record?.name ?? native?.name ?? `machine-${uuid.slice(0, 8)}`;
  const description: DomainDescription = {
    name,
    uuid,
    memoryKiB: Math.ceil(memory / 1024),
    // The command line's maximum (hot-pluggable included); the monitor counts only those present.
    vcpus: native?.vcpus ?? facts.vcpus ?? 1,
    machineType: sources.machineType ?? native?.machineType ?? "pc",
    virtType: native?.virtType ?? "qemu",
  };
  if (native && !native.acpi) description.acpi = false;
  if (native) {
    const binary = sources.process?.executable ?? argv[0]!;
    description.emulator = binary;
    description.hardware = native.hardware;
    description.qemuArgs = native.qemuArgs;
    description.savevm = { kind: "qemu", binary, argv: qemuArgsForRestart(qemuArgs) };
  } else if (run) {
    description.savevm = { kind: "savevm", runArgs: run };
  }
  return description;
}
