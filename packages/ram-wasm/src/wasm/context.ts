import { RamWasmError } from "../errors.js";
import { scalarWasm, simdSharedWasm, simdWasm } from "../generated/wasm-bytes.js";
import type { WasmMemory } from "./wasm-memory.js";

/** Which build runs: v128 kernels, or 64-bit word kernels for engines without SIMD. */
export type RamWasmVariant = "simd" | "scalar";

/**
 * The raw functions of one instance. Every pointer is a byte offset into the instance's memory;
 * nothing is bounds-checked here, which is the job of the classes built on top.
 */
export interface RamWasmFunctions {
  /** The byte all `size` bytes at p hold, or -1. size: power of two ≥ 512. */
  uniformByte(p: number, size: number): number;
  /** 1 when `len` bytes (a multiple of 128) at p are zero. */
  isZero(p: number, len: number): number;
  /** 1 when the pages at a and b are equal. */
  pagesEqual(a: number, b: number, size: number): number;
  /** Classifies local pages [first, first + count) of a scanner state. */
  scanPages(state: number, first: number, count: number): void;
  /** Counts zero pages; with flags ≠ 0 writes one byte per page there. */
  countZeroPages(ram: number, shift: number, first: number, count: number, flags: number): number;
  /** out[i] = 1 when the state knows sampled hash hashes[i]; returns the hits. */
  lookupHashes(state: number, hashes: number, n: number, out: number): number;
  /** Local page of the state equal to the page at p, or -1. */
  findPage(state: number, p: number): number;
  /** Resolves new pages of state b against state a (same memory); returns pages remapped. */
  mergeLookup(a: number, b: number, from: number, to: number): number;
  /** Rewrites results after remaps; returns pages turned from unique into duplicate. */
  fixupResults(state: number, first: number, count: number): number;
  /** Removes the listed local pages (u32 at list[0..n)) from the state's tables. */
  forgetPages(state: number, list: number, n: number): void;
  resetScanner(state: number): void;
  bitmapBytes(bits: number): number;
  bitmapSetAll(map: number, bits: number): void;
  bitmapClearAll(map: number, bits: number): void;
  bitmapSet(map: number, bit: number): void;
  bitmapClear(map: number, bit: number): void;
  bitmapTest(map: number, bit: number): number;
  bitmapTestAndClear(map: number, bit: number): number;
  bitmapFindNext(map: number, bits: number, from: number): number;
  bitmapCount(map: number, bits: number): number;
  bitmapSync(dst: number, src: number, bits: number): number;
  xxh64Reset(state: number, seed: bigint): void;
  xxh64Update(state: number, p: number, len: number): void;
  xxh64Digest(state: number): bigint;
}

/** Byte offsets of the scanner state record, read from the module itself. */
export interface ScannerLayout {
  ST_RAM: number;
  ST_SHIFT: number;
  ST_PAGES: number;
  ST_BASE: number;
  ST_STABLE: number;
  ST_SMASK: number;
  ST_FTABLE: number;
  ST_FMASK: number;
  ST_ORIGIN: number;
  ST_KINDS: number;
  ST_VALUES: number;
  ST_NEW_PAGES: number;
  ST_NEW_HASHES: number;
  ST_NEW_COUNT: number;
  ST_ZERO: number;
  ST_UNIFORM: number;
  ST_DUPLICATE: number;
  ST_UNIQUE: number;
  ST_SCOUNT: number;
  ST_FCOUNT: number;
  ST_OVERFLOW: number;
  ST_SIZE: number;
  XXH_SIZE: number;
}

const layoutNames: readonly (keyof ScannerLayout)[] = [
  "ST_RAM",
  "ST_SHIFT",
  "ST_PAGES",
  "ST_BASE",
  "ST_STABLE",
  "ST_SMASK",
  "ST_FTABLE",
  "ST_FMASK",
  "ST_ORIGIN",
  "ST_KINDS",
  "ST_VALUES",
  "ST_NEW_PAGES",
  "ST_NEW_HASHES",
  "ST_NEW_COUNT",
  "ST_ZERO",
  "ST_UNIFORM",
  "ST_DUPLICATE",
  "ST_UNIQUE",
  "ST_SCOUNT",
  "ST_FCOUNT",
  "ST_OVERFLOW",
  "ST_SIZE",
  "XXH_SIZE",
];

/** One instance of the module bound to one memory: the typed context the classes build on. */
export interface RamWasmContext {
  readonly variant: RamWasmVariant;
  readonly memory: WasmMemory;
  readonly fn: RamWasmFunctions;
  readonly layout: ScannerLayout;
}

export interface RamWasmContextOptions {
  /** The memory the instance works in. Shared memories need `shared: true`. */
  memory: WasmMemory;
  /** true: SIMD build (throws SIMD_UNSUPPORTED where unavailable); false: scalar; default: SIMD when the engine validates it. */
  simd?: boolean;
  /** Use the build that imports a shared memory (SIMD only), for scanning from several threads. */
  shared?: boolean;
}

type ModuleKey = "simd" | "scalar" | "simd-shared";
const embedded: Record<ModuleKey, string> = {
  simd: simdWasm,
  scalar: scalarWasm,
  "simd-shared": simdSharedWasm,
};
const modules = new Map<ModuleKey, WebAssembly.Module>();
let simdValid: boolean | undefined;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Whether this engine runs the SIMD build (decided by `WebAssembly.validate` on its bytes). */
export function simdSupported(): boolean {
  simdValid ??= WebAssembly.validate(decodeBase64(simdWasm));
  return simdValid;
}

/** Resolves the `simd` option: undefined picks SIMD when supported; true insists on it. */
export function resolveVariant(simd: boolean | undefined): RamWasmVariant {
  if (simd === false) return "scalar";
  if (simdSupported()) return "simd";
  if (simd === true) {
    throw new RamWasmError("SIMD_UNSUPPORTED", "this WebAssembly engine has no SIMD: pass simd: false or leave it unset");
  }
  return "scalar";
}

function moduleFor(key: ModuleKey): WebAssembly.Module {
  let mod = modules.get(key);
  if (!mod) {
    mod = new WebAssembly.Module(decodeBase64(embedded[key]));
    modules.set(key, mod);
  }
  return mod;
}

/**
 * Compiles the builds this engine will use ahead of time, off the main thread where the engine
 * does so. Optional: contexts compile on first use otherwise.
 */
export async function compileRamWasm(): Promise<void> {
  const keys: ModuleKey[] = simdSupported() ? ["simd", "scalar", "simd-shared"] : ["scalar"];
  await Promise.all(
    keys.map(async (key) => {
      if (!modules.has(key)) modules.set(key, await WebAssembly.compile(decodeBase64(embedded[key])));
    }),
  );
}

/** Instantiates the module on `memory`. */
export function createRamWasmContext(options: RamWasmContextOptions): RamWasmContext {
  const variant = options.shared ? (options.simd === false ? "scalar" : "simd") : resolveVariant(options.simd);
  if (options.shared && (variant !== "simd" || !simdSupported())) {
    throw new RamWasmError("SIMD_UNSUPPORTED", "the shared-memory build needs WebAssembly SIMD");
  }
  const key: ModuleKey = options.shared ? "simd-shared" : variant;
  const instance = new WebAssembly.Instance(moduleFor(key), { env: { memory: options.memory } });
  const exports = instance.exports as unknown as RamWasmFunctions & Record<string, WebAssembly.Global>;
  const layout = {} as ScannerLayout;
  for (const name of layoutNames) {
    layout[name] = (exports[name] as WebAssembly.Global).value as number;
  }
  return { variant, memory: options.memory, fn: exports, layout };
}
