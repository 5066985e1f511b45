import type { PageMemory } from "./page-memory.js";

/**
 * Another thread that writes pages into a load's staging memory while the loader parses the
 * stream. Fresh memory costs a page fault on first write, and on a restore those faults are
 * most of the time; a second thread takes half of them. Optional: without one, the loader writes
 * every page itself.
 */
export interface StagingHelper {
  /**
   * A lane into `memory` for one load, or undefined when this memory cannot be shared with the
   * helper (then the loader writes alone).
   */
  begin(memory: PageMemory): StagingLane | undefined;
  /** Stops the helper's threads; a later `begin` starts them again. */
  close(): void;
}

/**
 * An ordered queue of page operations that the helper carries out in order. Operations on one
 * page must all go through the same lane (or wait for `flush`) to keep their order.
 */
export interface StagingLane {
  /** Whether the helper has started on this lane; until then, queued work only waits. */
  readonly ready: boolean;
  /** Operations queued and not yet carried out. */
  readonly backlog: number;
  /** Most operations the queue holds; a full queue makes the next call wait. */
  readonly capacity: number;
  /**
   * Queues writing `data` (one page) to guest address `address`. Ordinary memory may be reused at
   * once; a page in a `SharedArrayBuffer` other than the staging memory may be read later, by the
   * helper, and must not change until the lane ends (input chunks are never reused).
   */
  write(address: number, data: Uint8Array): void;
  /** Queues filling the page at `address` with `value`. */
  fill(address: number, value: number): void;
  /** Queues copying the page at `from` to `to`. */
  copy(from: number, to: number): void;
  /** Waits until every queued operation is done. */
  flush(): void;
  /** Resolves when every queued operation is done, or rejects with the helper's error; the lane ends. */
  finish(): Promise<void>;
  /** Drops what is queued; the lane ends. */
  cancel(): void;
}
