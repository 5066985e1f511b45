import { QmpConnectionError } from "./errors.js";
import type { JsonObject } from "./json-value.js";

/** An asynchronous event: `{"event", "data"?, "timestamp": {"seconds", "microseconds"}}`. */
export interface QmpEvent {
  event: string;
  data?: JsonObject;
  timestamp: { seconds: number; microseconds: number };
}

export type EventFilter = (event: QmpEvent) => boolean;

export interface EventListenerOptions {
  /** Events kept in {@link EventListener.history}. Default 1000. */
  historySize?: number;
  /** Unread events kept; the oldest are dropped beyond this. Default 10000. */
  maxQueue?: number;
}

export interface WaitOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * A queue of the events one consumer wants, as in python's `qemu.qmp` EventListener: every
 * listener gets its own copy of each event it accepts (by name and optional filter). Read with
 * {@link get}, or `for await (const ev of listener)`.
 */
export class EventListener implements AsyncIterable<QmpEvent> {
  /** Event names accepted; undefined accepts all. */
  readonly names: ReadonlySet<string> | undefined;
  /** Accepted events, oldest first, up to `historySize`. */
  readonly history: QmpEvent[] = [];
  private readonly queue: QmpEvent[] = [];
  private readonly waiters: { resolve: (e: QmpEvent) => void; reject: (e: Error) => void }[] = [];
  private readonly historySize: number;
  private readonly maxQueue: number;
  private droppedCount = 0;
  private closedWith: Error | undefined;
  /** Set by the client that holds this listener, so {@link close} can unregister it. */
  onClose: (() => void) | undefined;

  constructor(
    names?: string | Iterable<string> | null,
    private readonly filter?: EventFilter,
    options: EventListenerOptions = {},
  ) {
    this.names = names === undefined || names === null ? undefined : new Set(typeof names === "string" ? [names] : names);
    this.historySize = options.historySize ?? 1000;
    this.maxQueue = options.maxQueue ?? 10000;
  }

  /** Events dropped because the queue was full. */
  get dropped(): number {
    return this.droppedCount;
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Whether this listener wants `event`; subclasses may refine it. */
  accept(event: QmpEvent): boolean {
    if (this.names && !this.names.has(event.event)) return false;
    return this.filter ? this.filter(event) : true;
  }

  /** Offers an event; returns true if it was taken. */
  deliver(event: QmpEvent): boolean {
    if (this.closedWith || !this.accept(event)) return false;
    this.history.push(event);
    if (this.history.length > this.historySize) this.history.shift();
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(event);
    else {
      this.queue.push(event);
      if (this.queue.length > this.maxQueue) {
        this.queue.shift();
        this.droppedCount++;
      }
    }
    return true;
  }

  /** True when no event is waiting to be read. */
  empty(): boolean {
    return this.queue.length === 0;
  }

  /** Removes and returns the unread events. */
  clear(): QmpEvent[] {
    return this.queue.splice(0, this.queue.length);
  }

  /** The next event (waits for one). */
  get(options: WaitOptions = {}): Promise<QmpEvent> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise<QmpEvent>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const cleanup = (): void => {
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
      };
      const waiter = {
        resolve: (e: QmpEvent) => {
          cleanup();
          resolve(e);
        },
        reject: (e: Error) => {
          cleanup();
          reject(e);
        },
      };
      const onAbort = (): void => waiter.reject(options.signal?.reason instanceof Error ? options.signal.reason : new Error("aborted"));
      if (options.signal?.aborted) {
        onAbort();
        return;
      }
      options.signal?.addEventListener("abort", onAbort, { once: true });
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          const wanted = this.names ? [...this.names].join(", ") : "any event";
          waiter.reject(new QmpConnectionError("TIMEOUT", `no ${wanted} within ${options.timeoutMs} ms`));
        }, options.timeoutMs);
      }
      this.waiters.push(waiter);
    });
  }

  /** Stops the listener: pending and later {@link get} calls fail, iteration ends. */
  close(reason: Error = new QmpConnectionError("CLOSED", "event listener closed")): void {
    if (this.closedWith) return;
    this.closedWith = reason;
    for (const waiter of this.waiters.splice(0)) waiter.reject(reason);
    this.onClose?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<QmpEvent> {
    for (;;) {
      if (this.queue.length === 0 && this.closedWith) return;
      try {
        yield await this.get();
      } catch (err) {
        if (this.closedWith && err === this.closedWith) return;
        throw err;
      }
    }
  }
}
