import { MachineError } from "../errors.js";
import type { PageMemory } from "../ram/page-memory.js";
import type { PageSource } from "../ram/page-source.js";
import type { StagingHelper } from "../ram/staging-helper.js";
import { TARGET_PAGE_SIZE, type RamBlock, type RamSet } from "../ram/ram-block.js";
import type { LoadTransaction, SaveContext, SaveHandler } from "./handler.js";
import type { IncomingSection, RamRecord } from "./incoming-section.js";
import { MAX_RUN_PAGES, RamRunWriter } from "./ram-run-writer.js";
import { RamStats } from "./ram-stats.js";
import { SaveMode } from "./save-mode.js";
import { stagedMemory, type Staged } from "./staged-memory.js";
import type { MultifdPageTarget, MultifdReceiver } from "./multifd/multifd-receiver.js";

/** Most pages one iteration looks at (16 MiB of guest RAM). */
const MAX_ITERATION_PAGES = 4096;

export interface RamHandlerOptions {
  ram: RamSet;
  /** Makes the page source for one save; dirty-bitmap pre-copy by default. */
  pageSource: (ctx: SaveContext) => PageSource;
  /** Called after each dirty-bitmap sync with QEMU's pass number (dirty-sync-count). */
  onSync?: (pass: number) => void;
  /** Whether uniform pages go out as ZERO records with their fill byte (default true). */
  uniformAsZero?: () => boolean;
  now?: () => number;
  /** A thread that shares the page writes of a load. */
  staging?: StagingHelper;
}

/** Whether a save's configuration record lists `capability`. */
function recorded(ctx: SaveContext, capability: string): boolean {
  return ctx.configuration?.capabilities?.includes(capability) ?? false;
}

/**
 * QEMU's live `ram` entry (version 4): START lists the blocks, each PART sends pages the page
 * source picks, END sends what is left once the machine is stopped. Pages go out through a
 * `RamRunWriter` (ZERO, PAGE, dedup references). The page source is pluggable; this handler only
 * writes what it is given.
 */
export class RamSaveHandler implements SaveHandler {
  readonly idstr = "ram";
  readonly instanceId = 0;
  readonly versionId = 4;
  readonly minimumVersionId = 4;
  readonly modes = SaveMode.MIGRATE | SaveMode.SNAPSHOT | SaveMode.REBOOT;
  readonly isRam = true;
  readonly #options: RamHandlerOptions;
  #source: PageSource | undefined;
  #writer: RamRunWriter | undefined;
  #stats = new RamStats();
  #multifd: MultifdReceiver | undefined;

  constructor(options: RamHandlerOptions) {
    this.#options = options;
  }

  /** Counters of the current (or last) save. */
  get stats(): RamStats {
    return this.#stats;
  }

  get remainingBytes(): number {
    return (this.#source?.remaining() ?? 0) * TARGET_PAGE_SIZE;
  }

  setup(ctx: SaveContext): void {
    const ram = this.#options.ram;
    this.#stats = new RamStats();
    const dedup = recorded(ctx, "x-dedup");
    const start = ctx.sink.position;
    this.writeBlockList(ctx);
    // The scanner remembers pages of earlier saves; a new stream knows none of them.
    if (dedup) for (const b of ram.blocks) b.scanner?.reset();
    this.#writer = new RamRunWriter(ram, this.#stats, { uniformAsZero: this.#options.uniformAsZero?.() ?? true, dedup });
    const source = this.#options.pageSource(ctx);
    this.#source = source;
    source.start();
    this.#noteSync(0);
    ctx.sink.ram.eos();
    this.#count(ctx, start, false);
  }

  /** The START section's block list (a size estimate measures it too). */
  writeBlockList(ctx: SaveContext): void {
    // x-ignore-shared: the block list carries each block's address.
    const withAddr = recorded(ctx, "x-ignore-shared");
    const blocks = this.#options.ram.blocks;
    ctx.sink.ram.memSize(blocks.map((b) => (withAddr ? { name: b.name, size: b.size, addr: b.addr } : { name: b.name, size: b.size })));
  }

  iterate(ctx: SaveContext, budget: number): boolean {
    const { source, writer } = this.#active();
    const start = ctx.sink.position;
    let done = false;
    // Zero pages cost 9 bytes each, so the byte budget alone could let one iteration walk
    // all of RAM; the page cap keeps each one short (the guest and the monitor wait meanwhile).
    let pages = 0;
    while (ctx.sink.position - start < budget && pages < MAX_ITERATION_PAGES) {
      const pagesLeft = Math.ceil((budget - (ctx.sink.position - start)) / TARGET_PAGE_SIZE);
      const run = source.nextRun(Math.max(1, Math.min(MAX_RUN_PAGES, pagesLeft)));
      if (!run) {
        done = true;
        break;
      }
      writer.write(ctx.sink.ram, run);
      pages += run.count;
    }
    ctx.sink.ram.eos();
    this.#count(ctx, start, false);
    return done;
  }

  pending(_ctx: SaveContext, exact: boolean): number {
    const source = this.#source;
    if (!source) return 0;
    if (exact) this.#noteSync(source.sync());
    return source.remaining() * TARGET_PAGE_SIZE;
  }

  complete(ctx: SaveContext): void {
    const { source, writer } = this.#active();
    const start = ctx.sink.position;
    this.#noteSync(source.sync());
    for (let run = source.nextRun(MAX_RUN_PAGES); run; run = source.nextRun(MAX_RUN_PAGES)) writer.write(ctx.sink.ram, run);
    ctx.sink.ram.eos();
    this.#count(ctx, start, true);
  }

  cleanup(): void {
    this.#source?.stop();
    this.#source = undefined;
    this.#writer = undefined;
  }

  beginLoad(): LoadTransaction {
    return new RamLoad(this.#options.ram, this.#options.staging, this.#multifd);
  }

  /** The multifd channels the next load takes pages from besides its main stream (none: undefined). */
  useMultifd(receiver: MultifdReceiver | undefined): void {
    this.#multifd = receiver;
  }

  #active(): { source: PageSource; writer: RamRunWriter } {
    if (!this.#source || !this.#writer) throw new MachineError("INVALID_STATE", "RAM save used before its setup");
    return { source: this.#source, writer: this.#writer };
  }

  #noteSync(dirtied: number): void {
    const source = this.#source;
    if (!source) return;
    if (source.syncCount === 0) return;
    this.#stats.noteSync(source.syncCount, dirtied, (this.#options.now ?? Date.now)());
    this.#options.onSync?.(source.syncCount);
  }

  #count(ctx: SaveContext, start: number, downtime: boolean): void {
    const bytes = ctx.sink.position - start;
    this.#stats.transferred += bytes;
    if (downtime) this.#stats.downtimeBytes += bytes;
    else this.#stats.precopyBytes += bytes;
  }
}

/** Loads RAM records into fresh staging memory; the blocks switch to it on commit. */
class RamLoad implements LoadTransaction, MultifdPageTarget {
  readonly #ram: RamSet;
  readonly #helper: StagingHelper | undefined;
  readonly #multifd: MultifdReceiver | undefined;
  readonly #staging = new Map<RamBlock, Staged>();
  /** Blocks the stream leaves in place (x-ignore-shared and kept in a memory file here). */
  readonly #inPlace = new Set<string>();
  #last: { name: string; staged: Staged } | undefined;

  constructor(ram: RamSet, helper: StagingHelper | undefined, multifd: MultifdReceiver | undefined) {
    this.#ram = ram;
    this.#helper = helper;
    this.#multifd = multifd;
    multifd?.attach(this);
  }

  async apply(section: IncomingSection): Promise<void> {
    if (section.body.kind !== "ram") {
      throw new MachineError("LOAD_FAILED", "RAM section without RAM records", { offset: section.offset, section: "ram" });
    }
    await section.body.forEach((record) => this.#record(record));
    // Every RAM section ends with EOS, where QEMU waits for each multifd channel's sync packet.
    await this.#multifd?.sync();
  }

  writePages(name: string, offsets: readonly number[], data: Uint8Array, where: { section: string; offset: number }): void {
    const block = this.#ram.find(name);
    if (!block) throw new MachineError("UNKNOWN_RAMBLOCK", `multifd: unknown ram block ${name}`, where);
    for (let i = 0; i < offsets.length; i++) {
      const addr = offsets[i]!;
      if (addr > block.size - TARGET_PAGE_SIZE) {
        throw new MachineError("LOAD_FAILED", `multifd: offset too long ${addr} (max ${block.size.toString(16)})`, where);
      }
      const staged = this.#target(name, addr, where.offset);
      staged.write(addr, data.subarray(i * TARGET_PAGE_SIZE, (i + 1) * TARGET_PAGE_SIZE));
      staged.written[addr / TARGET_PAGE_SIZE] = 1;
    }
  }

  #record(record: RamRecord): void {
    switch (record.type) {
      case "mem-size":
        for (const info of record.blocks) {
          const block = this.#ram.find(info.idstr);
          if (!block) {
            throw new MachineError("UNKNOWN_RAMBLOCK", `Unknown ramblock "${info.idstr}", cannot accept migration`, {
              offset: record.offset,
              section: "ram",
            });
          }
          if (info.length !== block.size) {
            throw new MachineError(
              "RAMBLOCK_SIZE_MISMATCH",
              `Size mismatch: ${info.idstr}: 0x${info.length.toString(16)} != 0x${block.size.toString(16)}: Invalid argument`,
              { offset: record.offset, section: "ram" },
            );
          }
          // With x-ignore-shared (the entry has an address), a block shared here stays as it is.
          if (info.addr !== undefined && block.shared) {
            if (info.addr !== block.addr) {
              throw new MachineError("LOAD_FAILED", `Mismatched GPAs for block ${info.idstr} ${info.addr} != ${block.addr}`, {
                offset: record.offset,
                section: "ram",
              });
            }
            this.#inPlace.add(block.name);
            continue;
          }
          this.#stage(block);
        }
        return;
      case "zero": {
        // QEMU 7.2 fills with the record's byte, which is not always zero. Staging starts
        // zeroed, so a zero page needs writing only over an earlier page of this load.
        const staged = this.#target(record.block, record.address, record.offset);
        const page = record.address / TARGET_PAGE_SIZE;
        if (record.fill !== 0 || staged.written[page] === 1) {
          staged.fill(record.address, record.fill);
          staged.written[page] = record.fill !== 0 ? 1 : 0;
        }
        return;
      }
      case "page": {
        const staged = this.#target(record.block, record.address, record.offset);
        if (record.data.length !== TARGET_PAGE_SIZE) {
          throw new MachineError("LOAD_FAILED", `RAM page of ${record.data.length} bytes`, { offset: record.offset, section: "ram" });
        }
        staged.write(record.address, record.data);
        staged.written[record.address / TARGET_PAGE_SIZE] = 1;
        return;
      }
      case "dedup": {
        const staged = this.#target(record.block, record.address, record.offset);
        const { source, address } = record;
        if (source % TARGET_PAGE_SIZE !== 0 || source + TARGET_PAGE_SIZE > staged.memory.size || source === address) {
          throw new MachineError("LOAD_FAILED", `Bad page reference from 0x${address.toString(16)} to 0x${source.toString(16)}`, {
            offset: record.offset,
            section: "ram",
          });
        }
        staged.copy(source, address);
        staged.written[address / TARGET_PAGE_SIZE] = staged.written[source / TARGET_PAGE_SIZE]!;
        return;
      }
      case "eos":
        return;
    }
  }

  #stage(block: RamBlock): Staged {
    let staged = this.#staging.get(block);
    if (!staged) {
      const memory = this.#ram.takeStaging(block);
      staged = stagedMemory(memory, block.pageCount, this.#helper?.begin(memory));
      this.#staging.set(block, staged);
    }
    return staged;
  }

  #target(name: string, addr: number, offset: number): Staged {
    const last = this.#last;
    if (last && last.name === name && addr >= 0 && addr % TARGET_PAGE_SIZE === 0 && addr + TARGET_PAGE_SIZE <= last.staged.memory.size) {
      return last.staged;
    }
    const block = this.#ram.find(name);
    if (!block) {
      throw new MachineError("UNKNOWN_RAMBLOCK", `Can't find block ${name}`, { offset, section: "ram" });
    }
    if (this.#inPlace.has(name)) {
      throw new MachineError("LOAD_FAILED", `RAM block ${name} is kept in its memory file (x-ignore-shared), but the stream carries pages of it`, {
        offset,
        section: "ram",
      });
    }
    if (addr % TARGET_PAGE_SIZE !== 0 || addr + TARGET_PAGE_SIZE > block.size) {
      throw new MachineError("LOAD_FAILED", `Illegal RAM offset ${addr.toString(16)}`, { offset, section: "ram" });
    }
    const staged = this.#stage(block);
    this.#last = { name, staged };
    return staged;
  }

  async settle(): Promise<void> {
    for (const staged of this.#staging.values()) await staged.settle();
  }

  commit(): void {
    for (const [block, staged] of this.#staging) block.replaceMemory(staged.memory, staged.written);
    this.#staging.clear();
  }

  abort(): void {
    for (const staged of this.#staging.values()) staged.cancel();
    this.#staging.clear();
    this.#last = undefined;
  }
}
