import { GuestMemory } from "@savevm/ram-wasm";
import { MachineError } from "../errors.js";
import type { PageMemory } from "./page-memory.js";
import { TARGET_PAGE_SIZE } from "./ram-block.js";
import type { StagingHelper, StagingLane } from "./staging-helper.js";
import {
  CONTROL,
  KEPT_BUFFERS,
  LANE_CANCELLED,
  LANE_CLOSED,
  LANE_OPEN,
  OP_COPY,
  OP_FILL,
  OP_WRITE,
  OP_WRITE_SHARED,
  SLOT_WORDS,
  type LaneExit,
  type LaneInit,
  type MessagePortLike,
} from "./staging-worker.js";

/** How long the loader waits for the helper before it calls the helper stuck. */
const STALL_MS = 30_000;
/** The loader blocks in slices this long, so it notices a helper that died meanwhile. */
const WAIT_SLICE_MS = 50;

/** Where the loader announces shared input buffers to the helper (a Node or DOM MessagePort). */
export interface BufferPort extends MessagePortLike {
  postMessage(message: unknown): void;
}

/** Whether a helper can write into `memory`: shared guest memory of the target page size. */
export function shareableStaging(memory: PageMemory): memory is GuestMemory {
  return memory instanceof GuestMemory && memory.shared && memory.pageSize === TARGET_PAGE_SIZE;
}

/** The message that hands `lane` over `memory` to a helper thread (post it with `buffers` transferred). */
export function laneInit(id: number, lane: SharedStagingLane, memory: GuestMemory, buffers: MessagePortLike): LaneInit {
  return {
    id,
    control: lane.control,
    ops: lane.ops,
    data: lane.data,
    chunks: memory.chunks.map((c) => ({ memory: c.ctx.memory, start: c.start, ramPtr: c.ramPtr })),
    chunkBytes: memory.chunkBytes,
    pageSize: TARGET_PAGE_SIZE,
    buffers,
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
}

/**
 * The loader's side of one lane: a ring of operations in shared memory that a helper thread
 * (`stagingWorkerMain`) carries out. With a `port`, pages that already sit in a shared input
 * buffer go by reference (the helper receives the buffer on that port); without one (a browser
 * helper cannot receive while it works), every page is copied into the ring.
 */
export class SharedStagingLane implements StagingLane {
  readonly control = new Int32Array(new SharedArrayBuffer(CONTROL.WORDS * 4));
  readonly ops: Float64Array;
  readonly data: Uint8Array;
  readonly capacity: number;
  readonly #port: BufferPort | undefined;
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

  constructor(slots: number, memory: GuestMemory, port: BufferPort | undefined, release: () => void) {
    this.capacity = slots;
    this.#port = port;
    this.#staging = memory.chunks.map((c) => c.ctx.memory);
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
    if (this.#port && buffer instanceof SharedArrayBuffer && !this.#staging.some((m) => (m.buffer as ArrayBufferLike) === buffer)) {
      this.#publish(this.#reserve(), OP_WRITE_SHARED, address, this.#inputId(this.#port, buffer), data.byteOffset);
      return;
    }
    const slot = this.#reserve();
    this.data.set(data, slot * TARGET_PAGE_SIZE);
    this.#publish(slot, OP_WRITE, address, 0);
  }

  /** The id the helper knows `buffer` by; announced on first use. */
  #inputId(port: BufferPort, buffer: SharedArrayBuffer): number {
    let id = this.#inputIds.get(buffer);
    if (id === undefined) {
      id = this.#nextInput++;
      this.#inputIds.set(buffer, id);
      port.postMessage({ id, buffer });
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
    this.#port?.close();
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

/** Checks a lane's slot count: a power of two from 16 to 65536. */
export function checkLaneSlots(slots: number): number {
  if (!Number.isInteger(slots) || slots < 16 || slots > 65536 || (slots & (slots - 1)) !== 0) {
    throw new MachineError("INVALID_CONFIG", `staging slots must be a power of two from 16 to 65536, not ${slots}`);
  }
  return slots;
}

/**
 * A `StagingHelper` on one helper thread running `stagingWorkerMain`, whatever kind of thread
 * that is (a Node worker thread, a Web Worker): lanes by id, the thread started at the first
 * load and kept for the next, every lane failed when the thread is lost or closed.
 */
export abstract class LaneHelper<W> implements StagingHelper {
  readonly #slots: number;
  #worker: W | undefined;
  #nextId = 1;
  readonly #lanes = new Map<number, SharedStagingLane>();

  constructor(slots: number) {
    this.#slots = checkLaneSlots(slots);
  }

  /** Starts the thread; its messages go to `exited`, its failure to `lost`. */
  protected abstract spawn(): W;
  protected abstract terminate(worker: W): void;
  /** A new lane's ports: where this side announces shared input buffers (none: never by reference), and the helper's end. */
  protected abstract ports(): { ours: BufferPort | undefined; theirs: MessagePortLike };
  /** Sends the helper a lane, its port transferred. */
  protected abstract post(worker: W, init: LaneInit, port: MessagePortLike): void;
  /** Whether this host can start the thread at all. */
  protected available(): boolean {
    return true;
  }
  /** Told whenever the number of open lanes changes (a Node thread keeps the process alive only while it has some). */
  protected lanesChanged(_worker: W, _open: number): void {}

  begin(memory: PageMemory): StagingLane | undefined {
    if (!shareableStaging(memory) || !this.available()) return undefined;
    this.#worker ??= this.spawn();
    const worker = this.#worker;
    const id = this.#nextId++;
    const { ours, theirs } = this.ports();
    const lane = new SharedStagingLane(this.#slots, memory, ours, () => {
      this.#lanes.delete(id);
      this.lanesChanged(worker, this.#lanes.size);
    });
    this.#lanes.set(id, lane);
    this.lanesChanged(worker, this.#lanes.size);
    this.post(worker, laneInit(id, lane, memory, theirs), theirs);
    return lane;
  }

  close(): void {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker === undefined) return;
    this.#failAll("the staging helper was closed");
    this.terminate(worker);
  }

  /** The helper's answer for one lane: done, or failed with `error`. */
  protected exited(exit: LaneExit): void {
    this.#lanes.get(exit.id)?.exited(exit.error);
  }

  /** The thread failed or ended: its lanes fail, and the next load starts a new one. */
  protected lost(worker: W, reason: string): void {
    if (this.#worker !== worker) return;
    this.#worker = undefined;
    this.#failAll(reason);
  }

  #failAll(reason: string): void {
    for (const lane of [...this.#lanes.values()]) lane.exited(reason);
  }
}
