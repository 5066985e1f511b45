import type { InputChannel, OutputChannel } from "../channel.js";
import type { IncomingBody, RamRecord } from "../save/incoming-section.js";
import type { LoadRecord, SectionResolver } from "../save/load-record.js";
import type { RamBlockInfo, SectionIdentity, SectionType } from "../save/section.js";
import type { ChannelSink, SinkOptions, StreamCodec } from "../save/stream-codec.js";
import type { DeviceBody } from "../save/device-body.js";
import type { VMStateDescription } from "../save/vmstate.js";

/** One record as the log codec keeps it (bytes copied, device state cloned). */
export type LoggedRecord =
  | { t: "header" }
  | { t: "configuration"; machineType: string }
  | { t: "section"; type: SectionType; entry: SectionIdentity }
  | { t: "footer"; sectionId: number }
  | { t: "mem-size"; blocks: RamBlockInfo[] }
  | { t: "zero"; block: string; addr: number; fill: number }
  | { t: "dedup"; block: string; addr: number; source: number }
  | { t: "page"; block: string; addr: number; bytes: Uint8Array }
  | { t: "eos" }
  | { t: "device"; vmsd: string; state: Record<string, unknown> }
  | { t: "eof" }
  | { t: "vmdesc" };

const SIZE: Record<string, number> = { header: 8, footer: 5, zero: 9, dedup: 16, page: 4104, eos: 8, eof: 1 };

/**
 * A codec that keeps records as objects, for testing the engine without the byte codec. The
 * bytes on the channel are the JSON of the log, so channels and failures still apply.
 */
export class RecordLogCodec implements StreamCodec {
  readonly logs: LoggedRecord[][] = [];

  createSink(channel: OutputChannel, options: SinkOptions): ChannelSink {
    const log: LoggedRecord[] = [];
    this.logs.push(log);
    let position = 0;
    let flushedTo = 0;
    const push = (r: LoggedRecord, size: number): void => {
      log.push(r);
      position += size;
    };
    const flush = async (): Promise<void> => {
      const fresh = log.slice(flushedTo);
      flushedTo = log.length;
      if (fresh.length > 0) await channel.write([new TextEncoder().encode(`${encode(fresh)}\n`)]);
    };
    return {
      header: (configuration) => {
        push({ t: "header" }, SIZE["header"]!);
        if (configuration) push({ t: "configuration", machineType: configuration.machineType }, 5 + configuration.machineType.length);
      },
      section: (type, entry) => push({ t: "section", type, entry: { ...entry } }, 18),
      footer: (entry) => push({ t: "footer", sectionId: entry.sectionId }, SIZE["footer"]!),
      ram: {
        memSize: (blocks) => push({ t: "mem-size", blocks: blocks.map((b) => ({ ...b })) }, 16),
        zeroPage: (block, addr, fill = 0) => push({ t: "zero", block, addr, fill }, SIZE["zero"]!),
        dedupPage: (block, addr, source) => push({ t: "dedup", block, addr, source }, SIZE["dedup"]!),
        page: (block, addr, bytes) => push({ t: "page", block, addr, bytes: bytes.slice() }, SIZE["page"]!),
        eos: () => push({ t: "eos" }, SIZE["eos"]!),
      },
      device: (body: DeviceBody) => push({ t: "device", vmsd: body.vmsd.name, state: structuredClone(body.state) }, 64),
      eof: () => {
        push({ t: "eof" }, SIZE["eof"]!);
        if (options.vmdesc) push({ t: "vmdesc" }, 100);
      },
      get position() {
        return position;
      },
      flush,
      end: flush,
    };
  }

  async *readRecords(input: InputChannel, resolve: SectionResolver): AsyncIterable<LoadRecord> {
    const chunks: Uint8Array[] = [];
    for await (const c of input) chunks.push(c.slice());
    const text = new TextDecoder().decode(Buffer.concat(chunks));
    const records = text
      .split("\n")
      .filter((l) => l.length > 0)
      .flatMap((l) => decode(l));
    let at = 0;
    let offset = 0;
    while (at < records.length) {
      const r = records[at++]!;
      offset += 1;
      switch (r.t) {
        case "header":
          yield { type: "header", version: 3, offset };
          break;
        case "configuration":
          yield { type: "configuration", machineType: r.machineType, offset };
          break;
        case "eof":
          yield { type: "eof", offset };
          return;
        case "section": {
          const e = r.entry;
          const opening = r.type === "start" || r.type === "full";
          const layout = opening ? resolve(e.idstr, e.instanceId) : undefined;
          const body: LoggedRecord[] = [];
          while (at < records.length && records[at]!.t !== "footer") body.push(records[at++]!);
          at++;
          let incoming: IncomingBody;
          if (layout?.kind === "vmstate" || body[0]?.t === "device") {
            const d = body[0];
            incoming = { kind: "vmstate", state: d?.t === "device" ? d.state : {} };
          } else {
            const records = body.map((b) => toRam(b, offset));
            incoming = {
              kind: "ram",
              forEach: async (apply) => {
                for (const r of records) apply(r);
              },
            };
          }
          yield {
            type: "section",
            sectionType: r.type,
            sectionId: e.sectionId,
            ...(opening ? { idstr: e.idstr, instanceId: e.instanceId, versionId: e.versionId } : {}),
            offset,
            body: incoming,
          };
          break;
        }
        default:
          break;
      }
    }
  }

  encodeVmstate(vmsd: VMStateDescription, state: Record<string, unknown>): Uint8Array {
    return new TextEncoder().encode(`${vmsd.name}:${encode([{ t: "device", vmsd: vmsd.name, state }])}`);
  }
}

function toRam(r: LoggedRecord, offset: number): RamRecord {
  switch (r.t) {
    case "mem-size":
      return {
        type: "mem-size",
        blocks: r.blocks.map((b) => (b.addr === undefined ? { idstr: b.name, length: b.size } : { idstr: b.name, length: b.size, addr: b.addr })),
        offset,
      };
    case "zero":
      return { type: "zero", block: r.block, address: r.addr, fill: r.fill, offset };
    case "dedup":
      return { type: "dedup", block: r.block, address: r.addr, source: r.source, offset };
    case "page":
      return { type: "page", block: r.block, address: r.addr, data: r.bytes, offset };
    default:
      return { type: "eos", offset };
  }
}

function encode(records: LoggedRecord[]): string {
  return JSON.stringify(records, (_k, v: unknown) => {
    if (typeof v === "bigint") return { $big: v.toString() };
    if (v instanceof Uint8Array) return { $bytes: Buffer.from(v).toString("base64") };
    return v;
  });
}

function decode(line: string): LoggedRecord[] {
  return JSON.parse(line, (_k, v: unknown) => {
    if (v && typeof v === "object" && "$big" in v) return BigInt((v as { $big: string }).$big);
    if (v && typeof v === "object" && "$bytes" in v) return new Uint8Array(Buffer.from((v as { $bytes: string }).$bytes, "base64"));
    return v;
  }) as LoggedRecord[];
}
