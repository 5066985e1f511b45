import { FormatError } from "../errors.js";
import type { SectionRecord, VmdescRecord } from "../records.js";
import type { VmdescDevice } from "../vmdesc/vmdesc.js";
import { decodeVMState } from "../vmstate/decode.js";
import { descriptionFromVmdesc } from "../vmstate/from-vmdesc.js";
import type { VMStateDescription, VMStateValue } from "../vmstate/types.js";
import { ByteReader } from "../wire/byte-reader.js";
import type { CheckFinding } from "./finding.js";

/**
 * Compares the FULL sections with the vmdesc trailer the same QEMU wrote about them: the saver
 * writes every device at its own version and lists exactly the devices and subsections it sent,
 * so any difference is a stream QEMU did not write (and one its loader may refuse).
 */
export function checkAgainstVmdesc(sections: readonly SectionRecord[], vmdesc: VmdescRecord, pageSize: number): CheckFinding[] {
  const findings: CheckFinding[] = [];
  const devices = vmdesc.description.devices;
  if (vmdesc.description.page_size !== pageSize) {
    findings.push({
      code: "VMDESC_PAGE_SIZE_MISMATCH",
      message: `the vmdesc trailer gives page_size ${vmdesc.description.page_size}, the stream's target page size is ${pageSize}`,
      offset: vmdesc.offset,
      section: "vmdesc",
    });
  }
  let cursor = 0;
  for (const rec of sections) {
    const where = { offset: rec.offset, section: rec.idstr, sectionId: rec.sectionId };
    const index = devices.findIndex((d, i) => i >= cursor && d.name === rec.idstr && d.instance_id === rec.instanceId);
    if (index === -1) {
      findings.push({
        code: "VMDESC_DEVICE_UNLISTED",
        message: `section '${rec.idstr}' instance ${rec.instanceId} is not in the vmdesc trailer's device list`,
        ...where,
      });
      continue;
    }
    for (const skipped of devices.slice(cursor, index)) findings.push(absent(skipped, vmdesc));
    cursor = index + 1;
    findings.push(...checkDevice(rec, devices[index]!));
  }
  for (const skipped of devices.slice(cursor)) findings.push(absent(skipped, vmdesc));
  return findings;
}

function absent(device: VmdescDevice, vmdesc: VmdescRecord): CheckFinding {
  return {
    code: "VMDESC_DEVICE_ABSENT",
    message: `the vmdesc trailer lists '${device.name}' instance ${device.instance_id}, but the stream has no such section`,
    offset: vmdesc.offset,
    section: device.name,
  };
}

function checkDevice(rec: SectionRecord, entry: VmdescDevice): CheckFinding[] {
  const where = { offset: rec.offset, section: rec.idstr, sectionId: rec.sectionId };
  const findings: CheckFinding[] = [];
  // Old-style handlers (no vmsd) have no version in the trailer.
  if (entry.version !== undefined && entry.version !== rec.version) {
    findings.push({
      code: "VMDESC_VERSION_MISMATCH",
      message: `section version ${rec.version} of '${rec.idstr}' is not the version ${entry.version} its vmdesc entry gives`,
      ...where,
    });
  }
  if (rec.body === undefined) return findings;
  const desc = exactSubsectionVersions(descriptionFromVmdesc(entry));
  const bodyOffset = rec.offset + 14 + rec.idstr.length;
  let state: VMStateValue;
  const r = new ByteReader(rec.body, bodyOffset);
  try {
    state = decodeVMState(desc, r, { version: entry.version === undefined ? 0 : rec.version });
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    findings.push({ code: e.code, message: e.detail, offset: e.offset, section: rec.idstr, sectionId: rec.sectionId });
    return findings;
  }
  if (r.remaining > 0) {
    // The trailer's sizes end the body early: the decoder found its end some other way.
    findings.push({
      code: "BAD_VMDESC",
      message: `${r.remaining} bytes of '${rec.idstr}' are left after the fields its vmdesc entry describes`,
      offset: r.offset,
      section: rec.idstr,
      sectionId: rec.sectionId,
    });
  }
  for (const name of absentSubsections(desc, state)) {
    findings.push({
      code: "VMDESC_SUBSECTION_ABSENT",
      message: `subsection '${name}' is in the vmdesc entry of '${rec.idstr}' but not in its body`,
      ...where,
    });
  }
  return findings;
}

/**
 * The writer's own subsections are at exactly the version it lists, so an older one is reported
 * with QEMU's "too old" words just as a newer one is with "too new".
 */
function exactSubsectionVersions(desc: VMStateDescription, isSubsection = false): VMStateDescription {
  return {
    ...desc,
    ...(isSubsection ? { minimum_version_id: desc.version_id } : {}),
    fields: desc.fields.map((f) => (f.struct ? { ...f, struct: exactSubsectionVersions(f.struct) } : f)),
    subsections: desc.subsections?.map((s) => exactSubsectionVersions(s, true)),
  };
}

/** Listed subsections (at any depth of subsections) that the decoded value lacks. */
function absentSubsections(desc: VMStateDescription, value: VMStateValue): string[] {
  const out: string[] = [];
  for (const sub of desc.subsections ?? []) {
    const got = value[sub.name];
    if (got === undefined) out.push(sub.name);
    else out.push(...absentSubsections(sub, got as VMStateValue));
  }
  return out;
}
