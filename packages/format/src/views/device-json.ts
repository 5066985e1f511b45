import type { MigrationRecord, SectionRecord } from "../records.js";
import type { ByteSource } from "../source/byte-source.js";
import { forEachRecord, readMigrationStream } from "../stream/decoder.js";
import type { ReadMigrationOptions } from "../stream/read-options.js";
import { toHex, toJsonValue } from "./json-value.js";

/**
 * The device state of a stream shaped like QEMU's `analyze-migration.py -d state`: one key per
 * section, `"idstr (section_id)"`, structs as objects, arrays as lists, subsections under their
 * vmsd name, RAM as `{"section sizes": {block: size}}`. Values are JSON numbers (decimal strings
 * beyond 2^53), booleans, and lower-case hex strings for bytes. A body with no layout at all (no
 * description, no vmdesc) appears as `{"data": hex}`.
 */
export async function deviceStateToJson(source: ByteSource, options?: ReadMigrationOptions): Promise<Record<string, unknown>> {
  const out = new DeviceStateJsonBuilder();
  await forEachRecord(readMigrationStream(source, options), (rec) => out.add(rec));
  return out.result();
}

/** The same, fed record by record. */
export class DeviceStateJsonBuilder {
  private readonly out: Record<string, unknown> = {};
  private readonly ramSizes = new Map<number, Record<string, number>>();
  private ramSection: number | undefined;

  add(rec: MigrationRecord): void {
    if (rec.kind === "section") {
      const key = `${rec.idstr} (${rec.sectionId})`;
      if (rec.idstr === "ram") {
        this.ramSection = rec.sectionId;
        if (!this.ramSizes.has(rec.sectionId)) {
          const sizes: Record<string, number> = {};
          this.ramSizes.set(rec.sectionId, sizes);
          this.out[key] = { "section sizes": sizes };
        }
      } else if (rec.type === "full" || rec.type === "start") {
        this.out[key] = sectionStateToJson(rec);
      }
    } else if (rec.kind === "ram" && rec.type === "mem-size") {
      const sizes = this.ramSizes.get(this.ramSection ?? rec.sectionId);
      if (sizes) for (const b of rec.blocks) sizes[b.idstr] = b.length;
    } else if (rec.kind === "command") {
      for (const inner of rec.packaged ?? []) this.add(inner);
    }
  }

  result(): Record<string, unknown> {
    return this.out;
  }
}

/** One device section's state as JSON (see deviceStateToJson). */
export function sectionStateToJson(rec: SectionRecord): unknown {
  if (rec.state !== undefined) return toJsonValue(rec.state);
  return { data: toHex(rec.body ?? new Uint8Array(0)) };
}
