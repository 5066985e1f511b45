/**
 * `@savevm/format/wire`: the low-level pieces the codecs are built from — QEMU's big-endian
 * primitives with absolute offsets in every error, and forward-only input/output adapters.
 */
export { ByteReader, bytesToLatin1, NEED_MORE, NeedMoreInput } from "./byte-reader.js";
export { ByteWriter } from "./byte-writer.js";
export { type ByteSource, type ChunkPuller, concatBytes, isReadIntoSource, pullChunks, type ReadIntoSource } from "../source/byte-source.js";
export { StreamInput } from "../source/stream-input.js";
export { type ByteSink, type ChunkWriter, toChunkWriter } from "../sink/byte-sink.js";
