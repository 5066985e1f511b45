import { joinRemainder, type ByteStream } from "./byte-stream.js";
import { Emitter } from "./emitter.js";
import { QmpError, toQmpError } from "./errors.js";
import { JsonMessageStream, type JsonParseError, type JsonStreamLimits } from "./json-stream.js";
import type { JsonObject, JsonValue } from "./json-value.js";
import { formatQemuJson } from "./json-writer.js";
import { checkRequest, isOobRequest, type QmpRequest } from "./message.js";
import type { CommandContext, RegisteredCommand } from "./registry.js";
import { validateArgumentsUntyped } from "./schema.js";

/** Limits of one client connection. */
/** Messages answered in a row before a session yields to the event loop. */
const YIELD_EVERY = 256;

export interface SessionLimits extends JsonStreamLimits {
  /** In-band commands read ahead while OOB is on (QEMU: 8). Without OOB it is always 1. */
  maxQueuedCommands?: number;
  /**
   * Output not yet taken by the client beyond which the client is disconnected (events
   * keep coming even while its input is paused). Default 16 MiB.
   */
  maxOutputBytes?: number;
}

/** What a session needs from its server. */
export interface SessionHost {
  readonly offeredCapabilities: readonly string[];
  readonly pretty: boolean;
  greeting(): JsonObject;
  findCommand(name: string): RegisteredCommand | undefined;
  /** Runs in-band commands one at a time across sessions, as QEMU's single dispatcher does. */
  runInband<T>(task: () => Promise<T>): Promise<T>;
  emitEvent(name: string, data?: JsonObject): void;
  sessionClosed(session: QmpServerSession): void;
}

export type SessionState = "waiting" | "negotiation" | "command" | "closed";

export interface SessionStats {
  /** Input bytes held: the unread rest of the last chunk plus the message being read. */
  inputBytes: number;
  peakInputBytes: number;
  queuedCommands: number;
  peakQueuedCommands: number;
  /** Output written but not yet taken by the client. */
  outputBytes: number;
  peakOutputBytes: number;
  /** Error replies sent for unreadable input. */
  parseErrors: number;
}

type QueueItem = { value: JsonValue } | { error: JsonParseError };

const encoder = new TextEncoder();

/** One client connection of a {@link QmpServer}: greeting, negotiation, command queue, events. */
export class QmpServerSession extends Emitter<{ close: [reason: string | undefined] }> {
  private stateValue: SessionState = "waiting";
  private oob = false;
  private readonly reader: JsonMessageStream;
  private readonly maxQueue: number;
  private readonly maxOutputBytes: number;
  private readonly queue: QueueItem[] = [];
  private pending: Uint8Array | undefined;
  private pendingPos = 0;
  private suspended = false;
  private outputBlocked = false;
  private streamPaused = false;
  private dispatching = false;
  private inputEnded = false;
  private oobInFlight = 0;
  private hangUpAfterReply = false;
  private readonly counters = { peakInputBytes: 0, peakQueuedCommands: 0, peakOutputBytes: 0, parseErrors: 0 };
  private readonly onData = (chunk: Uint8Array): void => this.receive(chunk);
  private readonly onDrain = (): void => {
    this.outputBlocked = false;
    this.pump();
  };
  private readonly onGone = (): void => this.close();
  private readonly onEnd = (): void => {
    // the client sent all it will send: answer what was read, then hang up
    this.inputEnded = true;
    this.maybeFinish();
  };

  constructor(
    private readonly host: SessionHost,
    private readonly stream: ByteStream,
    readonly id: number,
    limits: SessionLimits = {},
  ) {
    super();
    this.maxQueue = Math.max(1, limits.maxQueuedCommands ?? 8);
    this.maxOutputBytes = limits.maxOutputBytes ?? 16 * 1024 * 1024;
    this.reader = new JsonMessageStream((m) => this.message(m), limits);
    stream.on("close", this.onGone);
    stream.on("end", this.onEnd);
    stream.on("error", this.onGone);
    stream.on("drain", this.onDrain);
  }

  get state(): SessionState {
    return this.stateValue;
  }

  get oobEnabled(): boolean {
    return this.oob;
  }

  stats(): SessionStats {
    const inputBytes = this.heldInput();
    return {
      inputBytes,
      peakInputBytes: this.counters.peakInputBytes,
      queuedCommands: this.queue.length,
      peakQueuedCommands: this.counters.peakQueuedCommands,
      outputBytes: this.stream.writableLength ?? 0,
      peakOutputBytes: this.counters.peakOutputBytes,
      parseErrors: this.counters.parseErrors,
    };
  }

  /** Greets the client and starts reading (the server calls this when the session's turn comes). */
  start(): void {
    if (this.stateValue !== "waiting") return;
    this.stateValue = "negotiation";
    this.send(this.host.greeting());
    if ((this.stateValue as SessionState) === "closed") return;
    this.stream.on("data", this.onData);
    this.stream.resume();
  }

  /** Sends an event if the client has negotiated (events before negotiation are not delivered). */
  deliverEvent(event: JsonObject): void {
    if (this.stateValue === "command") this.send(event);
  }

  /** Disconnects the client; `graceful` lets written output reach it first. */
  close(reason?: string, graceful = false): void {
    if (this.stateValue === "closed") return;
    this.stateValue = "closed";
    this.queue.length = 0;
    this.pending = undefined;
    this.stream.removeListener("data", this.onData);
    this.stream.removeListener("drain", this.onDrain);
    if (graceful) this.stream.end();
    else this.stream.destroy();
    this.host.sessionClosed(this);
    this.emit("close", reason);
  }

  private maybeFinish(): void {
    if (this.inputEnded && !this.pending && this.queue.length === 0 && !this.dispatching && this.oobInFlight === 0) {
      this.close("end of input", true);
    }
  }

  private heldInput(): number {
    return (this.pending ? this.pending.length - this.pendingPos : 0) + this.reader.partialBytes;
  }

  private receive(chunk: Uint8Array): void {
    if (this.stateValue === "closed") return;
    this.pending = joinRemainder(this.pending, this.pendingPos, chunk);
    this.pendingPos = 0;
    this.pump();
  }

  /** Feeds held input to the reader until it is used up or reading must wait. */
  private pump(): void {
    while (this.pending && !this.suspended && !this.outputBlocked && this.stateValue !== "closed") {
      this.pendingPos = this.reader.feed(this.pending, this.pendingPos);
      this.track();
      if (this.pendingPos >= this.pending.length) this.pending = undefined;
    }
    if (this.stateValue === "closed") return;
    if (!this.pending && this.inputEnded) {
      this.maybeFinish();
      return;
    }
    const mustWait = this.pending !== undefined || this.suspended || this.outputBlocked;
    if (mustWait && !this.streamPaused) {
      this.streamPaused = true;
      this.stream.pause();
    } else if (!mustWait && this.streamPaused) {
      this.streamPaused = false;
      this.stream.resume();
    }
  }

  private track(): void {
    const held = this.heldInput();
    if (held > this.counters.peakInputBytes) this.counters.peakInputBytes = held;
  }

  private message(m: QueueItem): void {
    this.track();
    if ("value" in m && isOobRequest(m.value)) {
      // QEMU runs exec-oob input at once, even before negotiation (where it is then refused)
      this.oobInFlight++;
      void this.respond(this.dispatch(m.value)).finally(() => {
        this.oobInFlight--;
        this.maybeFinish();
      });
      return;
    }
    if ("error" in m) this.counters.parseErrors++;
    this.queue.push(m);
    if (this.queue.length > this.counters.peakQueuedCommands) this.counters.peakQueuedCommands = this.queue.length;
    if (!this.oob || this.queue.length >= this.maxQueue) {
      this.suspended = true;
      this.reader.stop();
    }
    void this.runQueue();
  }

  private async runQueue(): Promise<void> {
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      let run = 0;
      while (this.queue.length > 0 && this.stateValue !== "closed") {
        // Replies chain through promises only; let other sessions and timers in now and then, or
        // a chunk of `1,1,1…` (32k messages per 64 KiB) holds everyone up for a second.
        if (++run % YIELD_EVERY === 0) await new Promise((r) => setTimeout(r, 0));
        const wasFull = this.queue.length >= this.maxQueue;
        const item = this.queue.shift()!;
        const oob = this.oob;
        // with OOB on, reading resumes as soon as there is room, so exec-oob can still get in
        if (oob && wasFull) this.unsuspend();
        await this.host.runInband(() => this.respond("error" in item ? Promise.resolve(errorReply(new QmpError(item.error.message))) : this.dispatch(item.value)));
        if (!oob) this.unsuspend();
      }
    } finally {
      this.dispatching = false;
    }
    this.maybeFinish();
  }

  private unsuspend(): void {
    if (!this.suspended) return;
    this.suspended = false;
    this.pump();
  }

  private async respond(reply: Promise<JsonObject | undefined>): Promise<void> {
    const message = await reply;
    if (message) this.send(message);
    if (this.hangUpAfterReply) this.close("disconnected after reply", true);
  }

  private send(message: JsonObject): void {
    if (this.stateValue === "closed") return;
    const text = formatQemuJson(message, { pretty: this.host.pretty, newline: "\r\n" }) + "\r\n";
    const ok = this.stream.write(encoder.encode(text));
    const queued = this.stream.writableLength ?? 0;
    if (queued > this.counters.peakOutputBytes) this.counters.peakOutputBytes = queued;
    if (queued > this.maxOutputBytes) {
      this.close("output limit exceeded");
      return;
    }
    if (!ok) this.outputBlocked = true;
  }

  private async dispatch(value: JsonValue): Promise<JsonObject | undefined> {
    const checked = checkRequest(value, this.oob);
    if (!checked.ok) return errorReply(new QmpError(checked.desc), checked.id);
    const request = checked.request;
    const negotiating = this.stateValue === "negotiation";
    const command = negotiating && request.command !== "qmp_capabilities" ? undefined : this.host.findCommand(request.command);
    if (!command) {
      const desc = negotiating ? "Expecting capabilities negotiation with 'qmp_capabilities'" : `The command ${request.command} has not been found`;
      return errorReply(new QmpError(desc, { errorClass: "CommandNotFound" }), request.id);
    }
    if (request.oob && !command.allowOob) {
      return errorReply(new QmpError(`The command ${request.command} does not support OOB`), request.id);
    }
    try {
      const args = validateArgumentsUntyped(command.args, request.args);
      const result = command.name === "qmp_capabilities" ? this.negotiate(args) : await command.handler(args, this.context(request));
      return withId({ return: (result ?? {}) as JsonValue }, request.id);
    } catch (err) {
      return errorReply(toQmpError(err), request.id);
    }
  }

  private negotiate(args: JsonObject): JsonObject {
    if (this.stateValue !== "negotiation") {
      throw new QmpError("Capabilities negotiation is already complete, command ignored", { errorClass: "CommandNotFound" });
    }
    const wanted = (args.enable as string[] | undefined) ?? [];
    const unavailable = wanted.filter((cap) => !this.host.offeredCapabilities.includes(cap));
    if (unavailable.length > 0) throw new QmpError(`Capability ${unavailable.join(", ")} not available`);
    this.oob = wanted.includes("oob");
    this.stateValue = "command";
    return {};
  }

  private context(request: QmpRequest): CommandContext {
    return {
      sessionId: this.id,
      oob: request.oob,
      takeFd: () => this.stream.takeFd?.(),
      emitEvent: (name, data) => this.host.emitEvent(name, data),
      disconnectAfterReply: () => {
        this.hangUpAfterReply = true;
      },
    };
  }
}

function withId(reply: JsonObject, id: { value: JsonValue } | undefined): JsonObject {
  if (id) reply.id = id.value;
  return reply;
}

function errorReply(err: QmpError, id?: { value: JsonValue }): JsonObject {
  return withId({ error: { class: err.errorClass, desc: err.desc } }, id);
}
