import type { ExternalSaveImageFormat, SaveImageCodec } from "./codec.js";
import { SaveImageError } from "./errors.js";

/** A streaming (de)compressor: chunks in, chunks out. */
export type ChunkTransform = (input: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array>;

/** What a caller can do for one format; either direction may be left out. */
export interface FormatTransforms {
  decompress?: ChunkTransform;
  compress?: ChunkTransform;
}

/** Transforms by format, e.g. `{ zstd: { decompress } }` with a wasm or JavaScript zstd decoder. */
export type SaveImageTransforms = Partial<Record<ExternalSaveImageFormat, FormatTransforms>>;

function unavailable(format: ExternalSaveImageFormat, direction: "decompress" | "compress"): SaveImageError {
  return new SaveImageError(
    "COMPRESSOR_UNAVAILABLE",
    `no ${format} ${direction}or was given to saveImageCodec() for this ${format} save image`,
  );
}

/**
 * The caller's (de)compressor errors as SaveImageErrors: a decoder that fails has met damaged
 * input as far as the reader is concerned (`DECOMPRESS_FAILED`), an encoder `COMPRESSOR_FAILED`.
 */
async function* withSaveImageErrors(
  code: "DECOMPRESS_FAILED" | "COMPRESSOR_FAILED",
  what: string,
  output: AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  try {
    yield* output;
  } catch (error) {
    if (error instanceof SaveImageError) throw error;
    throw new SaveImageError(code, `${what}: ${error instanceof Error ? error.message : String(error)}`, undefined, { cause: error });
  }
}

/**
 * A {@link SaveImageCodec} from the (de)compressors a caller has, for the formats libvirt hands to
 * an external program (bzip2, xz, lzop, zstd). This is how the browser entry point reads such
 * images: pass the result as `codec` to `readSaveImage` / `writeSaveImage`. A format or direction
 * left out is `COMPRESSOR_UNAVAILABLE`; an error thrown by a decompressor becomes
 * `DECOMPRESS_FAILED` (by a compressor, `COMPRESSOR_FAILED`), with the original as `cause`.
 */
export function saveImageCodec(transforms: SaveImageTransforms): SaveImageCodec {
  return {
    decompress(format, input) {
      const decompress = transforms[format]?.decompress;
      if (!decompress) throw unavailable(format, "decompress");
      return withSaveImageErrors("DECOMPRESS_FAILED", `${format} payload is damaged`, decompress(input));
    },
    compress(format, input) {
      const compress = transforms[format]?.compress;
      if (!compress) throw unavailable(format, "compress");
      return withSaveImageErrors("COMPRESSOR_FAILED", `${format} compression failed`, compress(input));
    },
  };
}
