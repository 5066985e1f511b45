/**
 * `virsh domxml-to-native qemu-argv` prints the QEMU command line libvirt would run, as shell
 * text with an environment prefix. These helpers turn it into an argument list a test can start
 * outside libvirt: the monitor socket goes to a path the test owns, and the master-key secret
 * (a file only libvirt creates, used for encrypted disks this domain does not have) is dropped.
 */
import { splitShellWords } from "@savevm/machine/node";

export interface NativeCommandLine {
  /** `NAME=value` words libvirt puts before the binary. */
  env: Record<string, string>;
  binary: string;
  args: string[];
}

export function parseNativeArgv(text: string): NativeCommandLine {
  const words = splitShellWords(text);
  const env: Record<string, string> = {};
  let i = 0;
  for (; i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!); i++) {
    const w = words[i]!;
    env[w.slice(0, w.indexOf("="))] = w.slice(w.indexOf("=") + 1);
  }
  if (i >= words.length) throw new Error(`no QEMU binary in: ${text}`);
  return { env, binary: words[i]!, args: words.slice(i + 1) };
}

/** Pairs of `-option value`; QEMU's flags without a value (-S, -no-acpi, …) are pairs with `undefined`. */
function options(args: readonly string[]): Array<[string, string | undefined]> {
  const pairs: Array<[string, string | undefined]> = [];
  for (let i = 0; i < args.length; i++) {
    const next = args[i + 1];
    if (next !== undefined && !next.startsWith("-")) {
      pairs.push([args[i]!, next]);
      i++;
    } else {
      pairs.push([args[i]!, undefined]);
    }
  }
  return pairs;
}

function isMasterKey(option: string, value: string | undefined): boolean {
  return option === "-object" && value !== undefined && /"id":"masterKey0"|(^|,)id=masterKey0(,|$)/.test(value);
}

/** libvirt's arguments without the master-key secret object, whose key file exists only under libvirt. */
export function withoutLibvirtSecret(args: readonly string[]): string[] {
  return options(args).flatMap(([option, value]) => (isMasterKey(option, value) ? [] : value === undefined ? [option] : [option, value]));
}

/**
 * libvirt's arguments, runnable by a test: the QMP monitor chardev (`charmonitor`) listens on
 * `qmpSocket`, and the master-key secret object is left out. Everything else, devices, machine
 * type, CPU, `-S`, sandbox, stays as libvirt wrote it, so the migration stream matches what
 * libvirt's own QEMU for the domain sends and expects.
 */
export function launchableArgs(args: readonly string[], qmpSocket: string): string[] {
  if (qmpSocket.includes(",")) throw new Error(`a QEMU chardev path cannot hold a comma: ${qmpSocket}`);
  const out: string[] = [];
  let monitor = false;
  for (const [option, value] of options(withoutLibvirtSecret(args))) {
    if (option === "-chardev" && value !== undefined && /(^|,)id=charmonitor(,|$)/.test(value)) {
      out.push(option, `socket,id=charmonitor,path=${qmpSocket},server=on,wait=off`);
      monitor = true;
      continue;
    }
    out.push(option, ...(value === undefined ? [] : [value]));
  }
  if (!monitor) throw new Error(`libvirt's command line has no charmonitor chardev: ${args.join(" ")}`);
  return out;
}

/** One word for a POSIX shell (what `--qemu-cmdline` takes). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./=:,@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
