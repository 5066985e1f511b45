import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import { GuestMemory } from "@savevm/ram-wasm";
import { MachineError } from "../errors.js";
import type { PageMemory } from "../ram/page-memory.js";
import { TARGET_PAGE_SIZE } from "../ram/ram-block.js";
import type { StagingHelper, StagingLane } from "../ram/staging-helper.js";
import {
  CONTROL,
  LANE_CANCELLED,
  LANE_CLOSED,
  LANE_OPEN,
  OP_COPY,
  KEPT_BUFFERS,
  OP_FILL,
  OP_WRITE,
  OP_WRITE_SHARED,
  SLOT_WORDS,
  stagingWorkerMain,
  type LaneExit,
  type LaneInit,
} from "./staging-worker.js";

/** Queue slots per lane (a power of two): 4 MiB of pages in flight. */
export const DEFAULT_LANE_SLOTS = 1024;
/** How long the loader waits for the helper before it calls the helper stuck. */
const STALL_MS = 30_000;
/** The loader blocks in slices this long, so it notices a helper that died meanwhile. */
const WAIT_SLICE_MS = 50;

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
  readonly #lanes = new Map<number, NodeStagingLane>();

  constructor(options: NodeStagingOptions = {}) {
    const slots = options.slots ?? DEFAULT_LANE_SLOTS;
    if (!Number.isInteger(slots) || slots < 16 || slots > 65536 || (slots & (slots - 1)) !== 0) {
      throw new MachineError("INVALID_CONFIG", `staging slots must be a power of two from 16 to 65536, not ${slots}`);
    }
    this.#slots = slots;
  }

  begin(memory: PageMemory): StagingLane | undefined {
    if (!(memory instanceof GuestMemory) || !memory.shared || memory.pageSize !== TARGET_PAGE_SIZE) return undefined;
    const worker = this.#ensureWorker();
    const id = this.#nextId++;
    const { port1, port2 } = new MessageChannel();
    const lane = new NodeStagingLane(
      this.#slots,
      port1,
      memory.chunks.map((c) => c.ctx.memory),
      () => {
        this.#lanes.delete(id);
        if (this.#lanes.size === 0) worker.unref();
      },
    );
    this.#lanes.set(id, lane);
    // A load in progress waits for the helper's answer; between loads the thread keeps nothing alive.
    worker.ref();
    const init: LaneInit = {
      id,
      control: lane.control,
      ops: lane.ops,
      data: lane.data,
      chunks: memory.chunks.map((c) => ({
        memory: c.ctx.memory,
        start: c.start,
        ramPtr: c.ramPtr,
      })),
      chunkBytes: memory.chunkBytes,
      pageSize: TARGET_PAGE_SIZE,
      buffers: port2,
      layout: CONTROL,
      codes: {
        open: LANE_OPEN,
        cancelled: LANE_CANCELLED,
        write: OP_WRITE,
        fill: OP_FILL,
        copy: OP_COPY,
        writeShared: OP_WRITE_SHARED,
        slotWords: SLOT_WORDS,
        keptBuffers: KEPT_BUFFERS,
      },
    };
    worker.postMessage(init, [port2]);
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

/**
 * The loader's side of one lane: a ring of operations in shared memory. Pages that already sit
 * in a shared input buffer (the Node file input reads into them) go by reference; others are
 * copied into the ring.
 */
class NodeStagingLane implements StagingLane {
  readonly control = new Int32Array(new SharedArrayBuffer(CONTROL.WORDS * 4));
  readonly ops: Float64Array;
  readonly data: Uint8Array;
  readonly capacity: number;
  readonly #port: MessagePort;
  /** The staging memory: pages read from it may still change, so they are copied. */
  readonly #staging: WebAssembly.Memory[];
  readonly #inputIds = new WeakMap<SharedArrayBuffer, number>();
  #nextInput = 1;
  #head = 0;
  #error: string | undefined;
  #gone = false;
  readonly #exit: Promise<void>;
  #resolveExit!: () => void;
  readonly #release: () => void;

  constructor(slots: number, port: MessagePort, staging: WebAssembly.Memory[], release: () => void) {
    this.capacity = slots;
    this.#port = port;
    this.#staging = staging;
    this.ops = new Float64Array(new SharedArrayBuffer(slots * SLOT_WORDS * 8));
    this.data = new Uint8Array(new SharedArrayBuffer(slots * TARGET_PAGE_SIZE));
    this.#release = release;
    this.#exit = new Promise((resolve) => {
      this.#resolveExit = resolve;
    });
  }

  get ready(): boolean {
    return !this.#gone && Atomics.load(this.control, CONTROL.READY) === 1;
  }

  get backlog(): number {
    return (this.#head - Atomics.load(this.control, CONTROL.TAIL)) | 0;
  }

  write(address: number, data: Uint8Array): void {
    const buffer = data.buffer;
    // A memory's buffer object changes when it grows, so compare with the current one.
    if (buffer instanceof SharedArrayBuffer && !this.#staging.some((m) => (m.buffer as ArrayBufferLike) === buffer)) {
      this.#publish(this.#reserve(), OP_WRITE_SHARED, address, this.#inputId(buffer), data.byteOffset);
      return;
    }
    const slot = this.#reserve();
    this.data.set(data, slot * TARGET_PAGE_SIZE);
    this.#publish(slot, OP_WRITE, address, 0);
  }

  /** The id the helper knows `buffer` by; announced on first use. */
  #inputId(buffer: SharedArrayBuffer): number {
    let id = this.#inputIds.get(buffer);
    if (id === undefined) {
      id = this.#nextInput++;
      this.#inputIds.set(buffer, id);
      this.#port.postMessage({ id, buffer });
    }
    return id;
  }

  fill(address: number, value: number): void {
    this.#publish(this.#reserve(), OP_FILL, address, value);
  }

  copy(from: number, to: number): void {
    this.#publish(this.#reserve(), OP_COPY, from, to);
  }

  flush(): void {
    this.#waitFor(() => this.backlog === 0);
  }

  async finish(): Promise<void> {
    this.#signal(LANE_CLOSED);
    await this.#exit;
    // A helper that failed or went away after doing every queued operation lost nothing.
    if (this.backlog !== 0) {
      this.#error ??= `${this.backlog} page writes were left undone`;
      throw this.#failure();
    }
  }

  cancel(): void {
    this.#signal(LANE_CANCELLED);
  }

  /** The helper left this lane; `error` when it failed or was lost. */
  exited(error: string | undefined): void {
    if (this.#gone) return;
    this.#gone = true;
    this.#port.close();
    this.#error = error;
    this.#release();
    this.#resolveExit();
  }

  #failure(): MachineError {
    return new MachineError("LOAD_FAILED", `RAM staging failed: ${this.#error ?? "unknown error"}`, { section: "ram" });
  }

  #reserve(): number {
    if (this.backlog >= this.capacity) this.#waitFor(() => this.backlog < this.capacity);
    return this.#head & (this.capacity - 1);
  }

  #publish(slot: number, op: number, a: number, b: number, c = 0): void {
    const o = slot * SLOT_WORDS;
    this.ops[o] = op;
    this.ops[o + 1] = a;
    this.ops[o + 2] = b;
    this.ops[o + 3] = c;
    this.#head = (this.#head + 1) | 0;
    Atomics.store(this.control, CONTROL.HEAD, this.#head);
    this.#wake();
  }

  #signal(state: number): void {
    Atomics.store(this.control, CONTROL.STATE, state);
    this.#wake();
  }

  #wake(): void {
    Atomics.add(this.control, CONTROL.SIGNAL, 1);
    if (Atomics.load(this.control, CONTROL.HELPER_SLEEPING) === 1) Atomics.notify(this.control, CONTROL.SIGNAL);
  }

  /**
   * Blocks this thread until `done` holds. The helper is always working when this is called
   * (it has queued work), so the wait is short; a helper that dies or stalls ends it with an error.
   */
  #waitFor(done: () => boolean): void {
    const c = this.control;
    const deadline = performance.now() + STALL_MS;
    while (!done()) {
      if (this.#gone || Atomics.load(c, CONTROL.EXITED) === 1) {
        this.#error ??= "the staging helper stopped before it finished its queue";
        throw this.#failure();
      }
      if (performance.now() > deadline) {
        this.#error = `the staging helper made no progress for ${STALL_MS / 1000} s`;
        throw this.#failure();
      }
      const tail = Atomics.load(c, CONTROL.TAIL);
      Atomics.store(c, CONTROL.LOADER_WAITING, 1);
      if (!done()) Atomics.wait(c, CONTROL.TAIL, tail, WAIT_SLICE_MS);
      Atomics.store(c, CONTROL.LOADER_WAITING, 0);
    }
  }
}

/** A staging helper on one worker thread. */
export function nodeStagingHelper(options: NodeStagingOptions = {}): StagingHelper {
  return new NodeStagingHelper(options);
}
