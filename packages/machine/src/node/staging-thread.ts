import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import type { StagingHelper } from "../ram/staging-helper.js";
import { LaneHelper, type BufferPort } from "../ram/staging-lane.js";
import { stagingWorkerMain, type LaneExit, type LaneInit } from "../ram/staging-worker.js";

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
 * Pages already in the file input's shared chunks go to it by reference, announced on the lane's port.
 */
export class NodeStagingHelper extends LaneHelper<Worker> {
  constructor(options: NodeStagingOptions = {}) {
    super(options.slots ?? DEFAULT_LANE_SLOTS);
  }

  protected spawn(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true, name: "savevm-staging" });
    worker.on("message", (exit: LaneExit) => this.exited(exit));
    worker.on("error", (err) => this.lost(worker, `the staging helper failed: ${err.message}`));
    worker.on("exit", (code) => this.lost(worker, `the staging helper exited with code ${code}`));
    worker.unref();
    return worker;
  }

  protected terminate(worker: Worker): void {
    void worker.terminate();
  }

  protected ports(): { ours: BufferPort; theirs: MessagePort } {
    const { port1, port2 } = new MessageChannel();
    return { ours: port1, theirs: port2 };
  }

  protected post(worker: Worker, init: LaneInit, port: MessagePort): void {
    worker.postMessage(init, [port]);
  }

  /** A load in progress waits for the helper's answer; between loads the thread keeps nothing alive. */
  protected override lanesChanged(worker: Worker, open: number): void {
    if (open > 0) worker.ref();
    else worker.unref();
  }
}

/** A staging helper on one worker thread. */
export function nodeStagingHelper(options: NodeStagingOptions = {}): StagingHelper {
  return new NodeStagingHelper(options);
}
