/**
 * The browser entry points of @savevm/ram-wasm and @savevm/format, loaded as plain ES modules by
 * Debian's Chromium (installed by scripts/install-test-tools.sh): the wasm scanner classifies pages
 * exactly as in Node (SIMD and scalar builds), and a real QEMU stream decodes from a fetch() body
 * through DecompressionStream to the same guest RAM as in Node.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { GuestMemory } from "@savevm/ram-wasm";
import { MemoryRamSink, RamApplier, readMigrationStream, StreamSummaryBuilder } from "@savevm/format";
import { fillMixedPages, PAGES } from "./mixed-pages.js";
import { FIXTURE, PAGE } from "./page.js";
import { openResultPage } from "./result-page.js";
import { serveRepository, type StaticServer } from "./static-server.js";

const ROOT = new URL("../../../", import.meta.url).pathname;

interface ScanOutcome {
  variant: string;
  counts: Record<string, number>;
  kinds: number[];
  values: number[];
}

interface PageOutcome {
  error?: string;
  simd: ScanOutcome;
  scalar: ScanOutcome;
  stream: { machineType: string; sections: number; devices: number; pages: Record<string, number>; ramSha256: string };
}

let server: StaticServer;
let browser: Browser;
let outcome: PageOutcome;

beforeAll(async () => {
  server = await serveRepository(ROOT, ["/packages/format/dist/", "/packages/ram-wasm/dist/", "/node_modules/fflate/esm/", "/apps/browser-tests/dist/", "/packages/format/test/fixtures/"], {
    "/": PAGE,
  });
  let errors: string[];
  ({ browser, result: outcome, errors } = await openResultPage<PageOutcome>(server.url + "/", 60_000));
  if (outcome.error) throw new Error(`in the page: ${outcome.error}\n${errors.join("\n")}`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

function nodeScan(simd: boolean): ScanOutcome {
  const memory = GuestMemory.create({ bytes: PAGES * 4096, simd });
  for (let p = 0; p < PAGES; p++) memory.write(p * 4096, fillMixedPages(p));
  const result = memory.createScanner().scan(0, PAGES);
  return { variant: memory.variant, counts: { ...result.counts }, kinds: Array.from(result.kinds), values: Array.from(result.values) };
}

describe("in Chromium, without a bundler", () => {
  it("@savevm/ram-wasm picks the SIMD build and classifies pages exactly as Node does", () => {
    expect(outcome.simd.variant).toBe("simd");
    expect(outcome.simd).toEqual(nodeScan(true));
    expect(outcome.simd.counts).toMatchObject({ pages: PAGES, zero: PAGES / 4, uniform: PAGES / 4, duplicate: PAGES / 8 });
  });

  it("@savevm/ram-wasm's scalar build gives the same answer", () => {
    expect(outcome.scalar.variant).toBe("scalar");
    expect({ ...outcome.scalar, variant: "" }).toEqual({ ...outcome.simd, variant: "" });
  });

  it("@savevm/format decodes a real QEMU stream from a fetch() body to the same RAM as in Node", async () => {
    const bytes = gunzipSync(await readFile(ROOT + FIXTURE.slice(1)));
    const summary = new StreamSummaryBuilder();
    const sink = new MemoryRamSink();
    const applier = new RamApplier(sink);
    for await (const rec of readMigrationStream(bytes)) {
      summary.add(rec);
      applier.apply(rec);
    }
    const s = summary.result();
    expect(outcome.stream).toEqual({
      machineType: s.configuration?.machineType,
      sections: s.sections.length,
      devices: s.devices.length,
      pages: s.ram?.pages,
      ramSha256: createHash("sha256").update(sink.blocks.get("pc.ram")!).digest("hex"),
    });
    expect(outcome.stream.machineType).toBe("pc-i440fx-7.2");
  });
});
