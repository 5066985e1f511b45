import type { PageMemory } from "../ram/page-memory.js";
import { TARGET_PAGE_SIZE } from "../ram/ram-block.js";
import type { StagingLane } from "../ram/staging-helper.js";

/** Where a load writes one block's pages before the machine switches to them. */
export interface Staged {
  memory: PageMemory;
  write(address: number, data: Uint8Array): void;
  fill(address: number, value: number): void;
  /** Copies the page at `from` to `to`. */
  copy(from: number, to: number): void;
  /** 1 for pages this load wrote non-zero content to. */
  written: Uint8Array;
  /** Resolves once every write has landed (a helper thread may still be writing). */
  settle(): Promise<void>;
  /** Stops any helper; the memory is dropped. */
  cancel(): void;
}

/**
 * Writes into staging memory on this thread. When one view covers the whole block (the default
 * backend keeps up to 2 GiB in one wasm memory) pages are copied straight into it: nothing
 * allocates in the staging memory during a load, so the view stays valid.
 */
export function stagedMemory(memory: PageMemory, pages: number, lane?: StagingLane): Staged {
  const written = new Uint8Array(pages);
  const view = memory.span(0, memory.size);
  const local: Staged =
    view.length === memory.size
      ? {
          memory,
          written,
          write: (address, data) => view.set(data, address),
          fill: (address, value) => view.fill(value, address, address + TARGET_PAGE_SIZE),
          copy: (from, to) => view.copyWithin(to, from, from + TARGET_PAGE_SIZE),
          settle: () => Promise.resolve(),
          cancel: () => undefined,
        }
      : {
          memory,
          written,
          write: (address, data) => memory.write(address, data),
          fill: (address, value) => memory.fill(address, TARGET_PAGE_SIZE, value),
          copy: (from, to) => memory.write(to, memory.page(from / TARGET_PAGE_SIZE).slice()),
          settle: () => Promise.resolve(),
          cancel: () => undefined,
        };
  return lane ? shareWithLane(local, lane) : local;
}

/** Pages per region: each region is written by one thread only, which keeps every page's writes in order. */
const REGION_PAGES = 512;
const REGION_SHIFT = Math.log2(REGION_PAGES * TARGET_PAGE_SIZE);
const UNASSIGNED = 0;
const HERE = 1;
const HELPER = 2;

/**
 * Splits the work between this thread and a helper's lane by region, at the region's first
 * write: to the helper while its queue is less than half full, else here. The loader thread also
 * parses the stream, so this keeps both threads busy without either waiting on the other.
 */
function shareWithLane(local: Staged, lane: StagingLane): Staged {
  const owner = new Uint8Array(Math.ceil(local.written.length / REGION_PAGES));
  const regionOf = (address: number): number => Math.floor(address / 2 ** REGION_SHIFT);
  const claim = (address: number): number => {
    const r = regionOf(address);
    let who = owner[r]!;
    if (who === UNASSIGNED) {
      who = lane.ready && lane.backlog < lane.capacity / 2 ? HELPER : HERE;
      owner[r] = who;
    }
    return who;
  };
  let ended = false;
  return {
    memory: local.memory,
    written: local.written,
    write(address, data) {
      if (claim(address) === HELPER) lane.write(address, data);
      else local.write(address, data);
    },
    fill(address, value) {
      if (claim(address) === HELPER) lane.fill(address, value);
      else local.fill(address, value);
    },
    copy(from, to) {
      const source = owner[regionOf(from)]!;
      if (claim(to) === HELPER) {
        // The source page is current here unless the helper owns it.
        if (source === HELPER) lane.copy(from, to);
        else lane.write(to, local.memory.page(from / TARGET_PAGE_SIZE));
        return;
      }
      if (source === HELPER) lane.flush();
      local.copy(from, to);
    },
    settle() {
      if (ended) return Promise.resolve();
      ended = true;
      return lane.finish();
    },
    cancel() {
      if (ended) return;
      ended = true;
      lane.cancel();
    },
  };
}
