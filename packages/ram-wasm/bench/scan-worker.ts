// One of the threads of the parallel scan: an instance of the shared-memory build that runs the
// phases the main thread hands it.
import { parentPort } from "node:worker_threads";
import { createRamWasmContext, fixupSlice, mergeSlice, type RamWasmContext, type ScanPart, scanPart } from "@savevm/ram-wasm";

export type WorkerRequest =
  | { type: "init"; memory: WebAssembly.Memory; parts: ScanPart[] }
  | { type: "scan"; part: number }
  | { type: "merge"; part: number; from: number; to: number }
  | { type: "fixup"; part: number; from: number; to: number };

let ctx: RamWasmContext | undefined;
let parts: ScanPart[] = [];

parentPort?.on("message", (request: WorkerRequest) => {
  if (request.type === "init") {
    ctx = createRamWasmContext({ memory: request.memory, shared: true });
    parts = request.parts;
    parentPort?.postMessage(0);
    return;
  }
  if (!ctx) throw new Error("scan worker used before init");
  const part = parts[request.part] as ScanPart;
  if (request.type === "scan") {
    scanPart(ctx, part);
    parentPort?.postMessage(0);
  } else if (request.type === "merge") {
    mergeSlice(ctx, parts, request.part, request.from, request.to);
    parentPort?.postMessage(0);
  } else {
    parentPort?.postMessage(fixupSlice(ctx, part, request.from, request.to));
  }
});
