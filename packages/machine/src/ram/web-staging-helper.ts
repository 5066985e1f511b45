import type { StagingHelper } from "./staging-helper.js";
import { LaneHelper } from "./staging-lane.js";
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
 * Where memory cannot be shared (no isolation, no SIMD) or there are no workers, `begin`
 * declines and the loader writes every page itself.
 */
export class WebStagingHelper extends LaneHelper<Worker> {
  #url: string | undefined;

  constructor(options: WebStagingOptions = {}) {
    super(options.slots ?? DEFAULT_WEB_LANE_SLOTS);
  }

  protected override available(): boolean {
    return typeof Worker === "function";
  }

  protected spawn(): Worker {
    this.#url ??= URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
    const worker = new Worker(this.#url, { name: "savevm-staging" });
    worker.onmessage = (e: MessageEvent<LaneExit>) => this.exited(e.data);
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.lost(worker, `the staging helper failed: ${e.message}`);
    };
    return worker;
  }

  protected terminate(worker: Worker): void {
    worker.terminate();
    if (this.#url) URL.revokeObjectURL(this.#url);
    this.#url = undefined;
  }

  protected ports(): { ours: undefined; theirs: MessagePort } {
    return { ours: undefined, theirs: new MessageChannel().port2 };
  }

  protected post(worker: Worker, init: LaneInit, port: MessagePort): void {
    worker.postMessage(init, [port]);
  }
}

/** A staging helper on one Web Worker. */
export function webStagingHelper(options: WebStagingOptions = {}): StagingHelper {
  return new WebStagingHelper(options);
}
