import type { CharSource, DomainDevice, DomainHardware, PciAddress } from "./qemu-domain.js";
import { escapeXml } from "./xml-tree.js";

function attrs(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([k, v]) => ` ${k}='${escapeXml(v)}'`)
    .join("");
}

function address(a: PciAddress | undefined): string {
  if (!a) return "";
  const hex = (n: number, width: number): string => `0x${n.toString(16).padStart(width, "0")}`;
  return `<address type='pci' domain='0x0000' bus='0x00' slot='${hex(a.slot, 2)}' function='${hex(a.function, 1)}'/>`;
}

function charSourceXml(source: CharSource): string {
  switch (source.type) {
    case "null":
    case "pty":
      return "";
    case "file":
      return `<source${attrs({ path: source.path, ...(source.append ? { append: "on" } : {}) })}/>`;
    case "unix":
      return `<source${attrs({ mode: source.mode, path: source.path })}/>`;
    case "tcp":
      return `<source${attrs({ mode: source.mode, host: source.host, service: source.port })}/><protocol type='raw'/>`;
  }
}

function charDevice(element: string, source: CharSource, port: number): string {
  return `<${element} type='${source.type}'>${charSourceXml(source)}<target port='${port}'/></${element}>`;
}

function device(d: DomainDevice): string {
  switch (d.kind) {
    case "usb":
      return `<controller type='usb' index='0' model='${escapeXml(d.model)}'>${address(d.address)}</controller>`;
    case "memballoon":
      return `<memballoon model='${d.model}'>${address(d.address)}</memballoon>`;
    case "serial":
    case "parallel":
      return charDevice(d.kind, d.source, d.port);
    case "video":
      // QEMU's VGA has 16 MiB unless vgamem_mb says otherwise; libvirt's vram is that in KiB.
      return `<video><model type='${escapeXml(d.model)}'${
        d.model === "vga" ? ` vram='${d.vramKiB ?? 16384}' heads='1' primary='yes'` : ""
      }/>${address(d.address)}</video>`;
    case "user-net":
      return `<interface type='user'><mac address='${escapeXml(d.mac)}'/><model type='${escapeXml(d.model)}'/>${address(
        d.address
      )}</interface>`;
    case "cdrom":
      return `<disk type='file' device='cdrom'><target dev='${escapeXml(d.target)}' bus='ide'/><readonly/></disk>`;
    case "floppy":
      return `<disk type='file' device='floppy'><target dev='${escapeXml(d.target)}' bus='fdc'/></disk>`;
  }
}

/** `<os>` children after `<type>`: firmware, kernel, boot order and menu. */
export function osXml(h: DomainHardware, indent: string): string {
  const os = h.os;
  let xml = "";
  if (os.loader !== undefined) xml += `${indent}<loader type='rom'>${escapeXml(os.loader)}</loader>\n`;
  if (os.kernel !== undefined) xml += `${indent}<kernel>${escapeXml(os.kernel)}</kernel>\n`;
  if (os.initrd !== undefined) xml += `${indent}<initrd>${escapeXml(os.initrd)}</initrd>\n`;
  if (os.cmdline !== undefined) xml += `${indent}<cmdline>${escapeXml(os.cmdline)}</cmdline>\n`;
  if (os.dtb !== undefined) xml += `${indent}<dtb>${escapeXml(os.dtb)}</dtb>\n`;
  for (const dev of os.boot) xml += `${indent}<boot dev='${dev}'/>\n`;
  if (os.bootMenu !== undefined) xml += `${indent}<bootmenu enable='${os.bootMenu ? "yes" : "no"}'/>\n`;
  if (os.rebootTimeout !== undefined) xml += `${indent}<bios rebootTimeout='${os.rebootTimeout}'/>\n`;
  return xml;
}

/** `<features>` children beyond ACPI and APIC. */
export function featuresXml(h: DomainHardware, indent: string): string {
  return h.tbCacheMiB !== undefined ? `${indent}<tcg><tb-cache unit='MiB'>${h.tbCacheMiB}</tb-cache></tcg>\n` : "";
}

/** `<memoryBacking>`, `<cpu>` and `<clock>`, in libvirt's order. */
export function platformXml(h: DomainHardware, indent: string): string {
  let xml = "";
  if (h.lockedMemory) xml += `${indent}<memoryBacking><locked/></memoryBacking>\n`;
  const cpu = h.cpu;
  const topology = h.topology ? `<topology${attrs(Object.fromEntries(Object.entries(h.topology).map(([k, v]) => [k, String(v)])))}/>` : "";
  if (cpu?.mode === "custom") {
    xml += `${indent}<cpu mode='custom' match='exact' check='none'><model fallback='forbid'>${escapeXml(
      cpu.model ?? "qemu64"
    )}</model>${topology}</cpu>\n`;
  } else if (cpu) xml += `${indent}<cpu mode='${cpu.mode}' check='none' migratable='on'>${topology}</cpu>\n`;
  else if (topology) xml += `${indent}<cpu>${topology}</cpu>\n`;
  const clock = h.clock;
  const timers = clock.timers.map((t) => `<timer${attrs(t)}/>`).join("");
  const start = clock.start !== undefined ? ` start='${clock.start}'` : "";
  xml += timers
    ? `${indent}<clock offset='${clock.offset}'${start}>${timers}</clock>\n`
    : `${indent}<clock offset='${clock.offset}'${start}/>\n`;
  return xml;
}

/** The `<devices>` children savevm describes (after `<emulator>`). */
export function devicesXml(h: DomainHardware, indent: string): string {
  return h.devices.map((d) => `${indent}${device(d)}\n`).join("");
}
