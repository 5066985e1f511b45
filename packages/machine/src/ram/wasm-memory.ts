import { GuestMemory, simdSupported } from "@savevm/ram-wasm";
import type { PageMemory, PageMemoryFactory, PageMemoryOptions } from "./page-memory.js";

/**
 * RAM blocks in @savevm/ram-wasm guest memory (WebAssembly linear memory, SIMD scanning).
 * Shared memory where asked for and the engine allows it (SIMD, and in browsers cross-origin
 * isolation); ordinary memory otherwise.
 */
export const wasmMemory: PageMemoryFactory = (_name: string, size: number, options?: PageMemoryOptions): PageMemory =>
  GuestMemory.create({
    bytes: size,
    shared: (options?.shared ?? false) && canShare(),
  });

function canShare(): boolean {
  return (
    typeof SharedArrayBuffer === "function" &&
    (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false &&
    simdSupported()
  );
}
