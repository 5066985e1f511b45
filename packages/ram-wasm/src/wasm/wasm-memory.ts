/**
 * A WebAssembly memory as the public types name it: the global `WebAssembly.Memory` wherever the
 * consumer's libs declare one (DOM, or a WebAssembly lib), else a structural stand-in. Node's own
 * types declare no `WebAssembly`, so a consumer compiling with `lib: ["es2023"]` alone would
 * otherwise fail on these declarations.
 */
export type WasmMemory = typeof globalThis extends { WebAssembly: { Memory: { prototype: infer M } } } ? M : WasmMemoryLike;

/** What this package uses of a memory, for consumers whose libs declare no `WebAssembly`. */
export interface WasmMemoryLike {
  readonly buffer: ArrayBuffer;
  grow(delta: number): number;
}
