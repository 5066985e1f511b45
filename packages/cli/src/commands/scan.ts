import { open } from "node:fs/promises";
import type { Command } from "commander";
import { parseSize } from "@savevm/machine";
import { addCounts, emptyCounts, GuestMemory, type ScanCounts } from "@savevm/ram-wasm";
import { UsageError } from "../cli-error.js";
import { withProgress } from "../progress.js";
import { addProgressOptions, progressOptions, type ProgressFlags } from "./progress-options.js";
import { humanBytes, renderTable } from "../table.js";

/** Bytes read (straight into guest memory) and scanned per step. */
const STEP = 16 << 20;

/** Why `savevm scan` could not scan a file. */
export class ScanError extends Error {
  readonly code: "NOT_FOUND" | "NOT_A_FILE" | "TOO_LARGE" | "TRUNCATED";
  readonly offset: number | undefined;

  constructor(code: ScanError["code"], message: string, offset?: number) {
    super(message);
    this.name = "ScanError";
    this.code = code;
    this.offset = offset;
  }
}

export interface ScanImageOptions {
  pageSize: number;
  /** Larger files are refused: the whole image is held in memory for duplicate detection. */
  maxSize: number;
  /** Wraps the stream of filled spans, e.g. to draw progress. */
  wrap?: (spans: AsyncIterable<Uint8Array>, total: number) => AsyncIterable<Uint8Array>;
}

/**
 * Classifies the pages of a raw memory image. The file is read in steps straight into guest
 * memory and each step is scanned as soon as it is in, so duplicates of any earlier page are
 * found without a second pass. A final partial page counts as a page padded with zeros.
 */
export async function scanImage(path: string, options: ScanImageOptions): Promise<{ counts: ScanCounts; size: number }> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new ScanError("NOT_FOUND", `${path}: no such file`);
    throw new ScanError("NOT_A_FILE", `${path}: ${(err as Error).message}`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new ScanError("NOT_A_FILE", `${path}: not a regular file`);
    const size = info.size;
    if (size > options.maxSize) {
      throw new ScanError(
        "TOO_LARGE",
        `${path} is ${humanBytes(size)}, more than --max-size ${humanBytes(options.maxSize)}; scanning holds the whole image in memory`,
      );
    }
    const counts = emptyCounts();
    if (size === 0) return { counts, size };
    const pageSize = options.pageSize;
    const memory = GuestMemory.create({ bytes: Math.ceil(size / pageSize) * pageSize, pageSize });
    // Created before any read: it grows the memory, which would detach the views being filled.
    const scanner = memory.createScanner();
    const file = handle;
    async function* spans(): AsyncIterable<Uint8Array> {
      let offset = 0;
      while (offset < size) {
        const view = memory.span(offset, Math.min(STEP, size - offset));
        let filled = 0;
        while (filled < view.length) {
          const { bytesRead } = await file.read(view, filled, view.length - filled, offset + filled);
          if (bytesRead === 0) {
            throw new ScanError("TRUNCATED", `${path} ended at byte ${offset + filled} while reading ${size} bytes`, offset + filled);
          }
          filled += bytesRead;
        }
        offset += filled;
        yield view;
      }
    }
    let read = 0;
    let scanned = 0;
    for await (const span of options.wrap ? options.wrap(spans(), size) : spans()) {
      read += span.length;
      const ready = read === size ? memory.pages : Math.floor(read / pageSize);
      addCounts(counts, scanner.scanCounts(scanned, ready - scanned));
      scanned = ready;
    }
    return { counts, size };
  } finally {
    await handle.close();
  }
}

function parsePageSize(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`--page-size '${text}' is not a whole number of bytes`);
  return Number(text);
}

function report(path: string, size: number, pageSize: number, counts: ScanCounts): string {
  const share = (n: number) => (counts.pages === 0 ? "-" : `${((100 * n) / counts.pages).toFixed(1)}%`);
  const rows = (["zero", "uniform", "duplicate", "unique"] as const).map((kind) => [kind, String(counts[kind]), share(counts[kind])]);
  rows.push(["total", String(counts.pages), share(counts.pages)]);
  return [
    `${path}: ${humanBytes(size)}, ${counts.pages} pages of ${pageSize} bytes`,
    renderTable([{ header: "kind" }, { header: "pages", align: "right" }, { header: "share", align: "right" }], rows),
  ].join("\n");
}

/** `savevm scan FILE`: zero / uniform / duplicate / unique page counts of a raw memory image. */
export function registerScan(program: Command): void {
  const command = program
    .command("scan")
    .description("count the zero, uniform, duplicate and unique pages of a raw memory image")
    .argument("<file>", "raw memory image (a RAM dump, a memory-backend file)")
    .option("--page-size <bytes>", "page size: a power of two from 512", "4096")
    .option("--max-size <size>", "refuse larger images (the whole image is held in memory)", "64G")
    .option("--json", 'print {"pages","zero","uniform","duplicate","unique"} as JSON');
  addProgressOptions(command).action(async (file: string, opts: { pageSize: string; maxSize: string; json?: boolean } & ProgressFlags) => {
    const pageSize = parsePageSize(opts.pageSize);
    const maxSize = parseSize(opts.maxSize, "--max-size");
    const { counts, size } = await scanImage(file, {
      pageSize,
      maxSize,
      wrap: (spans, total) => withProgress(spans, total, "scanning", progressOptions(opts)),
    });
    const { pages, zero, uniform, duplicate, unique } = counts;
    process.stdout.write(
      opts.json ? `${JSON.stringify({ pages, zero, uniform, duplicate, unique })}\n` : `${report(file, size, pageSize, counts)}\n`,
    );
  });
}
