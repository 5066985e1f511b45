import {
  DeviceStateJsonBuilder,
  readDomainIdentity,
  readMigrationStream,
  readSaveImage,
  sniffLibvirtSaveImage,
  StreamSummaryBuilder,
  type StreamSummary,
} from "@savevm/format";
import { KIND_ABSENT, KIND_DUPLICATE, KIND_UNIFORM, KIND_UNIQUE, KIND_ZERO } from "../shared/protocol.js";

/** Most cells the page map of an inspected file gets; a larger block shares cells between pages. */
const MAX_CELLS = 1 << 20;

export interface InspectedFile {
  name: string;
  size: number;
  container: "qemu" | "gzip" | "libvirt";
  libvirt?: { version: number; format: string; wasRunning: boolean; payloadOffset: number; name?: string; uuid?: string; domainXml: string };
  summary: StreamSummary;
  /** `savevm inspect --json`: device state as analyze-migration.py prints it, plus RAM page counts. */
  state: Record<string, unknown>;
  /** The first RAM block on the page map: one kind per cell, `pagesPerCell` pages a cell. */
  map?: { block: string; pages: number; pagesPerCell: number; kinds: Uint8Array };
}

/**
 * What `savevm inspect` shows, computed in one forward pass over the file's stream: the summary
 * (header, configuration, sections, RAM counts, devices), the device state JSON, and a kind per
 * page of the first RAM block. RAM is never held: each page is classified as it streams by
 * (zero and uniform from its record, duplicate and unique from a 53-bit hash of its bytes seen
 * earlier in the file; display only, so a hash suffices here).
 */
export async function inspectFile(file: File): Promise<InspectedFile> {
  const prefix = new Uint8Array(await file.slice(0, 16).arrayBuffer());
  let container: InspectedFile["container"] = "qemu";
  let stream: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> = file.stream();
  let libvirt: InspectedFile["libvirt"];
  let baseOffset = 0;
  if (prefix[0] === 0x1f && prefix[1] === 0x8b) {
    container = "gzip";
    stream = file.stream().pipeThrough(new DecompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>);
  } else if (sniffLibvirtSaveImage(prefix) !== null) {
    container = "libvirt";
    const image = await readSaveImage(file.stream(), { allowPartial: true });
    const identity = readDomainIdentity(image.domainXml);
    libvirt = {
      version: image.header.version,
      format: image.header.format,
      wasRunning: image.header.wasRunning,
      payloadOffset: image.payloadOffset,
      domainXml: image.domainXml,
      ...(identity.name !== undefined ? { name: identity.name } : {}),
      ...(identity.uuid !== undefined ? { uuid: identity.uuid } : {}),
    };
    if (image.header.format === "raw") baseOffset = image.payloadOffset;
    stream = image.stream;
  }
  const summary = new StreamSummaryBuilder();
  const state = new DeviceStateJsonBuilder();
  const map = new PageKindMap();
  for await (const rec of readMigrationStream(stream, { baseOffset })) {
    summary.add(rec);
    state.add(rec);
    map.add(rec);
  }
  const result = summary.result();
  return {
    name: file.name,
    size: file.size,
    container,
    ...(libvirt ? { libvirt } : {}),
    summary: result,
    state: withPageCounts(state.result(), result),
    ...(map.result() ? { map: map.result()! } : {}),
  };
}

/** As `savevm inspect --json`: the RAM section's entry gets the page counts next to "section sizes". */
function withPageCounts(state: Record<string, unknown>, summary: StreamSummary): Record<string, unknown> {
  if (!summary.ram) return state;
  const counts: Record<string, unknown> = {};
  for (const block of summary.ram.blocks) counts[block.idstr] = block.pages;
  for (const [key, value] of Object.entries(state)) {
    if (key.startsWith("ram (") && value && typeof value === "object") (value as Record<string, unknown>)["page counts"] = counts;
  }
  return state;
}

type Rec = Parameters<StreamSummaryBuilder["add"]>[0];

class PageKindMap {
  #block: string | undefined;
  #pageSize = 4096;
  #pages = 0;
  #perCell = 1;
  #kinds: Uint8Array | undefined;
  readonly #seen = new Set<number>();

  add(rec: Rec): void {
    if (rec.kind === "configuration" && rec.targetPageBits !== undefined) this.#pageSize = 2 ** rec.targetPageBits;
    if (rec.kind !== "ram") return;
    if (rec.type === "mem-size") {
      const main = rec.blocks[0];
      if (!main || this.#kinds) return;
      this.#block = main.idstr;
      this.#pages = Math.floor(main.length / this.#pageSize);
      this.#perCell = Math.max(1, Math.ceil(this.#pages / MAX_CELLS));
      this.#kinds = new Uint8Array(Math.ceil(this.#pages / this.#perCell)).fill(KIND_ABSENT);
      return;
    }
    if (!this.#kinds || !("block" in rec) || rec.block !== this.#block) return;
    const page = Math.floor(rec.address / this.#pageSize);
    if (page >= this.#pages) return;
    let kind: number;
    if (rec.type === "zero") kind = rec.fill === 0 ? KIND_ZERO : KIND_UNIFORM;
    else if (rec.type === "dedup") kind = KIND_DUPLICATE;
    else if (rec.type === "page") kind = this.#classify(rec.data);
    else kind = KIND_UNIQUE;
    const cell = Math.floor(page / this.#perCell);
    // A shared cell shows its "most informative" page: unique over duplicate over uniform over zero.
    const old = this.#kinds[cell]!;
    this.#kinds[cell] = this.#perCell === 1 || old === KIND_ABSENT ? kind : Math.max(old, kind);
  }

  #classify(data: Uint8Array): number {
    const first = data[0]!;
    let uniform = true;
    for (let i = 1; i < data.length; i++) {
      if (data[i] !== first) {
        uniform = false;
        break;
      }
    }
    if (uniform) return first === 0 ? KIND_ZERO : KIND_UNIFORM;
    // Page records are views into the input at any offset, so words are put together by hand.
    let h1 = 0x811c9dc5 | 0;
    let h2 = 0x1b873593 | 0;
    for (let i = 0; i + 3 < data.length; i += 4) {
      const w = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
      h1 = Math.imul(h1 ^ w, 0x01000193);
      h2 = Math.imul(h2 + w, 0x5bd1e995) ^ (h2 >>> 15);
    }
    const key = (h1 >>> 0) * 0x200000 + (h2 & 0x1fffff);
    if (this.#seen.has(key)) return KIND_DUPLICATE;
    if (this.#seen.size < 1 << 22) this.#seen.add(key);
    return KIND_UNIQUE;
  }

  result(): { block: string; pages: number; pagesPerCell: number; kinds: Uint8Array } | undefined {
    if (!this.#kinds || this.#block === undefined) return undefined;
    return { block: this.#block, pages: this.#pages, pagesPerCell: this.#perCell, kinds: this.#kinds };
  }
}
