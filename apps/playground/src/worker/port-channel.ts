import type { InputChannel, OutputChannel } from "@savevm/machine";

/** Bytes in flight before the sender waits for the receiver to take some. */
const WINDOW_BYTES = 8 << 20;

type PortMessage =
  | { kind: "data"; bytes: Uint8Array }
  | { kind: "end" }
  | { kind: "abort"; reason: string }
  | { kind: "ack"; bytes: number }
  | { kind: "gone"; reason: string };

/**
 * A migration's byte stream from one machine to another over a `MessagePort`, as a socket would
 * carry it: chunks are copied into new buffers and transferred, and the sender waits when the
 * receiver has not yet taken `WINDOW_BYTES`, so memory stays bounded whatever the speeds.
 */
export class PortOutputChannel implements OutputChannel {
  readonly #port: MessagePort;
  #inFlight = 0;
  #waiter: (() => void) | undefined;
  #failure: Error | undefined;
  #sent = 0;

  constructor(port: MessagePort) {
    this.#port = port;
    port.onmessage = (e: MessageEvent<PortMessage>) => {
      const m = e.data;
      if (m.kind === "ack") this.#inFlight -= m.bytes;
      else if (m.kind === "gone") this.#failure = new Error(`the destination went away: ${m.reason}`);
      this.#waiter?.();
    };
  }

  get sent(): number {
    return this.#sent;
  }

  async write(chunks: readonly Uint8Array[]): Promise<void> {
    let length = 0;
    for (const c of chunks) length += c.length;
    if (length === 0) return;
    while (this.#inFlight > WINDOW_BYTES && !this.#failure) await new Promise<void>((r) => (this.#waiter = r));
    if (this.#failure) throw this.#failure;
    const bytes = new Uint8Array(length);
    let at = 0;
    for (const c of chunks) {
      bytes.set(c, at);
      at += c.length;
    }
    this.#inFlight += length;
    this.#sent += length;
    this.#port.postMessage({ kind: "data", bytes } satisfies PortMessage, [bytes.buffer]);
  }

  async close(): Promise<void> {
    this.#port.postMessage({ kind: "end" } satisfies PortMessage);
  }

  async abort(reason: Error): Promise<void> {
    this.#port.postMessage({ kind: "abort", reason: reason.message } satisfies PortMessage);
  }
}

/** The receiving end of a `PortOutputChannel`. */
export function portInput(port: MessagePort): InputChannel {
  const queue: PortMessage[] = [];
  let wake: (() => void) | undefined;
  port.onmessage = (e: MessageEvent<PortMessage>) => {
    queue.push(e.data);
    wake?.();
  };
  return {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        while (queue.length === 0) await new Promise<void>((r) => (wake = r));
        const m = queue.shift()!;
        if (m.kind === "end") return;
        if (m.kind === "abort") throw new Error(`the source stopped the migration: ${m.reason}`);
        if (m.kind !== "data") continue;
        yield m.bytes;
        port.postMessage({ kind: "ack", bytes: m.bytes.length } satisfies PortMessage);
      }
    },
    async close() {
      port.postMessage({ kind: "gone", reason: "the destination closed the stream" } satisfies PortMessage);
    },
  };
}
