import type { OutputChannel } from "../channel.js";
import type { RamSet } from "../ram/ram-block.js";
import { DeviceSaveHandler } from "./device-handler.js";
import type { SaveRegistry } from "./engine.js";
import { isLive, type SaveContext } from "./handler.js";
import { largestBody } from "./largest-state.js";
import type { RamSaveHandler } from "./ram-handler.js";
import type { StreamConfiguration } from "./record-sink.js";
import type { SaveKind } from "./save-mode.js";
import type { StreamCodec } from "./stream-codec.js";

/** RAM record header: be64 address and flags. */
const RECORD_HEADER = 8;
/** Section header of a PART/END (type byte, be32 section id), the EOS record and the footer (0x7e, be32 id). */
const RAM_SECTION_OVERHEAD = 5 + 8 + 5;

export interface ExpectedSizeRequest {
  registry: SaveRegistry;
  codec: StreamCodec;
  ram: RamSet;
  ramHandler: RamSaveHandler;
  kind: SaveKind;
  configuration: StreamConfiguration;
  /** A background snapshot: pages come once each, and there is no END section. */
  snapshot: boolean;
  pageSize: number;
}

const discard: OutputChannel = {
  write: async () => undefined,
  close: async () => undefined,
  abort: async () => undefined,
};

/**
 * The most bytes a save that sends every page at most once can write (a live snapshot, a save
 * of a stopped guest, a cpr-reboot checkpoint), known before it starts, so a management tool
 * can reserve the space. Everything but the pages is measured by encoding it — header,
 * configuration, the RAM block list, every device at its largest (all subsections), EOF and the
 * vmdesc trailer — and each page in the stream is counted at its worst: a full page with its
 * record header and block name, in a section of its own. Undefined when there is no such bound
 * (a live entry other than RAM, a device whose size depends on its values).
 */
export function expectedFileSize(request: ExpectedSizeRequest): number | undefined {
  const { registry, ramHandler } = request;
  const sink = request.codec.createSink(discard, { vmdesc: true });
  const ctx: SaveContext = {
    kind: request.kind,
    live: false,
    sink,
    configuration: request.configuration,
    sizing: true,
  };
  sink.header(request.configuration);
  const entries = registry.forKind(request.kind);
  for (const entry of entries) {
    if (!isLive(entry.handler)) continue;
    if (entry.handler !== ramHandler) return undefined;
    sink.section("start", entry);
    ramHandler.writeBlockList(ctx);
    sink.ram.eos();
    sink.footer(entry);
    if (!request.snapshot) {
      sink.section("end", entry);
      sink.ram.eos();
      sink.footer(entry);
    }
  }
  for (const entry of entries) {
    const h = entry.handler;
    if (isLive(h) || !h.save) continue;
    if (h instanceof DeviceSaveHandler) {
      // Saved whether `needed` says so now or not: it may by the time the save gets to it.
      const body = largestBody(h.device.vmsd, h.device.saveState());
      if (!body) return undefined;
      sink.section("full", entry);
      sink.device(body);
      sink.footer(entry);
    } else if (!h.needed || h.needed(ctx)) {
      sink.section("full", entry);
      h.save(ctx);
      sink.footer(entry);
    }
  }
  sink.eof();

  const ignoreShared = !request.snapshot && (request.configuration.capabilities?.includes("x-ignore-shared") ?? false);
  const blocks = request.ram.blocks.filter((b) => !(ignoreShared && b.shared));
  const longestName = Math.max(0, ...blocks.map((b) => b.name.length));
  const pages = blocks.reduce((n, b) => n + b.pageCount, 0);
  const perPage = request.pageSize + RECORD_HEADER + 1 + longestName + RAM_SECTION_OVERHEAD;
  // One more (empty) PART where the last pass finds nothing left.
  return sink.position + pages * perPage + RAM_SECTION_OVERHEAD;
}
