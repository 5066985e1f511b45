// libvirt's save-image container (browser-safe). Node-only helpers: ./node.ts.
export { SaveImageError, type SaveImageErrorCode } from "./errors.js";
export {
  DEFAULT_SAVE_IMAGE_PADDING,
  encodeLibvirtHeader,
  LIBVIRT_HEADER_SIZE,
  LIBVIRT_PARTIAL_MAGIC,
  LIBVIRT_SAVE_MAGIC,
  LIBVIRT_SAVE_VERSION,
  parseLibvirtHeader,
  SAVE_IMAGE_FORMATS,
  saveImageFormatNumber,
  sniffLibvirtSaveImage,
  type LibvirtHeaderFields,
  type LibvirtSaveHeader,
  type ParseLibvirtHeaderOptions,
  type SaveImageFormat,
} from "./header.js";
export type { ExternalSaveImageFormat, SaveImageCodec } from "./codec.js";
export { saveImageCodec, type ChunkTransform, type FormatTransforms, type SaveImageTransforms } from "./transform-codec.js";
export { decodeXmlEntities, readDomainIdentity, type DomainIdentity } from "./domain-xml.js";
export {
  DEFAULT_MAX_XML_BYTES,
  readSaveImage,
  type ReadSaveImageOptions,
  type SaveImage,
  type SaveImageStream,
} from "./read.js";
export {
  MemorySaveImageSink,
  rewriteSaveImageXml,
  writeSaveImage,
  type RewriteSaveImageXmlOptions,
  type SaveImageSink,
  type WriteSaveImageOptions,
  type WrittenSaveImage,
} from "./write.js";
