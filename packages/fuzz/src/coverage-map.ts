import { COVERAGE_VARIABLE } from "./coverage-variable.js";

interface FileCoverage {
  s: Record<string, number>;
  f: Record<string, number>;
  b: Record<string, number[]>;
}

/** One counter object of one file: its keys in a fixed order, and where its slots start. */
interface Group {
  counters: Record<string, number>;
  keys: string[];
  base: number;
}

/** AFL's hit-count classes: 1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+ as one bit each. */
function bucket(count: number): number {
  if (count <= 3) return count === 3 ? 4 : count;
  if (count < 8) return 8;
  if (count < 16) return 16;
  if (count < 32) return 32;
  return count < 128 ? 64 : 128;
}

/**
 * The instrumented code's counters as one array of slots. `sample` reads and clears them after
 * an execution and tells which slots reached a hit-count class the caller's map had not seen.
 */
export class CoverageMap {
  #groups: Group[] = [];
  #files = 0;
  #slots = 0;

  get slots(): number {
    return this.#slots;
  }

  /** Whether any instrumented code is loaded (false when run without the hooks). */
  get instrumented(): boolean {
    this.#refresh();
    return this.#files > 0;
  }

  /** Takes in files loaded since the last call (modules load lazily). */
  #refresh(): void {
    const all = (globalThis as Record<string, unknown>)[COVERAGE_VARIABLE] as Record<string, FileCoverage> | undefined;
    if (!all) return;
    const paths = Object.keys(all);
    if (paths.length === this.#files) return;
    const known = new Set(this.#groups.map((g) => g.counters));
    for (const path of paths) {
      const file = all[path]!;
      const add = (counters: Record<string, number>): void => {
        if (known.has(counters)) return;
        const keys = Object.keys(counters);
        this.#groups.push({ counters, keys, base: this.#slots });
        this.#slots += keys.length;
      };
      add(file.s);
      add(file.f);
      // A branch's arms are arrays; each array is a counter object indexed 0..n-1.
      for (const key of Object.keys(file.b)) add(file.b[key] as unknown as Record<string, number>);
    }
    this.#files = paths.length;
  }

  /** Clears every counter (before the first execution of a target). */
  clear(): void {
    this.#refresh();
    for (const g of this.#groups) for (const k of g.keys) g.counters[k] = 0;
  }

  /**
   * Reads and clears the counters, adds their classes to `seen` (grown as needed) and returns how
   * many slot classes were new.
   */
  sample(seen: { bits: Uint8Array }): number {
    this.#refresh();
    if (seen.bits.length < this.#slots) {
      const grown = new Uint8Array(this.#slots);
      grown.set(seen.bits);
      seen.bits = grown;
    }
    const bits = seen.bits;
    let fresh = 0;
    for (const g of this.#groups) {
      const { counters, keys, base } = g;
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        const count = counters[k]!;
        if (count === 0) continue;
        counters[k] = 0;
        const b = bucket(count);
        if ((bits[base + i]! & b) === 0) {
          bits[base + i] = bits[base + i]! | b;
          fresh++;
        }
      }
    }
    return fresh;
  }
}

/** Slots with any class seen: the coverage a target reached. */
export function coveredSlots(bits: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bits.length; i++) if (bits[i] !== 0) n++;
  return n;
}
