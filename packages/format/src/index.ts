/**
 * @savevm/format: QEMU's migration stream v3 — streaming decoder, encoder, RAM applier, vmstate
 * descriptions, views for tools. Browser-safe; Node helpers live in `@savevm/format/node`, the
 * byte-level reader/writer in `@savevm/format/wire`, and the reading half alone (decoder,
 * summary, device state as JSON) in `@savevm/format/reader`, for tools that only read.
 */
export * from "./reader.js";
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

export * from "./libvirt/index.js";

export * from "./multifd/index.js";
export * from "./mapped-ram/index.js";
