import { DEFAULT_PAGE_SIZE } from "../constants.js";
import { FormatError, hex } from "../errors.js";
import type { MigrationRecord, RamRecord } from "../records.js";
import { forEachRecord } from "../stream/decoder.js";
import { inflatePageInto } from "./compressed-page.js";
import { applyXbzrle } from "./xbzrle.js";

/** A RAM block kept in one array: the fast path (guest memory, a file mapped in memory). */
export interface RamBlockMemory {
  readonly length: number;
  readonly memory: Uint8Array;
  /**
   * The memory is all zero before the first record (fresh guest RAM). The applier then skips
   * zero pages it has not written, as QEMU does for pages it finds already zero.
   */
  readonly zeroed?: boolean;
}

/** A RAM block reached through reads and writes of whole pages (a file, several memories). */
export interface RamBlockAccess {
  readonly length: number;
  /** As for {@link RamBlockMemory}: all zero before the first record (a fresh sparse file). */
  readonly zeroed?: boolean;
  read(offset: number, into: Uint8Array): void;
  write(offset: number, data: Uint8Array): void;
}

export type RamBlockTarget = RamBlockMemory | RamBlockAccess;

/**
 * Where decoded RAM goes. `block()` is called once per block of the MEM_SIZE list with the length
 * the stream announces; it returns the block, or throws (e.g. a size mismatch) to refuse it.
 */
export interface RamSink {
  block(idstr: string, length: number): RamBlockTarget;
}

export interface RamApplierOptions {
  /** Target page size; a configuration record with target-page-bits overrides it. Default 4096. */
  pageSize?: number;
}

/**
 * Writes decoded RAM records into a sink with QEMU's load semantics: ZERO fills the page with its
 * fill byte, PAGE copies it, XBZRLE patches the page's current content, COMPRESS_PAGE inflates.
 * A dedup reference (savevm's `x-dedup` extension) copies the current content of its source page.
 * Records of any other kind are ignored, so every record of a stream can be passed in.
 */
interface BlockState {
  target: RamBlockTarget;
  /** For zeroed memory: one bit per page written with something other than zeros. */
  written: Uint8Array | undefined;
}

export class RamApplier {
  private readonly targets = new Map<string, RamBlockTarget>();
  private readonly states = new Map<string, BlockState>();
  private lastName: string | undefined;
  private last: BlockState | undefined;
  private pageSize: number;
  private scratch: Uint8Array;

  constructor(
    private readonly sink: RamSink,
    options: RamApplierOptions = {},
  ) {
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.scratch = new Uint8Array(this.pageSize);
  }

  /** Blocks announced so far, by name. */
  get blocks(): ReadonlyMap<string, RamBlockTarget> {
    return this.targets;
  }

  apply(record: MigrationRecord): void {
    if (record.kind === "ram") {
      this.applyRam(record);
    } else if (record.kind === "configuration" && record.targetPageBits !== undefined) {
      this.pageSize = 2 ** record.targetPageBits;
      this.scratch = new Uint8Array(this.pageSize);
    }
  }

  private applyRam(rec: RamRecord): void {
    if (rec.type === "mem-size") {
      for (const b of rec.blocks) {
        const target = this.sink.block(b.idstr, b.length);
        this.targets.set(b.idstr, target);
        const zeroed = target.zeroed === true;
        this.states.set(b.idstr, { target, written: zeroed ? new Uint8Array(Math.ceil(b.length / this.pageSize / 8)) : undefined });
      }
      this.lastName = undefined;
      return;
    }
    if (rec.type === "eos" || rec.type === "multifd-flush") return;
    let state = this.last;
    if (rec.block !== this.lastName) {
      state = this.states.get(rec.block);
      if (!state) {
        throw new FormatError("UNKNOWN_RAM_BLOCK", `Unknown ramblock "${rec.block}", cannot accept migration`, { offset: rec.offset });
      }
      this.lastName = rec.block;
      this.last = state;
    }
    const target = state!.target;
    const ps = this.pageSize;
    const a = rec.address;
    if (a + ps > target.length) {
      throw new FormatError("BAD_RAM_OFFSET", `Illegal RAM offset ${hex(a)} (block ${rec.block} is ${hex(target.length)} bytes)`, {
        offset: rec.offset,
      });
    }
    if (rec.type === "dedup" && rec.source + ps > target.length) {
      throw new FormatError("BAD_RAM_REFERENCE", `Bad page reference: ${hex(rec.source)} is past the end of block ${rec.block}`, {
        offset: rec.offset,
      });
    }
    const written = state!.written;
    if (written !== undefined) {
      const page = Math.floor(a / ps);
      const bit = 1 << (page & 7);
      if (rec.type === "dedup") {
        const src = Math.floor(rec.source / ps);
        // A reference to a page never written since the zeroed start is a zero page.
        if ((written[src >>> 3]! & (1 << (src & 7))) === 0) {
          if ((written[page >>> 3]! & bit) === 0) return;
          written[page >>> 3]! &= ~bit;
          this.writeZeroPage(target, a);
          return;
        }
        written[page >>> 3]! |= bit;
      } else if (rec.type === "zero" && rec.fill === 0) {
        // Never written since the zeroed start: already what QEMU would leave there.
        if ((written[page >>> 3]! & bit) === 0) return;
        written[page >>> 3]! &= ~bit;
      } else {
        written[page >>> 3]! |= bit;
      }
    }
    if ("memory" in target) {
      const mem = target.memory;
      switch (rec.type) {
        case "zero":
          mem.fill(rec.fill, a, a + ps);
          return;
        case "page":
          mem.set(rec.data, a);
          return;
        case "xbzrle":
          applyXbzrle(mem.subarray(a, a + ps), rec.data, rec.offset);
          return;
        case "compressed":
          inflatePageInto(rec.data, mem.subarray(a, a + ps), rec.offset);
          return;
        case "dedup":
          mem.copyWithin(a, rec.source, rec.source + ps);
          return;
      }
    }
    const page = this.scratch;
    switch (rec.type) {
      case "zero":
        page.fill(rec.fill);
        target.write(a, page);
        return;
      case "page":
        target.write(a, rec.data);
        return;
      case "xbzrle":
        target.read(a, page);
        applyXbzrle(page, rec.data, rec.offset);
        target.write(a, page);
        return;
      case "compressed":
        inflatePageInto(rec.data, page, rec.offset);
        target.write(a, page);
        return;
      case "dedup":
        target.read(rec.source, page);
        target.write(a, page);
        return;
    }
  }

  private writeZeroPage(target: RamBlockTarget, at: number): void {
    if ("memory" in target) target.memory.fill(0, at, at + this.pageSize);
    else target.write(at, this.scratch.fill(0));
  }
}

/**
 * Keeps every block in a Uint8Array (zero-filled at first, as fresh guest RAM is). Block lengths
 * come from the stream, so their total is capped by `maxBytes` (default 4 GiB).
 */
export class MemoryRamSink implements RamSink {
  readonly blocks = new Map<string, Uint8Array>();
  private total = 0;
  private readonly maxBytes: number;

  constructor(options: { maxBytes?: number } = {}) {
    this.maxBytes = options.maxBytes ?? 4 * 1024 ** 3;
  }

  block(idstr: string, length: number): RamBlockMemory {
    let memory = this.blocks.get(idstr);
    const fresh = memory === undefined;
    if (memory === undefined) {
      if (this.total + length > this.maxBytes) {
        throw new FormatError("LIMIT_EXCEEDED", `RAM block ${idstr} of ${hex(length)} bytes would take the total past ${hex(this.maxBytes)} (maxBytes)`);
      }
      this.total += length;
      memory = new Uint8Array(length);
      this.blocks.set(idstr, memory);
    } else if (memory.length !== length) {
      throw new FormatError(
        "RAM_BLOCK_SIZE_MISMATCH",
        `Size mismatch: ${idstr}: ${hex(length)} != ${hex(memory.length)}: Invalid argument`,
      );
    }
    return { length, memory, zeroed: fresh };
  }
}

/** Applies every RAM record of a record stream to `sink`; resolves when the stream ends. */
export async function applyRam(
  records: AsyncIterable<MigrationRecord> | Iterable<MigrationRecord>,
  sink: RamSink,
  options?: RamApplierOptions,
): Promise<RamApplier> {
  const applier = new RamApplier(sink, options);
  await forEachRecord(records, (rec) => applier.apply(rec));
  return applier;
}
