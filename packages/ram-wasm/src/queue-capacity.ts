import { RamWasmError } from "./errors.js";

/** Largest queue storage: copies beyond this would defeat the point of a bounded snapshot. */
export const MAX_QUEUE_BYTES = 2 ** 30;

/** Checks a queue capacity in pages; throws BAD_CAPACITY. */
export function checkCapacity(capacity: number, pageSize: number): void {
  if (!Number.isInteger(capacity) || capacity < 1 || capacity * pageSize > MAX_QUEUE_BYTES) {
    throw new RamWasmError(
      "BAD_CAPACITY",
      `queue capacity ${capacity} must be a whole number of pages from 1 to ${MAX_QUEUE_BYTES / pageSize}`,
    );
  }
}
