/**
 * `@savevm/format/reader`: reading a migration stream — the decoder and the views built on it
 * (summary, device state as JSON) — without the encoder, libvirt, multifd or the page codecs. A
 * tool that only reads streams loads about half of the package's modules this way, and not
 * `fflate`; the root entry exports all of this too.
 */
export { FormatError, type FormatErrorCode, type FormatErrorContext, isFormatError } from "./errors.js";
export * from "./constants.js";
export type {
  BodyLayout,
  CommandRecord,
  ConfigurationRecord,
  ConfigurationSubsection,
  EofRecord,
  FooterRecord,
  HeaderRecord,
  MigrationRecord,
  RamBlockInfo,
  RamCompressedRecord,
  RamDedupRecord,
  RamEosRecord,
  RamMemSizeRecord,
  RamMultifdFlushRecord,
  RamPageRecord,
  RamRecord,
  RamXbzrleRecord,
  RamZeroRecord,
  SectionRecord,
  TrailingRecord,
  VmdescRecord,
} from "./records.js";
export { type ByteSource, type ReadIntoSource, concatBytes } from "./source/byte-source.js";
export { peekStream, type PeekedStream } from "./source/peek-stream.js";

export {
  readMigrationStream,
  decodeMigrationStream,
  copyRecord,
  forEachRecord,
  MigrationRecordReader,
  type ForEachRecordOptions,
} from "./stream/decoder.js";
export type { ReadMigrationOptions, DeviceDescriptions } from "./stream/read-options.js";
export type { RamPageCounter } from "./ram/page-counting.js";

export {
  summarizeStream,
  StreamSummaryBuilder,
  type StreamSummary,
  type SectionSummary,
  type RamBlockSummary,
  type RamPageCounts,
  type DeviceSummary,
} from "./views/summary.js";
export { deviceStateToJson, DeviceStateJsonBuilder, sectionStateToJson } from "./views/device-json.js";
export { toHex, toJsonValue } from "./views/json-value.js";
export { checkMigrationStream } from "./check/check-stream.js";
export { QEMU_RUN_STATES } from "./run-states.js";
export type { CheckCode, CheckFinding, CheckOptions } from "./check/finding.js";
