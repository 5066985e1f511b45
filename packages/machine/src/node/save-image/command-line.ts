import { readFile, readlink } from "node:fs/promises";

/** A local process's argv (from /proc/PID/cmdline) and its executable, or `undefined` when unreadable. */
export async function processCommandLine(pid: number): Promise<{ argv: string[]; executable?: string } | undefined> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, "utf8");
    const argv = raw.split("\0");
    if (argv[argv.length - 1] === "") argv.pop();
    if (argv.length === 0) return undefined;
    const executable = await readlink(`/proc/${pid}/exe`).catch(() => undefined);
    return executable === undefined ? { argv } : { argv, executable };
  } catch {
    return undefined;
  }
}

// QEMU options that take a value, and that a restore replaces: the monitors, the incoming
// channel and process control are set up anew for each start.
const QEMU_CONTROL_WITH_VALUE = new Set(["-qmp", "-qmp-pretty", "-monitor", "-mon", "-incoming", "-pidfile", "-runas", "-chroot"]);
const QEMU_CONTROL_FLAGS = new Set(["-S", "-daemonize"]);
function dashed(option: string): string {
  // QEMU takes --opt as well as -opt.
  return option.startsWith("--") ? option.slice(1) : option;
}

/** The character devices that back monitors (`-mon chardev=ID`): they go with the monitors. */
function monitorChardevs(args: readonly string[]): Set<string> {
  const ids = new Set<string>();
  for (let i = 0; i < args.length - 1; i++) {
    if (dashed(args[i]!) === "-mon") {
      const m = /(?:^|,)chardev=([^,]+)/.exec(args[i + 1]!);
      if (m) ids.add(m[1]!);
    }
  }
  return ids;
}

function isMasterKey(value: string): boolean {
  return /(^|,)id=masterKey0(,|$)/.test(value) || /"id"\s*:\s*"masterKey0"/.test(value);
}

function chardevId(value: string): string | undefined {
  return /(?:^|,)id=([^,]+)/.exec(value)?.[1];
}

/**
 * A QEMU argv (without the binary) minus what a restore sets up itself: monitors (and the
 * chardevs behind `-mon`), `-incoming`, `-S`, pid files, daemonizing, and libvirt's
 * `masterKey0` secret (its file exists only while libvirt runs the domain).
 */
export function qemuArgsForRestart(args: readonly string[]): string[] {
  const monitors = monitorChardevs(args);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const option = dashed(args[i]!);
    if (QEMU_CONTROL_FLAGS.has(option)) continue;
    if (QEMU_CONTROL_WITH_VALUE.has(option)) {
      i++;
      continue;
    }
    if (option === "-chardev" && i + 1 < args.length && monitors.has(chardevId(args[i + 1]!) ?? "")) {
      i++;
      continue;
    }
    // libvirt's per-domain master key lives in a file only while libvirt runs the domain.
    if (option === "-object" && i + 1 < args.length && isMasterKey(args[i + 1]!)) {
      i++;
      continue;
    }
    out.push(args[i]!);
  }
  return out;
}

/** Value of the last `-opt VALUE` (or `--opt`) in a QEMU argv. */
export function qemuOption(args: readonly string[], names: readonly string[]): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < args.length - 1; i++) if (names.includes(dashed(args[i]!))) found = args[i + 1];
  return found;
}

// `savevm run` options that belong to one process: monitors, the incoming channel, start-paused,
// the registry, running in the background. Name and UUID are written in the XML itself.
const RUN_PER_PROCESS_WITH_VALUE = new Set(["--qmp", "--hmp", "--incoming", "--runtime-dir", "--name", "--uuid", "--memory-file"]);
const RUN_PER_PROCESS_FLAGS = new Set(["-S", "--detach"]);

/**
 * The `savevm run` options that describe the machine (memory, machine type, guest workload,
 * snapshots, exec permission), from a `savevm run` process's argv.
 */
export function savevmRunArgs(argv: readonly string[]): string[] | undefined {
  const run = argv.indexOf("run");
  if (run < 0) return undefined;
  const out: string[] = [];
  const rest = argv.slice(run + 1);
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const eq = arg.indexOf("=");
    const option = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    if (RUN_PER_PROCESS_FLAGS.has(option)) continue;
    if (RUN_PER_PROCESS_WITH_VALUE.has(option)) {
      if (eq < 0) i++;
      continue;
    }
    out.push(arg);
  }
  return out;
}

/** Value of `--opt VALUE` or `--opt=VALUE` in `savevm run` arguments. */
export function runOption(args: readonly string[], name: string): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name && i + 1 < args.length) found = args[i + 1];
    else if (args[i]!.startsWith(`${name}=`)) found = args[i]!.slice(name.length + 1);
  }
  return found;
}
