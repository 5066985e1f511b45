import type { ByteStream } from "./byte-stream.js";
import { joinRemainder } from "./byte-stream.js";
import { ClientSlots } from "./client-slots.js";
import { Emitter } from "./emitter.js";
import { QmpError } from "./errors.js";
import { LineEditor } from "./hmp-line-editor.js";
import type { HmpContext, HmpRegistry } from "./hmp-registry.js";
import type { QmpServer } from "./server.js";

export interface HmpServerOptions {
  /** First line on connect. Default `savevm monitor - type 'help' for more information`. */
  banner?: string;
  /** Prompt; default `(qemu) ` so tools written for QEMU find it. */
  prompt?: string;
  /** Redraw typed characters as QEMU does (default true). */
  echo?: boolean;
  /** Clients served at once; the next waits without a banner, as with QEMU. Default 1. */
  maxClients?: number;
  /** Connections that may wait; more are closed. Default 16. */
  maxWaitingClients?: number;
}

const encoder = new TextEncoder();
/** Echo collected before it is written (and the stream's back-pressure looked at). */
const ECHO_PIECE_BYTES = 64 * 1024;
const decoder = new TextDecoder();

function bytesOf(latin1: string): Uint8Array {
  const out = new Uint8Array(latin1.length);
  for (let i = 0; i < latin1.length; i++) out[i] = latin1.charCodeAt(i) & 0xff;
  return out;
}

/** One connection to the human monitor. */
export class HmpSession extends Emitter<{ close: [] }> {
  private readonly editor: LineEditor;
  private pending: Uint8Array | undefined;
  private pendingPos = 0;
  private busy = false;
  private closed = false;
  private started = false;
  private closeAfterOutput = false;
  /** Echo and redraws of the chunk being read, written as one piece when the chunk is done. */
  private echo: string[] | undefined;
  private echoLength = 0;
  /** The stream's buffer is full: reading waits for "drain", so output taken slowly holds input back. */
  private outputFull = false;
  /** A piece of echo went out: the rest of the chunk waits for the next turn of the event loop. */
  private yielding = false;
  private readonly onData = (chunk: Uint8Array): void => this.receive(chunk);
  private readonly onGone = (): void => this.close();
  private readonly onDrain = (): void => {
    this.outputFull = false;
    if (!this.busy) this.process();
  };

  constructor(
    private readonly registry: HmpRegistry,
    private readonly stream: ByteStream,
    private readonly options: HmpServerOptions,
    private readonly onClosed: (s: HmpSession) => void,
  ) {
    super();
    this.editor = new LineEditor((text) => this.writeRaw(text), options.prompt ?? "(qemu) ", {
      echo: options.echo,
      complete: (line) => this.complete(line),
    });
    stream.on("close", this.onGone);
    stream.on("end", this.onGone);
    stream.on("error", this.onGone);
    stream.on("drain", this.onDrain);
  }

  /** Prints the banner and the prompt and starts reading. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.writeText(`${this.options.banner ?? "savevm monitor - type 'help' for more information"}\n`);
    this.editor.showPrompt();
    this.stream.on("data", this.onData);
    this.stream.resume();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stream.removeListener("data", this.onData);
    this.stream.removeListener("drain", this.onDrain);
    this.stream.end();
    this.onClosed(this);
    this.emit("close");
  }

  private complete(line: string): string[] {
    const words = line.split(/\s+/);
    if (words.length === 1) return this.registry.commandNames().filter((n) => n.startsWith(words[0]!));
    if (words.length === 2 && words[0] === "info") return this.registry.infoNames().filter((n) => n.startsWith(words[1]!));
    if (words.length === 2 && words[0] === "help") return this.registry.commandNames().filter((n) => n.startsWith(words[1]!));
    return [];
  }

  private writeRaw(latin1: string): void {
    if (!this.echo) {
      this.write(bytesOf(latin1.replace(/\n/g, "\r\n")));
      return;
    }
    this.echo.push(latin1);
    this.echoLength += latin1.length;
    // QEMU redraws the whole line for each byte typed into it: a 4 KiB line echoes ~32 MiB.
    // Written in pieces, so a full stream buffer stops reading after one piece, not one chunk.
    if (this.echoLength >= ECHO_PIECE_BYTES) {
      this.flushEcho(true);
      this.yielding = true;
    }
  }

  private writeText(text: string): void {
    this.write(encoder.encode(text.replace(/\r?\n/g, "\r\n")));
  }

  private write(bytes: Uint8Array): void {
    if (!this.closed && !this.stream.write(bytes)) this.outputFull = true;
  }

  private flushEcho(keepCollecting = false): void {
    const echo = this.echo;
    this.echo = keepCollecting ? [] : undefined;
    this.echoLength = 0;
    if (echo && echo.length > 0) this.write(bytesOf(echo.join("").replace(/\n/g, "\r\n")));
  }

  private receive(chunk: Uint8Array): void {
    this.pending = joinRemainder(this.pending, this.pendingPos, chunk);
    this.pendingPos = 0;
    this.process();
  }

  private process(): void {
    // One write per chunk, not per typed byte: a byte-at-a-time echo costs a write each.
    this.echo ??= [];
    while (this.pending && !this.busy && !this.closed && !this.outputFull && !this.yielding) {
      const byte = this.pending[this.pendingPos++]!;
      if (this.pendingPos >= this.pending.length) this.pending = undefined;
      const line = this.editor.feed(byte);
      if (line !== undefined) {
        this.flushEcho();
        void this.run(line);
      }
    }
    this.flushEcho();
    if (this.closed) return;
    if (this.yielding) {
      // Other monitors (and this machine) get their turn between pieces of a long redraw.
      setTimeout(() => {
        this.yielding = false;
        if (!this.busy && !this.closed) this.process();
      }, 0);
    }
    if (this.pending || this.outputFull) this.stream.pause();
    else this.stream.resume();
  }

  private async run(rawLine: string): Promise<void> {
    // a command runs to completion before the next byte is read, as QEMU's monitor does
    this.busy = true;
    const line = decoder.decode(bytesOf(rawLine));
    const ctx: HmpContext = {
      history: [...this.editor.history],
      cpuIndex: undefined,
      close: () => {
        this.closeAfterOutput = true;
      },
    };
    let output: string;
    try {
      output = await this.registry.execute(line, ctx);
    } catch (err) {
      output = `Error: ${err instanceof Error ? err.message : String(err)}\n`;
    }
    this.writeText(output);
    if (this.closeAfterOutput) {
      this.close();
      return;
    }
    this.editor.showPrompt();
    this.busy = false;
    this.process();
  }
}

/**
 * A human monitor (HMP) over byte streams: banner, `(qemu) ` prompt, QEMU's character echo,
 * `\r` or `\n` as Enter, one command at a time, one client at a time by default.
 */
export class HmpServer {
  private readonly slots: ClientSlots<HmpSession>;

  constructor(
    readonly registry: HmpRegistry,
    private readonly options: HmpServerOptions = {},
  ) {
    this.slots = new ClientSlots(options.maxClients ?? 1, options.maxWaitingClients ?? 16);
  }

  attach(stream: ByteStream): HmpSession {
    stream.pause();
    const session = new HmpSession(this.registry, stream, this.options, (s) => this.slots.release(s));
    this.slots.admit(session);
    return session;
  }

  sessions(): HmpSession[] {
    return this.slots.active();
  }

  close(): void {
    for (const s of this.slots.all()) s.close();
  }
}

/**
 * Adds `human-monitor-command` to a QMP server, running lines through `registry` and returning
 * the text with "\r\n" line ends, as QEMU does.
 */
export function addHumanMonitorCommand(server: QmpServer, registry: HmpRegistry, options: { cpus?: number } = {}): void {
  const cpus = options.cpus ?? 1;
  server.command("human-monitor-command", {
    args: { "command-line": "str", "*cpu-index": "int" },
    returns: "str",
    handler: async (args) => {
      const cpu = args["cpu-index"];
      if (cpu !== undefined && (typeof cpu !== "number" || cpu < 0 || cpu >= cpus)) {
        throw new QmpError("Parameter 'cpu-index' expects a CPU number");
      }
      const out = await registry.execute(args["command-line"], { history: [], cpuIndex: cpu as number | undefined, close() {} });
      return out.replace(/\r?\n/g, "\r\n");
    },
  });
}
