/**
 * The staging helper's thread. `stagingWorkerMain` runs in a worker started from its own source
 * text (so it works from TypeScript sources and from dist alike): it may use nothing from the
 * module scope, and everything it needs arrives in the lane message.
 */

/** Indices of the control words shared by the loader thread and the helper. */
export const CONTROL = {
  /** Operations queued (written by the loader). */
  HEAD: 0,
  /** Operations done (written by the helper). */
  TAIL: 1,
  /** Bumped by the loader after every change the helper must see; the helper sleeps on it. */
  SIGNAL: 2,
  /** 1 while the helper sleeps (the loader must notify SIGNAL). */
  HELPER_SLEEPING: 3,
  /** 1 while the loader waits for TAIL (the helper must notify it). */
  LOADER_WAITING: 4,
  /** LANE_OPEN, LANE_CLOSED (finish what is queued) or LANE_CANCELLED. */
  STATE: 5,
  /** 1 once the helper works on this lane. */
  READY: 6,
  /** 1 once the helper left this lane (done, cancelled or failed). */
  EXITED: 7,
  WORDS: 8,
} as const;

export const LANE_OPEN = 0;
export const LANE_CLOSED = 1;
export const LANE_CANCELLED = 2;

/** Numbers per queue slot: operation and up to three arguments. */
export const SLOT_WORDS = 4;
/** Write the page in the slot's data to address a. */
export const OP_WRITE = 1;
/** Fill the page at a with byte b. */
export const OP_FILL = 2;
/** Copy the page at a to b. */
export const OP_COPY = 3;
/** Write the page at byte c of shared input buffer b to address a. */
export const OP_WRITE_SHARED = 4;
/** Input buffers the helper keeps; the loader moves through the input in order. */
export const KEPT_BUFFERS = 4;

/** One memory of the staging block as the helper sees it. */
export interface LaneChunk {
  memory: WebAssembly.Memory;
  /** Guest offset of the chunk's first byte. */
  start: number;
  /** Offset of that byte in the memory. */
  ramPtr: number;
}

/** The message that starts a lane. */
export interface LaneInit {
  id: number;
  control: Int32Array;
  /** SLOT_WORDS numbers per slot: operation and its arguments. */
  ops: Float64Array;
  /** One page per slot, for writes. */
  data: Uint8Array;
  chunks: LaneChunk[];
  chunkBytes: number;
  pageSize: number;
  /** Where shared input buffers arrive ({ id, buffer }), each before the first operation on it. */
  buffers: MessagePortLike;
  layout: typeof CONTROL;
  codes: {
    open: number;
    cancelled: number;
    write: number;
    fill: number;
    copy: number;
    writeShared: number;
    slotWords: number;
    keptBuffers: number;
  };
}

/** One shared input buffer announced to the helper. */
export interface SharedInput {
  id: number;
  buffer: SharedArrayBuffer;
}

/** The part of a MessagePort the helper uses (it only ever receives synchronously). */
export interface MessagePortLike {
  close(): void;
}

/** What the helper answers when it leaves a lane. */
export interface LaneExit {
  id: number;
  error?: string;
}

interface WorkerThreads {
  parentPort: {
    on(event: "message", listener: (lane: LaneInit) => void): void;
    postMessage(exit: LaneExit): void;
  } | null;
  receiveMessageOnPort(port: MessagePortLike): { message: SharedInput } | undefined;
}

export function stagingWorkerMain(threads: WorkerThreads): void {
  const port = threads.parentPort;
  if (!port) return;
  port.on("message", (lane) => {
    const { control, ops, data, chunks, chunkBytes, pageSize, layout: C, codes } = lane;
    const W = codes.slotWords;
    const slots = ops.length / W;
    const inputs = new Map<number, Uint8Array>();
    const inputBuffer = (id: number): Uint8Array => {
      for (let view = inputs.get(id); ; view = inputs.get(id)) {
        if (view) return view;
        // The loader posts a buffer before it queues the first operation on it.
        const received = threads.receiveMessageOnPort(lane.buffers);
        if (!received) throw new RangeError(`shared input buffer ${id} never arrived`);
        inputs.set(received.message.id, new Uint8Array(received.message.buffer));
        for (const old of inputs.keys()) if (inputs.size > codes.keptBuffers) inputs.delete(old);
      }
    };
    const memories = chunks.map((c) => ({
      bytes: new Uint8Array(c.memory.buffer),
      base: c.ramPtr - c.start,
    }));
    const memoryAt = (address: number) => {
      const m = memories[Math.floor(address / chunkBytes)];
      if (!m) throw new RangeError(`guest address 0x${address.toString(16)} is outside the staging memory`);
      return m;
    };
    let error: string | undefined;
    let tail = Atomics.load(control, C.TAIL);
    Atomics.store(control, C.READY, 1);
    try {
      for (;;) {
        // Read SIGNAL before looking at the queue: a push after this read changes it, so the
        // wait below cannot miss it.
        const signal = Atomics.load(control, C.SIGNAL);
        const state = Atomics.load(control, C.STATE);
        if (state === codes.cancelled) break;
        const head = Atomics.load(control, C.HEAD);
        if (head === tail) {
          if (state !== codes.open) break;
          Atomics.store(control, C.HELPER_SLEEPING, 1);
          Atomics.wait(control, C.SIGNAL, signal);
          Atomics.store(control, C.HELPER_SLEEPING, 0);
          continue;
        }
        while (tail !== head) {
          const slot = tail & (slots - 1);
          const op = ops[slot * W]!;
          const a = ops[slot * W + 1]!;
          const b = ops[slot * W + 2]!;
          if (op === codes.writeShared) {
            const m = memoryAt(a);
            const c = ops[slot * W + 3]!;
            m.bytes.set(inputBuffer(b).subarray(c, c + pageSize), m.base + a);
          } else if (op === codes.write) {
            const m = memoryAt(a);
            m.bytes.set(data.subarray(slot * pageSize, slot * pageSize + pageSize), m.base + a);
          } else if (op === codes.fill) {
            const m = memoryAt(a);
            m.bytes.fill(b, m.base + a, m.base + a + pageSize);
          } else if (op === codes.copy) {
            const from = memoryAt(a);
            const to = memoryAt(b);
            to.bytes.set(from.bytes.subarray(from.base + a, from.base + a + pageSize), to.base + b);
          } else {
            throw new RangeError(`unknown staging operation ${op}`);
          }
          tail = (tail + 1) | 0;
          Atomics.store(control, C.TAIL, tail);
          if (Atomics.load(control, C.LOADER_WAITING) === 1) Atomics.notify(control, C.TAIL);
        }
      }
    } catch (err) {
      error = err instanceof Error ? err.stack ?? err.message : String(err);
    }
    lane.buffers.close();
    Atomics.store(control, C.EXITED, 1);
    Atomics.notify(control, C.TAIL);
    port.postMessage(error === undefined ? { id: lane.id } : { id: lane.id, error });
  });
}
