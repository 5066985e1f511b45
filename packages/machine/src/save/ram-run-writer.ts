import { PageKind } from "@savevm/ram-wasm";
import type { PageRun } from "../ram/page-source.js";
import { TARGET_PAGE_SIZE, type RamBlock, type RamSet } from "../ram/ram-block.js";
import type { RamStats } from "./ram-stats.js";
import type { RamBodyWriter } from "./record-sink.js";

/** Longest run a page source hands out at once. */
export const MAX_RUN_PAGES = 256;

/** How pages are written besides plain PAGE records. */
export interface RunEncoding {
  /**
   * A page holding one byte value everywhere goes out as a ZERO record with that fill byte
   * (QEMU 7.2 loads it; 8.2 and later accept only fill 0). An all-zero page is always a ZERO record.
   */
  uniformAsZero: boolean;
  /** `x-dedup`: a page equal to one this stream already holds goes out as a reference to it. */
  dedup: boolean;
}

/**
 * Classifies the pages of a run and writes each as one record: ZERO for zero (and, if enabled,
 * uniform) pages, a dedup reference for a page whose content an earlier record of this stream
 * holds, PAGE otherwise.
 *
 * A reference is only written when its source page is certain to hold, in the destination, what
 * the guest page holds now: the source was written by this save (no longer pending) and the
 * guest has not written it since (its dirty-log bit is clear). The scanner compares full pages
 * against the source's current content, which under those two conditions is its stream content.
 */
export class RamRunWriter {
  readonly #ram: RamSet;
  readonly #stats: RamStats;
  readonly #encoding: RunEncoding;
  readonly #zero = new Uint8Array(MAX_RUN_PAGES);

  constructor(ram: RamSet, stats: RamStats, encoding: RunEncoding) {
    this.#ram = ram;
    this.#stats = stats;
    this.#encoding = encoding;
  }

  write(out: RamBodyWriter, run: PageRun): void {
    if (run.data) this.#writeCopy(out, run);
    else if (this.#encoding.dedup && this.#ram.logging && run.block.scanner && this.#anyTouched(run)) this.#writeScanned(out, run);
    else this.#writeInPlace(out, run);
  }

  #anyTouched(run: PageRun): boolean {
    const touched = run.block.touched;
    for (let i = 0; i < run.count; i++) if (touched[run.first + i] === 1) return true;
    return false;
  }

  #writeInPlace(out: RamBodyWriter, { block, first, count }: PageRun): void {
    const zero = this.#zero;
    // Pages nothing wrote since the block was zeroed need no scan.
    if (this.#anyTouched({ block, first, count })) block.memory.countZeroPages(first, count, zero);
    else zero.fill(1, 0, count);
    // One view for the run when it lies in one memory chunk (the usual case), not one per page.
    const span = block.memory.span(first * TARGET_PAGE_SIZE, count * TARGET_PAGE_SIZE);
    const whole = span.length === count * TARGET_PAGE_SIZE;
    for (let i = 0; i < count; i++) {
      const page = first + i;
      if (zero[i] === 1) {
        this.#zeroRecord(out, block, page, 0);
        continue;
      }
      if (this.#encoding.uniformAsZero) {
        const fill = block.uniformValue(page);
        if (fill > 0) {
          this.#zeroRecord(out, block, page, fill);
          continue;
        }
      }
      this.#pageRecord(out, block, page, whole ? span.subarray(i * TARGET_PAGE_SIZE, (i + 1) * TARGET_PAGE_SIZE) : block.page(page));
    }
  }

  #writeScanned(out: RamBodyWriter, { block, first, count }: PageRun): void {
    const result = block.scanner!.scan(first, count);
    const { kinds, values } = result;
    for (let i = 0; i < count; i++) {
      const page = first + i;
      switch (kinds[i]) {
        case PageKind.Zero:
          this.#zeroRecord(out, block, page, 0);
          continue;
        case PageKind.Uniform:
          if (this.#encoding.uniformAsZero) {
            this.#zeroRecord(out, block, page, values[i]!);
            continue;
          }
          break;
        case PageKind.Duplicate: {
          const source = values[i]!;
          if (this.#canReference(block, page, source, first)) {
            out.dedupPage(block.name, page * TARGET_PAGE_SIZE, source * TARGET_PAGE_SIZE);
            this.#stats.dedup++;
            continue;
          }
          break;
        }
      }
      this.#pageRecord(out, block, page, block.page(page));
    }
  }

  #canReference(block: RamBlock, page: number, source: number, runFirst: number): boolean {
    if (source === page || source >= block.pageCount) return false;
    // In this run, only pages before this one are written already.
    if (source >= runFirst && source > page) return false;
    return !block.toSend.test(source) && !block.dirtyLog.test(source);
  }

  #writeCopy(out: RamBodyWriter, { block, first, count, data, fill }: PageRun): void {
    const uniform = count === 1 ? (fill ?? -1) : -1;
    for (let i = 0; i < count; i++) {
      if (uniform === 0 || (uniform > 0 && this.#encoding.uniformAsZero)) this.#zeroRecord(out, block, first + i, uniform);
      else this.#pageRecord(out, block, first + i, data!.subarray(i * TARGET_PAGE_SIZE, (i + 1) * TARGET_PAGE_SIZE));
    }
  }

  #zeroRecord(out: RamBodyWriter, block: RamBlock, page: number, fill: number): void {
    out.zeroPage(block.name, page * TARGET_PAGE_SIZE, fill);
    this.#stats.duplicate++;
    if (fill !== 0) this.#stats.uniform++;
  }

  #pageRecord(out: RamBodyWriter, block: RamBlock, page: number, bytes: Uint8Array): void {
    out.page(block.name, page * TARGET_PAGE_SIZE, bytes);
    this.#stats.normal++;
  }
}
