import { Worker } from "node:worker_threads";
import type { OutputChannel } from "../channel.js";
import { MachineError } from "../errors.js";
import { describeSystemError, type SocketAddress } from "./socket-channel.js";

/** Messages from a lane thread. */
type LaneReply =
  | { type: "connected" }
  | { type: "written"; id: number }
  | { type: "ended" }
  | { type: "closed" }
  | { type: "error"; code?: string; message: string; connecting: boolean };

/**
 * A multifd channel's thread: it connects its own socket (a socket cannot move between threads)
 * and writes the packets it is handed. Runs from its own source text, so it may use nothing from
 * the module scope.
 */
function laneThreadMain(wt: typeof import("node:worker_threads"), net: typeof import("node:net")): void {
  const port = wt.parentPort!;
  let socket: import("node:net").Socket | undefined;
  let connecting = true;
  port.on("message", (m: { type: string; address?: SocketAddress; id?: number; chunks?: Uint8Array[] }) => {
    if (m.type === "connect") {
      const a = m.address!;
      socket = a.kind === "unix" ? net.createConnection({ path: a.path }) : net.createConnection({ host: a.host, port: a.port });
      socket.setNoDelay(true);
      socket.once("connect", () => {
        connecting = false;
        port.postMessage({ type: "connected" });
      });
      socket.on("error", (e: NodeJS.ErrnoException) => port.postMessage({ type: "error", code: e.code, message: e.message, connecting }));
      // A write on a socket already closed gets an error callback but no error event.
      socket.on("close", () => port.postMessage({ type: "closed" }));
    } else if (m.type === "write") {
      const s = socket!;
      const chunks = m.chunks!;
      s.cork();
      const done = (err?: NodeJS.ErrnoException | null): void =>
        port.postMessage(err ? { type: "error", code: err.code, message: err.message, connecting: false } : { type: "written", id: m.id });
      chunks.forEach((c, i) => s.write(c, i === chunks.length - 1 ? done : undefined));
      s.uncork();
    } else if (m.type === "end") {
      if (!socket || socket.destroyed) port.postMessage({ type: "ended" });
      else socket.end(() => port.postMessage({ type: "ended" }));
    }
  });
}

const LANE_SOURCE = `(${laneThreadMain.toString()})(require("node:worker_threads"), require("node:net"));`;

function label(address: SocketAddress): string {
  return address.kind === "unix" ? address.path : `${address.host}:${address.port}`;
}

/** Whether a chunk's memory is its own (not a view into a pool or a larger buffer): it can move. */
function owned(chunk: Uint8Array): boolean {
  return chunk.buffer instanceof ArrayBuffer && chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength;
}

/**
 * One multifd channel sent from a worker thread: the packets' bytes are transferred to it, not
 * copied, when they own their memory (a batch of 128 pages does), and the socket writes happen
 * off the migration's thread. Writing takes the chunks over: a transferred chunk is detached.
 */
export class ThreadLaneChannel implements OutputChannel {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  #nextId = 0;
  #error: Error | undefined;
  #ended: (() => void) | undefined;
  #closing: ((err: Error) => void) | undefined;
  #peerClosed = false;

  private constructor(worker: Worker) {
    this.#worker = worker;
  }

  /** Starts the thread and connects; rejects with QEMU's "Failed to connect to …" wording. */
  static async connect(address: SocketAddress): Promise<ThreadLaneChannel> {
    const worker = new Worker(LANE_SOURCE, { eval: true, name: "savevm-multifd-send" });
    const channel = new ThreadLaneChannel(worker);
    await new Promise<void>((resolve, reject) => {
      worker.on("message", (reply: LaneReply) => {
        if (reply.type === "connected") resolve();
        else if (reply.type === "error" && reply.connecting) {
          void worker.terminate();
          reject(new MachineError("CHANNEL", `Failed to connect to '${label(address)}': ${describeSystemError(reply)}`));
        } else channel.#reply(reply);
      });
      worker.once("error", (err) =>
        reject(new MachineError("CHANNEL", `multifd: the sending thread failed: ${err.message}`, { cause: err })),
      );
      worker.postMessage({ type: "connect", address });
    });
    worker.on("exit", () => channel.#fail(new MachineError("CHANNEL", "Unable to write to socket: the sending thread exited")));
    return channel;
  }

  #reply(reply: LaneReply): void {
    if (reply.type === "written") {
      this.#pending.get(reply.id)?.resolve();
      this.#pending.delete(reply.id);
    } else if (reply.type === "ended") {
      this.#ended?.();
    } else if (reply.type === "closed") {
      // The peer may close once it has everything (a destination that loaded the stream); only
      // writes still waiting for the socket are lost.
      this.#peerClosed = true;
      if (this.#pending.size > 0) this.#fail(new MachineError("CHANNEL", "Unable to write to socket: Broken pipe"));
      else this.#ended?.();
    } else if (reply.type === "error") {
      this.#fail(new MachineError("CHANNEL", `Unable to write to socket: ${describeSystemError(reply)}`));
    }
  }

  #fail(err: Error): void {
    this.#error ??= err;
    this.#closing?.(this.#error);
    for (const p of this.#pending.values()) p.reject(this.#error);
    this.#pending.clear();
  }

  write(chunks: readonly Uint8Array[]): Promise<void> {
    if (this.#error) return Promise.reject(this.#error);
    const id = this.#nextId++;
    // A copy (new Uint8Array) has memory of its own; a Buffer view into a pool must never move.
    const moved = chunks.map((c) => (owned(c) ? c : new Uint8Array(c)));
    return new Promise<void>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage(
        { type: "write", id, chunks: moved },
        moved.map((c) => c.buffer as ArrayBuffer),
      );
    });
  }

  async close(): Promise<void> {
    if (this.#error) throw this.#error;
    if (this.#peerClosed) {
      await this.#worker.terminate();
      return;
    }
    await new Promise<void>((resolve, reject) => {
      this.#ended = resolve;
      this.#closing = reject;
      this.#worker.postMessage({ type: "end" });
    });
    await this.#worker.terminate();
  }

  async abort(): Promise<void> {
    await this.#worker.terminate();
  }
}
