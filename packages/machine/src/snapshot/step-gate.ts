import type { DeterministicGuest } from "../guest/guest.js";
import type { RamBlock } from "../ram/ram-block.js";
import type { SnapshotPageSource } from "./snapshot-page-source.js";

/**
 * Whether the guest's next step can run now: every page it will write that the snapshot still
 * has to save needs a free queue slot. A step that does not fit waits before its first write,
 * as a vCPU blocked on a write-protected page does in QEMU.
 */
export function stepFits(source: SnapshotPageSource, guest: DeterministicGuest, block: RamBlock): boolean {
  const free = source.queue.free;
  if (!source.armed || free >= guest.state.workload.pagesPerStep) return true;
  const seen = new Set<number>();
  let needed = 0;
  for (const page of guest.plannedPages(block.pageCount)) {
    if (seen.has(page)) continue;
    seen.add(page);
    if (source.wouldCopy(block, page)) needed++;
  }
  return needed <= free;
}
