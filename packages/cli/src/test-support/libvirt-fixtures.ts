/**
 * Steps the libvirt interop tests share: bring up the tiny domain under libvirt or under a QEMU
 * the test starts from libvirt's own command line, wait until its guest has halted, dump and
 * compare RAM, read an image's header.
 */
import { createServer } from "node:net";
import { createWriteStream } from "node:fs";
import { open, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseLibvirtHeader, type LibvirtSaveHeader } from "@savevm/format";
import type { Libvirt } from "./libvirt.js";
import {
  expectedPattern,
  HALT_ADDRESS,
  LIBVIRT_GUEST_MIB,
  patternKernel,
  PATTERN_END,
  PATTERN_START,
  tinyDomainXml,
  type TinyDomain,
} from "./libvirt-guest.js";
import { launchableArgs, parseNativeArgv } from "./libvirt-native.js";
import { QemuVm } from "./qemu-vm.js";

export const GUEST_BYTES = LIBVIRT_GUEST_MIB << 20;
const HALT_TIMEOUT_MS = 30_000;

/** Polls `info registers` until the guest sits on its final `hlt` with interrupts off. */
export async function waitHalted(hmp: (command: string) => Promise<string>, timeoutMs = HALT_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    last = await hmp("info registers");
    const eip = /EIP=([0-9a-f]+)/i.exec(last);
    const pc = eip ? Number.parseInt(eip[1]!, 16) : -1;
    if (/\bHLT=1\b/.test(last) && (pc === HALT_ADDRESS || pc === HALT_ADDRESS + 1)) return;
    if (Date.now() > deadline) throw new Error(`the guest did not halt at ${HALT_ADDRESS.toString(16)} within ${timeoutMs} ms:\n${last}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** RAM as the guest sees it, minus the legacy 640 KiB–1 MiB window that maps ROM. */
export function comparableRam(ram: Uint8Array): Buffer {
  return Buffer.concat([ram.subarray(0, 0xa0000), ram.subarray(0x100000, GUEST_BYTES)]);
}

/** Whether two RAM dumps agree (outside the ROM window); on a mismatch, where the first difference is. */
export function ramDifference(a: Uint8Array, b: Uint8Array): string | undefined {
  if (a.length !== b.length) return `sizes differ: ${a.length} and ${b.length}`;
  const x = comparableRam(a);
  const y = comparableRam(b);
  if (x.equals(y)) return undefined;
  let i = 0;
  while (x[i] === y[i]) i++;
  const address = i < 0xa0000 ? i : i + 0x60000;
  return `first difference at guest-physical 0x${address.toString(16)}`;
}

/** Whether a dump holds this guest's own pattern (so it is the right guest, fully filled). */
export function holdsPattern(ram: Uint8Array, seed: number): boolean {
  return Buffer.from(ram.subarray(PATTERN_START, PATTERN_END)).equals(expectedPattern(seed));
}

/** A RAM dump's bytes; the 32 MiB file itself is removed at once. */
export async function takeDump(file: string): Promise<Buffer> {
  const bytes = await readFile(file);
  await rm(file, { force: true });
  return bytes;
}

export async function readHeader(file: string): Promise<LibvirtSaveHeader> {
  const handle = await open(file, "r");
  try {
    const bytes = new Uint8Array(92);
    await handle.read(bytes, 0, 92, 0);
    return parseLibvirtHeader(bytes, 0, { allowPartial: true });
  } finally {
    await handle.close();
  }
}

let domainCounter = 0;

/** Writes the kernel and XML of a fresh tiny domain (unique name, UUID and seed) into `dir`. */
export async function newDomain(dir: string, label: string): Promise<TinyDomain & { xmlFile: string }> {
  domainCounter++;
  const seed = (Date.now() ^ (process.pid << 8) ^ (domainCounter * 0x9e3779b9)) >>> 0 || 1;
  const kernel = join(dir, `${label}.kernel`);
  await writeFile(kernel, patternKernel(seed));
  const domain = tinyDomainXml({ name: `savevm-test-${process.pid}-${domainCounter}-${label}`, kernel, seed });
  const xmlFile = join(dir, `${label}.xml`);
  await writeFile(xmlFile, domain.xml);
  return { ...domain, xmlFile };
}

/** Starts the domain as a transient libvirt domain and waits until its guest has halted. */
export async function startUnderLibvirt(libvirt: Libvirt, domain: { name: string; xmlFile: string }): Promise<void> {
  await libvirt.virshOk(["create", domain.xmlFile]);
  await waitHalted((command) => libvirt.hmp(domain.name, command));
}

export interface LibvirtCommandLine {
  /** QEMU's arguments as libvirt runs them for the domain (monitor and secret not yet adapted). */
  args: string[];
  /** The domain's XML as libvirt writes it into its own save images (`dumpxml --migratable`). */
  migratableXml: string;
}

/**
 * libvirt's QEMU command line and migratable XML for the domain, taken from the live definition
 * (CPU model expanded as libvirt runs it), then the paused transient domain is destroyed again.
 */
export async function libvirtCommandLine(libvirt: Libvirt, domain: { name: string; xmlFile: string }): Promise<LibvirtCommandLine> {
  await libvirt.virshOk(["create", "--paused", domain.xmlFile]);
  try {
    const native = parseNativeArgv(await libvirt.virshOk(["domxml-to-native", "qemu-argv", "--domain", domain.name]));
    const migratableXml = await libvirt.virshOk(["dumpxml", "--migratable", domain.name]);
    return { args: native.args, migratableXml };
  } finally {
    await libvirt.virsh(["destroy", domain.name]);
  }
}

/** A QEMU outside libvirt, from libvirt's command line for the domain, with its guest halted. */
export async function startFromCommandLine(commandLine: LibvirtCommandLine, extraArgs: string[] = []): Promise<QemuVm> {
  const vm = await QemuVm.start({ guest: false, commandLine: (socket) => [...launchableArgs(commandLine.args, socket), ...extraArgs] });
  await vm.execute("cont");
  await waitHalted((command) => vm.hmp(command));
  return vm;
}

/** A plain QEMU that libvirt never described (the usual test QEMU), running the pattern kernel, halted. */
export async function startPlainQemu(kernel: string, extraArgs: string[] = []): Promise<QemuVm> {
  const vm = await QemuVm.start({ guest: false, args: ["-m", String(LIBVIRT_GUEST_MIB), "-kernel", kernel, ...extraArgs] });
  await vm.execute("cont");
  await waitHalted((command) => vm.hmp(command));
  return vm;
}

/**
 * Migrates the QEMU into `file` over a unix socket the test listens on (libvirt's `-sandbox`
 * forbids QEMU to spawn, so `exec:` cannot be used), and waits for the migration to complete.
 */
export async function migrateToFile(vm: QemuVm, file: string): Promise<void> {
  const socket = join(vm.dir, "migrate.sock");
  const received = new Promise<void>((resolve, reject) => {
    const server = createServer((connection) => {
      const out = createWriteStream(file, { mode: 0o600 });
      connection.pipe(out);
      out.once("finish", () => {
        server.close();
        resolve();
      });
      out.once("error", reject);
      connection.once("error", reject);
    });
    server.once("error", reject);
    server.listen(socket, () => {
      vm.execute("migrate", { uri: `unix:${socket}` }).catch(reject);
    });
  });
  await received;
  await vm.waitMigration();
}
