import { Gunzip, Gzip } from "fflate";
import { crc32 } from "./crc32.js";
import { SaveImageError } from "./errors.js";

// Input is fed to fflate in slices. Inflating: zero-filled guest RAM expands about 1000:1, so
// the slice bounds one decompressed chunk (16 KiB -> at most ~16 MiB). Deflating: output never
// outgrows input much, and larger pushes run about 20% faster.
const INFLATE_SLICE = 16 * 1024;
const DEFLATE_SLICE = 1024 * 1024;
// 10-byte member header + 2-byte empty deflate block + 8-byte trailer.
const MIN_GZIP_SIZE = 20;
const TRAILER_SIZE = 8;

function takeAll(queue: Uint8Array[]): Uint8Array[] {
  return queue.splice(0, queue.length);
}

/**
 * Inflates a gzip payload as it arrives. `baseOffset` is the payload's offset in the image, so
 * errors name absolute positions. Each member's CRC-32 and length are checked against the trailer
 * of the last member (gzip writes one member; concatenated members are accepted).
 */
export async function* gunzipChunks(input: AsyncIterable<Uint8Array>, baseOffset: number): AsyncGenerator<Uint8Array> {
  const produced: Uint8Array[] = [];
  let memberCrc = 0;
  let memberSize = 0;
  const inflater = new Gunzip((chunk) => {
    produced.push(chunk);
    memberCrc = crc32(chunk, memberCrc);
    memberSize = (memberSize + chunk.length) >>> 0;
  });
  inflater.onmember = () => {
    // fflate hands out the previous member's last bytes before announcing the next member.
    memberCrc = 0;
    memberSize = 0;
  };
  const tail = new Uint8Array(TRAILER_SIZE);
  let consumed = 0;

  const push = (piece: Uint8Array, final: boolean): void => {
    try {
      inflater.push(piece, final);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new SaveImageError("DECOMPRESS_FAILED", `gzip payload is damaged: ${reason}`, baseOffset + consumed, { cause: error });
    }
    consumed += piece.length;
    if (piece.length >= TRAILER_SIZE) {
      tail.set(piece.subarray(piece.length - TRAILER_SIZE));
    } else {
      tail.copyWithin(0, piece.length);
      tail.set(piece, TRAILER_SIZE - piece.length);
    }
  };

  for await (const chunk of input) {
    for (let at = 0; at < chunk.length; at += INFLATE_SLICE) {
      push(chunk.subarray(at, at + INFLATE_SLICE), false);
      yield* takeAll(produced);
    }
  }
  push(new Uint8Array(0), true);
  yield* takeAll(produced);

  if (consumed < MIN_GZIP_SIZE) {
    throw new SaveImageError("DECOMPRESS_FAILED", `gzip payload is truncated: ${consumed} bytes`, baseOffset + consumed);
  }
  const trailer = new DataView(tail.buffer);
  if (trailer.getUint32(0, true) !== memberCrc || trailer.getUint32(4, true) !== memberSize) {
    throw new SaveImageError(
      "DECOMPRESS_FAILED",
      "gzip payload is truncated or damaged: checksum or length does not match the trailer",
      baseOffset + consumed - TRAILER_SIZE,
    );
  }
}

/**
 * Compresses to a single gzip member like `gzip -c` (header 1f 8b 08 00, mtime 0, OS unix).
 * `level` 6 is gzip's default.
 */
export async function* gzipChunks(input: AsyncIterable<Uint8Array>, level = 6): AsyncGenerator<Uint8Array> {
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw new SaveImageError("INVALID_ARGUMENT", `gzip level must be an integer from 0 to 9, got ${level}`);
  }
  const produced: Uint8Array[] = [];
  const deflater = new Gzip({ level: level as 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9, mtime: 0 }, (chunk) => {
    produced.push(chunk);
  });
  for await (const chunk of input) {
    for (let at = 0; at < chunk.length; at += DEFLATE_SLICE) {
      deflater.push(chunk.subarray(at, at + DEFLATE_SLICE), false);
      yield* takeAll(produced);
    }
  }
  deflater.push(new Uint8Array(0), true);
  yield* takeAll(produced);
}
