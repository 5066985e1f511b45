export {
  MAPPED_RAM_ALIGNMENT,
  MAPPED_RAM_CAPABILITY,
  MAPPED_RAM_HEADER_SIZE,
  MAPPED_RAM_HEADER_VERSION,
  type MappedRamHeader,
  decodeMappedRamHeader,
  encodeMappedRamHeader,
  mappedRamBitmapSize,
} from "./header.js";
export { blobPositionalSource, MemoryPositionalFile, type PositionalSink, type PositionalSource } from "./positional.js";
export { withCapabilities } from "./capabilities.js";
export { type MappedRamBlockLayout, type MappedRamWriteOptions, type MappedRamWriteResult, writeMappedRam } from "./writer.js";
export {
  type MappedRamBlock,
  type MappedRamLayout,
  isMappedRam,
  readMappedRam,
  readMappedRamBitmap,
  readMappedRamLayout,
} from "./reader.js";
