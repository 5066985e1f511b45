import { SUBSECTION_CAPABILITIES, SUBSECTION_TARGET_PAGE_BITS } from "../configuration.js";
import type { ConfigurationRecord } from "../records.js";
import { ByteWriter } from "../wire/byte-writer.js";

/** The configuration record with another capability list (the subsection added, rewritten or dropped). */
export function withCapabilities(rec: ConfigurationRecord, capabilities: readonly string[]): ConfigurationRecord {
  const subsections = rec.subsections.filter((s) => s.name !== SUBSECTION_CAPABILITIES);
  if (capabilities.length > 0) {
    const w = new ByteWriter(64).u32(capabilities.length);
    for (const c of capabilities) w.countedString(c);
    const payload = w.finish();
    const at = rec.subsections.findIndex((s) => s.name === SUBSECTION_CAPABILITIES);
    // QEMU sends capabilities after target-page-bits; keep the original place when there was one.
    subsections.splice(at === -1 ? subsections.findIndex((s) => s.name === SUBSECTION_TARGET_PAGE_BITS) + 1 : at, 0, { name: SUBSECTION_CAPABILITIES, version: 1, payload });
  }
  return { ...rec, subsections, capabilities: [...capabilities] };
}
