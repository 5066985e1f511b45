import { MessageChannel, Worker } from "node:worker_threads";
import type { PageMemory } from "../ram/page-memory.js";
import type { StagingHelper, StagingLane } from "../ram/staging-helper.js";
import { checkLaneSlots, laneInit, shareableStaging, SharedStagingLane } from "../ram/staging-lane.js";
import { stagingWorkerMain, type LaneExit } from "../ram/staging-worker.js";

/** Queue slots per lane (a power of two): 4 MiB of pages in flight. */
export const DEFAULT_LANE_SLOTS = 1024;
const WORKER_SOURCE = `(${stagingWorkerMain.toString()})(require("node:worker_threads"));`;

export interface NodeStagingOptions {
  /** Queue slots per lane, a power of two from 16 to 65536 (default 1024). */
  slots?: number;
}

/**
 * A worker thread that writes pages of incoming loads into shared staging memory while the
 * loader thread parses. Started at the first load and kept for the next; `close` ends it (the
 * machine's `destroy` does). The thread keeps the process alive only while a load uses it.
 */
export class NodeStagingHelper implements StagingHelper {
  readonly #slots: number;
  #worker: Worker | undefined;
  #nextId = 1;
  readonly #lanes = new Map<number, SharedStagingLane>();

  constructor(options: NodeStagingOptions = {}) {
    this.#slots = checkLaneSlots(options.slots ?? DEFAULT_LANE_SLOTS);
  }

  begin(memory: PageMemory): StagingLane | undefined {
    if (!shareableStaging(memory)) return undefined;
    const worker = this.#ensureWorker();
    const id = this.#nextId++;
    const { port1, port2 } = new MessageChannel();
    const lane = new SharedStagingLane(this.#slots, memory, port1, () => {
      this.#lanes.delete(id);
      if (this.#lanes.size === 0) worker.unref();
    });
    this.#lanes.set(id, lane);
    // A load in progress waits for the helper's answer; between loads the thread keeps nothing alive.
    worker.ref();
    worker.postMessage(laneInit(id, lane, memory, port2), [port2]);
    return lane;
  }

  close(): void {
    const worker = this.#worker;
    this.#worker = undefined;
    if (!worker) return;
    this.#failAll("the staging helper was closed");
    void worker.terminate();
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      name: "savevm-staging",
    });
    worker.on("message", (exit: LaneExit) => this.#lanes.get(exit.id)?.exited(exit.error));
    worker.on("error", (err) => this.#lost(worker, `the staging helper failed: ${err.message}`));
    worker.on("exit", (code) => this.#lost(worker, `the staging helper exited with code ${code}`));
    worker.unref();
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

/** A staging helper on one worker thread. */
export function nodeStagingHelper(options: NodeStagingOptions = {}): StagingHelper {
  return new NodeStagingHelper(options);
}
