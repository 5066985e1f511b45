/**
 * The page Chromium runs: plain ES modules from each package's dist/, resolved by an import map
 * (no bundler), exercising the browser entry points end to end. The result lands in
 * `window.savevmResult`.
 */
export const FIXTURE = "/packages/format/test/fixtures/qemu-7.2/pc-running.mig.gz";

const script = `
import { GuestMemory } from "@savevm/ram-wasm";
import { readMigrationStream, StreamSummaryBuilder, MemoryRamSink, RamApplier } from "@savevm/format";
import { fillMixedPages, PAGES } from "/apps/browser-tests/dist/mixed-pages.js";

async function scan(simd) {
  const memory = GuestMemory.create({ bytes: PAGES * 4096, simd });
  for (let p = 0; p < PAGES; p++) memory.write(p * 4096, fillMixedPages(p));
  const result = memory.createScanner().scan(0, PAGES);
  return { variant: memory.variant, counts: result.counts, kinds: Array.from(result.kinds), values: Array.from(result.values) };
}

async function decode() {
  const response = await fetch("${FIXTURE}");
  const stream = response.body.pipeThrough(new DecompressionStream("gzip"));
  const summary = new StreamSummaryBuilder();
  const sink = new MemoryRamSink();
  const applier = new RamApplier(sink);
  for await (const rec of readMigrationStream(stream)) {
    summary.add(rec);
    applier.apply(rec);
  }
  const s = summary.result();
  const ram = sink.blocks.get("pc.ram");
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", ram));
  return {
    machineType: s.configuration?.machineType,
    sections: s.sections.length,
    devices: s.devices.length,
    pages: s.ram?.pages,
    ramSha256: Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""),
  };
}

try {
  window.savevmResult = { simd: await scan(undefined), scalar: await scan(false), stream: await decode() };
} catch (err) {
  window.savevmResult = { error: String(err && err.stack || err) };
}
`;

export const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>savevm in the browser</title>
<script type="importmap">
{ "imports": {
  "@savevm/format": "/packages/format/dist/index.js",
  "@savevm/ram-wasm": "/packages/ram-wasm/dist/index.js",
  "fflate": "/node_modules/fflate/esm/browser.js"
} }
</script>
<script type="module">${script}</script>
`;
