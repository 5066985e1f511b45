import { type ConfigurationInit, makeConfigurationRecord, writeConfiguration } from "../configuration.js";
import {
  DEDUP_CAPABILITY,
  DEFAULT_PAGE_SIZE,
  QEMU_VM_FILE_MAGIC,
  QEMU_VM_FILE_VERSION,
  RAM_SAVE_FLAG_X_DEDUP,
  RAM_SECTION_VERSION,
  type SectionType,
} from "../constants.js";
import { FormatError } from "../errors.js";
import type { MigrationRecord, RamBlockInfo, RamDedupRecord, RamPageRecord, RamRecord, RamZeroRecord } from "../records.js";
import { checkRamRecord, writeRamRecord } from "../ram/ram-records.js";
import { type ByteSink, type ChunkWriter, toChunkWriter } from "../sink/byte-sink.js";
import { formatQemuJson } from "../vmdesc/qemu-json.js";
import type { VmdescDevice, VmdescVmsd } from "../vmdesc/vmdesc.js";
import { encodeVMState } from "../vmstate/encode.js";
import type { VMStateDescription, VMStateValue } from "../vmstate/types.js";
import { ByteWriter } from "../wire/byte-writer.js";
import { type EncodeOptions, pageSizeAfter, writeEof, writeFooter, writeRecord, writeSectionHeader, writeVmdesc } from "./record-codec.js";

export interface MigrationStreamWriterOptions {
  /**
   * The configuration record after the header, or false for none
   * (`-global migration.send-configuration=off`). Default: machine type "pc-i440fx-7.2".
   */
  configuration?: ConfigurationInit | false;
  /** Section footers (`send-section-footer`). Default true. */
  footers?: boolean;
  /**
   * The vmdesc trailer after EOF, built from the FULL sections written: true (QEMU 7.2 shape,
   * the default), "8.2" (with the configuration described first), or false (`suppress-vmdesc`).
   */
  vmdesc?: boolean | "8.2";
  /** Target page size of the RAM records. Default 4096. */
  pageSize?: number;
  /** Write the 8-byte header. Default true. */
  header?: boolean;
  /** Bytes buffered before a chunk goes to the sink. Default 256 KiB. */
  highWaterMark?: number;
}

/** A section as the writer's methods name it. */
export interface SectionInit {
  idstr: string;
  /** Default 0. */
  instanceId?: number;
  /** Default: the description's version_id; required with a raw body. */
  version?: number;
  /** Default: assigned in order of first use, from 0. */
  sectionId?: number;
}

/** A section body: raw bytes, or a value with its vmstate description. */
export type SectionBody = Uint8Array | { description: VMStateDescription; value: VMStateValue };

const NO_DATA = new Uint8Array(0);
/** What every page record starts as; `pageRecord` fills in the section, address and block. */
const PAGE_RECORD_BASE = { kind: "ram", offset: 0, sectionId: 0, address: 0, continued: false, block: "" } as const;

/**
 * Writes a migration stream. By default the output is what QEMU 7.2 writes: header, configuration
 * record, sections with footers, EOF, and a vmdesc trailer built from the FULL sections written.
 *
 * Methods append to an internal buffer and return `this`; whenever `highWaterMark` bytes are
 * buffered they go to the sink. With an asynchronous sink, `await writer.drain()` now and then
 * to let it push back; `await writer.close()` at the end.
 */
export class MigrationStreamWriter {
  private readonly out: ChunkWriter;
  private readonly w: ByteWriter;
  private readonly hwm: number;
  private readonly footers: boolean;
  #pageSize: number;
  private pending: Promise<void> | undefined;
  private started = false;
  private readonly ids = new Map<string, number>();
  private nextId = 0;
  private readonly devices: VmdescDevice[] = [];
  private ramSection: { sectionId: number } | undefined;
  private lastBlock: string | undefined;
  private zeroPage: Uint8Array;
  // One reused record per hot page type: a page costs no object.
  readonly #page: RamPageRecord = { ...PAGE_RECORD_BASE, type: "page", data: NO_DATA };
  readonly #zero: RamZeroRecord = { ...PAGE_RECORD_BASE, type: "zero", fill: 0 };
  readonly #dedup: RamDedupRecord = { ...PAGE_RECORD_BASE, type: "dedup", source: 0 };
  /** Bytes handed to the sink or buffered so far. */
  private written = 0;

  constructor(
    sink: ByteSink,
    private readonly options: MigrationStreamWriterOptions = {},
  ) {
    this.out = toChunkWriter(sink);
    this.hwm = options.highWaterMark ?? 256 * 1024;
    this.w = new ByteWriter(this.hwm + 8192);
    this.footers = options.footers ?? true;
    this.#pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.zeroPage = new Uint8Array(this.#pageSize);
  }

  /** Bytes written so far (the offset the next record will have). */
  get offset(): number {
    return this.written + this.w.length;
  }

  /** Header and configuration record. Called by the first other method if not called before. */
  header(): this {
    if (this.started) throw new FormatError("INVALID_VALUE", "the stream header was already written");
    this.started = true;
    if (this.options.header !== false) this.w.u32(QEMU_VM_FILE_MAGIC).u32(QEMU_VM_FILE_VERSION);
    const cfg = this.configurationInit();
    if (cfg) writeConfiguration(this.w, makeConfigurationRecord(cfg));
    return this.flushIfFull();
  }

  private configurationInit(): ConfigurationInit | undefined {
    const cfg = this.options.configuration;
    if (cfg === false) return undefined;
    return cfg ?? { machineType: "pc-i440fx-7.2" };
  }

  private begin(): void {
    if (!this.started) this.header();
  }

  /** Section id for an idstr/instance pair (assigned on first use). */
  sectionId(section: SectionInit): number {
    const { key, id } = this.resolveSectionId(section);
    this.commitSectionId(key, id);
    return id;
  }

  /** The id `sectionId` would give, without assigning it (a section that fails to write keeps none). */
  private resolveSectionId(section: SectionInit): { key: string; id: number } {
    const key = `${section.idstr}\u0000${section.instanceId ?? 0}`;
    return { key, id: section.sectionId ?? this.ids.get(key) ?? this.nextId };
  }

  private commitSectionId(key: string, id: number): void {
    this.ids.set(key, id);
    this.nextId = Math.max(this.nextId, id + 1);
  }

  /**
   * Runs `emit`; if it throws, what it wrote is dropped, so a caught error leaves no half record
   * behind (nothing is flushed in between: flushes happen only after a whole record).
   */
  private whole(emit: () => void): this {
    const mark = this.w.length;
    try {
      emit();
    } catch (error) {
      this.w.truncate(mark);
      throw error;
    }
    return this.flushIfFull();
  }

  /** A non-iterative device: header, body, footer; described in the vmdesc trailer. */
  sectionFull(section: SectionInit, body: SectionBody): this {
    return this.deviceSection("full", section, body);
  }

  sectionStart(section: SectionInit, body: SectionBody): this {
    return this.deviceSection("start", section, body);
  }

  sectionPart(section: SectionInit, body: Uint8Array): this {
    return this.deviceSection("part", section, body);
  }

  sectionEnd(section: SectionInit, body: Uint8Array): this {
    return this.deviceSection("end", section, body);
  }

  private deviceSection(type: SectionType, section: SectionInit, body: SectionBody): this {
    this.begin();
    if (this.ramSection) throw new FormatError("INVALID_VALUE", "finish the RAM section before writing another section");
    const { key, id: sectionId } = this.resolveSectionId(section);
    const instanceId = section.instanceId ?? 0;
    const raw = body instanceof Uint8Array;
    const version = section.version ?? (raw ? undefined : body.description.version_id);
    if (version === undefined && (type === "start" || type === "full")) {
      throw new FormatError("INVALID_VALUE", `section '${section.idstr}' with a raw body needs a version`);
    }
    if (!raw && version !== body.description.version_id) {
      throw new FormatError("INVALID_VALUE", `'${section.idstr}' is saved at its description's version ${body.description.version_id}, not ${version}`);
    }
    return this.whole(() => {
      writeSectionHeader(this.w, { type, sectionId, idstr: section.idstr, instanceId, version: version ?? 0 });
      let vmsd: VmdescVmsd | undefined;
      let size: number;
      if (raw) {
        this.w.bytes(body);
        size = body.length;
      } else {
        const encoded = encodeVMState(body.description, body.value, this.w);
        vmsd = encoded.vmdesc;
        size = encoded.bytes.length;
      }
      if (this.footers) writeFooter(this.w, { sectionId });
      this.commitSectionId(key, sectionId);
      if (type === "full") {
        this.devices.push(
          vmsd
            ? { name: section.idstr, instance_id: instanceId, ...vmsd }
            : { name: section.idstr, instance_id: instanceId, size, fields: [{ name: "data", size, type: "buffer" }] },
        );
      }
    });
  }

  /** The RAM START section: the block list (MEM_SIZE) and EOS. */
  ramStart(blocks: readonly RamBlockInfo[], section: Partial<SectionInit> = {}): this {
    let total = 0;
    for (const b of blocks) total += b.length;
    const memSize: RamRecord = { ...PAGE_RECORD_BASE, type: "mem-size", address: total, blocks: [...blocks] };
    // Checked before the section opens: a bad block list leaves no half section behind.
    checkRamRecord(memSize, this.pageSize);
    this.beginRam("start", section);
    this.ram(memSize);
    return this.finishRamSection();
  }

  /** Opens a RAM PART (or END) section; follow with page records and `finishRamSection()`. */
  beginRamSection(type: "part" | "end" = "part", section: Partial<SectionInit> = {}): this {
    return this.beginRam(type, section);
  }

  private beginRam(type: SectionType, section: Partial<SectionInit>): this {
    this.begin();
    if (this.ramSection) throw new FormatError("INVALID_VALUE", "a RAM section is already open");
    const init: SectionInit = { idstr: "ram", instanceId: 0, version: RAM_SECTION_VERSION, ...section };
    const { key, id: sectionId } = this.resolveSectionId(init);
    return this.whole(() => {
      writeSectionHeader(this.w, { type, sectionId, idstr: init.idstr, instanceId: init.instanceId ?? 0, version: init.version ?? RAM_SECTION_VERSION });
      this.commitSectionId(key, sectionId);
      this.ramSection = { sectionId };
    });
  }

  /** EOS and the footer of the open RAM section. */
  finishRamSection(): this {
    const open = this.needRam();
    this.ram({ kind: "ram", type: "eos", offset: 0, sectionId: open.sectionId, address: 0, continued: false });
    if (this.footers) writeFooter(this.w, { sectionId: open.sectionId });
    this.ramSection = undefined;
    return this.flushIfFull();
  }

  private needRam(): { sectionId: number } {
    if (!this.ramSection) throw new FormatError("INVALID_VALUE", "no RAM section is open (call beginRamSection first)");
    return this.ramSection;
  }

  /** A page as QEMU sends it: a ZERO record if it is all zero, else PAGE. */
  ramPage(block: string, address: number, data: Uint8Array): this {
    if (isAllZero(data, this.zeroPage)) return this.ramZero(block, address, 0);
    const rec = this.#page;
    rec.data = data;
    try {
      return this.pageRecord(rec, block, address);
    } finally {
      rec.data = NO_DATA;
    }
  }

  /** A ZERO record (QEMU 7.2 only sends fill 0; its loader accepts any fill byte). */
  ramZero(block: string, address: number, fill = 0): this {
    this.#zero.fill = fill;
    return this.pageRecord(this.#zero, block, address);
  }

  /**
   * A dedup reference (savevm's `x-dedup` extension): the page at `address` equals the page at
   * `source` of the same block as the stream has it so far. The configuration record must list
   * the `x-dedup` capability, so that readers without the extension refuse the stream.
   */
  ramDedup(block: string, address: number, source: number): this {
    this.needRam();
    if (!(this.configurationInit()?.capabilities ?? []).includes(DEDUP_CAPABILITY)) {
      throw new FormatError("INVALID_VALUE", `a page reference needs the '${DEDUP_CAPABILITY}' capability in the configuration record`);
    }
    if (this.pageSize <= RAM_SAVE_FLAG_X_DEDUP) {
      throw new FormatError("INVALID_VALUE", `page references need pages larger than ${RAM_SAVE_FLAG_X_DEDUP} bytes (the flag would be an address bit)`);
    }
    this.#dedup.source = source;
    return this.pageRecord(this.#dedup, block, address);
  }

  ramXbzrle(block: string, address: number, encoded: Uint8Array): this {
    return this.pageRecord({ ...PAGE_RECORD_BASE, type: "xbzrle", data: encoded }, block, address);
  }

  ramCompressed(block: string, address: number, zlibData: Uint8Array): this {
    return this.pageRecord({ ...PAGE_RECORD_BASE, type: "compressed", data: zlibData }, block, address);
  }

  /**
   * A record of one page of `block` in the open RAM section. Its name is left out when the
   * previous page record was of the same block (also across sections, as in QEMU); that block is
   * only remembered once the record is written, so a refused record changes nothing.
   */
  private pageRecord(rec: Exclude<RamRecord, { type: "mem-size" | "eos" | "multifd-flush" }>, block: string, address: number): this {
    rec.sectionId = this.needRam().sectionId;
    rec.address = address;
    rec.block = block;
    rec.continued = this.lastBlock === block;
    writeRamRecord(this.w, rec, this.pageSize);
    this.lastBlock = block;
    return this.flushIfFull();
  }

  private ram(rec: RamRecord): this {
    writeRamRecord(this.w, rec, this.pageSize);
    return this.flushIfFull();
  }

  /** EOF and, unless disabled, the vmdesc trailer. */
  eof(): this {
    this.begin();
    if (this.ramSection) throw new FormatError("INVALID_VALUE", "finish the RAM section before EOF");
    return this.whole(() => {
      writeEof(this.w);
      const shape = this.options.vmdesc ?? true;
      if (shape !== false) {
        const json = new TextEncoder().encode(formatQemuJson(this.vmdesc(shape === "8.2")));
        writeVmdesc(this.w, { json });
      }
    });
  }

  private vmdesc(withConfiguration: boolean): object {
    const doc: Record<string, unknown> = {};
    const cfg = this.configurationInit();
    if (withConfiguration && cfg) doc.configuration = configurationVmdesc(cfg);
    doc.page_size = this.pageSize;
    doc.devices = this.devices;
    return doc;
  }

  /** Target page size of the RAM records; a configuration record written with `write()` sets it. */
  get pageSize(): number {
    return this.#pageSize;
  }

  /** Writes any record as is (no vmdesc bookkeeping): for re-emitting decoded records. */
  write(record: MigrationRecord, options?: EncodeOptions): this {
    const pageSize = pageSizeAfter(record, this.#pageSize);
    return this.whole(() => {
      writeRecord(this.w, record, { pageSize, ...options });
      this.started = true;
      if (pageSize !== this.#pageSize) {
        this.#pageSize = pageSize;
        this.zeroPage = new Uint8Array(pageSize);
      }
    });
  }

  private flushIfFull(): this {
    if (this.w.length >= this.hwm) this.flush();
    return this;
  }

  /** Hands everything buffered to the sink now. */
  flush(): this {
    if (this.w.length === 0) return this;
    const chunk = this.w.finish();
    this.written += chunk.length;
    if (this.pending === undefined) {
      const result = this.out.write(chunk);
      if (result) this.track(result);
    } else {
      this.track(this.pending.then(() => this.out.write(chunk)));
    }
    return this;
  }

  private track(p: Promise<void>): void {
    const tracked: Promise<void> = p.then(() => {
      if (this.pending === tracked) this.pending = undefined;
    });
    // A failure is reported by drain()/close(), not as an unhandled rejection.
    tracked.catch(() => undefined);
    this.pending = tracked;
  }

  /** Flushes and waits until the sink has taken everything. */
  async drain(): Promise<void> {
    this.flush();
    while (this.pending) await this.pending;
  }

  /** Flushes, waits, and closes the sink. */
  async close(): Promise<void> {
    await this.drain();
    await this.out.close();
  }
}

/** The 8.2+ vmdesc entry for the configuration vmstate. */
function configurationVmdesc(cfg: ConfigurationInit): VmdescVmsd {
  const fields = [
    { name: "len", type: "uint32", size: 4 },
    { name: "name", type: "buffer", size: cfg.machineType.length },
  ];
  const subsections: VmdescVmsd[] = [];
  if (cfg.targetPageBits !== undefined) {
    subsections.push({ vmsd_name: "configuration/target-page-bits", version: 1, fields: [{ name: "target_page_bits", type: "uint32", size: 4 }] });
  }
  const caps = cfg.capabilities ?? [];
  if (caps.length > 0) {
    // A compressible array: described once, by its first element.
    const first = { name: "capabilities", ...(caps.length > 1 ? { array_len: caps.length } : {}), type: "capability", size: 1 + caps[0]!.length };
    subsections.push({
      vmsd_name: "configuration/capabilities",
      version: 1,
      fields: [{ name: "caps_count", type: "uint32", size: 4 }, first],
    });
  }
  if (cfg.uuid !== undefined) {
    const uuid = { vmsd_name: "UUID", version: 1, fields: [{ name: "data", array_len: 16, type: "uint8", size: 1 }] };
    subsections.push({ vmsd_name: "configuration/uuid", version: 1, fields: [{ name: "uuid", type: "struct", struct: uuid, size: 16 }] });
  }
  return { vmsd_name: "configuration", version: 1, fields, ...(subsections.length > 0 ? { subsections } : {}) };
}

function isAllZero(data: Uint8Array, zeroPage: Uint8Array): boolean {
  if (data.length !== zeroPage.length) return false;
  if (data.byteOffset % 4 === 0) {
    const words = new Uint32Array(data.buffer, data.byteOffset, data.length >>> 2);
    for (let i = 0; i < words.length; i++) if (words[i] !== 0) return false;
    for (let i = words.length << 2; i < data.length; i++) if (data[i] !== 0) return false;
    return true;
  }
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) return false;
  return true;
}

/** Writes records back to bytes, byte for byte as they were decoded. */
export async function writeMigrationStream(
  records: Iterable<MigrationRecord> | AsyncIterable<MigrationRecord>,
  sink: ByteSink,
  options: { pageSize?: number; highWaterMark?: number } = {},
): Promise<void> {
  const writer = new MigrationStreamWriter(sink, { highWaterMark: options.highWaterMark, pageSize: options.pageSize });
  let count = 0;
  for await (const rec of records) {
    writer.write(rec);
    if (++count % 1024 === 0) await writer.drain();
  }
  await writer.close();
}

/** Encodes records into one buffer. */
export function encodeMigrationStream(records: Iterable<MigrationRecord>, options: { pageSize?: number } = {}): Uint8Array {
  const w = new ByteWriter(64 * 1024);
  let pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  for (const rec of records) {
    pageSize = pageSizeAfter(rec, pageSize);
    writeRecord(w, rec, { pageSize });
  }
  return w.finish();
}
