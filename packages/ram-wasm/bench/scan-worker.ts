// One of the threads of the parallel scan: an instance of the shared-memory build. A scan is one
// message: the threads take parts, then merge slices, then fix-ups from shared counters (so a
// thread slowed by other work simply takes fewer), with a barrier between the phases; results
// stay in the shared memory and only a count comes back.
import { parentPort } from "node:worker_threads";
import { createRamWasmContext, fixupSlice, mergeSlice, newPageCount, type RamWasmContext, type ScanPart, scanPart } from "@savevm/ram-wasm";

export type WorkerRequest =
  | { type: "init"; memory: WebAssembly.Memory; parts: ScanPart[]; control: SharedArrayBuffer; threads: number }
  | { type: "scan" };

/** Indices into the control array: the next task of each phase, and the barrier. */
export const NEXT_SCAN = 0;
export const NEXT_MERGE = 1;
export const NEXT_FIXUP = 2;
const ARRIVED = 3;
const GENERATION = 4;
export const CONTROL_WORDS = 5;
/** New pages per merge task: small enough that the threads finish together. */
const MERGE_SLICE = 2048;

let ctx: RamWasmContext | undefined;
let parts: ScanPart[] = [];
let control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
let threads = 1;

function barrier(): void {
  const generation = Atomics.load(control, GENERATION);
  if (Atomics.add(control, ARRIVED, 1) === threads - 1) {
    Atomics.store(control, ARRIVED, 0);
    Atomics.add(control, GENERATION, 1);
    Atomics.notify(control, GENERATION);
  } else {
    while (Atomics.load(control, GENERATION) === generation) Atomics.wait(control, GENERATION, generation);
  }
}

function scan(c: RamWasmContext): number {
  for (let k = Atomics.add(control, NEXT_SCAN, 1); k < parts.length; k = Atomics.add(control, NEXT_SCAN, 1)) {
    const part = parts[k] as ScanPart;
    c.fn.resetScanner(part.state);
    scanPart(c, part);
  }
  barrier();
  // Every thread derives the same task list from the shared state. A part's merge reads only
  // originals of earlier parts, which no merge rewrites, so all parts merge in one phase.
  const tasks: number[] = [];
  for (let k = 1; k < parts.length; k++) {
    const fresh = newPageCount(c, parts[k] as ScanPart);
    for (let from = 0; from < fresh; from += MERGE_SLICE) tasks.push(k, from, Math.min(fresh, from + MERGE_SLICE));
  }
  for (let t = Atomics.add(control, NEXT_MERGE, 1); 3 * t < tasks.length; t = Atomics.add(control, NEXT_MERGE, 1)) {
    mergeSlice(c, parts, tasks[3 * t] as number, tasks[3 * t + 1] as number, tasks[3 * t + 2] as number);
  }
  barrier();
  let turned = 0;
  for (let k = Atomics.add(control, NEXT_FIXUP, 1) + 1; k < parts.length; k = Atomics.add(control, NEXT_FIXUP, 1) + 1) {
    const part = parts[k] as ScanPart;
    turned += fixupSlice(c, part, 0, part.pages);
  }
  return turned;
}

parentPort?.on("message", (request: WorkerRequest) => {
  if (request.type === "init") {
    ctx = createRamWasmContext({ memory: request.memory, shared: true });
    parts = request.parts;
    control = new Int32Array(request.control);
    threads = request.threads;
    parentPort?.postMessage(0);
    return;
  }
  if (!ctx) throw new Error("scan worker used before init");
  parentPort?.postMessage(scan(ctx));
});
