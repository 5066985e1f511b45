import {
  encodeVMState,
  MigrationRecordReader,
  MigrationStreamWriter,
  readMigrationStream,
  type MigrationRecord,
  type RamRecord as FormatRamRecord,
  type SectionInit,
} from "@savevm/format";
import type { InputChannel, OutputChannel } from "../channel.js";
import { MachineError } from "../errors.js";
import type { DeviceBody } from "./device-body.js";
import type { RamRecord } from "./incoming-section.js";
import type { LoadRecord, SectionResolver } from "./load-record.js";
import type { RamBlockInfo, SectionIdentity, SectionType } from "./section.js";
import type { ChannelSink, SinkOptions, StreamCodec } from "./stream-codec.js";
import type { StreamConfiguration } from "./record-sink.js";
import type { VMStateDescription } from "./vmstate.js";

/**
 * Bytes the writer gathers before it hands a chunk over. Small chunks come from memory the
 * allocator recycles; they are sent to the channel in batches of BATCH_BYTES (one writev).
 */
const CHUNK_BYTES = 96 << 10;
const BATCH_BYTES = 4 << 20;
/**
 * Bytes handed to the channel and not yet written beyond which `flush` waits. Below it the
 * engine keeps producing while the channel writes, so encoding and I/O overlap.
 */
const MAX_IN_FLIGHT = 16 << 20;

function init(entry: SectionIdentity): SectionInit {
  return { idstr: entry.idstr, instanceId: entry.instanceId, version: entry.versionId, sectionId: entry.sectionId };
}

/**
 * A record sink on @savevm/format's MigrationStreamWriter. The engine announces a section, the
 * handler writes its body; the writer emits header, body and footer together, so this keeps the
 * announced section open until the body (or the footer, for an empty body) arrives.
 */
class FormatSink implements ChannelSink {
  readonly #channel: OutputChannel;
  readonly #options: SinkOptions;
  #writer: MigrationStreamWriter | undefined;
  #inFlight = 0;
  #batch: Uint8Array[] = [];
  #batchBytes = 0;
  /** The chain of channel writes, in order; a failure stays in it and is reported by `flush`. */
  #writes: Promise<void> = Promise.resolve();
  #open: { type: SectionType; entry: SectionIdentity; state: "announced" | "ram-open" | "written" } | undefined;

  constructor(channel: OutputChannel, options: SinkOptions) {
    this.#channel = channel;
    this.#options = options;
  }

  get #w(): MigrationStreamWriter {
    if (!this.#writer) throw new MachineError("INVALID_STATE", "stream header not written yet");
    return this.#writer;
  }

  header(configuration: StreamConfiguration | undefined): void {
    const take = (chunk: Uint8Array): void => {
      this.#batch.push(chunk);
      this.#batchBytes += chunk.length;
      if (this.#batchBytes >= BATCH_BYTES) this.#send();
    };
    this.#writer = new MigrationStreamWriter(take, {
      configuration: configuration
        ? {
            machineType: configuration.machineType,
            ...(configuration.uuid ? { uuid: configuration.uuid } : {}),
            ...(configuration.capabilities && configuration.capabilities.length > 0 ? { capabilities: configuration.capabilities } : {}),
          }
        : false,
      vmdesc: this.#options.vmdesc,
      highWaterMark: CHUNK_BYTES,
    });
    this.#writer.header();
  }

  section(type: SectionType, entry: SectionIdentity): void {
    this.#open = { type, entry, state: "announced" };
  }

  #section(): { type: SectionType; entry: SectionIdentity; state: "announced" | "ram-open" | "written" } {
    if (!this.#open) throw new MachineError("INVALID_STATE", "section body written outside a section");
    return this.#open;
  }

  #ramOpen(): void {
    const open = this.#section();
    if (open.state === "ram-open") return;
    if (open.type === "full" || open.type === "start") {
      throw new MachineError("INVALID_STATE", `RAM pages in a ${open.type} section of '${open.entry.idstr}'`);
    }
    this.#w.beginRamSection(open.type, init(open.entry));
    open.state = "ram-open";
  }

  readonly ram = {
    memSize: (blocks: readonly RamBlockInfo[]): void => {
      const open = this.#section();
      this.#w.ramStart(
        blocks.map((b) => (b.addr === undefined ? { idstr: b.name, length: b.size } : { idstr: b.name, length: b.size, addr: b.addr })),
        init(open.entry),
      );
      open.state = "written";
    },
    zeroPage: (block: string, offset: number, fill = 0): void => {
      this.#ramOpen();
      this.#w.ramZero(block, offset, fill);
    },
    dedupPage: (block: string, offset: number, source: number): void => {
      this.#ramOpen();
      this.#w.ramDedup(block, offset, source);
    },
    page: (block: string, offset: number, bytes: Uint8Array): void => {
      this.#ramOpen();
      this.#w.ramPage(block, offset, bytes);
    },
    eos: (): void => {
      const open = this.#section();
      if (open.state === "written") return;
      this.#ramOpen();
      this.#w.finishRamSection();
      open.state = "written";
    },
  };

  device(body: DeviceBody): void {
    const open = this.#section();
    const value = { description: body.vmsd, value: body.state };
    if (open.type === "full") this.#w.sectionFull(init(open.entry), value);
    else if (open.type === "start") this.#w.sectionStart(init(open.entry), value);
    else throw new MachineError("INVALID_STATE", `a device body in a ${open.type} section of '${open.entry.idstr}'`);
    open.state = "written";
  }

  footer(): void {
    const open = this.#section();
    if (open.state === "announced") {
      // A handler that wrote nothing still gets its (empty) section, as QEMU writes it.
      const empty = new Uint8Array(0);
      const w = this.#w;
      if (open.type === "full") w.sectionFull(init(open.entry), empty);
      else if (open.type === "start") w.sectionStart(init(open.entry), empty);
      else if (open.type === "part") w.sectionPart(init(open.entry), empty);
      else w.sectionEnd(init(open.entry), empty);
    }
    this.#open = undefined;
  }

  eof(): void {
    this.#w.eof();
  }

  get position(): number {
    return this.#writer?.offset ?? 0;
  }

  /** Sends the batch as one channel write, after the writes before it. */
  #send(): void {
    if (this.#batch.length === 0) return;
    const batch = this.#batch;
    const bytes = this.#batchBytes;
    this.#batch = [];
    this.#batchBytes = 0;
    const channel = this.#channel;
    this.#inFlight += bytes;
    this.#writes = this.#writes.then(async () => {
      try {
        await channel.write(batch);
      } finally {
        this.#inFlight -= bytes;
      }
    });
    // A failure is reported by flush/end, not as an unhandled rejection.
    this.#writes.catch(() => undefined);
  }

  async flush(): Promise<void> {
    this.#writer?.flush();
    this.#send();
    if (this.#inFlight > MAX_IN_FLIGHT) await this.#writes;
  }

  async end(): Promise<void> {
    this.#writer?.flush();
    this.#send();
    await this.#writes;
  }
}

/** Checks a decoded RAM record is one the machine loads; format's record passes through as is. */
function loadableRam(rec: FormatRamRecord): RamRecord | undefined {
  switch (rec.type) {
    case "mem-size":
    case "zero":
    case "page":
    case "dedup":
    case "eos":
      return rec;
    case "multifd-flush":
      return undefined;
    case "xbzrle":
    case "compressed":
      throw new MachineError("LOAD_FAILED", `RAM records of type ${rec.type} are not supported by this machine`, {
        offset: rec.offset,
        section: "ram",
      });
  }
}

/**
 * Turns @savevm/format's flat record stream into the loader's sections: a RAM section's body is
 * the RAM records up to EOS, pulled from the same decoder while the RAM entry applies them.
 */
async function* loadRecords(records: AsyncIterable<MigrationRecord>): AsyncGenerator<LoadRecord> {
  const it = records[Symbol.asyncIterator]();
  const next = async (): Promise<MigrationRecord | undefined> => {
    const r = await it.next();
    return r.done ? undefined : r.value;
  };
  // RAM records already buffered come without a promise each: a promise per page was most of
  // the garbage a restore made.
  const reader = records instanceof MigrationRecordReader ? records : undefined;
  try {
    for (let rec = await next(); rec; rec = await next()) {
      switch (rec.kind) {
        case "header":
          yield { type: "header", version: rec.version, offset: rec.offset };
          break;
        case "configuration":
          yield { type: "configuration", machineType: rec.machineType, ...(rec.uuid ? { uuid: rec.uuid } : {}), offset: rec.offset };
          break;
        case "section": {
          const opening = rec.type === "start" || rec.type === "full";
          const header = {
            type: "section" as const,
            sectionType: rec.type,
            sectionId: rec.sectionId,
            ...(opening ? { idstr: rec.idstr, instanceId: rec.instanceId, versionId: rec.version } : {}),
            offset: rec.offset,
          };
          if (rec.idstr === "ram") {
            // The RAM entry applies records as the decoder produces them: no copy, no queue.
            const forEach = async (apply: (record: RamRecord) => void): Promise<void> => {
              for (let r = reader?.nextSync() ?? (await next()); r; r = reader?.nextSync() ?? (await next())) {
                if (r.kind !== "ram") throw new MachineError("LOAD_FAILED", "RAM section ended without EOS", { offset: r.offset, section: "ram" });
                const loadable = loadableRam(r);
                if (loadable) apply(loadable);
                if (r.type === "eos") return;
              }
              throw new MachineError("LOAD_FAILED", "the stream ends inside a RAM section", { section: "ram" });
            };
            yield { ...header, body: { kind: "ram", forEach } };
          } else {
            yield { ...header, body: { kind: "vmstate", state: rec.state ?? {} } };
          }
          break;
        }
        case "footer":
          break;
        case "eof":
          yield { type: "eof", offset: rec.offset };
          return;
        case "command":
          throw new MachineError("LOAD_FAILED", `Migration command ${rec.name} is not supported by this machine`, { offset: rec.offset });
        case "ram":
          throw new MachineError("LOAD_FAILED", "RAM record outside a RAM section", { offset: rec.offset });
        default:
          return;
      }
    }
  } finally {
    await it.return?.();
  }
}

/** The machine's stream codec on @savevm/format: QEMU's migration stream v3, as QEMU 7.2 writes it. */
export class FormatStreamCodec implements StreamCodec {
  createSink(channel: OutputChannel, options: SinkOptions): ChannelSink {
    return new FormatSink(channel, options);
  }

  readRecords(input: InputChannel, resolve: SectionResolver): AsyncIterable<LoadRecord> {
    // Unknown entries get no layout: the decoder still yields the section (found through the
    // trailer or its footer) and the loader refuses it with its offset.
    const lookup = (idstr: string, instanceId: number): VMStateDescription | undefined => {
      const layout = resolve(idstr, instanceId);
      return layout?.kind === "vmstate" ? layout.vmsd : undefined;
    };
    return loadRecords(readMigrationStream(input, { devices: lookup, configuration: "auto" }));
  }

  encodeVmstate(vmsd: VMStateDescription, state: Record<string, unknown>): Uint8Array {
    return encodeVMState(vmsd, state).bytes;
  }
}
