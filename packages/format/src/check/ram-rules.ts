import { hex } from "../errors.js";
import type { RamBlockInfo, RamMemSizeRecord } from "../records.js";
import type { CheckFinding } from "./finding.js";

/**
 * Checks of the RAM section's block lists (MEM_SIZE records): every length a whole number of
 * target pages, each block once, the same sizes in every list, and, when the loading machine's
 * blocks are known, QEMU's "Unknown ramblock" and "Size mismatch" refusals.
 */
export class RamBlockRules {
  /** Sizes from the first MEM_SIZE record, which later ones must repeat. */
  private first: Map<string, number> | undefined;

  constructor(
    private readonly pageSize: () => number,
    private readonly local: ReadonlyMap<string, number> | undefined,
    private readonly report: (finding: CheckFinding) => void,
  ) {}

  memSize(rec: RamMemSizeRecord): void {
    const pageSize = this.pageSize();
    const seen = new Set<string>();
    const sizes = new Map<string, number>();
    let at = rec.offset + 8;
    for (const block of rec.blocks) {
      const where = { offset: at, section: "ram", sectionId: rec.sectionId };
      at += entryLength(block);
      if (seen.has(block.idstr)) {
        this.report({ code: "DUPLICATE_RAM_BLOCK", message: `RAM block ${block.idstr} is listed twice in the block list`, ...where });
        continue;
      }
      seen.add(block.idstr);
      sizes.set(block.idstr, block.length);
      if (block.length % pageSize !== 0) {
        this.report({
          code: "RAM_BLOCK_MISALIGNED",
          message: `RAM block ${block.idstr} of ${hex(block.length)} bytes is not a whole number of ${pageSize}-byte pages`,
          ...where,
        });
      }
      const expected = this.first ? this.first.get(block.idstr) : this.local?.get(block.idstr);
      if (this.local && !this.local.has(block.idstr)) {
        this.report({ code: "UNKNOWN_RAM_BLOCK", message: `Unknown ramblock "${block.idstr}", cannot accept migration`, ...where });
      } else if (expected !== undefined && expected !== block.length) {
        this.report({
          code: "RAM_BLOCK_SIZE_MISMATCH",
          message: `Size mismatch: ${block.idstr}: ${hex(block.length)} != ${hex(expected)}: Invalid argument`,
          ...where,
        });
      }
    }
    this.first ??= sizes;
  }
}

/** Bytes of one MEM_SIZE entry: counted idstr, be64 length, and the optional be64 page size and address. */
function entryLength(block: RamBlockInfo): number {
  return 1 + block.idstr.length + 8 + (block.pageSize !== undefined ? 8 : 0) + (block.addr !== undefined ? 8 : 0);
}
