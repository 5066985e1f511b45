import { checkRange } from "../errors.js";
import { emptyCounts, PageKind, type ScanCounts, type ScanResult } from "../page-kind.js";
import type { GuestMemoryLike, PageScannerLike } from "../types.js";
import { referenceUniformValue } from "./uniform-value.js";

/** The bytes as a string, so a Map can key pages by their whole content (no hashing at all). */
function contentKey(bytes: Uint8Array): string {
  let key = "";
  for (let i = 0; i < bytes.length; i += 4096) {
    key += String.fromCharCode(...bytes.subarray(i, i + 4096));
  }
  return key;
}

/**
 * The oracle for {@link PageScanner}: each distinct content's original is the first page seen
 * with it, found through a Map keyed by the full page content.
 */
export class ReferencePageScanner implements PageScannerLike {
  private readonly memory: GuestMemoryLike;
  private readonly originals = new Map<string, number>();

  constructor(memory: GuestMemoryLike) {
    this.memory = memory;
  }

  scan(first: number, count: number): ScanResult {
    checkRange(first, count, this.memory.pages, "pages");
    const counts = emptyCounts();
    const kinds = new Uint8Array(count);
    const values = new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      const page = first + i;
      const bytes = this.memory.read(page * this.memory.pageSize, this.memory.pageSize);
      const b = referenceUniformValue(bytes);
      counts.pages++;
      if (b === 0) {
        kinds[i] = PageKind.Zero;
        counts.zero++;
      } else if (b > 0) {
        kinds[i] = PageKind.Uniform;
        values[i] = b;
        counts.uniform++;
      } else {
        const key = contentKey(bytes);
        const original = this.originals.get(key);
        if (original === undefined || original === page) {
          this.originals.set(key, page);
          kinds[i] = PageKind.Unique;
          values[i] = page;
          counts.unique++;
        } else {
          kinds[i] = PageKind.Duplicate;
          values[i] = original;
          counts.duplicate++;
        }
      }
    }
    return { first, counts, kinds, values };
  }

  scanCounts(first: number, count: number): ScanCounts {
    return this.scan(first, count).counts;
  }

  reset(): void {
    this.originals.clear();
  }
}
