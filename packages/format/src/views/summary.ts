import type { SectionType } from "../constants.js";
import { DEFAULT_PAGE_SIZE } from "../constants.js";
import type { RamPageCounter } from "../ram/page-counting.js";
import type { BodyLayout, MigrationRecord } from "../records.js";
import type { ByteSource } from "../source/byte-source.js";
import { forEachRecord, readMigrationStream } from "../stream/decoder.js";
import { encodedLength } from "../stream/encoded-length.js";
import type { ReadMigrationOptions } from "../stream/read-options.js";
import { toHex } from "./json-value.js";

export interface SectionSummary {
  sectionId: number;
  idstr: string;
  instanceId: number;
  version: number;
  type: SectionType;
  /** Offset of the section header. */
  offset: number;
  /** Bytes from the header to the end of the footer (or of the body when there is none). */
  size: number;
  bodyLayout?: BodyLayout;
}

/**
 * Page records by kind. `uniform` counts ZERO records with a non-zero fill byte, `dedup` the
 * page references of savevm's `x-dedup` extension.
 */
export interface RamPageCounts {
  zero: number;
  uniform: number;
  normal: number;
  xbzrle: number;
  compressed: number;
  dedup: number;
}

export interface RamBlockSummary {
  idstr: string;
  length: number;
  pages: RamPageCounts;
}

export interface DeviceSummary {
  idstr: string;
  instanceId: number;
  sectionId: number;
  version: number;
  vmsdName?: string;
  offset: number;
  /** Body bytes. */
  size: number;
  bodyLayout?: BodyLayout;
}

export interface StreamSummary {
  header?: { version: number };
  configuration?: { machineType: string; capabilities: string[]; targetPageBits?: number; uuid?: string };
  /** Whether the sections carry footers. */
  footers: boolean;
  sections: SectionSummary[];
  ram?: { pageSize: number; sections: number; blocks: RamBlockSummary[]; pages: RamPageCounts };
  devices: DeviceSummary[];
  commands: { offset: number; command: number; name: string }[];
  eofOffset?: number;
  vmdesc?: { offset: number; size: number; shape: "7.2" | "8.2"; devices: number };
  trailingBytes: number;
  /** Offset one past the last record. */
  totalBytes: number;
}

function noPages(): RamPageCounts {
  return { zero: 0, uniform: 0, normal: 0, xbzrle: 0, compressed: 0, dedup: 0 };
}

/**
 * Builds a StreamSummary from records fed one at a time (so one pass can also do other work).
 * It is a RamPageCounter too: `forEachRecord(reader, (rec) => builder.add(rec), { pages: builder })`
 * counts most page records without a record object each.
 */
export class StreamSummaryBuilder implements RamPageCounter {
  private readonly s: StreamSummary = { footers: false, sections: [], devices: [], commands: [], trailingBytes: 0, totalBytes: 0 };
  private open: SectionSummary | undefined;
  private pageSize = DEFAULT_PAGE_SIZE;
  private readonly blocks = new Map<string, RamBlockSummary>();

  add(rec: MigrationRecord): void {
    const s = this.s;
    if (rec.kind !== "ram" && rec.kind !== "footer") this.close(rec.offset);
    s.totalBytes = Math.max(s.totalBytes, rec.offset + encodedLength(rec, this.pageSize));
    switch (rec.kind) {
      case "header":
        s.header = { version: rec.version };
        break;
      case "configuration":
        s.configuration = { machineType: rec.machineType, capabilities: [...rec.capabilities] };
        if (rec.targetPageBits !== undefined) {
          s.configuration.targetPageBits = rec.targetPageBits;
          this.pageSize = 2 ** rec.targetPageBits;
        }
        if (rec.uuid) s.configuration.uuid = toHex(rec.uuid);
        break;
      case "section":
        this.open = {
          sectionId: rec.sectionId,
          idstr: rec.idstr,
          instanceId: rec.instanceId,
          version: rec.version,
          type: rec.type,
          offset: rec.offset,
          size: 0,
          ...(rec.bodyLayout ? { bodyLayout: rec.bodyLayout } : {}),
        };
        s.sections.push(this.open);
        if (rec.idstr === "ram") {
          this.ram().sections++;
        } else if (rec.type === "full" || rec.type === "start") {
          s.devices.push({
            idstr: rec.idstr,
            instanceId: rec.instanceId,
            sectionId: rec.sectionId,
            version: rec.version,
            ...(rec.vmsdName !== undefined ? { vmsdName: rec.vmsdName } : {}),
            offset: rec.offset,
            size: rec.body?.length ?? 0,
            ...(rec.bodyLayout ? { bodyLayout: rec.bodyLayout } : {}),
          });
        }
        break;
      case "footer":
        s.footers = true;
        break;
      case "ram":
        this.addRam(rec);
        break;
      case "command":
        s.commands.push({ offset: rec.offset, command: rec.command, name: rec.name });
        for (const inner of rec.packaged ?? []) this.add(inner);
        break;
      case "eof":
        s.eofOffset = rec.offset;
        break;
      case "vmdesc":
        s.vmdesc = {
          offset: rec.offset,
          size: rec.json.length,
          shape: rec.description.configuration ? "8.2" : "7.2",
          devices: rec.description.devices.length,
        };
        break;
      case "trailing":
        s.trailingBytes += rec.data.length;
        break;
    }
  }

  private addRam(rec: Extract<MigrationRecord, { kind: "ram" }>): void {
    const ram = this.ram();
    if (rec.type === "mem-size") {
      for (const b of rec.blocks) {
        let block = this.blocks.get(b.idstr);
        if (!block) {
          block = { idstr: b.idstr, length: b.length, pages: noPages() };
          this.blocks.set(b.idstr, block);
          ram.blocks.push(block);
        }
      }
      return;
    }
    if (rec.type === "eos" || rec.type === "multifd-flush") return;
    const block = this.pagesOf(ram, rec.block);
    const kind = rec.type === "zero" ? (rec.fill === 0 ? "zero" : "uniform") : rec.type === "page" ? "normal" : rec.type;
    block.pages[kind]++;
    ram.pages[kind]++;
  }

  countPages(idstr: string, zero: number, uniform: number, normal: number): void {
    const ram = this.ram();
    const block = this.pagesOf(ram, idstr);
    block.pages.zero += zero;
    block.pages.uniform += uniform;
    block.pages.normal += normal;
    ram.pages.zero += zero;
    ram.pages.uniform += uniform;
    ram.pages.normal += normal;
  }

  private ram(): NonNullable<StreamSummary["ram"]> {
    return (this.s.ram ??= { pageSize: this.pageSize, sections: 0, blocks: [], pages: noPages() });
  }

  /** The block's entry; a block no MEM_SIZE record announced gets one of length 0. */
  private pagesOf(ram: NonNullable<StreamSummary["ram"]>, idstr: string): RamBlockSummary {
    let block = this.blocks.get(idstr);
    if (!block) {
      block = { idstr, length: 0, pages: noPages() };
      this.blocks.set(idstr, block);
      ram.blocks.push(block);
    }
    return block;
  }

  private close(end: number): void {
    if (this.open) {
      this.open.size = end - this.open.offset;
      this.open = undefined;
    }
  }

  result(): StreamSummary {
    this.close(this.s.totalBytes);
    return this.s;
  }
}

/**
 * Header, configuration, a table of sections, RAM blocks with page counts, devices and commands,
 * for `savevm inspect` and the like. Reads the whole stream once; RAM is never kept.
 */
export async function summarizeStream(source: ByteSource, options?: ReadMigrationOptions): Promise<StreamSummary> {
  const builder = new StreamSummaryBuilder();
  await forEachRecord(readMigrationStream(source, options), (rec) => builder.add(rec), { pages: builder });
  return builder.result();
}
