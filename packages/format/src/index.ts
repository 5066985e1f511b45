/**
 * @savevm/format: QEMU's migration stream v3 — streaming decoder, encoder, RAM applier, vmstate
 * descriptions, views for tools. Browser-safe; Node helpers live in `@savevm/format/node`, the
 * byte-level reader/writer in `@savevm/format/wire`.
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

export { type ByteSource, concatBytes } from "./source/byte-source.js";
export type { ByteSink } from "./sink/byte-sink.js";

export {
  SUBSECTION_CAPABILITIES,
  SUBSECTION_TARGET_PAGE_BITS,
  SUBSECTION_UUID,
  type ConfigurationInit,
  makeConfigurationRecord,
} from "./configuration.js";
export {
  MIG_CMD,
  type CommandName,
  type CommandDetails,
  type RamDiscardRange,
  commandDetails,
  commandName,
  commandPayload,
  makeCommandRecord,
} from "./command.js";

export { readMigrationStream, decodeMigrationStream, copyRecord, forEachRecord, MigrationRecordReader } from "./stream/decoder.js";
export type { ReadMigrationOptions, DeviceDescriptions } from "./stream/read-options.js";
export { encodeRecord, type EncodeOptions } from "./stream/record-codec.js";
export { encodedLength } from "./stream/encoded-length.js";
export {
  MigrationStreamWriter,
  type MigrationStreamWriterOptions,
  type SectionBody,
  type SectionInit,
  writeMigrationStream,
  encodeMigrationStream,
} from "./stream/writer.js";

export {
  RamApplier,
  MemoryRamSink,
  applyRam,
  type RamApplierOptions,
  type RamBlockAccess,
  type RamBlockMemory,
  type RamBlockTarget,
  type RamSink,
} from "./ram/ram-applier.js";
export { applyXbzrle, decodeXbzrle, encodeXbzrle } from "./ram/xbzrle.js";
export { deflatePage, inflatePage, inflatePageInto } from "./ram/compressed-page.js";
export { compressBound } from "./ram/ram-records.js";

export type {
  VMStateBaseType,
  VMStateDescription,
  VMStateField,
  VMStateInfo,
  VMStateValue,
} from "./vmstate/types.js";
export { decodeVMState, type VMStateDecodeOptions } from "./vmstate/decode.js";
export { encodeVMState, type VMStateEncodeResult } from "./vmstate/encode.js";
export { descriptionFromVmdesc } from "./vmstate/from-vmdesc.js";

export type { Vmdesc, VmdescDevice, VmdescField, VmdescVmsd } from "./vmdesc/vmdesc.js";
export { parseVmdesc } from "./vmdesc/vmdesc.js";
export { formatQemuJson } from "./vmdesc/qemu-json.js";
export { findVmdescTrailer, type FoundTrailer } from "./vmdesc/find-trailer.js";

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

export * from "./libvirt/index.js";
