/**
 * Watches the sizes the code under test asks `new ArrayBuffer(n)`, `new Uint8Array(n)` (and the
 * other typed arrays) and `new Array(n)` for (an array slot counted as 8 bytes), so an execution
 * that allocates more than its target's configured limits is reported. Views and copies of
 * existing buffers (`subarray`, `slice`) are not seen: they are bounded by buffers that were.
 */
const CONSTRUCTORS = [
  "ArrayBuffer",
  "SharedArrayBuffer",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int8Array",
  "Uint16Array",
  "Int16Array",
  "Uint32Array",
  "Int32Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
  "Array",
] as const;

let largest = 0;
let installed = false;

/** Replaces the global constructors with counting proxies (once per process). */
export function installAllocationGuard(): void {
  if (installed) return;
  installed = true;
  const global = globalThis as unknown as Record<string, unknown>;
  for (const name of CONSTRUCTORS) {
    const ctor = global[name] as (new (...args: unknown[]) => object) & { BYTES_PER_ELEMENT?: number };
    if (typeof ctor !== "function") continue;
    const perElement = name === "Array" ? 8 : ctor.BYTES_PER_ELEMENT ?? 1;
    // `Array(n)` allocates as `new Array(n)` does; only a single number argument is a length.
    const note = (args: readonly unknown[]): void => {
      const n = args[0];
      if (args.length === 1 && typeof n === "number" && n * perElement > largest) largest = n * perElement;
    };
    global[name] = new Proxy(ctor, {
      construct(target, args, newTarget) {
        note(args);
        return Reflect.construct(target, args, newTarget) as object;
      },
      apply(target, self, args) {
        note(args);
        return Reflect.apply(target as unknown as (...a: unknown[]) => unknown, self, args);
      },
    });
  }
}

/** The largest allocation seen since the last call, in bytes; starts counting afresh. */
export function takeLargestAllocation(): number {
  const seen = largest;
  largest = 0;
  return seen;
}
