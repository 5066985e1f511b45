// Node-only part of the libvirt save image: external compressors and files.
import type { ByteSource } from "../source/byte-source.js";
import { withExternalPrograms } from "./node-programs.js";
import { readSaveImage as readWith, type ReadSaveImageOptions, type SaveImage } from "./read.js";
import { writeSaveImage as writeWith, type SaveImageSink, type WriteSaveImageOptions, type WrittenSaveImage } from "./write.js";

export { compressionArguments, externalProgramCodec, findProgramInPath, type ExternalProgramCodecOptions } from "./node-programs.js";
export { readSaveImageFile, rewriteSaveImageXmlFile, saveImageToFile, type BypassCacheOption, type FileProgressOption } from "./node-file.js";

/** `readSaveImage` of the main entry point, with the external programs for bzip2, xz, lzop and zstd. */
export function readSaveImage(source: ByteSource, options: ReadSaveImageOptions = {}): Promise<SaveImage> {
  return readWith(source, withExternalPrograms(options));
}

/** `writeSaveImage` of the main entry point, with the external programs for bzip2, xz, lzop and zstd. */
export function writeSaveImage(
  sink: SaveImageSink,
  options: WriteSaveImageOptions,
  streamBytes: AsyncIterable<Uint8Array>,
): Promise<WrittenSaveImage> {
  return writeWith(sink, withExternalPrograms(options), streamBytes);
}
