import { parseCommand, packagedLength, MIG_CMD } from "../command.js";
import { parseConfiguration } from "../configuration.js";
import {
  DEDUP_CAPABILITY,
  DEFAULT_SUPPORTED_CAPABILITIES,
  DEFAULT_PAGE_SIZE,
  QEMU_VM_COMMAND,
  QEMU_VM_CONFIGURATION,
  QEMU_VM_EOF,
  QEMU_VM_SECTION_END,
  QEMU_VM_SECTION_FOOTER,
  QEMU_VM_SECTION_FULL,
  QEMU_VM_SECTION_PART,
  QEMU_VM_SECTION_START,
  QEMU_VM_VMDESCRIPTION,
  RAM_SECTION_VERSION,
} from "../constants.js";
import { FormatError, hex } from "../errors.js";
import { countPageRecords, type RamPageCounter } from "../ram/page-counting.js";
import { RamRecordParser, type RamParseState } from "../ram/ram-records.js";
import type {
  BodyLayout,
  ConfigurationRecord,
  FooterRecord,
  MigrationRecord,
  SectionRecord,
  VmdescRecord,
} from "../records.js";
import { StreamInput } from "../source/stream-input.js";
import type { ByteSource } from "../source/byte-source.js";
import { type FoundTrailer, findVmdescTrailer } from "../vmdesc/find-trailer.js";
import { parseVmdesc, type VmdescDevice } from "../vmdesc/vmdesc.js";
import { decodeVMState } from "../vmstate/decode.js";
import { descriptionFromVmdesc } from "../vmstate/from-vmdesc.js";
import type { VMStateDescription } from "../vmstate/types.js";
import { ByteReader, NEED_MORE } from "../wire/byte-reader.js";
import { parseHeader, parseSectionHeader, parseVmdescHeader, type SectionInfo } from "./record-codec.js";
import { DEFAULT_MAX_BUFFERED, type DeviceLookup, deviceLookup, type ReadMigrationOptions } from "./read-options.js";

/** Most footer positions tried for one body before giving up. */
const MAX_FOOTER_CANDIDATES = 256;

/**
 * Decodes a migration stream record by record, reading the source forward only.
 *
 * RAM page records (zero, page, xbzrle, compressed) are streamed and never accumulated: for speed
 * the decoder reuses one record object per type and `data` is a view of the input, so both are
 * valid only until the iterator moves on. Keep one with `copyRecord()`. All other records are
 * fresh objects that own their bytes.
 *
 * Device bodies carry no length. A body whose layout is in `options.devices` is parsed directly.
 * Otherwise the rest of the input is buffered (up to `maxBufferedBytes`) and the body is walked
 * with the vmdesc trailer's field sizes; without a trailer it is cut at a section footer after
 * checking that the rest of the stream parses; without footers it becomes one record that runs
 * to the end of the input. Encoding the records gives back the input bytes in every case.
 */
export function readMigrationStream(source: ByteSource, options: ReadMigrationOptions = {}): MigrationRecordReader {
  const input = new StreamInput(source, options.baseOffset ?? 0);
  return new MigrationRecordReader(input, new DecodeContext(options), TOP);
}

/** Tells the reader that the RAM records of the section just yielded follow. */
const RAM_BODY = Symbol("ram body");
type Step = MigrationRecord | typeof RAM_BODY;

/**
 * The records of a stream, as an async iterator. RAM bodies take a fast path: while their records
 * are already buffered, `nextSync()` hands them out without a promise each (what `forEachRecord`
 * and the RAM applier use); `next()` works everywhere.
 */
export class MigrationRecordReader implements AsyncIterableIterator<MigrationRecord> {
  private readonly steps: AsyncGenerator<Step, void, undefined>;
  private readonly parser: RamRecordParser;
  /** section_id of the RAM section whose records are being read, if any. */
  private ramSection: number | undefined;

  /** @internal */
  constructor(
    private readonly input: StreamInput,
    private readonly ctx: DecodeContext,
    mode: Mode,
  ) {
    this.steps = decodeRecords(input, ctx, mode);
    this.parser = ctx.ramParser;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /**
   * The next record if it is a RAM record that is already buffered; otherwise undefined, and
   * `next()` is the way on.
   */
  nextSync(): MigrationRecord | undefined {
    const sectionId = this.ramSection;
    if (sectionId === undefined) return undefined;
    const r = this.input.reader;
    const start = r.pos;
    try {
      const rec = this.parser.parse(r, sectionId);
      if (rec.type === "eos") this.ramSection = undefined;
      return rec;
    } catch (e) {
      if (e === NEED_MORE) {
        r.pos = start;
        return undefined;
      }
      throw e instanceof FormatError ? e.withContext({ section: "ram", sectionId }) : e;
    }
  }

  /**
   * Steps over the buffered ZERO and PAGE records that continue the current block and tells
   * `counter` how many went by, without a record object each and without reading page bytes.
   * The records it does not step over (a block name, another type, a bad offset, the end of the
   * buffered input) are left to `nextSync()` and `next()`, which report any error as usual.
   */
  skipPages(counter: RamPageCounter): void {
    if (this.ramSection !== undefined) countPageRecords(this.input.reader, this.parser.state, counter);
  }

  async next(): Promise<IteratorResult<MigrationRecord, undefined>> {
    for (;;) {
      if (this.ramSection !== undefined) {
        const rec = this.nextSync();
        if (rec) return { done: false, value: rec };
        await this.input.fill(NEED_MORE.wanted);
        continue;
      }
      const step = await this.steps.next();
      if (step.done) return { done: true, value: undefined };
      if (step.value !== RAM_BODY) return { done: false, value: step.value };
      this.ramSection = this.ctx.currentRamSection;
    }
  }

  async return(): Promise<IteratorResult<MigrationRecord, undefined>> {
    this.ramSection = undefined;
    await this.steps.return(undefined);
    return { done: true, value: undefined };
  }
}

export interface ForEachRecordOptions {
  /**
   * Counts page records instead of passing them to `fn`: most ZERO and PAGE records (those that
   * continue a block) then only bump its counters, and their bytes are never looked at. The rest
   * still reach `fn`, so count those too. For a summary of a large stream (`StreamSummaryBuilder`
   * is a counter), not for anything that needs the pages' contents.
   */
  pages?: RamPageCounter;
}

/**
 * Calls `fn` for every record, synchronously for as long as records are already buffered (no
 * promise per RAM page), and resolves at the end of the stream.
 */
export async function forEachRecord(
  records: AsyncIterable<MigrationRecord> | Iterable<MigrationRecord>,
  fn: (record: MigrationRecord) => void,
  options: ForEachRecordOptions = {},
): Promise<void> {
  if (!(records instanceof MigrationRecordReader)) {
    for await (const rec of records) fn(rec);
    return;
  }
  const pages = options.pages;
  try {
    for (;;) {
      if (pages) records.skipPages(pages);
      let rec = records.nextSync();
      while (rec !== undefined) {
        fn(rec);
        if (pages) records.skipPages(pages);
        rec = records.nextSync();
      }
      const step = await records.next();
      if (step.done) return;
      fn(step.value);
    }
  } catch (e) {
    // A RAM record that failed to parse, or `fn` itself: the source is released all the same.
    await records.return().catch(() => undefined);
    throw e;
  }
}

/** Decodes a whole stream held in memory (or any small source) into an array of records. */
export async function decodeMigrationStream(
  source: ByteSource,
  options?: ReadMigrationOptions,
): Promise<MigrationRecord[]> {
  const records: MigrationRecord[] = [];
  await forEachRecord(readMigrationStream(source, options), (rec) => records.push(copyRecord(rec)));
  return records;
}

/** A copy of a record that stays valid after the decoder moves on (RAM data is copied). */
export function copyRecord<T extends MigrationRecord>(rec: T): T {
  if (rec.kind !== "ram") return rec;
  switch (rec.type) {
    case "page":
    case "xbzrle":
    case "compressed":
      return { ...rec, data: rec.data.slice() };
    case "zero":
    case "dedup":
      return { ...rec };
    default:
      return rec;
  }
}

interface Mode {
  /** Header and configuration come first. */
  top: boolean;
  /** A check of the rest of a stream: failures matter, nothing may be left undecoded. */
  dry: boolean;
}

const TOP: Mode = { top: true, dry: false };

class DecodeContext {
  readonly lookup: DeviceLookup;
  readonly maxBuffered: number;
  readonly maxArrayLength: number | undefined;
  footers: boolean | undefined;
  sections = new Map<number, SectionInfo>();
  /** The RAM section whose records come next (set before RAM_BODY is yielded). */
  currentRamSection = 0;
  readonly ram: RamParseState;
  ramParser: RamRecordParser;
  /** undefined: not searched yet; null: the input has none. Absolute index in `trailerBase`. */
  trailer: FoundTrailer | null | undefined;
  private vmdescCursor = 0;
  private readonly derived: Map<VmdescDevice, VMStateDescription>;
  /** Footer candidates already checked: absolute offset → the rest parses from there. */
  readonly verified: Map<number, boolean>;
  /** ignoreShared explicitly given (otherwise taken from the configuration). */
  private readonly ignoreSharedGiven: boolean;

  constructor(
    readonly options: ReadMigrationOptions,
    from?: DecodeContext,
  ) {
    this.lookup = from?.lookup ?? deviceLookup(options.devices);
    this.maxBuffered = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED;
    this.maxArrayLength = options.maxArrayLength;
    this.ignoreSharedGiven = options.ignoreShared !== undefined;
    this.footers = options.footers === undefined || options.footers === "auto" ? undefined : options.footers;
    const pcs = options.postcopyPageSizes;
    this.ram = {
      pageSize: options.pageSize ?? DEFAULT_PAGE_SIZE,
      lastBlock: undefined,
      blocks: undefined,
      ignoreShared: options.ignoreShared ?? false,
      dedup: false,
      postcopyPageSize: typeof pcs === "function" ? pcs : () => pcs === true,
      maxBlocks: options.maxRamBlocks ?? 4096,
    };
    this.ramParser = new RamRecordParser(this.ram);
    this.derived = from?.derived ?? new Map();
    this.verified = from?.verified ?? new Map();
    if (from) {
      this.footers = from.footers;
      this.sections = new Map(from.sections);
      Object.assign(this.ram, { ...from.ram, blocks: from.ram.blocks && new Map(from.ram.blocks) });
      this.trailer = from.trailer;
      this.vmdescCursor = from.vmdescCursor;
    }
  }

  /** For checking a guess about the rest of the stream without disturbing this context. */
  fork(): DecodeContext {
    return new DecodeContext(this.options, this);
  }

  applyConfiguration(rec: ConfigurationRecord): void {
    const expected = this.options.machineType;
    if (expected !== undefined && !expected.startsWith(rec.machineType)) {
      throw new FormatError("MACHINE_TYPE_MISMATCH", `Machine type received is '${rec.machineType}' and local is '${expected}'`, {
        offset: rec.offset,
      });
    }
    const supported = this.options.supportedCapabilities ?? DEFAULT_SUPPORTED_CAPABILITIES;
    for (const cap of rec.capabilities) {
      if (!supported.includes(cap)) {
        throw new FormatError(
          "EXTENSION_UNSUPPORTED",
          `Received unknown capability ${cap}: this reader does not support it (supported: ${supported.join(", ") || "none"})`,
          { offset: rec.offset, section: "configuration" },
        );
      }
    }
    if (!this.ignoreSharedGiven) this.ram.ignoreShared = rec.capabilities.includes("x-ignore-shared");
    this.ram.dedup = rec.capabilities.includes(DEDUP_CAPABILITY);
    if (rec.targetPageBits !== undefined) {
      if (rec.targetPageBits < 9 || rec.targetPageBits > 30) {
        throw new FormatError("BAD_CONFIGURATION", `target page bits ${rec.targetPageBits}`, { offset: rec.offset, section: "configuration" });
      }
      this.ram.pageSize = 2 ** rec.targetPageBits;
    }
  }

  /** The vmdesc entry of a FULL section: the next unused one with its idstr and instance id. */
  vmdescEntry(idstr: string, instanceId: number): VmdescDevice | undefined {
    const devices = this.trailer?.vmdesc.devices;
    if (!devices) return undefined;
    for (let i = this.vmdescCursor; i < devices.length; i++) {
      const d = devices[i]!;
      if (d.name === idstr && d.instance_id === instanceId) {
        this.vmdescCursor = i + 1;
        return d;
      }
    }
    return devices.find((d) => d.name === idstr && d.instance_id === instanceId);
  }

  derivedDescription(entry: VmdescDevice): VMStateDescription {
    let desc = this.derived.get(entry);
    if (!desc) {
      desc = descriptionFromVmdesc(entry);
      this.derived.set(entry, desc);
    }
    return desc;
  }
}

async function* decodeRecords(input: StreamInput, ctx: DecodeContext, mode: Mode): AsyncGenerator<Step, void, undefined> {
  try {
    if (mode.top && !mode.dry) {
      if (ctx.options.header !== false) yield await input.parse(parseHeader);
      const config = await configurationStep(input, ctx);
      if (config) yield config;
    }
    const r = input.reader;
    for (;;) {
      if (await input.atEnd()) {
        if (!mode.top) return;
        throw new FormatError("TRUNCATED", "the stream ends before its EOF record", { offset: r.offset });
      }
      const type = r.peekU8();
      switch (type) {
        case QEMU_VM_EOF: {
          const offset = r.offset;
          r.u8();
          yield { kind: "eof", offset };
          if (!mode.top) break;
          yield* afterEof(input, ctx, mode);
          return;
        }
        case QEMU_VM_SECTION_START:
        case QEMU_VM_SECTION_PART:
        case QEMU_VM_SECTION_END:
        case QEMU_VM_SECTION_FULL:
          if (yield* section(input, ctx, mode)) return;
          break;
        case QEMU_VM_COMMAND:
          yield await command(input, ctx, mode);
          break;
        default:
          throw new FormatError("UNKNOWN_SECTION_TYPE", `Unknown savevm section type ${type}`, { offset: r.offset });
      }
    }
  } finally {
    if (mode.top && !mode.dry) await input.close();
  }
}

async function configurationStep(input: StreamInput, ctx: DecodeContext): Promise<ConfigurationRecord | undefined> {
  const wanted = ctx.options.configuration ?? "auto";
  const r = input.reader;
  const present = (await input.ensure(1)) && r.peekU8() === QEMU_VM_CONFIGURATION;
  if (!present) {
    if (wanted === true) throw new FormatError("CONFIGURATION_MISSING", "Configuration section missing", { offset: r.offset });
    return undefined;
  }
  if (wanted === false) {
    throw new FormatError("UNKNOWN_SECTION_TYPE", `Unknown savevm section type ${QEMU_VM_CONFIGURATION}`, { offset: r.offset });
  }
  const rec = await input.parse(parseConfiguration, ctx.maxBuffered);
  ctx.applyConfiguration(rec);
  return rec;
}

/** One section with its body (or RAM records) and footer. Returns true when nothing follows. */
async function* section(input: StreamInput, ctx: DecodeContext, mode: Mode): AsyncGenerator<Step, boolean, undefined> {
  const rec = await input.parse((r) => parseSectionHeader(r, ctx.sections));
  try {
    if (rec.type === "start" || rec.type === "full") {
      ctx.sections.set(rec.sectionId, { idstr: rec.idstr, instanceId: rec.instanceId, version: rec.version });
    }
    if (rec.idstr === "ram") {
      if (rec.type === "start" || rec.type === "full") checkRamVersion(rec);
      yield rec;
      ctx.currentRamSection = rec.sectionId;
      yield RAM_BODY;
    } else {
      const layout = await deviceBody(input, ctx, rec, mode);
      yield rec;
      if (layout === "remainder") return true;
    }
    const footer = await footerStep(input, ctx, rec);
    if (footer) {
      yield footer;
      // A dry run can stop where an earlier one already proved the rest parses.
      if (mode.dry && ctx.verified.get(footer.offset) === true) return true;
    }
    return false;
  } catch (e) {
    throw e instanceof FormatError ? e.withContext({ section: rec.idstr, sectionId: rec.sectionId }) : e;
  }
}

function checkRamVersion(rec: SectionRecord): void {
  if (rec.version > RAM_SECTION_VERSION) {
    throw new FormatError("SECTION_VERSION_TOO_NEW", `savevm: unsupported version ${rec.version} for 'ram' v${RAM_SECTION_VERSION}`, {
      offset: rec.offset,
    });
  }
  if (rec.version !== RAM_SECTION_VERSION) {
    throw new FormatError("SECTION_VERSION_UNSUPPORTED", `ram: section version ${rec.version} cannot be loaded, only version 4`, {
      offset: rec.offset,
    });
  }
}

async function footerStep(input: StreamInput, ctx: DecodeContext, rec: SectionRecord): Promise<FooterRecord | undefined> {
  if (ctx.footers === false) return undefined;
  const r = input.reader;
  const there = (await input.ensure(1)) && r.peekU8() === QEMU_VM_SECTION_FOOTER;
  if (!there) {
    if (ctx.footers === true) throw new FormatError("MISSING_FOOTER", `Missing section footer for ${rec.idstr}`, { offset: r.offset });
    ctx.footers = false;
    return undefined;
  }
  const offset = r.offset;
  const id = await input.parse((rr) => {
    rr.u8();
    return rr.u32();
  });
  if (id !== rec.sectionId) {
    throw new FormatError(
      "FOOTER_MISMATCH",
      `Mismatched section id in footer for ${rec.idstr} - read ${hex(id)} expected ${hex(rec.sectionId)}`,
      { offset },
    );
  }
  ctx.footers = true;
  return { kind: "footer", offset, sectionId: id };
}

/** Finds the end of a device body, fills in `rec.body` and friends, leaves the reader after it. */
async function deviceBody(input: StreamInput, ctx: DecodeContext, rec: SectionRecord, mode: Mode): Promise<BodyLayout> {
  const r = input.reader;
  const desc = rec.type === "start" || rec.type === "full" ? ctx.lookup(rec.idstr, rec.instanceId) : undefined;
  if (desc) {
    if (rec.version > desc.version_id) {
      throw new FormatError(
        "SECTION_VERSION_TOO_NEW",
        `savevm: unsupported version ${rec.version} for '${rec.idstr}' v${desc.version_id}`,
        { offset: rec.offset },
      );
    }
    let start = r.pos;
    const state = await input.parse(
      (rr) => {
        start = rr.pos;
        return decodeVMState(desc, rr, { version: rec.version, maxArrayLength: ctx.maxArrayLength });
      },
      ctx.maxBuffered,
    );
    setBody(rec, r.buf.slice(start, r.pos), "description", state, desc.name);
    return "description";
  }

  if (!input.done || ctx.trailer === undefined) {
    await input.readAll(ctx.maxBuffered, `section '${rec.idstr}' has no known layout; buffering the rest of the stream`);
    if (mode.top && ctx.trailer === undefined) ctx.trailer = findVmdescTrailer(r.buf, r.pos, r.end) ?? null;
  }
  const bodyStart = r.pos;

  if (rec.type === "full" && mode.top && ctx.trailer) {
    const entry = ctx.vmdescEntry(rec.idstr, rec.instanceId);
    if (entry && entry.version !== undefined && rec.version > entry.version) {
      // The trailer says which version the writer's device has; a newer header cannot be read as it.
      throw new FormatError("SECTION_VERSION_TOO_NEW", `savevm: unsupported version ${rec.version} for '${rec.idstr}' v${entry.version}`, {
        offset: rec.offset,
        section: rec.idstr,
        sectionId: rec.sectionId,
      });
    }
    if (entry) {
      const walked = walkWithVmdesc(r, bodyStart, ctx, entry, rec);
      if (walked) {
        setBody(rec, r.buf.slice(bodyStart, walked.end), "vmdesc", walked.state, entry.vmsd_name);
        r.pos = walked.end;
        return "vmdesc";
      }
    }
  }

  if (ctx.footers !== false) {
    const end = await footerScan(r, ctx, bodyStart, rec.sectionId, mode);
    if (end !== undefined) {
      setBody(rec, r.buf.slice(bodyStart, end), "footer-scan");
      r.pos = end;
      return "footer-scan";
    }
    if (ctx.footers === true || mode.dry) {
      throw new FormatError(
        "BAD_BODY",
        `cannot find where the body of '${rec.idstr}' ends: no section footer after it leads to a stream that parses`,
        { offset: r.base + bodyStart },
      );
    }
  }
  if (mode.dry) {
    throw new FormatError("BAD_BODY", `cannot find where the body of '${rec.idstr}' ends`, { offset: r.base + bodyStart });
  }
  setBody(rec, r.buf.slice(bodyStart, r.end), "remainder");
  r.pos = r.end;
  return "remainder";
}

function setBody(rec: SectionRecord, body: Uint8Array, layout: BodyLayout, state?: SectionRecord["state"], vmsdName?: string): void {
  rec.body = body;
  rec.bodyLayout = layout;
  if (state !== undefined) rec.state = state;
  if (vmsdName !== undefined) rec.vmsdName = vmsdName;
}

/** Decodes a body with the sizes of its vmdesc entry; undefined if the entry does not fit the bytes. */
function walkWithVmdesc(
  r: ByteReader,
  bodyStart: number,
  ctx: DecodeContext,
  entry: VmdescDevice,
  rec: SectionRecord,
): { end: number; state: SectionRecord["state"] } | undefined {
  const probe = new ByteReader(r.buf.subarray(0, r.end), r.base);
  probe.pos = bodyStart;
  let state;
  try {
    // Old-style entries have no version; their one "data" field does not depend on it.
    const version = entry.version === undefined ? 0 : rec.version;
    state = decodeVMState(ctx.derivedDescription(entry), probe, { version, maxArrayLength: ctx.maxArrayLength });
  } catch (e) {
    if (e instanceof FormatError) return undefined;
    throw e;
  }
  const end = probe.pos;
  if (end >= r.end) return undefined;
  const next = r.buf[end]!;
  // A footer with the wrong id still marks the end: the footer check then reports the mismatch.
  const footerOk = ctx.footers !== false && next === QEMU_VM_SECTION_FOOTER;
  const recordOk =
    ctx.footers !== true &&
    (next === QEMU_VM_EOF ||
      next === QEMU_VM_COMMAND ||
      (next >= QEMU_VM_SECTION_START && next <= QEMU_VM_SECTION_FULL));
  return footerOk || recordOk ? { end, state } : undefined;
}

/** The first `0x7e be32 id` from which the rest of the stream parses; its index, or undefined. */
async function footerScan(
  r: ByteReader,
  ctx: DecodeContext,
  bodyStart: number,
  sectionId: number,
  mode: Mode,
): Promise<number | undefined> {
  const buf = r.buf;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let tried = 0;
  for (let p = buf.indexOf(QEMU_VM_SECTION_FOOTER, bodyStart); p !== -1 && p + 5 <= r.end; p = buf.indexOf(QEMU_VM_SECTION_FOOTER, p + 1)) {
    if (view.getUint32(p + 1) !== sectionId) continue;
    if (++tried > MAX_FOOTER_CANDIDATES) return undefined;
    if (await restParses(r, ctx, p, mode)) return p;
  }
  return undefined;
}

/** Whether the stream parses from the footer at `index` to its end (remembered per offset). */
async function restParses(r: ByteReader, ctx: DecodeContext, index: number, mode: Mode): Promise<boolean> {
  const at = r.base + index;
  const known = ctx.verified.get(at);
  if (known !== undefined) return known;
  const dry = ctx.fork();
  dry.footers = true;
  const rest = new StreamInput(r.buf.subarray(index + 5, r.end), at + 5);
  let ok = true;
  try {
    await forEachRecord(new MigrationRecordReader(rest, dry, { top: mode.top, dry: true }), () => undefined);
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    // Running out of input is not a contradiction: the real pass will report the truncation.
    ok = e.code === "TRUNCATED";
  }
  ctx.verified.set(at, ok);
  return ok;
}

async function command(input: StreamInput, ctx: DecodeContext, mode: Mode): Promise<MigrationRecord> {
  const rec = await input.parse(parseCommand);
  if (rec.command !== MIG_CMD.PACKAGED) return rec;
  const length = packagedLength(rec);
  const start = input.reader.offset;
  const bytes = await input.parse((r) => r.bytes(length));
  const nested = new StreamInput(bytes, start);
  const records: MigrationRecord[] = [];
  try {
    await forEachRecord(new MigrationRecordReader(nested, ctx, { top: false, dry: mode.dry }), (inner) => records.push(copyRecord(inner)));
  } catch (e) {
    throw e instanceof FormatError ? e.withContext({ section: "PACKAGED" }) : e;
  }
  rec.packaged = records;
  return rec;
}

async function* afterEof(input: StreamInput, ctx: DecodeContext, mode: Mode): AsyncGenerator<Step, void, undefined> {
  const r = input.reader;
  if (await input.atEnd()) return;
  if (r.peekU8() === QEMU_VM_VMDESCRIPTION) {
    if (mode.dry) {
      // Checking a guess about body boundaries: a trailer of the right length is enough here, and
      // whether its JSON is good is reported by the real pass.
      await input.parse((rr) => parseVmdescHeader(rr, ctx.maxBuffered));
      return;
    }
    const { offset, json } = await input.parse((rr) => parseVmdescHeader(rr, ctx.maxBuffered));
    const rec: VmdescRecord = { kind: "vmdesc", offset, json, description: parseVmdesc(json, offset + 5) };
    yield rec;
    if (await input.atEnd()) return;
  }
  if (mode.dry) {
    throw new FormatError("BAD_BODY", "bytes after the end of the stream", { offset: r.offset });
  }
  let offset = r.offset;
  for await (const chunk of input.rest()) {
    yield { kind: "trailing", offset, data: chunk.slice() };
    offset += chunk.length;
  }
}
