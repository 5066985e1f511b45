import { escapeXml, childrenInNamespace, child, parseXml, type XmlElement } from "./xml-tree.js";
import { SaveRestoreError } from "./save-image-error.js";
import { devicesXml, featuresXml, osXml, platformXml } from "./hardware-xml.js";
import type { DomainHardware } from "./qemu-domain.js";

/** libvirt's namespace for raw QEMU arguments (`<qemu:commandline>`). */
export const QEMU_XML_NAMESPACE = "http://libvirt.org/schemas/domain/qemu/1.0";
/** savevm's namespace for what brings a machine back (inside `<metadata>`). */
export const SAVEVM_XML_NAMESPACE = "https://savevm.dev/schemas/domain/1.0";

/** What a save image's domain XML says about the machine. */
export interface DomainDescription {
  name: string;
  /** Lower-case RFC 4122 text. */
  uuid: string;
  /** Guest RAM in KiB (libvirt's unit). */
  memoryKiB: number;
  vcpus: number;
  /** Machine type of the migration stream (`pc-i440fx-7.2`). */
  machineType: string;
  /** `qemu` (TCG) or `kvm`. */
  virtType?: string;
  arch?: string;
  /** The QEMU binary (`<emulator>`). */
  emulator?: string;
  /**
   * Firmware tables (`<features><acpi/>`): QEMU's PC builds them unless told not to, and a
   * destination without them cannot take the stream's `/rom@etc/acpi/tables`. Default true.
   */
  acpi?: boolean;
  /** CPU, firmware, clock, lifecycle and devices read from a QEMU command line, in libvirt's elements. */
  hardware?: DomainHardware;
  /** Arguments in `<qemu:commandline>`: what libvirt's own elements do not describe. */
  qemuArgs?: string[];
  /** savevm metadata: how to start the machine again. */
  savevm?: SavevmMetadata;
}

/** The `<savevm:machine>` metadata element: a `savevm run` machine, or QEMU's full argv. */
export type SavevmMetadata = { kind: "savevm"; runArgs: string[] } | { kind: "qemu"; binary: string; argv: string[] };

function args(prefix: string, values: readonly string[], indent: string): string {
  return values.map((v) => `${indent}<${prefix}:arg value='${escapeXml(v)}'/>\n`).join("");
}

/**
 * A libvirt-valid `<domain>` for the machine: name, UUID, memory, vCPUs, `os/type` with the
 * machine type, the emulator, then savevm's metadata and the QEMU arguments libvirt does not
 * model in `qemu:commandline`, so both `virsh restore` and `savevm restore` can bring it back.
 */
export function buildDomainXml(d: DomainDescription): string {
  const qemuArgs = d.qemuArgs ?? [];
  const ns = qemuArgs.length > 0 ? ` xmlns:qemu='${QEMU_XML_NAMESPACE}'` : "";
  let xml = `<domain type='${escapeXml(d.virtType ?? "qemu")}'${ns}>\n`;
  xml += `  <name>${escapeXml(d.name)}</name>\n`;
  xml += `  <uuid>${escapeXml(d.uuid)}</uuid>\n`;
  if (d.savevm) {
    xml += "  <metadata>\n";
    if (d.savevm.kind === "savevm") {
      xml += `    <savevm:machine xmlns:savevm='${SAVEVM_XML_NAMESPACE}' kind='savevm'>\n${args(
        "savevm",
        d.savevm.runArgs,
        "      ",
      )}    </savevm:machine>\n`;
    } else {
      xml += `    <savevm:machine xmlns:savevm='${SAVEVM_XML_NAMESPACE}' kind='qemu' binary='${escapeXml(d.savevm.binary)}'>\n`;
      xml += `${args("savevm", d.savevm.argv, "      ")}    </savevm:machine>\n`;
    }
    xml += "  </metadata>\n";
  }
  xml += `  <memory unit='KiB'>${d.memoryKiB}</memory>\n`;
  xml += `  <currentMemory unit='KiB'>${d.memoryKiB}</currentMemory>\n`;
  const h = d.hardware;
  const current = h?.vcpuCurrent !== undefined ? ` current='${h.vcpuCurrent}'` : "";
  xml += `  <vcpu placement='static'${current}>${d.vcpus}</vcpu>\n`;
  xml += "  <os>\n";
  xml += `    <type arch='${escapeXml(d.arch ?? "x86_64")}' machine='${escapeXml(d.machineType)}'>hvm</type>\n`;
  if (h) xml += osXml(h, "    ");
  xml += "  </os>\n";
  if ((d.arch ?? "x86_64") === "x86_64" || d.arch === "i686")
    xml += `  <features>\n${d.acpi === false ? "" : "    <acpi/>\n"}    <apic/>\n${h ? featuresXml(h, "    ") : ""}  </features>\n`;
  if (h) xml += platformXml(h, "  ");
  xml += `  <on_poweroff>destroy</on_poweroff>\n  <on_reboot>${h?.onReboot ?? "restart"}</on_reboot>\n  <on_crash>destroy</on_crash>\n`;
  xml += "  <devices>\n";
  if (d.emulator) xml += `    <emulator>${escapeXml(d.emulator)}</emulator>\n`;
  if (h) xml += devicesXml(h, "    ");
  xml += "  </devices>\n";
  if (qemuArgs.length > 0) xml += `  <qemu:commandline>\n${args("qemu", qemuArgs, "    ")}  </qemu:commandline>\n`;
  xml += "</domain>\n";
  return xml;
}

const UNIT_KIB: Record<string, number> = {
  b: 1 / 1024,
  bytes: 1 / 1024,
  k: 1,
  kib: 1,
  kb: 1000 / 1024,
  m: 1024,
  mib: 1024,
  mb: 1e6 / 1024,
  g: 1024 ** 2,
  gib: 1024 ** 2,
  gb: 1e9 / 1024,
  t: 1024 ** 3,
  tib: 1024 ** 3,
  tb: 1e12 / 1024,
};

/** A libvirt scaled integer (`<memory unit='MiB'>16</memory>`) in KiB; default unit KiB. */
function memoryKiB(element: XmlElement | undefined): number | undefined {
  if (!element) return undefined;
  const value = Number(element.text.trim());
  const unit = UNIT_KIB[(element.attributes.unit ?? "KiB").toLowerCase()];
  if (!Number.isFinite(value) || unit === undefined) return undefined;
  return Math.round(value * unit);
}

function argValues(element: XmlElement, namespace: string): string[] {
  return childrenInNamespace(element, namespace, "arg").map((a) => a.attributes.value ?? "");
}

/** The parts of a domain XML that save and restore use. Fields the XML lacks are absent. */
export function readDomainDescription(xml: string): Partial<DomainDescription> {
  const domain = parseXml(xml);
  if (!domain || domain.name !== "domain") return {};
  const out: Partial<DomainDescription> = {};
  const text = (name: string): string | undefined => child(domain, name)?.text.trim();
  const name = text("name");
  if (name !== undefined) out.name = name;
  const uuid = text("uuid");
  if (uuid !== undefined) out.uuid = uuid.toLowerCase();
  const memory = memoryKiB(child(domain, "memory"));
  if (memory !== undefined) out.memoryKiB = memory;
  const vcpu = child(domain, "vcpu");
  if (vcpu) out.vcpus = Number(vcpu.text.trim());
  if (domain.attributes.type !== undefined) out.virtType = domain.attributes.type;
  const osType = child(child(domain, "os"), "type");
  if (osType?.attributes.machine !== undefined) out.machineType = osType.attributes.machine;
  if (osType?.attributes.arch !== undefined) out.arch = osType.attributes.arch;
  const features = child(domain, "features");
  if (features) out.acpi = child(features, "acpi") !== undefined;
  const emulator = child(child(domain, "devices"), "emulator")?.text.trim();
  if (emulator) out.emulator = emulator;
  const commandline = childrenInNamespace(domain, QEMU_XML_NAMESPACE, "commandline")[0];
  if (commandline) out.qemuArgs = argValues(commandline, QEMU_XML_NAMESPACE);
  const machine = childrenInNamespace(child(domain, "metadata"), SAVEVM_XML_NAMESPACE, "machine")[0];
  if (machine?.attributes.kind === "savevm") out.savevm = { kind: "savevm", runArgs: argValues(machine, SAVEVM_XML_NAMESPACE) };
  else if (machine?.attributes.kind === "qemu") {
    out.savevm = {
      kind: "qemu",
      binary: machine.attributes.binary ?? "qemu-system-x86_64",
      argv: argValues(machine, SAVEVM_XML_NAMESPACE),
    };
  }
  return out;
}

/**
 * libvirt's ABI check for `save-image-define` (virDomainDefCheckABIStability), for what it
 * checks first: the name, the UUID and the memory must stay. Words as libvirt 9.0 prints them.
 */
export function checkAbiStability(sourceXml: string, targetXml: string): void {
  const source = readDomainDescription(sourceXml);
  const target = readDomainDescription(targetXml);
  if (target.name === undefined || target.uuid === undefined) {
    throw new SaveRestoreError("ABI_MISMATCH", "XML error: the new domain XML has no <name> or <uuid>");
  }
  const mismatch = (what: string): SaveRestoreError => new SaveRestoreError("ABI_MISMATCH", `unsupported configuration: ${what}`);
  if (source.virtType !== undefined && target.virtType !== source.virtType) {
    throw mismatch(`Target domain virt type ${target.virtType} does not match source ${source.virtType}`);
  }
  if (source.uuid !== undefined && target.uuid !== source.uuid) {
    throw mismatch(`Target domain uuid ${target.uuid} does not match source ${source.uuid}`);
  }
  if (source.name !== undefined && target.name !== source.name) {
    throw mismatch(`Target domain name '${target.name}' does not match source '${source.name}'`);
  }
  if (source.memoryKiB !== undefined && target.memoryKiB !== source.memoryKiB) {
    throw mismatch(`Target domain max memory ${target.memoryKiB ?? 0} does not match source ${source.memoryKiB}`);
  }
}
