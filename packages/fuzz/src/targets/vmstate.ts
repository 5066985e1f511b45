import { decodeVMState, descriptionFromVmdesc, FormatError, formatQemuJson, parseVmdesc } from "@savevm/format";
import { qemuRecords } from "../fixtures.js";
import { hasCode, type FuzzTarget } from "../target.js";

const MAX_ARRAY = 1 << 16;

/** `be32 length, vmdesc JSON of one device, the device's section body`: both halves get mutated. */
function pack(json: Uint8Array, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + json.length + body.length);
  new DataView(out.buffer).setUint32(0, json.length);
  out.set(json, 4);
  out.set(body, 4 + json.length);
  return out;
}

/**
 * vmstate decoding driven by a description read from a vmdesc trailer, as `savevm inspect`
 * decodes a device QEMU wrote: parseVmdesc, descriptionFromVmdesc, decodeVMState.
 */
export const vmstateTarget: FuzzTarget = {
  name: "vmstate",
  description: "@savevm/format parseVmdesc + descriptionFromVmdesc + decodeVMState",
  async seeds() {
    const seeds: Uint8Array[] = [];
    for (const records of (await qemuRecords()).values()) {
      const vmdesc = records.find((r) => r.kind === "vmdesc");
      if (vmdesc?.kind !== "vmdesc") continue;
      for (const device of vmdesc.description.devices) {
        const section = records.find(
          (r) => r.kind === "section" && r.type === "full" && r.idstr === device.name && r.instanceId === device.instance_id,
        );
        if (section?.kind !== "section" || !section.body) continue;
        const json = new TextEncoder().encode(formatQemuJson({ page_size: vmdesc.description.page_size, devices: [device] }));
        seeds.push(pack(json, section.body));
      }
    }
    return seeds;
  },
  run(input) {
    if (input.length < 4) return;
    const length = new DataView(input.buffer, input.byteOffset, input.byteLength).getUint32(0);
    const json = input.subarray(4, 4 + length);
    const body = input.subarray(4 + length);
    const vmdesc = parseVmdesc(json);
    for (const device of vmdesc.devices) {
      const description = descriptionFromVmdesc(device);
      decodeVMState(description, body, { maxArrayLength: MAX_ARRAY, ...(device.version === undefined ? {} : { version: device.version }) });
    }
  },
  expected: (error) => hasCode(error, [FormatError]),
  maxAllocation: 64 * 1024,
  maxInput: 64 * 1024,
  dictionary: [
    '"fields"',
    '"subsections"',
    '"name"',
    '"type"',
    '"size"',
    '"array_len"',
    '"struct"',
    '"vmsd_name"',
    '"version"',
    '"buffer"',
    '"uint32"',
    '"int64"',
    '"bool"',
    '"unused_buffer"',
    "[",
    "]",
    "{",
    "}",
    ",",
  ],
};
