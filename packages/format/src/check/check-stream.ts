import { DEFAULT_PAGE_SIZE } from "../constants.js";
import { FormatError } from "../errors.js";
import type { RamPageCounter } from "../ram/page-counting.js";
import type { MigrationRecord, SectionRecord, VmdescRecord } from "../records.js";
import type { ByteSource } from "../source/byte-source.js";
import { forEachRecord, readMigrationStream } from "../stream/decoder.js";
import type { CheckFinding, CheckOptions } from "./finding.js";
import { RamBlockRules } from "./ram-rules.js";
import { checkGlobalState, footersPromised } from "./stream-rules.js";
import { checkAgainstVmdesc } from "./vmdesc-rules.js";

/** Page contents are never looked at: the decoder may step over continuing pages uncounted. */
const IGNORE_PAGES: RamPageCounter = { countPages: () => undefined };

/**
 * Reads a whole migration stream once and reports what QEMU's loader would refuse beyond what
 * decoding needs: section and subsection versions that disagree with the stream's own vmdesc
 * trailer, devices the trailer lists differently, RAM block lists with misaligned, repeated or
 * (given `ramBlocks`) unexpected sizes, missing footers where the configuration record promises
 * them, a globalstate with an unknown run state, and bytes after EOF that QEMU would not expect.
 *
 * A decoder error ends the pass; it becomes the last finding, with `fatal` set. Findings come in
 * stream order. An empty list means the stream is clean.
 */
export async function checkMigrationStream(source: ByteSource, options: CheckOptions = {}): Promise<CheckFinding[]> {
  const { ramBlocks, ...readOptions } = options;
  const findings: CheckFinding[] = [];
  const local = ramBlocks === undefined || ramBlocks instanceof Map ? ramBlocks : new Map(Object.entries(ramBlocks));
  const pass = new CheckPass(options, (f) => findings.push(f), local as ReadonlyMap<string, number> | undefined);
  try {
    await forEachRecord(readMigrationStream(source, readOptions), (rec) => pass.add(rec), { pages: IGNORE_PAGES });
    findings.push(...pass.finish());
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    const fatal: CheckFinding = { code: e.code, message: e.detail, fatal: true };
    if (e.offset !== undefined) fatal.offset = e.offset;
    if (e.section !== undefined) fatal.section = e.section;
    if (e.sectionId !== undefined) fatal.sectionId = e.sectionId;
    findings.push(fatal);
  }
  return findings.sort((a, b) => (a.fatal ? 1 : 0) - (b.fatal ? 1 : 0) || (a.offset ?? Infinity) - (b.offset ?? Infinity));
}

/** What one pass over the records has seen so far, and the checks that can run as records arrive. */
class CheckPass {
  private pageSize: number;
  private readonly ram: RamBlockRules;
  private readonly full: SectionRecord[] = [];
  private vmdesc: VmdescRecord | undefined;
  private footersPromised = false;
  private footerSeen = false;
  private footerReported = false;
  /** The section whose footer, if the stream has footers, is the next record. */
  private awaitingFooter: SectionRecord | undefined;
  /** The RAM section whose records are being read. */
  private ramSection: SectionRecord | undefined;
  private trailingReported = false;

  constructor(
    private readonly options: CheckOptions,
    private readonly report: (finding: CheckFinding) => void,
    localBlocks: ReadonlyMap<string, number> | undefined,
  ) {
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.ram = new RamBlockRules(() => this.pageSize, localBlocks, report);
  }

  add(rec: MigrationRecord): void {
    if (rec.kind !== "ram") this.footerCheck(rec);
    switch (rec.kind) {
      case "configuration":
        // An explicit "no footers" says the loading QEMU is set up for that too.
        this.footersPromised = this.options.footers !== false && footersPromised(rec.machineType);
        if (rec.targetPageBits !== undefined) this.pageSize = 2 ** rec.targetPageBits;
        break;
      case "section":
        if (rec.idstr === "ram") {
          this.ramSection = rec;
          break;
        }
        this.awaitingFooter = rec;
        if (rec.type === "full") {
          this.full.push(rec);
          const bad = checkGlobalState(rec);
          if (bad) this.report(bad);
        }
        break;
      case "ram":
        if (rec.type === "mem-size") this.ram.memSize(rec);
        else if (rec.type === "eos") this.awaitingFooter = this.ramSection;
        break;
      case "vmdesc":
        this.vmdesc = rec;
        break;
      case "trailing":
        if (!this.trailingReported) this.reportTrailing(rec.offset, rec.data);
        break;
      default:
        break;
    }
  }

  private footerCheck(next: MigrationRecord): void {
    const section = this.awaitingFooter;
    if (!section) return;
    this.awaitingFooter = undefined;
    if (next.kind === "footer") {
      this.footerSeen = true;
    } else if (this.footersPromised && !this.footerSeen && !this.footerReported) {
      // QEMU stops at the first one; the others would say the same.
      this.footerReported = true;
      this.report({
        code: "MISSING_FOOTER",
        message: `Missing section footer for ${section.idstr}`,
        offset: next.offset,
        section: section.idstr,
        sectionId: section.sectionId,
      });
    }
  }

  private reportTrailing(offset: number, data: Uint8Array): void {
    this.trailingReported = true;
    if (this.vmdesc) {
      this.report({ code: "TRAILING_DATA", message: "data after the vmdesc trailer, which QEMU never reads", offset });
    } else {
      this.report({ code: "NO_VMDESC_AFTER_EOF", message: `Expected vmdescription section, but got ${data[0] ?? 0}`, offset });
    }
  }

  /** The checks that need the whole stream (the vmdesc trailer comes last). */
  finish(): CheckFinding[] {
    return this.vmdesc ? checkAgainstVmdesc(this.full, this.vmdesc, this.pageSize) : [];
  }
}
