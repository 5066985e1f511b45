#!/usr/bin/env node
// Decoder throughput against plain file reading, on a stream the writer builds for a 1 GiB guest
// with mixed RAM: 50% zero pages, 10% uniform fill, 15% duplicates of earlier pages, 25% random.
//
//   npm run bench -w @savevm/format [-- --json] [-- --size-mib 256]
//
// Runs the built package (dist/); turbo builds it first.
import { randomFillSync } from "node:crypto";
import { createReadStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { forEachRecord, MigrationStreamWriter, RamApplier, readMigrationStream } from "../dist/index.js";
import { createFileSink } from "../dist/node.js";

const args = process.argv.slice(2);
const json = args.includes("--json");
const sizeArg = args.indexOf("--size-mib");
const guestMiB = sizeArg >= 0 ? Number(args[sizeArg + 1]) : 1024;
const RUNS = 3;
const PAGE = 4096;
const CHUNK = 1 << 20;
const PAGES_PER_PART = 8192;

function log(...m) {
  if (!json) console.log(...m);
}

/** xorshift32: a deterministic page mix. */
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

async function buildStream(path, guestBytes) {
  const pages = guestBytes / PAGE;
  const file = createFileSink(path);
  const w = new MigrationStreamWriter(file.sink, { highWaterMark: CHUNK });
  const next = rng(0x5a7e);
  const random = new Uint8Array(PAGE);
  const uniform = new Uint8Array(PAGE);
  const keep = [];
  const counts = { zero: 0, uniform: 0, duplicate: 0, random: 0 };
  w.ramStart([
    { idstr: "pc.ram", length: guestBytes },
    { idstr: "pc.bios", length: 256 * 1024 },
  ]);
  for (let first = 0; first < pages; first += PAGES_PER_PART) {
    w.beginRamSection(first + PAGES_PER_PART >= pages ? "end" : "part");
    for (let p = first; p < Math.min(pages, first + PAGES_PER_PART); p++) {
      const r = next();
      const address = p * PAGE;
      if (r < 0.5) {
        counts.zero++;
        w.ramZero("pc.ram", address);
      } else if (r < 0.6) {
        counts.uniform++;
        uniform.fill(1 + Math.floor(next() * 255));
        w.ramPage("pc.ram", address, uniform);
      } else if (r < 0.75 && keep.length > 0) {
        counts.duplicate++;
        w.ramPage("pc.ram", address, keep[Math.floor(next() * keep.length)]);
      } else {
        counts.random++;
        randomFillSync(random);
        if (keep.length < 64) keep.push(random.slice());
        w.ramPage("pc.ram", address, random);
      }
    }
    w.finishRamSection();
    await w.drain();
  }
  w.sectionFull({ idstr: "timer", version: 2 }, new Uint8Array(24));
  w.sectionFull({ idstr: "cpu", version: 12 }, new Uint8Array(2000).fill(1));
  w.eof();
  await w.close();
  await file.close();
  return counts;
}

async function readOnly(path) {
  let n = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) n += chunk.length;
  return n;
}

/**
 * Decodes every record and applies the pages into `memory`, a guest RAM buffer allocated (and
 * faulted in) once. It is zeroed before each run, outside the timing, so it starts like fresh guest
 * RAM and the applier can skip zero pages it never wrote, as QEMU does.
 */
async function decodeAll(path, memory) {
  const sink = { block: (idstr, length) => (idstr === "pc.ram" ? { length, memory, zeroed: true } : { length, memory: new Uint8Array(length), zeroed: true }) };
  const applier = new RamApplier(sink);
  let records = 0;
  await forEachRecord(readMigrationStream(createReadStream(path, { highWaterMark: CHUNK })), (rec) => {
    applier.apply(rec);
    records++;
  });
  return records;
}

async function measure(name, fn, before = () => undefined) {
  const times = [];
  let result;
  for (let i = 0; i < RUNS; i++) {
    before();
    const t = performance.now();
    result = await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { name, ms: times[Math.floor(RUNS / 2)], result };
}

const dir = mkdtempSync(join(tmpdir(), "savevm-bench-"));
try {
  const path = join(dir, "guest.mig");
  const guestBytes = guestMiB * 1024 * 1024;
  log(`building a stream of a ${guestMiB} MiB guest…`);
  const t0 = performance.now();
  const mix = await buildStream(path, guestBytes);
  const built = performance.now() - t0;
  const fileBytes = statSync(path).size;
  log(`  ${fileBytes} bytes written in ${built.toFixed(0)} ms; pages: ${JSON.stringify(mix)}`);

  const memory = new Uint8Array(guestBytes);
  memory.fill(0);
  await decodeAll(path, memory); // warm-up: JIT, page cache, guest memory faulted in
  const read = await measure("read file (fs stream, 1 MiB chunks)", () => readOnly(path));
  const decode = await measure("decode + apply RAM (readMigrationStream, RamApplier)", () => decodeAll(path, memory), () => memory.fill(0));

  const mbps = (ms) => fileBytes / 1e6 / (ms / 1000);
  const results = [
    { name: read.name, ms: read.ms, bytes: fileBytes, mbPerSec: mbps(read.ms) },
    { name: decode.name, ms: decode.ms, bytes: fileBytes, mbPerSec: mbps(decode.ms), records: decode.result, guestMbPerSec: guestBytes / 1e6 / (decode.ms / 1000) },
  ];
  const ratios = { "decode/read": read.ms / decode.ms };
  if (json) {
    console.log(JSON.stringify({ guestMiB, fileBytes, runs: RUNS, results, ratios }));
  } else {
    console.log("");
    console.log("| measurement | median ms | MB/s (file) |");
    console.log("|---|---:|---:|");
    for (const r of results) console.log(`| ${r.name} | ${r.ms.toFixed(0)} | ${r.mbPerSec.toFixed(0)} |`);
    console.log("");
    console.log(`decode/read speed ratio: ${ratios["decode/read"].toFixed(2)}× (goal ≥ 0.5×); guest RAM restored at ${results[1].guestMbPerSec.toFixed(0)} MB/s; ${decode.result} records`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
