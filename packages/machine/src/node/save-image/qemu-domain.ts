import { qemuArgsForRestart } from "./command-line.js";
import {
  formatProperties,
  parseProperties,
  property,
  qemuBoolean,
  qemuOptions,
  qemuSizeBytes,
  qemuWords,
  type QemuOption,
} from "./qemu-options.js";

/** Where a character device's host side goes (`<serial type='…'>`). */
export type CharSource =
  | { type: "null" | "pty" }
  | { type: "file"; path: string; append?: boolean }
  | { type: "unix"; path: string; mode: "bind" | "connect" }
  | { type: "tcp"; host: string; port: string; mode: "bind" | "connect" };

/** A PCI slot on bus 0 (i440fx/q35 root bus). */
export interface PciAddress {
  slot: number;
  function: number;
}

/** Devices the domain XML describes with libvirt's own elements. */
export type DomainDevice =
  | { kind: "usb"; model: string; address?: PciAddress }
  | { kind: "memballoon"; model: "none" | "virtio"; address?: PciAddress }
  | { kind: "serial" | "parallel"; source: CharSource; port: number }
  | { kind: "video"; model: string; vramKiB?: number; address?: PciAddress }
  | { kind: "user-net"; model: string; mac: string; address?: PciAddress }
  | { kind: "cdrom"; target: string }
  | { kind: "floppy"; target: string };

/** What a QEMU command line says beyond name, memory and vCPU count, in libvirt's terms. */
export interface DomainHardware {
  /** vCPUs online at start when fewer than `vcpus` (`-smp 2,maxcpus=4`). */
  vcpuCurrent?: number;
  topology?: { sockets: number; dies?: number; cores: number; threads: number };
  cpu?: { mode: "host-passthrough" | "maximum" | "custom"; model?: string };
  os: {
    loader?: string;
    kernel?: string;
    initrd?: string;
    cmdline?: string;
    dtb?: string;
    boot: string[];
    bootMenu?: boolean;
    rebootTimeout?: number;
  };
  clock: { offset: "utc" | "localtime" | "absolute"; start?: number; timers: Array<Record<string, string>> };
  onReboot: "restart" | "destroy";
  lockedMemory?: boolean;
  /** TCG's translation block cache (`-accel tcg,tb-size=`), `<features><tcg><tb-cache>`. */
  tbCacheMiB?: number;
  devices: DomainDevice[];
}

/** A QEMU command line read as a libvirt domain: the elements, and what has no element (for `qemu:commandline`). */
export interface QemuDomain {
  name?: string;
  uuid?: string;
  memoryBytes?: number;
  vcpus: number;
  machineType?: string;
  virtType: "qemu" | "kvm";
  acpi: boolean;
  hardware: DomainHardware;
  qemuArgs: string[];
}

// Host plumbing that must not follow the machine: logging, message format, seccomp, page locking
// policy and the audio backend libvirt adds itself (`<audio type='none'/>` is implicit).
const PLUMBING = new Set(["-msg", "-sandbox", "-D", "-d", "-trace", "-qmp-pretty", "-runas", "-chroot", "-display", "-nographic"]);
const ALWAYS_MODELLED = new Set(["-nodefaults", "-no-user-config", "-no-shutdown", "-enable-kvm", "-uuid"]);

// Properties libvirt always gives -machine, or that other elements carry.
const MACHINE_HANDLED = new Set(["type", "accel", "usb", "acpi", "dump-guest-core", "memory-backend", "vmport"]);

/** `0x1.0x2`, `3`, `1f.0` as a slot and function. */
function pciAddress(value: string | undefined): PciAddress | undefined {
  if (value === undefined) return undefined;
  const m = /^(?:0x)?([0-9a-f]+)(?:\.(?:0x)?([0-7]))?$/i.exec(value);
  return m ? { slot: Number.parseInt(m[1]!, 16), function: Number(m[2] ?? 0) } : undefined;
}

function charSource(backend: string, props: ReturnType<typeof parseProperties>): CharSource | undefined {
  const server = qemuBoolean(property(props, "server")) === true;
  switch (backend) {
    case "null":
    case "vc":
    case "stdio":
      // Guest-side the same port; the host end (a console, QEMU's stdio) does not exist under libvirt.
      return { type: "null" };
    case "pty":
      return { type: "pty" };
    case "file": {
      const path = property(props, "path");
      if (path === undefined) return undefined;
      return qemuBoolean(property(props, "append")) ? { type: "file", path, append: true } : { type: "file", path };
    }
    case "socket": {
      const path = property(props, "path");
      if (path !== undefined) return { type: "unix", path, mode: server ? "bind" : "connect" };
      const host = property(props, "host");
      const port = property(props, "port");
      if (port !== undefined) return { type: "tcp", host: host ?? "localhost", port, mode: server ? "bind" : "connect" };
      return undefined;
    }
    default:
      return undefined;
  }
}

/** `-serial`/`-parallel` spellings (`pty`, `file:/p`, `unix:/s,server=on`, `null`, `none`). */
function legacyCharSource(value: string): CharSource | "none" | undefined {
  if (value === "none") return "none";
  if (value === "mon:stdio") return { type: "null" };
  if (value.startsWith("vc")) return { type: "null" };
  const colon = value.indexOf(":");
  const backend = colon < 0 ? value : value.slice(0, colon);
  const rest = colon < 0 ? "" : value.slice(colon + 1);
  if (backend === "file") return { type: "file", path: rest };
  if (backend === "unix") {
    const props = parseProperties(rest, "path");
    return charSource("socket", props);
  }
  if (backend === "tcp") {
    const props = parseProperties(rest, "addr");
    const addr = property(props, "addr") ?? "";
    const c = addr.lastIndexOf(":");
    if (c < 0) return undefined;
    const server = qemuBoolean(property(props, "server")) === true;
    return { type: "tcp", host: addr.slice(0, c) || "localhost", port: addr.slice(c + 1), mode: server ? "bind" : "connect" };
  }
  return colon < 0 ? charSource(backend, { entries: [], json: false }) : undefined;
}

/** Drivers whose devices sit on the PCI bus, for placing what QEMU placed by itself. */
const PCI_DRIVER =
  /(-pci|^e1000e?|^rtl8139|^VGA$|-vga$|^cirrus-vga|^qxl|^bochs-display|^pcnet|^ne2k_pci|xhci|-uhci|-ehci|^ich9-|^pci-bridge|^AC97|^intel-hda|^ES1370|^i6300esb|^megasas|^lsi|^am53c974|^dc390|^nvme|^pvscsi|^vmxnet3|^ivshmem)/;

/** The first QEMU placement rule on bus 0: a device without `addr=` takes the lowest free slot. */
class PciSlots {
  private readonly used = new Set<number>();
  constructor(reserved: readonly number[]) {
    for (const slot of reserved) this.used.add(slot);
  }
  take(address: PciAddress | undefined): PciAddress {
    if (address) {
      this.used.add(address.slot);
      return address;
    }
    let slot = 0;
    while (this.used.has(slot)) slot++;
    this.used.add(slot);
    return { slot, function: 0 };
  }
}

function isQ35(machineType: string | undefined): boolean {
  return /q35/.test(machineType ?? "");
}

/** Machine types before 6.2 split `-smp N` into sockets, later ones into cores (QEMU's smp parsing). */
function prefersSockets(machineType: string | undefined): boolean {
  const version = /-(\d+)\.(\d+)$/.exec(machineType ?? "");
  if (!version) return false;
  const [major, minor] = [Number(version[1]), Number(version[2])];
  return major < 6 || (major === 6 && minor < 2);
}

function positive(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

function smpOf(
  props: ReturnType<typeof parseProperties> | undefined,
  machineType: string | undefined
): { vcpus: number; current?: number; topology?: NonNullable<DomainHardware["topology"]> } {
  if (!props) return { vcpus: 1 };
  const cpus = positive(property(props, "cpus"));
  let sockets = positive(property(props, "sockets"));
  const dies = positive(property(props, "dies")) ?? 1;
  let cores = positive(property(props, "cores"));
  const threads = positive(property(props, "threads")) ?? 1;
  const given = positive(property(props, "maxcpus")) ?? cpus ?? (sockets ?? 1) * dies * (cores ?? 1) * threads;
  if (prefersSockets(machineType)) {
    cores ??= 1;
    sockets ??= Math.max(1, Math.floor(given / (dies * cores * threads)));
  } else {
    sockets ??= 1;
    cores ??= Math.max(1, Math.floor(given / (dies * sockets * threads)));
  }
  const max = positive(property(props, "maxcpus")) ?? sockets * dies * cores * threads;
  const current = cpus ?? max;
  const base = { vcpus: max, ...(current < max ? { current } : {}) };
  // Without <topology> libvirt writes one socket per vCPU: the element is needed only otherwise.
  if (property(props, "dies") === undefined && sockets === max && cores === 1 && threads === 1) return base;
  return { ...base, topology: property(props, "dies") !== undefined ? { sockets, dies, cores, threads } : { sockets, cores, threads } };
}

/**
 * `-cpu MODEL[,props]`: the model as libvirt's element, and whether properties follow. Feature
 * names are left to QEMU (a later `-cpu` wins): libvirt's CPU map spells some differently
 * (`lahf_lm` for `lahf-lm`) and refuses names it does not know.
 */
function cpuOf(value: string): { cpu: NonNullable<DomainHardware["cpu"]>; props: boolean } {
  const props = parseProperties(value, "model");
  const model = property(props, "model") ?? "qemu64";
  const extra = props.entries.some(([k, v]) => k !== "model" && !(k === "migratable" && v === "on"));
  if (model === "host") return { cpu: { mode: "host-passthrough" }, props: extra };
  if (model === "max") return { cpu: { mode: "maximum" }, props: extra };
  return { cpu: { mode: "custom", model }, props: extra };
}

const BOOT_DEVICES: Record<string, string> = { a: "fd", b: "fd", c: "hd", d: "cdrom", n: "network", o: "network", p: "network" };

/** Reads every option libvirt itself writes back into libvirt's elements; what has no element stays as arguments. */
export function qemuDomainOf(args: readonly string[]): QemuDomain {
  const options = qemuOptions(qemuArgsForRestart(args));
  const kept: Array<QemuOption | undefined> = [...options];
  const drop = (i: number): void => {
    kept[i] = undefined;
  };
  // QEMU merges repeated -machine, -m, -smp, -boot, -rtc and -overcommit: later keys win.
  const merged = (names: string | string[], implied?: string): ReturnType<typeof parseProperties> | undefined => {
    const list = typeof names === "string" ? [names] : names;
    let out: ReturnType<typeof parseProperties> | undefined;
    options.forEach((o, i) => {
      if (!list.includes(o.name) || o.value === undefined) return;
      const props = parseProperties(o.value, implied);
      out = { entries: [...(out?.entries ?? []), ...props.entries], json: false };
      drop(i);
    });
    return out;
  };
  const has = (name: string): boolean => options.some((o) => o.name === name);
  const last = (name: string): string | undefined => options.filter((o) => o.name === name && o.value !== undefined).pop()?.value;

  const machineProps = merged(["-machine", "-M"], "type") ?? { entries: [], json: false };
  const machineType = property(machineProps, "type");
  let tbCacheMiB: number | undefined;
  const accelNames = options.flatMap((o, i) => {
    if (o.name !== "-accel" || o.value === undefined) return [];
    drop(i);
    const props = parseProperties(o.value, "accel");
    const tbSize = positive(property(props, "tb-size"));
    if (property(props, "accel") === "tcg" && tbSize !== undefined) tbCacheMiB ??= tbSize;
    return [property(props, "accel") ?? ""];
  });
  const accel = [...(property(machineProps, "accel")?.split(":") ?? []), ...accelNames][0];
  const virtType = has("-enable-kvm") || accel === "kvm" ? "kvm" : "qemu";
  const acpi = !has("-no-acpi") && qemuBoolean(property(machineProps, "acpi")) !== false;

  const name = (() => {
    const value = last("-name");
    if (value === undefined) return undefined;
    return property(parseProperties(value, "guest"), "guest");
  })();
  options.forEach((o, i) => (o.name === "-name" ? drop(i) : undefined));

  const memory = merged("-m", "size");
  const memoryBytes = memory ? qemuSizeBytes(property(memory, "size"), 2 ** 20) : undefined;
  const smp = smpOf(merged("-smp", "cpus"), machineType);

  const hardware: DomainHardware = {
    os: { boot: [] },
    clock: { offset: "utc", timers: [] },
    onReboot: has("-no-reboot") ? "destroy" : "restart",
    devices: [],
  };
  if (smp.current !== undefined) hardware.vcpuCurrent = smp.current;
  if (smp.topology) hardware.topology = smp.topology;
  if (tbCacheMiB !== undefined && virtType === "qemu") hardware.tbCacheMiB = tbCacheMiB;

  const rest: QemuOption[] = [];
  // -m's hotplug part has no element without NUMA cells (libvirt refuses maxMemory without them);
  // QEMU merges a second -m into libvirt's.
  if (memory && (property(memory, "maxmem") !== undefined || property(memory, "slots") !== undefined)) {
    rest.push({ name: "-m", value: formatProperties(memory.entries.filter(([k]) => k === "size" || k === "slots" || k === "maxmem")) });
  }
  const machineRest = machineProps.entries.filter(([k]) => !MACHINE_HANDLED.has(k));
  // q35's usb=on makes an EHCI with companions that no single <controller> describes.
  if (isQ35(machineType) && qemuBoolean(property(machineProps, "usb")) === true) machineRest.push(["usb", "on"]);
  if (qemuBoolean(property(machineProps, "dump-guest-core")) === true) machineRest.push(["dump-guest-core", "on"]);
  if (property(machineProps, "vmport") !== undefined) machineRest.push(["vmport", property(machineProps, "vmport")!]);
  if (machineRest.length > 0) rest.push({ name: "-machine", value: formatProperties(machineRest) });

  const cpu = last("-cpu");
  if (cpu !== undefined) {
    const read = cpuOf(cpu);
    hardware.cpu = read.cpu;
    if (read.props) rest.push({ name: "-cpu", value: cpu });
  }

  const boot = merged("-boot", "order");
  if (boot) {
    for (const letter of property(boot, "order") ?? "") {
      const dev = BOOT_DEVICES[letter];
      if (dev && !hardware.os.boot.includes(dev)) hardware.os.boot.push(dev);
    }
    const menu = qemuBoolean(property(boot, "menu"));
    if (menu !== undefined) hardware.os.bootMenu = menu;
    const rebootTimeout = property(boot, "reboot-timeout");
    if (rebootTimeout !== undefined && /^-?\d+$/.test(rebootTimeout)) hardware.os.rebootTimeout = Number(rebootTimeout);
  }
  const rtc = merged("-rtc", "base");
  if (rtc) {
    const base = property(rtc, "base") ?? "utc";
    if (base === "localtime") hardware.clock.offset = "localtime";
    else if (base !== "utc") {
      const start = Date.parse(base.endsWith("Z") || /[+-]\d\d:?\d\d$/.test(base) ? base : `${base}Z`);
      if (Number.isFinite(start)) {
        hardware.clock.offset = "absolute";
        hardware.clock.start = Math.floor(start / 1000);
      }
    }
    const track = { vm: "guest", host: "wall", rt: "realtime" }[property(rtc, "clock") ?? ""];
    const catchup = property(rtc, "driftfix") === "slew";
    if (track !== undefined || catchup)
      hardware.clock.timers.push({ name: "rtc", ...(track ? { track } : {}), ...(catchup ? { tickpolicy: "catchup" } : {}) });
  }
  if (has("-no-hpet")) hardware.clock.timers.push({ name: "hpet", present: "no" });

  const overcommit = merged("-overcommit");
  if (overcommit && qemuBoolean(property(overcommit, "mem-lock")) === true) hardware.lockedMemory = true;
  if (overcommit && property(overcommit, "cpu-pm") !== undefined)
    rest.push({ name: "-overcommit", value: `cpu-pm=${property(overcommit, "cpu-pm")}` });

  for (const [flag, key] of [
    ["-kernel", "kernel"],
    ["-initrd", "initrd"],
    ["-append", "cmdline"],
    ["-dtb", "dtb"],
    ["-bios", "loader"],
  ] as const) {
    const value = last(flag);
    if (value !== undefined) hardware.os[key] = value;
    options.forEach((o, i) => (o.name === flag ? drop(i) : undefined));
  }

  // Character devices by id, to turn `-chardev … -device isa-serial,chardev=…` into <serial>.
  const chardevs = new Map<string, { index: number; source?: CharSource }>();
  options.forEach((o, i) => {
    if (o.name !== "-chardev" || o.value === undefined) return;
    const props = parseProperties(o.value, "backend");
    const id = property(props, "id");
    const backend = property(props, "backend");
    if (id !== undefined && backend !== undefined) {
      const source = charSource(backend, props);
      chardevs.set(id, { index: i, ...(source ? { source } : {}) });
    }
  });
  const chardevUses = new Map<string, number>();
  for (const o of options) {
    if (o.value === undefined || o.name === "-chardev") continue;
    for (const m of o.value.matchAll(/(?:^|,|")chardev"?[=:]"?([^,"]+)/g)) chardevUses.set(m[1]!, (chardevUses.get(m[1]!) ?? 0) + 1);
  }

  const defaults = !has("-nodefaults");
  const q35 = isQ35(machineType);
  const slots = new PciSlots(q35 ? [0, 0x1f] : [0, 1]);
  let defaultVga = defaults && !has("-vga");
  const defaultNet = defaults && !has("-net") && !has("-netdev") && !has("-nic");
  let defaultCdrom = defaults && !has("-cdrom") && !has("-hdc");
  let defaultFloppy = defaults && !has("-fda");
  let defaultSerial = defaults;
  let defaultParallel = defaults;
  const usbOn = has("-usb") || qemuBoolean(property(machineProps, "usb")) === true;
  let balloon = false;
  // Ports in the order QEMU numbers them: -serial/-parallel first, then -device (its index= or the next one).
  const ports = { serial: [] as Array<{ source: CharSource; port: number }>, parallel: [] as Array<{ source: CharSource; port: number }> };
  const addPort = (kind: "serial" | "parallel", source: CharSource, index?: number): void => {
    const list = ports[kind];
    const next = list.length === 0 ? 0 : Math.max(...list.map((p) => p.port)) + 1;
    list.push({ source, port: index ?? next });
  };
  /** A device libvirt's element writes with exactly these properties; anything more stays an argument. */
  const only = (props: ReturnType<typeof parseProperties>, allowed: readonly string[]): boolean =>
    props.entries.every(([k]) => ["driver", "id", "bus", "addr", ...allowed].includes(k));
  const devicePlaced: Array<{ at: number; device: DomainDevice }> = [];

  options.forEach((o, i) => {
    if (o.value === undefined) return;
    if (o.name === "-serial" || o.name === "-parallel") {
      if (o.name === "-serial") defaultSerial = false;
      else defaultParallel = false;
      const source = legacyCharSource(o.value);
      if (source === undefined) return;
      drop(i);
      if (source !== "none") addPort(o.name === "-serial" ? "serial" : "parallel", source);
      return;
    }
    if (o.name === "-vga") {
      drop(i);
      if (o.value !== "none") {
        const model = { std: "vga", cirrus: "cirrus", qxl: "qxl", virtio: "virtio", vmware: "vmvga" }[o.value];
        if (model) devicePlaced.push({ at: i, device: { kind: "video", model } });
        else kept[i] = o;
      }
      return;
    }
    if (o.name !== "-device") return;
    const props = parseProperties(o.value, "driver");
    const driver = property(props, "driver") ?? "";
    if (/^(VGA|cirrus-vga|qxl-vga|virtio-vga|secondary-vga|bochs-display)$/.test(driver)) defaultVga = false;
    if (/^(ide-cd|ide-hd|ide-drive|scsi-cd)$/.test(driver)) defaultCdrom = false;
    if (driver === "isa-serial") defaultSerial = false;
    if (driver === "isa-parallel") defaultParallel = false;
    if (driver === "floppy" || driver === "isa-fdc") defaultFloppy = false;
    const onRootBus = ["pci.0", "pcie.0", undefined].includes(property(props, "bus"));
    const address = pciAddress(property(props, "addr"));
    const id = property(props, "id");
    // Devices on the controller's bus name it `ID.0`; libvirt's controller is `usb`.
    const usbReferenced = id !== undefined && id !== "usb" && options.some((other) => other.value?.includes(`${id}.0`));
    if (driver === "piix3-usb-uhci" && onRootBus && !q35 && only(props, []) && !usbReferenced) {
      drop(i);
      devicePlaced.push({ at: i, device: { kind: "usb", model: "piix3-uhci", ...(address ? { address } : {}) } });
    } else if (driver === "virtio-balloon-pci" && onRootBus && only(props, [])) {
      drop(i);
      balloon = true;
      devicePlaced.push({ at: i, device: { kind: "memballoon", model: "virtio", ...(address ? { address } : {}) } });
    } else if ((driver === "isa-serial" || driver === "isa-parallel") && only(props, ["chardev", "index"])) {
      const chardevId = property(props, "chardev") ?? "";
      const chardev = chardevs.get(chardevId);
      const index = property(props, "index");
      if (chardev?.source && chardevUses.get(chardevId) === 1 && (index === undefined || /^\d+$/.test(index))) {
        drop(i);
        drop(chardev.index);
        addPort(driver === "isa-serial" ? "serial" : "parallel", chardev.source, index === undefined ? undefined : Number(index));
      }
    } else if (driver === "VGA" && onRootBus && only(props, ["vgamem_mb"])) {
      drop(i);
      const vgamem = positive(property(props, "vgamem_mb"));
      devicePlaced.push({
        at: i,
        device: { kind: "video", model: "vga", ...(vgamem ? { vramKiB: vgamem * 1024 } : {}), ...(address ? { address } : {}) },
      });
    }
  });

  // QEMU places the machine's own devices first: the default VGA, then the default NIC, then
  // -device in order. libvirt places its devices by its own rules, so every PCI device gets the
  // slot QEMU gave it; devices that stay as arguments are pinned to theirs too.
  const devices: DomainDevice[] = [];
  if (usbOn && !q35) devices.push({ kind: "usb", model: "piix3-uhci", address: slots.take({ slot: 1, function: 2 }) });
  if (defaultVga) devices.push({ kind: "video", model: "vga", address: slots.take(undefined) });
  if (defaultNet)
    devices.push({ kind: "user-net", model: q35 ? "e1000e" : "e1000", mac: "52:54:00:12:34:56", address: slots.take(undefined) });
  const placed = new Map(devicePlaced.map((p) => [p.at, p.device]));
  options.forEach((o, i) => {
    const device = placed.get(i);
    if (device) {
      if (device.kind === "usb" || device.kind === "memballoon" || device.kind === "video")
        devices.push({ ...device, address: slots.take(device.address) });
      else devices.push(device);
      return;
    }
    if (kept[i] === undefined || o.name !== "-device" || o.value === undefined) return;
    const props = parseProperties(o.value, "driver");
    const driver = property(props, "driver") ?? "";
    if (!PCI_DRIVER.test(driver) || !["pci.0", "pcie.0", undefined].includes(property(props, "bus"))) return;
    const explicit = pciAddress(property(props, "addr"));
    const address = slots.take(explicit);
    if (!explicit) {
      kept[i] = props.json
        ? { name: "-device", value: JSON.stringify({ ...(JSON.parse(o.value) as object), addr: `0x${address.slot.toString(16)}` }) }
        : { name: "-device", value: `${o.value},addr=0x${address.slot.toString(16)}` };
    }
  });
  if (!devices.some((d) => d.kind === "usb")) devices.unshift({ kind: "usb", model: "none" });
  if (!balloon) devices.push({ kind: "memballoon", model: "none" });
  if (defaultSerial && ports.serial.length === 0) addPort("serial", { type: "null" });
  if (defaultParallel && ports.parallel.length === 0) addPort("parallel", { type: "null" });
  for (const kind of ["serial", "parallel"] as const) for (const p of ports[kind]) devices.push({ kind, ...p });
  if (defaultCdrom && !q35) devices.push({ kind: "cdrom", target: "hdc" });
  if (defaultFloppy && !q35) devices.push({ kind: "floppy", target: "fda" });
  hardware.devices = devices;

  options.forEach((o, i) => {
    if (
      PLUMBING.has(o.name) ||
      ALWAYS_MODELLED.has(o.name) ||
      o.name === "-no-reboot" ||
      o.name === "-no-acpi" ||
      o.name === "-no-hpet" ||
      o.name === "-usb"
    )
      drop(i);
    if (o.name === "-cpu" || o.name === "-uuid") drop(i);
    // libvirt writes `<audio type='none'/>` itself for every domain.
    if (o.name === "-audiodev" && o.value !== undefined && property(parseProperties(o.value, "driver"), "driver") === "none") drop(i);
    // The RAM backend libvirt makes from <memory> (`-machine memory-backend=`): it names the same RAM block.
    if (o.name === "-object" && o.value !== undefined) {
      const props = parseProperties(o.value, "qom-type");
      if (property(props, "qom-type") === "memory-backend-ram" && property(props, "id") === property(machineProps, "memory-backend"))
        drop(i);
    }
  });
  const qemuArgs = [...qemuWords(rest), ...qemuWords(kept.filter((o): o is QemuOption => o !== undefined))];
  const uuid = last("-uuid");
  return {
    ...(name !== undefined ? { name } : {}),
    ...(uuid !== undefined ? { uuid: uuid.toLowerCase() } : {}),
    ...(memoryBytes !== undefined ? { memoryBytes } : {}),
    vcpus: smp.vcpus,
    ...(machineType !== undefined ? { machineType } : {}),
    virtType,
    acpi,
    hardware,
    qemuArgs,
  };
}
