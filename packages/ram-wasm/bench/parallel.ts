// wasm-classify-2workers: the guest image in one shared memory, two worker threads, the three
// phases of a parallel scan with a barrier (a round of messages) between them.
import { Worker } from "node:worker_threads";
import {
  addCounts,
  createRamWasmContext,
  emptyCounts,
  newPageCount,
  partCounts,
  planParallelScan,
  type RamWasmContext,
  type ScanCounts,
  type ScanPart,
} from "@savevm/ram-wasm";
import type { WorkerRequest } from "./scan-worker.js";

const RAM = 0x10000;

export class ParallelScanner {
  readonly image: Uint8Array;
  private readonly ctx: RamWasmContext;
  private readonly parts: ScanPart[];
  private readonly workers: Worker[];

  private constructor(ctx: RamWasmContext, parts: ScanPart[], workers: Worker[], bytes: number) {
    this.ctx = ctx;
    this.parts = parts;
    this.workers = workers;
    this.image = new Uint8Array(ctx.memory.buffer, RAM, bytes);
  }

  static async create(bytes: number, pageSize: number, threads: number): Promise<ParallelScanner> {
    const memory = new WebAssembly.Memory({ initial: (RAM + bytes) / 0x10000, maximum: 65535, shared: true });
    const ctx = createRamWasmContext({ memory, shared: true });
    let top = RAM + bytes;
    const alloc = (n: number, align: number) => {
      const at = Math.ceil(top / align) * align;
      top = at + n;
      const have = memory.buffer.byteLength;
      if (top > have) memory.grow(Math.ceil((top - have) / 0x10000));
      return at;
    };
    const parts = planParallelScan(ctx, alloc, {
      ramPtr: RAM,
      pageShift: Math.log2(pageSize),
      pages: bytes / pageSize,
      parts: threads,
    });
    const workers = Array.from({ length: threads }, () => new Worker(new URL("./scan-worker.js", import.meta.url)));
    const scanner = new ParallelScanner(ctx, parts, workers, bytes);
    await Promise.all(workers.map((w) => scanner.ask(w, { type: "init", memory, parts })));
    return scanner;
  }

  private ask(worker: Worker, request: WorkerRequest): Promise<number> {
    return new Promise((resolve, reject) => {
      const onMessage = (value: number) => {
        worker.off("error", onError);
        resolve(value);
      };
      const onError = (err: Error) => {
        worker.off("message", onMessage);
        reject(err);
      };
      worker.once("message", onMessage);
      worker.once("error", onError);
      worker.postMessage(request);
    });
  }

  /** Splits [0, n) into one slice per worker and runs `request` for each, in parallel. */
  private async spread(n: number, request: (from: number, to: number) => WorkerRequest): Promise<number[]> {
    const w = this.workers.length;
    return Promise.all(this.workers.map((worker, i) => this.ask(worker, request(Math.floor((n * i) / w), Math.floor((n * (i + 1)) / w)))));
  }

  async scan(): Promise<ScanCounts> {
    for (const part of this.parts) this.ctx.fn.resetScanner(part.state);
    await Promise.all(this.parts.map((_, k) => this.ask(this.workers[k % this.workers.length] as Worker, { type: "scan", part: k })));
    for (let k = 1; k < this.parts.length; k++) {
      const fresh = newPageCount(this.ctx, this.parts[k] as ScanPart);
      await this.spread(fresh, (from, to) => ({ type: "merge", part: k, from, to }));
    }
    const counts = emptyCounts();
    for (let k = 0; k < this.parts.length; k++) {
      const part = this.parts[k] as ScanPart;
      const turned = k === 0 ? [0] : await this.spread(part.pages, (from, to) => ({ type: "fixup", part: k, from, to }));
      addCounts(counts, partCounts(this.ctx, part, turned.reduce((a, b) => a + b, 0)));
    }
    return counts;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
