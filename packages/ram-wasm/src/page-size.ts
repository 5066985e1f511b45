import { RamWasmError } from "./errors.js";

export const DEFAULT_PAGE_SIZE = 4096;
export const MIN_PAGE_SIZE = 512;
export const MAX_PAGE_SIZE = 1 << 20;

/** log2 of a valid page size (a power of two from 512 to 1 MiB); throws BAD_PAGE_SIZE otherwise. */
export function pageShiftOf(pageSize: number): number {
  if (
    !Number.isInteger(pageSize) ||
    pageSize < MIN_PAGE_SIZE ||
    pageSize > MAX_PAGE_SIZE ||
    (pageSize & (pageSize - 1)) !== 0
  ) {
    throw new RamWasmError(
      "BAD_PAGE_SIZE",
      `page size ${pageSize} is not a power of two from ${MIN_PAGE_SIZE} to ${MAX_PAGE_SIZE}`,
    );
  }
  return Math.log2(pageSize);
}

/** Checks a guest size against its page size; throws BAD_SIZE. */
export function checkGuestSize(bytes: number, pageSize: number): number {
  if (!Number.isSafeInteger(bytes) || bytes <= 0 || bytes % pageSize !== 0) {
    throw new RamWasmError("BAD_SIZE", `guest size ${bytes} is not a positive multiple of the page size ${pageSize}`);
  }
  const pages = bytes / pageSize;
  if (pages > 0xffffffff) {
    throw new RamWasmError("BAD_SIZE", `guest size ${bytes} has more than 2^32 - 1 pages: use a larger page size`);
  }
  return pages;
}
