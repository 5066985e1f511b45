import { GuestMemory } from "@savevm/ram-wasm";
import { fillMixedImage } from "./mixed-image.js";

export interface ScanBench {
  bytes: number;
  variant: string;
  runsMs: number[];
  medianMs: number;
  gbps: number;
  counts: Record<string, number>;
}

/**
 * Fills the mixed image once; each call of the returned function classifies it `runs` times and
 * reports the median speed in GB/s (10^9 bytes of guest RAM a second).
 */
export function prepareScan(bytes: number): (runs?: number) => ScanBench {
  const memory = GuestMemory.create({ bytes });
  fillMixedImage((o, p) => memory.write(o, p), (o, v) => memory.fill(o, 4096, v), memory.pages);
  const scanner = memory.createScanner();
  scanner.scanCounts(0, memory.pages); // warm-up: compile tiers, touch every page
  return (runs = 5) => {
    const runsMs: number[] = [];
    let counts: Record<string, number> = {};
    for (let i = 0; i < runs; i++) {
      scanner.reset();
      const t = performance.now();
      counts = { ...scanner.scanCounts(0, memory.pages) };
      runsMs.push(performance.now() - t);
    }
    const sorted = [...runsMs].sort((a, b) => a - b);
    const medianMs = sorted[Math.floor(sorted.length / 2)]!;
    return { bytes, variant: memory.variant, runsMs, medianMs, gbps: bytes / (medianMs / 1000) / 1e9, counts };
  };
}

if (typeof document !== "undefined") {
  const size = Number(new URLSearchParams(location.search).get("bytes") ?? 1 << 30);
  const out = document.getElementById("out")!;
  const w = window as unknown as { scanBench?: (runs?: number) => ScanBench; benchError?: string };
  setTimeout(() => {
    try {
      const scan = prepareScan(size);
      const result = scan();
      out.textContent = `${(size / 2 ** 20).toFixed(0)} MiB mixed, ${result.variant}: ${result.gbps.toFixed(2)} GB/s (median of ${result.runsMs.length}: ${result.runsMs.map((r) => r.toFixed(1)).join(", ")} ms)\n${JSON.stringify(result.counts)}`;
      w.scanBench = scan;
    } catch (err) {
      out.textContent = `failed: ${String(err)}`;
      w.benchError = String(err);
    }
  }, 50);
}
