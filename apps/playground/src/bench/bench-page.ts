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

/** Classifies the mixed image `runs` times and reports the median speed in GB/s (10^9 bytes a second). */
export function benchScan(bytes: number, runs = 5): ScanBench {
  const memory = GuestMemory.create({ bytes });
  fillMixedImage((o, p) => memory.write(o, p), (o, v) => memory.fill(o, 4096, v), memory.pages);
  const scanner = memory.createScanner();
  const runsMs: number[] = [];
  let counts: Record<string, number> = {};
  scanner.scanCounts(0, memory.pages); // warm-up: compile tiers, touch every page
  for (let i = 0; i < runs; i++) {
    scanner.reset();
    const t = performance.now();
    counts = { ...scanner.scanCounts(0, memory.pages) };
    runsMs.push(performance.now() - t);
  }
  const sorted = [...runsMs].sort((a, b) => a - b);
  const medianMs = sorted[Math.floor(sorted.length / 2)]!;
  return { bytes, variant: memory.variant, runsMs, medianMs, gbps: bytes / (medianMs / 1000) / 1e9, counts };
}

if (typeof document !== "undefined") {
  const size = Number(new URLSearchParams(location.search).get("bytes") ?? 1 << 30);
  const out = document.getElementById("out")!;
  setTimeout(() => {
    try {
      const result = benchScan(size);
      out.textContent = `${(size / 2 ** 20).toFixed(0)} MiB mixed, ${result.variant}: ${result.gbps.toFixed(2)} GB/s (median of ${result.runsMs.length}: ${result.runsMs.map((r) => r.toFixed(1)).join(", ")} ms)\n${JSON.stringify(result.counts)}`;
      (window as unknown as { benchResult: ScanBench }).benchResult = result;
    } catch (err) {
      out.textContent = `failed: ${String(err)}`;
      (window as unknown as { benchResult: { error: string } }).benchResult = { error: String(err) };
    }
  }, 50);
}
