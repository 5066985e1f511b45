import { randomUUID } from "node:crypto";
import { parseSize } from "../../guest/workload.js";
import type { MachineRecord } from "../registry/index.js";
import { qemuArgsForLibvirt, qemuArgsForRestart, qemuOption, runOption } from "./command-line.js";
import type { DomainDescription } from "./domain-xml.js";
import type { MonitorFacts } from "./monitor-driver.js";
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

/** `-m 16`, `-m size=16M`, `-m 1G` in QEMU's units (a bare number is MiB) as bytes. */
function qemuMemoryBytes(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const size = /(?:^|,)(?:size=)?(\d+(?:\.\d+)?)([kmgtKMGT]?)(?:,|$)/.exec(value);
  if (!size) return undefined;
  const unit = { "": 2 ** 20, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[size[2]!.toLowerCase() as ""];
  return Math.round(Number(size[1]) * unit);
}

function qemuName(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const guest = /(?:^|,)guest=([^,]*)/.exec(value)?.[1];
  return guest ?? (value.includes("=") ? undefined : value);
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

  const memory =
    facts.memory ??
    (qemu ? qemuMemoryBytes(qemuOption(qemuArgs, ["-m"])) : undefined) ??
    (run && runOption(run, "--memory") !== undefined ? parseSize(runOption(run, "--memory")!, "memory size") : undefined);
  if (memory === undefined) {
    throw new SaveRestoreError(
      "INVALID_ARGUMENT",
      "cannot tell the machine's memory size (no query-memory-size-summary and no local command line): give the domain XML",
    );
  }
  const uuid = [facts.uuid, record?.uuid].find((u) => u !== undefined && u !== NIL_UUID) ?? randomUUID();
  const name =
    facts.name ?? record?.name ?? (qemu ? qemuName(qemuOption(qemuArgs, ["-name"])) : undefined) ?? `machine-${uuid.slice(0, 8)}`;
  const accel = qemu ? qemuOption(qemuArgs, ["-accel", "-machine", "-M"]) ?? "" : "";
  const description: DomainDescription = {
    name,
    uuid,
    memoryKiB: Math.ceil(memory / 1024),
    vcpus: facts.vcpus ?? 1,
    machineType: sources.machineType ?? (qemu ? qemuOption(qemuArgs, ["-M", "-machine"])?.split(",")[0] : undefined) ?? "pc",
    virtType: qemu && (argv.includes("-enable-kvm") || /(^|,|accel=)kvm\b/.test(accel)) ? "kvm" : "qemu",
  };
  if (qemu) {
    const binary = sources.process?.executable ?? argv[0]!;
    description.emulator = binary;
    description.qemuArgs = qemuArgsForLibvirt(qemuArgs);
    description.savevm = { kind: "qemu", binary, argv: qemuArgsForRestart(qemuArgs) };
  } else if (run) {
    description.savevm = { kind: "savevm", runArgs: run };
  }
  return description;
}
