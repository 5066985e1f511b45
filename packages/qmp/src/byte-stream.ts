/**
 * The byte stream the server and clients run over. Node's `net.Socket` and any `Duplex`
 * satisfy it as they are; {@link createBytePipe} gives a connected in-memory pair (tests,
 * browsers, a machine and its monitor in one process).
 */
export interface ByteStream {
  write(chunk: Uint8Array): boolean;
  end(): void;
  destroy(error?: Error): void;
  pause(): unknown;
  resume(): unknown;
  // Node streams deliver Buffer chunks for "data" and an Error for "error".
  on(event: "data" | "end" | "close" | "error" | "drain", listener: (...args: any[]) => void): unknown;
  removeListener(event: "data" | "end" | "close" | "error" | "drain", listener: (...args: any[]) => void): unknown;
  /** Bytes written but not yet handed to the peer (Node: `socket.writableLength`). */
  readonly writableLength?: number;
  /**
   * Transports that can receive file descriptors (SCM_RIGHTS) implement this: the next
   * descriptor that arrived with the bytes read so far. Node's `net` module cannot, so a
   * plain unix socket never provides one.
   */
  takeFd?(): number | undefined;
  /**
   * Transports that can send file descriptors implement this: writes `chunk` with `fd` attached
   * (SCM_RIGHTS), after the bytes written before it. `@savevm/qmp/node` adds it to unix sockets.
   */
  writeWithFd?(chunk: Uint8Array, fd: number): Promise<void>;
}

type Listener = (...args: any[]) => void;

/** One end of an in-memory byte pipe. */
export class PipeEnd implements ByteStream {
  peer!: PipeEnd;
  private readonly listeners = new Map<string, Set<Listener>>();
  private inbox: Uint8Array[] = [];
  private inboxBytes = 0;
  private paused = false;
  private flushing = false;
  private ended = false;
  private peerEnded = false;
  destroyed = false;
  private needDrain = false;

  constructor(private readonly highWaterMark: number) {}

  get writableLength(): number {
    return this.peer.inboxBytes;
  }

  on(event: string, listener: Listener): this {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    if (event === "data") this.schedule();
    return this;
  }

  removeListener(event: string, listener: Listener): this {
    this.listeners.get(event)?.delete(listener);
    return this;
  }

  private fire(event: string, ...args: unknown[]): void {
    for (const l of [...(this.listeners.get(event) ?? [])]) l(...args);
  }

  write(chunk: Uint8Array): boolean {
    if (this.ended || this.destroyed) return false;
    this.peer.receive(chunk.slice());
    const ok = this.peer.inboxBytes < this.highWaterMark;
    if (!ok) this.needDrain = true;
    return ok;
  }

  end(): void {
    if (this.ended || this.destroyed) return;
    this.ended = true;
    this.peer.peerEnded = true;
    this.peer.schedule();
  }

  destroy(error?: Error): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.inbox = [];
    this.inboxBytes = 0;
    queueMicrotask(() => {
      if (error) this.fire("error", error);
      this.fire("close");
    });
    if (!this.peer.destroyed) {
      this.peer.peerEnded = true;
      this.peer.schedule();
    }
  }

  pause(): this {
    this.paused = true;
    return this;
  }

  resume(): this {
    this.paused = false;
    this.schedule();
    return this;
  }

  private receive(chunk: Uint8Array): void {
    if (this.destroyed) return;
    this.inbox.push(chunk);
    this.inboxBytes += chunk.length;
    this.schedule();
  }

  private schedule(): void {
    if (this.flushing) return;
    this.flushing = true;
    queueMicrotask(() => {
      this.flushing = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.destroyed) return;
    while (!this.paused && this.inbox.length > 0 && (this.listeners.get("data")?.size ?? 0) > 0) {
      const chunk = this.inbox.shift()!;
      this.inboxBytes -= chunk.length;
      this.fire("data", chunk);
    }
    if (this.peer.needDrain && this.inboxBytes < this.highWaterMark) {
      this.peer.needDrain = false;
      this.peer.fire("drain");
    }
    if (this.peerEnded && this.inbox.length === 0) {
      // like a socket without half-open support: the end from the peer closes both sides
      this.peerEnded = false;
      this.fire("end");
      this.destroyed = true;
      this.fire("close");
      const peer = this.peer;
      if (!peer.destroyed) {
        peer.destroyed = true;
        queueMicrotask(() => peer.fire("close"));
      }
    }
  }
}

/** Two connected in-memory byte streams: what one writes, the other reads. */
export function createBytePipe(highWaterMark = 64 * 1024): [PipeEnd, PipeEnd] {
  const a = new PipeEnd(highWaterMark);
  const b = new PipeEnd(highWaterMark);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/**
 * The unread rest of `held` (from `pos`) followed by `chunk`. A stream may deliver a chunk it
 * had already read before it saw `pause()`, so a reader that stopped mid-chunk joins them.
 */
export function joinRemainder(held: Uint8Array | undefined, pos: number, chunk: Uint8Array): Uint8Array {
  if (!held || pos >= held.length) return chunk;
  const joined = new Uint8Array(held.length - pos + chunk.length);
  joined.set(held.subarray(pos));
  joined.set(chunk, held.length - pos);
  return joined;
}
