import { MachineError } from "../errors.js";
import { isLive, type SaveContext, type SaveHandler } from "./handler.js";
import { CaptureSink, type CapturedSection } from "./capture-sink.js";
import type { RecordSink, StreamConfiguration } from "./record-sink.js";
import { SaveMode, type SaveKind } from "./save-mode.js";
import type { SectionIdentity } from "./section.js";

/** A registered handler and the section id it got at registration, as in QEMU. */
export interface SaveEntry extends SectionIdentity {
  readonly handler: SaveHandler;
}

/**
 * The registry of state entries. It hands out section ids in registration order and lists the
 * entries a save of a given kind walks; the walking itself is `SaveSession`.
 *
 * A live entry (sent as START, PART and END) never gets id 0: QEMU 7.2 finds the entry of a PART
 * or END section by the id its START carried, and that load id is 0 in every entry whose section
 * has not arrived yet, so a PART numbered 0 goes to QEMU's first entry (`timer`) instead. Only
 * FULL sections, which QEMU finds by name, may be numbered 0.
 */
export class SaveRegistry {
  #nextSectionId = 0;
  readonly #entries: SaveEntry[] = [];

  register(handler: SaveHandler): SaveEntry {
    if (this.find(handler.idstr, handler.instanceId)) {
      throw new MachineError(
        "INVALID_CONFIG",
        `A state entry '${handler.idstr}' instance ${handler.instanceId} is already registered`,
      );
    }
    if (handler.idstr.length === 0 || handler.idstr.length > 255) {
      throw new MachineError("INVALID_CONFIG", `State entry id '${handler.idstr}' must be 1 to 255 bytes`);
    }
    if (this.#nextSectionId === 0 && isLive(handler)) this.#nextSectionId = 1;
    const entry: SaveEntry = {
      sectionId: this.#nextSectionId++,
      idstr: handler.idstr,
      instanceId: handler.instanceId,
      versionId: handler.versionId,
      handler,
    };
    this.#entries.push(entry);
    return entry;
  }

  unregister(idstr: string, instanceId: number): boolean {
    const i = this.#entries.findIndex((e) => e.idstr === idstr && e.instanceId === instanceId);
    if (i < 0) return false;
    this.#entries.splice(i, 1);
    return true;
  }

  find(idstr: string, instanceId: number): SaveEntry | undefined {
    return this.#entries.find((e) => e.idstr === idstr && e.instanceId === instanceId);
  }

  get entries(): readonly SaveEntry[] {
    return this.#entries;
  }

  /** Entries that join a save of `kind`; a device-state-only save never includes RAM. */
  forKind(kind: SaveKind): SaveEntry[] {
    return this.#entries.filter(
      (e) => (e.handler.modes & SaveMode[kind]) !== 0 && !(kind === "DEVICES" && e.handler.isRam),
    );
  }
}

export interface SessionOptions {
  kind: SaveKind;
  live: boolean;
  /** The configuration record; absent for streams without one (device-state files). */
  configuration: StreamConfiguration | undefined;
}

/**
 * One save walking the registry: `begin` (header, configuration, START of live entries),
 * `iterate` (PART sections), `complete` (END, FULL, EOF, trailer). An error thrown by any
 * handler propagates out of the call that ran it; `finish` then gives every handler its cleanup.
 */
export class SaveSession {
  readonly ctx: SaveContext;
  readonly #entries: SaveEntry[];
  readonly #live: SaveEntry[];
  readonly #options: SessionOptions;
  #finished = false;

  constructor(registry: SaveRegistry, sink: RecordSink, options: SessionOptions) {
    this.#options = options;
    this.ctx = { kind: options.kind, live: options.live, sink, configuration: options.configuration };
    this.#entries = registry.forKind(options.kind);
    this.#live = this.#entries.filter((e) => isLive(e.handler));
  }

  get sink(): RecordSink {
    return this.ctx.sink;
  }

  async begin(): Promise<void> {
    const sink = this.ctx.sink;
    sink.header(this.#options.configuration);
    for (const entry of this.#live) {
      sink.section("start", entry);
      await entry.handler.setup?.(this.ctx);
      sink.footer(entry);
    }
    await sink.flush();
  }

  /**
   * One round over the live entries, each writing a PART section within what is left of
   * `budget`. Resolves true when every live entry reported nothing left in this pass.
   */
  async iterate(budget: number): Promise<boolean> {
    const sink = this.ctx.sink;
    let allDone = true;
    const start = sink.position;
    for (const entry of this.#live) {
      const left = budget - (sink.position - start);
      if (left <= 0) {
        allDone = false;
        break;
      }
      sink.section("part", entry);
      const done = await entry.handler.iterate!(this.ctx, left);
      sink.footer(entry);
      if (!done) allDone = false;
    }
    await sink.flush();
    return allDone;
  }

  /** Bytes the live entries still have to send. */
  pending(exact: boolean): number {
    let total = 0;
    for (const entry of this.#live) total += entry.handler.pending?.(this.ctx, exact) ?? 0;
    return total;
  }

  /** Stop-and-copy: END for live entries, FULL for the rest, EOF and the trailer. */
  async complete(): Promise<void> {
    const sink = this.ctx.sink;
    for (const entry of this.#live) {
      sink.section("end", entry);
      await entry.handler.complete?.(this.ctx);
      sink.footer(entry);
      await sink.flush();
    }
    this.#saveDevices(this.ctx);
    sink.eof();
    await sink.flush();
  }

  /** FULL sections of the entries that are not live and are needed, written through `ctx.sink`. */
  #saveDevices(ctx: SaveContext): void {
    for (const entry of this.#entries) {
      const h = entry.handler;
      if (isLive(h) || !h.save) continue;
      if (h.needed && !h.needed(ctx)) continue;
      ctx.sink.section("full", entry);
      h.save(ctx);
      ctx.sink.footer(entry);
    }
  }

  /**
   * The FULL sections as they are now, kept in memory to be written later (QEMU's background
   * snapshot saves device state at T0 and appends it after the RAM).
   */
  captureDevices(): CapturedSection[] {
    const capture = new CaptureSink();
    this.#saveDevices({ ...this.ctx, sink: capture });
    return capture.sections;
  }

  /** A background snapshot's end: the captured FULL sections, EOF and the trailer (no RAM END). */
  async completeWith(captured: readonly CapturedSection[]): Promise<void> {
    const sink = this.ctx.sink;
    for (const { entry, body } of captured) {
      sink.section("full", entry);
      if (body) sink.device(body);
      sink.footer(entry);
    }
    sink.eof();
    await sink.flush();
  }

  /** Idempotent; call it however the save ended. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    for (const entry of this.#entries) entry.handler.cleanup?.(this.ctx);
  }
}
