import type { PageMemory } from "./page-memory.js";
import type { StagingHelper, StagingLane } from "./staging-helper.js";
import { checkLaneSlots, laneInit, shareableStaging, SharedStagingLane } from "./staging-lane.js";
import { stagingWorkerMain, type LaneExit, type LaneInit } from "./staging-worker.js";

/** Queue slots per lane (a power of two): 4 MiB of pages in flight. */
export const DEFAULT_WEB_LANE_SLOTS = 1024;

/**
 * The helper's source for a Web Worker: the same `stagingWorkerMain` as Node's thread, given a
 * parent port made of the worker's global scope. A browser worker cannot receive a message while
 * it works, so lanes never pass pages by reference (see `SharedStagingLane`).
 */
const WORKER_SOURCE = `(${stagingWorkerMain.toString()})({
  parentPort: { on: (_event, listener) => { self.onmessage = (e) => listener(e.data); }, postMessage: (m) => self.postMessage(m) },
  receiveMessageOnPort: () => undefined,
});`;

export interface WebStagingOptions {
  /** Queue slots per lane, a power of two from 16 to 65536 (default 1024). */
  slots?: number;
}

/**
 * A `StagingHelper` on a Web Worker, for a machine that runs in a worker of a cross-origin
 * isolated page (the loader blocks with `Atomics.wait`, which a page's main thread may not).
 * The worker starts at the first load that can use it and is kept for the next; `close` ends it.
 * Where memory cannot be shared (no isolation, no SIMD), `begin` declines and the loader writes
 * every page itself.
 */
export class WebStagingHelper implements StagingHelper {
  readonly #slots: number;
  #worker: Worker | undefined;
  #url: string | undefined;
  #nextId = 1;
  readonly #lanes = new Map<number, SharedStagingLane>();

  constructor(options: WebStagingOptions = {}) {
    this.#slots = checkLaneSlots(options.slots ?? DEFAULT_WEB_LANE_SLOTS);
  }

  begin(memory: PageMemory): StagingLane | undefined {
    if (!shareableStaging(memory) || typeof Worker !== "function") return undefined;
    const worker = this.#ensureWorker();
    const id = this.#nextId++;
    const lane = new SharedStagingLane(this.#slots, memory, undefined, () => this.#lanes.delete(id));
    this.#lanes.set(id, lane);
    const { port2 } = new MessageChannel();
    const init: LaneInit = laneInit(id, lane, memory, port2);
    worker.postMessage(init, [port2]);
    return lane;
  }

  close(): void {
    const worker = this.#worker;
    this.#worker = undefined;
    if (!worker) return;
    this.#failAll("the staging helper was closed");
    worker.terminate();
    if (this.#url) URL.revokeObjectURL(this.#url);
    this.#url = undefined;
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    this.#url ??= URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
    const worker = new Worker(this.#url, { name: "savevm-staging" });
    worker.onmessage = (e: MessageEvent<LaneExit>) => this.#lanes.get(e.data.id)?.exited(e.data.error);
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.#lost(worker, `the staging helper failed: ${e.message}`);
    };
    this.#worker = worker;
    return worker;
  }

  #lost(worker: Worker, reason: string): void {
    if (this.#worker !== worker) return;
    this.#worker = undefined;
    this.#failAll(reason);
  }

  #failAll(reason: string): void {
    for (const lane of [...this.#lanes.values()]) lane.exited(reason);
  }
}

/** A staging helper on one Web Worker. */
export function webStagingHelper(options: WebStagingOptions = {}): StagingHelper {
  return new WebStagingHelper(options);
}
