import { FormatError } from "../errors.js";
import { ByteReader } from "../wire/byte-reader.js";

/** Where multifd bytes came from, for messages. */
export interface MultifdDecodeContext {
  /** Which connection the bytes came from (`multifd channel 2`, `multifd connection 3`). */
  where?: string;
  /** Absolute offset of the first byte in that connection. */
  offset?: number;
}

/** The error location for `offset` in the connection `ctx` names. */
export function multifdLocation(ctx: MultifdDecodeContext, offset: number): { offset: number; section?: string } {
  return ctx.where === undefined ? { offset } : { offset, section: ctx.where };
}

/** A reader over exactly `size` bytes of `bytes`; fewer is TRUNCATED, named like the other errors. */
export function multifdReader(bytes: Uint8Array, size: number, ctx: MultifdDecodeContext): ByteReader {
  const base = ctx.offset ?? 0;
  const r = new ByteReader(bytes.subarray(0, size), base);
  try {
    r.require(size);
  } catch (err) {
    throw err instanceof FormatError ? err.withContext(multifdLocation(ctx, base)) : err;
  }
  return r;
}
