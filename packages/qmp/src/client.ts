import type { ByteStream } from "./byte-stream.js";
import { Emitter } from "./emitter.js";
import {
  QmpClientError,
  QmpConnectionError,
  QmpError,
  QmpGreetingError,
  QmpNegotiationError,
  QmpProtocolError,
} from "./errors.js";
import { EventListener, type EventFilter, type EventListenerOptions, type QmpEvent, type WaitOptions } from "./events.js";
import { JsonMessageStream, type JsonStreamLimits } from "./json-stream.js";
import { isJsonObject, type JsonObject, type JsonValue } from "./json-value.js";
import { formatJson } from "./json-writer.js";

export interface QmpGreeting {
  version: { qemu: { major: number; minor: number; micro: number }; package: string };
  capabilities: string[];
}

export interface QmpClientOptions {
  /** Send `qmp_capabilities` after the greeting (default true; false for qemu-ga-like peers). */
  negotiate?: boolean;
  /** Enable OOB: default when the server offers it; `true` fails if it is not offered. */
  oob?: boolean;
  /** Fail when no greeting arrives in time (a second client of QEMU waits without one). */
  greetingTimeoutMs?: number;
  /** Default timeout of {@link QmpClient.execute}; none by default. */
  commandTimeoutMs?: number;
  /** Reader limits; messages default to at most 10 MiB, as python's client. */
  limits?: JsonStreamLimits;
  /**
   * Reconnect after the connection drops (needs a connector, not a bare stream). Calls made
   * while reconnecting wait; calls that were running fail with `DISCONNECTED`.
   */
  reconnect?: { retries: number; delayMs?: number };
  /** Options of the built-in all-events listener {@link QmpClient.events}. */
  events?: EventListenerOptions;
}

export interface ExecuteOptions {
  /** Send as `exec-oob` (requires OOB to be enabled). */
  oob?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Attach this file descriptor to the command (SCM_RIGHTS), as `getfd` and `add-fd` need. The
   * stream must offer `writeWithFd` (unix sockets from `@savevm/qmp/node` do).
   */
  fd?: number;
}

export type ClientState = "connecting" | "running" | "reconnecting" | "closed";

/** Something that opens a fresh stream: lets the client reconnect. */
export type StreamConnector = () => Promise<ByteStream>;

interface Pending {
  command: JsonObject;
  resolve: (reply: JsonObject) => void;
  reject: (err: Error) => void;
}

const encoder = new TextEncoder();

function describe(command: JsonObject): string {
  const name = command.execute ?? command["exec-oob"];
  return typeof name === "string" ? `'${name}'` : "a command";
}

/**
 * A QMP client in the style of python's `qemu.qmp`: it waits for the greeting, negotiates
 * (enabling OOB when offered), routes replies by id so many calls can be in flight, and hands
 * events to listeners. Works against QEMU and against {@link QmpServer}.
 */
export class QmpClient extends Emitter<{
  event: [QmpEvent];
  state: [ClientState];
  disconnect: [Error | undefined];
  reconnect: [];
  /** A reply nobody waited for (unknown id), dropped as the QMP spec says. */
  unexpected: [JsonObject];
}> {
  /** Every event, in a bounded queue, like python's `qmp.events`. */
  readonly events: EventListener;
  private greetingValue: QmpGreeting | undefined;
  private oob = false;
  private stateValue: ClientState = "connecting";
  private stream: ByteStream | undefined;
  private detach: (() => void) | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly idless: Pending[] = [];
  private readonly listeners = new Set<EventListener>();
  private nextId = 0;
  private connector: StreamConnector | undefined;
  private readyWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private closeError: Error | undefined;
  private greetingWaiter: ((greeting: JsonValue) => void) | undefined;
  private failGreeting: ((err: Error) => void) | undefined;
  private readonly closedPromise: Promise<void>;
  private resolveClosed!: () => void;

  constructor(readonly options: QmpClientOptions = {}) {
    super();
    this.events = new EventListener(undefined, undefined, options.events);
    this.listeners.add(this.events);
    this.closedPromise = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  /** Connects over a stream (or a connector, which also allows reconnecting) and negotiates. */
  static async connect<C extends QmpClient>(this: new (options?: QmpClientOptions) => C, target: ByteStream | StreamConnector, options: QmpClientOptions = {}): Promise<C> {
    const client = new this(options);
    await client.open(target);
    return client;
  }

  /** Opens the connection: greeting, then negotiation. */
  async open(target: ByteStream | StreamConnector): Promise<void> {
    if (typeof target === "function") {
      this.connector = target;
      target = await target();
    }
    try {
      await this.establish(target);
    } catch (err) {
      this.finish(err as Error);
      throw err;
    }
  }

  get greeting(): QmpGreeting {
    if (!this.greetingValue) throw new QmpClientError("NOT_CONNECTED", "no greeting received yet");
    return this.greetingValue;
  }

  get oobEnabled(): boolean {
    return this.oob;
  }

  get state(): ClientState {
    return this.stateValue;
  }

  /** Resolves once the client is closed for good. */
  get closed(): Promise<void> {
    return this.closedPromise;
  }

  /**
   * Runs a command and resolves to its `return` value; rejects with {@link QmpError} (class,
   * desc, the sent command) when the server answers with an error.
   */
  async execute<T = any>(command: string, args?: object, options: ExecuteOptions = {}): Promise<T> {
    if (options.oob && !this.oob) {
      throw new QmpClientError("OOB_NOT_ENABLED", `cannot send '${command}' out-of-band: OOB was not negotiated`);
    }
    const message: JsonObject = options.oob ? { "exec-oob": command } : { execute: command };
    if (args !== undefined) message.arguments = args as JsonObject;
    const reply = await this.executeMessage(message, options);
    return reply.return as T;
  }

  /**
   * Sends a complete command message and resolves to the whole reply. An `id` is added when
   * missing; error replies reject with {@link QmpError}.
   */
  async executeMessage(message: object, options: Omit<ExecuteOptions, "oob"> = {}): Promise<JsonObject> {
    await this.whenRunning();
    return this.request(message as JsonObject, options);
  }

  private async request(message: JsonObject, options: Omit<ExecuteOptions, "oob"> = {}): Promise<JsonObject> {
    const command: JsonObject = { ...message };
    if (command.id === undefined) command.id = `__qmp#${String(this.nextId++).padStart(5, "0")}`;
    const reply = await this.roundTrip(command, options);
    if (isJsonObject(reply.error)) {
      const err = reply.error;
      throw new QmpError(typeof err.desc === "string" ? err.desc : "", {
        errorClass: typeof err.class === "string" ? err.class : "GenericError",
        command,
        id: command.id,
      });
    }
    return reply;
  }

  /** Writes raw bytes (for tools and tests); replies without a known id are dropped. */
  sendRaw(data: Uint8Array | string): void {
    if (!this.stream || this.stateValue !== "running") throw new QmpConnectionError("CLOSED", "not connected");
    this.stream.write(typeof data === "string" ? encoder.encode(data) : data);
  }

  /** Creates and registers a listener for `names` (all events when omitted). */
  listen(names?: string | Iterable<string> | null, filter?: EventFilter, options?: EventListenerOptions): EventListener {
    return this.addEventListener(new EventListener(names, filter, options));
  }

  /** Registers a listener (python's `register_listener`). */
  addEventListener(listener: EventListener): EventListener {
    this.listeners.add(listener);
    listener.onClose = () => this.listeners.delete(listener);
    if (this.stateValue === "closed") listener.close(this.closeError);
    return listener;
  }

  removeEventListener(listener: EventListener): void {
    this.listeners.delete(listener);
  }

  /** Calls `callback` for each event named `name` (or any event for `"*"`); returns an unsubscribe function. */
  onEvent(name: string | readonly string[], callback: (event: QmpEvent) => void): () => void {
    const names = typeof name === "string" ? (name === "*" ? undefined : [name]) : name;
    return this.on("event", (event) => {
      if (!names || names.includes(event.event)) callback(event);
    });
  }

  /**
   * Waits for the next event named `names` that passes `filter`. Register before causing the
   * event (or use a listener) when the event may come quickly.
   */
  async waitEvent(names: string | Iterable<string>, options: WaitOptions & { filter?: EventFilter } = {}): Promise<QmpEvent> {
    const listener = this.listen(names, options.filter, { historySize: 0 });
    try {
      return await listener.get(options);
    } finally {
      listener.close();
    }
  }

  /** Closes the connection. Pending calls fail with `CLOSED`. */
  async close(): Promise<void> {
    if (this.stateValue === "closed") return this.closedPromise;
    const stream = this.stream;
    this.detach?.();
    this.detach = undefined;
    this.stream = undefined;
    this.finish(new QmpConnectionError("CLOSED", "client closed"));
    if (stream) {
      await new Promise<void>((resolve) => {
        let done = false;
        const end = (): void => {
          if (!done) {
            done = true;
            resolve();
          }
        };
        stream.on("close", end);
        stream.end();
        setTimeout(() => {
          stream.destroy();
          end();
        }, 1000).unref?.();
      });
    }
    return this.closedPromise;
  }

  private setState(state: ClientState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    this.emit("state", state);
  }

  private whenRunning(): Promise<void> {
    if (this.stateValue === "running") return Promise.resolve();
    if (this.stateValue === "closed") return Promise.reject(this.closeError ?? new QmpConnectionError("CLOSED", "client closed"));
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  private roundTrip(command: JsonObject, options: Omit<ExecuteOptions, "oob">): Promise<JsonObject> {
    const stream = this.stream!;
    const id = command.id;
    const key = id === undefined ? undefined : typeof id === "string" ? id : formatJson(id);
    if (key !== undefined && this.pending.has(key)) {
      return Promise.reject(new QmpClientError("DUPLICATE_ID", `id ${key} is already in use`));
    }
    return new Promise<JsonObject>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeoutMs = options.timeoutMs ?? this.options.commandTimeoutMs;
      const entry: Pending = {
        command,
        resolve: (reply) => {
          cleanup();
          resolve(reply);
        },
        reject: (err) => {
          cleanup();
          reject(err);
        },
      };
      const cleanup = (): void => {
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        if (key !== undefined) {
          if (this.pending.get(key) === entry) this.pending.delete(key);
        } else {
          const i = this.idless.indexOf(entry);
          if (i >= 0) this.idless.splice(i, 1);
        }
      };
      const onAbort = (): void => entry.reject(options.signal?.reason instanceof Error ? options.signal.reason : new Error("aborted"));
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener("abort", onAbort, { once: true });
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => entry.reject(new QmpConnectionError("TIMEOUT", `no reply to ${describe(command)} within ${timeoutMs} ms`)), timeoutMs);
      }
      if (key !== undefined) this.pending.set(key, entry);
      else this.idless.push(entry);
      const bytes = encoder.encode(formatJson(command) + "\n");
      if (options.fd === undefined) stream.write(bytes);
      else if (!stream.writeWithFd) {
        entry.reject(new QmpClientError("FD_PASSING_UNAVAILABLE", `cannot send a file descriptor with ${describe(command)} over this connection`));
      } else stream.writeWithFd(bytes, options.fd).catch((err: Error) => entry.reject(err));
    });
  }

  private async establish(stream: ByteStream): Promise<void> {
    this.attach(stream);
    const greeting = await this.readGreeting();
    this.greetingValue = greeting;
    this.oob = false;
    if (this.options.negotiate !== false) {
      const offered = greeting.capabilities.includes("oob");
      if (this.options.oob === true && !offered) {
        throw new QmpNegotiationError("the server does not offer the 'oob' capability");
      }
      const enable = offered && this.options.oob !== false;
      try {
        await this.request(enable ? { execute: "qmp_capabilities", arguments: { enable: ["oob"] } } : { execute: "qmp_capabilities" });
      } catch (err) {
        throw new QmpNegotiationError(`capabilities negotiation failed: ${(err as Error).message}`, { cause: err });
      }
      this.oob = enable;
    }
    this.setState("running");
    for (const waiter of this.readyWaiters.splice(0)) waiter.resolve();
  }

  private readGreeting(): Promise<QmpGreeting> {
    return new Promise<QmpGreeting>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const fail = (err: Error): void => {
        if (timer) clearTimeout(timer);
        this.greetingWaiter = undefined;
        this.failGreeting = undefined;
        reject(err);
      };
      this.failGreeting = fail;
      if (this.options.greetingTimeoutMs !== undefined) {
        timer = setTimeout(() => fail(new QmpGreetingError(`no greeting within ${this.options.greetingTimeoutMs} ms`)), this.options.greetingTimeoutMs);
      }
      this.greetingWaiter = (value) => {
        if (timer) clearTimeout(timer);
        this.greetingWaiter = undefined;
        this.failGreeting = undefined;
        const greeting = parseGreeting(value);
        if (greeting) resolve(greeting);
        else reject(new QmpGreetingError(`expected a QMP greeting, got ${formatJson(value).slice(0, 200)}`));
      };
    });
  }

  private attach(stream: ByteStream): void {
    this.stream = stream;
    const reader = new JsonMessageStream(
      (m) => {
        if ("error" in m) this.protocolFailure(new QmpProtocolError(`unreadable message from the server: ${m.error.message}`, { cause: m.error }));
        else this.receive(m.value);
      },
      { maxMessageBytes: 10 * 1024 * 1024, ...this.options.limits },
    );
    const onData = (chunk: Uint8Array): void => {
      reader.feed(chunk);
    };
    const onGone = (err?: unknown): void => this.connectionLost(stream, err instanceof Error ? err : undefined);
    const onEnd = (): void => onGone();
    stream.on("data", onData);
    stream.on("close", onEnd);
    stream.on("end", onEnd);
    stream.on("error", onGone);
    stream.resume();
    this.detach = () => {
      stream.removeListener("data", onData);
      stream.removeListener("close", onEnd);
      stream.removeListener("end", onEnd);
      stream.removeListener("error", onGone);
    };
  }

  private receive(value: JsonValue): void {
    if (this.greetingWaiter) {
      this.greetingWaiter(value);
      return;
    }
    if (!isJsonObject(value)) {
      this.protocolFailure(new QmpProtocolError(`the server sent a non-object: ${formatJson(value).slice(0, 200)}`));
      return;
    }
    if (typeof value.event === "string") {
      const event = value as unknown as QmpEvent;
      for (const listener of [...this.listeners]) listener.deliver(event);
      this.emit("event", event);
      return;
    }
    if (!("return" in value) && !("error" in value)) {
      this.protocolFailure(new QmpProtocolError(`unexpected message from the server: ${formatJson(value).slice(0, 200)}`));
      return;
    }
    if (value.id === undefined) {
      const waiter = this.idless.shift();
      if (waiter) waiter.resolve(value);
      else if ("error" in value) {
        // an id-less error nobody waits for means the server could not read something we sent
        const desc = isJsonObject(value.error) ? String(value.error.desc) : "";
        this.protocolFailure(new QmpProtocolError(`the server could not parse our input: ${desc}`));
      } else this.emit("unexpected", value);
      return;
    }
    const key = typeof value.id === "string" ? value.id : formatJson(value.id);
    const waiter = this.pending.get(key);
    if (waiter) waiter.resolve(value);
    else this.emit("unexpected", value);
  }

  private protocolFailure(err: Error): void {
    if (this.failGreeting) {
      this.failGreeting(err);
      return;
    }
    const stream = this.stream;
    stream?.destroy();
    if (stream) this.connectionLost(stream, err);
  }

  private connectionLost(stream: ByteStream, err: Error | undefined): void {
    if (stream !== this.stream || this.stateValue === "closed") return;
    this.detach?.();
    this.detach = undefined;
    this.stream = undefined;
    const lost = new QmpConnectionError("DISCONNECTED", err ? `connection lost: ${err.message}` : "connection closed by the server", { cause: err });
    if (this.failGreeting) {
      this.failGreeting(new QmpGreetingError(`connection closed before the greeting${err ? `: ${err.message}` : ""}`, { cause: err }));
    }
    this.failPending((p) => new QmpConnectionError("DISCONNECTED", `connection closed while waiting for the reply to ${describe(p.command)}`, { cause: err }));
    this.emit("disconnect", err);
    const retry = this.options.reconnect;
    if (retry && this.connector && this.stateValue === "running") void this.reconnect(retry.retries, retry.delayMs ?? 2000, lost);
    else if (this.stateValue !== "connecting") this.finish(lost);
  }

  private async reconnect(retries: number, delayMs: number, lastError: Error): Promise<void> {
    this.setState("reconnecting");
    for (let attempt = 0; attempt < retries; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (this.stateValue !== "reconnecting") return;
      try {
        const stream = await this.connector!();
        this.setState("connecting");
        await this.establish(stream);
        this.emit("reconnect");
        return;
      } catch (err) {
        this.detach?.();
        this.stream?.destroy();
        this.stream = undefined;
        lastError = err as Error;
        if ((this.stateValue as ClientState) === "closed") return;
        this.setState("reconnecting");
      }
    }
    this.finish(new QmpConnectionError("DISCONNECTED", `reconnecting failed after ${retries} attempts: ${lastError.message}`, { cause: lastError }));
  }

  private failPending(errorFor: (p: Pending) => Error): void {
    const all = [...this.pending.values(), ...this.idless];
    this.pending.clear();
    this.idless.length = 0;
    for (const p of all) p.reject(errorFor(p));
  }

  /** Ends the client for good. */
  private finish(err: Error): void {
    if (this.stateValue === "closed") return;
    this.closeError = err;
    this.setState("closed");
    this.detach?.();
    this.detach = undefined;
    this.stream?.destroy();
    this.stream = undefined;
    this.failPending(() => err);
    for (const waiter of this.readyWaiters.splice(0)) waiter.reject(err);
    for (const listener of [...this.listeners]) listener.close(err);
    this.resolveClosed();
  }
}

function parseGreeting(value: JsonValue): QmpGreeting | undefined {
  if (!isJsonObject(value) || !isJsonObject(value.QMP)) return undefined;
  const qmp = value.QMP;
  if (!isJsonObject(qmp.version) || !Array.isArray(qmp.capabilities)) return undefined;
  const qemu = isJsonObject(qmp.version.qemu) ? qmp.version.qemu : {};
  const num = (v: JsonValue | undefined): number => (typeof v === "number" ? v : Number(v ?? 0));
  return {
    version: {
      qemu: { major: num(qemu.major), minor: num(qemu.minor), micro: num(qemu.micro) },
      package: typeof qmp.version.package === "string" ? qmp.version.package : "",
    },
    capabilities: qmp.capabilities.filter((c): c is string => typeof c === "string"),
  };
}
