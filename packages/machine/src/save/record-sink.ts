import type { RamBlockInfo, SectionIdentity, SectionType } from "./section.js";
import type { DeviceBody } from "./device-body.js";

/** The RAM section's body records (QEMU ram.c, section `ram` v4). */
export interface RamBodyWriter {
  memSize(blocks: readonly RamBlockInfo[]): void;
  /**
   * A ZERO record: the page filled with `fill` (default 0). QEMU 7.2 loads any fill byte;
   * QEMU 8.2 and later refuse anything but 0.
   */
  zeroPage(block: string, offset: number, fill?: number): void;
  /** `bytes` may be a view into guest RAM: the sink must copy or send it before returning. */
  page(block: string, offset: number, bytes: Uint8Array): void;
  /**
   * The `x-dedup` extension: the page equals the page at `source` of the same block as this
   * stream wrote it earlier. Only in streams whose configuration lists the capability.
   */
  dedupPage(block: string, offset: number, source: number): void;
  eos(): void;
}

/** What the configuration record after the header says (absent: no configuration record). */
export interface StreamConfiguration {
  machineType: string;
  /** 16 bytes, sent with the validate-uuid capability. */
  uuid?: Uint8Array;
  /** Capabilities recorded in the stream (`x-ignore-shared`, `x-dedup`). */
  capabilities?: readonly string[];
}

/**
 * Where a save's records go. The machine never produces stream bytes itself: an implementation
 * of this interface turns records into bytes (with @savevm/format) and hands them to a channel.
 */
export interface RecordSink {
  /** The stream header and, when given, the configuration record. */
  header(configuration: StreamConfiguration | undefined): void;
  section(type: SectionType, entry: SectionIdentity): void;
  footer(entry: SectionIdentity): void;
  readonly ram: RamBodyWriter;
  /**
   * The body of the FULL section just opened with `section`; the sink also keeps its vmdesc
   * entry for the trailer.
   */
  device(body: DeviceBody): void;
  /** EOF, then (if the sink was created with a trailer) the vmdesc JSON describing the FULL sections. */
  eof(): void;
  /** Bytes produced so far (written or buffered). */
  readonly position: number;
  /** Hands buffered bytes to the channel; resolves when the channel can take more. */
  flush(): Promise<void>;
}
