/** Stable codes of {@link RamWasmError}. */
export type RamWasmErrorCode =
  | "BAD_PAGE_SIZE"
  | "BAD_SIZE"
  | "BAD_CAPACITY"
  | "OUT_OF_RANGE"
  | "OUT_OF_MEMORY"
  | "SIMD_UNSUPPORTED"
  | "WRONG_MEMORY";

/** Every error this package throws: a stable `code` plus a message that says what to change. */
export class RamWasmError extends Error {
  override readonly name = "RamWasmError";
  readonly code: RamWasmErrorCode;

  constructor(code: RamWasmErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Throws OUT_OF_RANGE unless `value` is an integer in [0, limit). */
export function checkIndex(value: number, limit: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value >= limit) {
    throw new RamWasmError("OUT_OF_RANGE", `${what} ${value} is outside 0..${limit - 1}`);
  }
}

/** Throws OUT_OF_RANGE unless [start, start + length) is an integer range inside [0, limit]. */
export function checkRange(start: number, length: number, limit: number, what: string): void {
  if (
    !Number.isInteger(start) ||
    !Number.isInteger(length) ||
    start < 0 ||
    length < 0 ||
    start + length > limit
  ) {
    throw new RamWasmError(
      "OUT_OF_RANGE",
      `${what} ${start}..${start + length} (length ${length}) is outside 0..${limit}`,
    );
  }
}

/** Throws OUT_OF_RANGE unless a view length is a non-negative integer. */
export function checkLength(length: number, what: string): void {
  if (!Number.isInteger(length) || length < 0) {
    throw new RamWasmError("OUT_OF_RANGE", `${what} ${length} is not a non-negative integer`);
  }
}

/** Throws OUT_OF_RANGE when a per-page flags array is too short for `count` pages. */
export function checkFlags(flags: Uint8Array | undefined, count: number): void {
  if (flags && flags.length < count) {
    throw new RamWasmError("OUT_OF_RANGE", `flags holds ${flags.length} entries, fewer than ${count} pages`);
  }
}
