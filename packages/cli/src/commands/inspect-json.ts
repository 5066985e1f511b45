/**
 * `savevm inspect --json`: what the text summary shows, as one JSON object for scripts, in the
 * spirit of `qemu-img info --output=json` (kebab-case keys, sizes in bytes, offsets as numbers).
 * The libvirt header keeps libvirt's own field names (`was_running`, `data_len`). The device
 * state, shaped like `analyze-migration.py -d state`, is under `state`.
 */
import type { StreamSummary } from "@savevm/format";
import type { OpenedContainer } from "../container.js";

export function summaryJson(
  name: string,
  size: number | undefined,
  container: OpenedContainer,
  s: StreamSummary,
  state: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = { filename: name };
  // qemu-img's "actual-size" is what the file occupies on disk; this is its length
  if (size !== undefined) out["file-size"] = size;
  out.format = container.kind === "libvirt" ? "libvirt" : container.kind === "gzip" ? "gzip" : "qemu";
  if (container.libvirt) {
    const l = container.libvirt;
    out.libvirt = {
      version: l.header.version,
      was_running: l.header.wasRunning,
      format: l.header.format,
      data_len: l.header.dataLen,
      "payload-offset": l.payloadOffset,
      name: l.name ?? null,
      uuid: l.uuid ?? null,
    };
  }
  out.stream = {
    version: s.header?.version ?? null,
    size: s.totalBytes,
    footers: s.footers,
    "trailing-bytes": s.trailingBytes,
  };
  out.configuration = s.configuration
    ? {
        "machine-type": s.configuration.machineType,
        capabilities: s.configuration.capabilities,
        ...(s.configuration.targetPageBits !== undefined ? { "target-page-bits": s.configuration.targetPageBits } : {}),
        ...(s.configuration.uuid ? { uuid: s.configuration.uuid } : {}),
      }
    : null;
  out.vmdesc = s.vmdesc ? { offset: s.vmdesc.offset, size: s.vmdesc.size, shape: s.vmdesc.shape, devices: s.vmdesc.devices } : null;
  out.commands = s.commands.map((c) => ({ name: c.name, command: c.command, offset: c.offset }));
  out.sections = s.sections.map((sec) => ({
    "section-id": sec.sectionId,
    type: sec.type,
    idstr: sec.idstr,
    "instance-id": sec.instanceId,
    version: sec.version,
    offset: sec.offset,
    size: sec.size,
    ...(sec.bodyLayout ? { "body-layout": sec.bodyLayout } : {}),
  }));
  out.ram = s.ram
    ? {
        "page-size": s.ram.pageSize,
        sections: s.ram.sections,
        blocks: s.ram.blocks.map((b) => ({ idstr: b.idstr, length: b.length, pages: b.pages })),
        pages: s.ram.pages,
      }
    : null;
  out.devices = s.devices.map((d) => ({
    idstr: d.idstr,
    "instance-id": d.instanceId,
    "section-id": d.sectionId,
    version: d.version,
    ...(d.vmsdName !== undefined ? { "vmsd-name": d.vmsdName } : {}),
    offset: d.offset,
    size: d.size,
    ...(d.bodyLayout ? { "body-layout": d.bodyLayout } : {}),
  }));
  if (state) out.state = state;
  return out;
}

/**
 * The vmdesc trailer as `analyze-migration.py -d desc` prints it: Python's `json.dumps(…,
 * indent=4)`, keys in the writer's order, non-ASCII as `\uXXXX`.
 */
export function indentedDesc(json: Uint8Array): string {
  const text = JSON.stringify(JSON.parse(new TextDecoder().decode(json)), null, 4);
  return text.replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
