/**
 * Sizes as QEMU reads them (qemu_strtosz): a decimal number (a fraction allowed with a unit) or a
 * 0x hex integer, then an optional unit B, K, M, G, T, P or E (powers of 1024, either case).
 * `1G` is 1073741824, `1.5k` is 1536, `512` is 512 bytes.
 */
const UNITS: Record<string, bigint> = { B: 1n, K: 1n << 10n, M: 1n << 20n, G: 1n << 30n, T: 1n << 40n, P: 1n << 50n, E: 1n << 60n };
const UINT64_MAX = (1n << 64n) - 1n;

export class SizeError extends Error {
  readonly code = "INVALID_SIZE";
  constructor(message: string, readonly text: string) {
    super(message);
    this.name = "SizeError";
  }
}

/** The size `text` names, in bytes: a number when it is exact as one, a bigint beyond 2^53. */
export function parseQemuSize(text: string): number | bigint {
  const match = /^\s*(?:(0[xX][0-9a-fA-F]+)|(\d+)(?:\.(\d+))?)\s*([bBkKmMgGtTpPeE]?)$/.exec(text);
  if (!match) throw new SizeError(`'${text}' is not a size: expected a number with an optional B, K, M, G, T, P or E suffix`, text);
  const [, hexText, whole, fraction, unitText] = match;
  const unit = UNITS[(unitText || "B").toUpperCase()]!;
  let bytes: bigint;
  if (hexText !== undefined) {
    bytes = BigInt(hexText) * unit;
  } else {
    if (fraction !== undefined && unit === 1n) throw new SizeError(`'${text}': a fraction of a byte is not a size`, text);
    const digits = fraction ?? "";
    const scaled = BigInt(whole! + digits) * unit;
    const divisor = 10n ** BigInt(digits.length);
    // QEMU rounds a fractional size to the nearest byte
    bytes = (scaled + divisor / 2n) / divisor;
  }
  if (bytes > UINT64_MAX) throw new SizeError(`'${text}' is too large: at most 16 EiB - 1`, text);
  return bytes <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(bytes) : bytes;
}
