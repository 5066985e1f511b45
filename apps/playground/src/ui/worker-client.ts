import type { Reply } from "../shared/protocol.js";

/** Request/reply over a worker's messages: one promise per request, matched by id. */
export class WorkerClient<R> {
  readonly worker: Worker;
  #next = 1;
  readonly #waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(worker: Worker) {
    this.worker = worker;
    worker.onmessage = (e: MessageEvent<Reply>) => {
      const w = this.#waiting.get(e.data.id);
      if (!w) return;
      this.#waiting.delete(e.data.id);
      if (e.data.ok) w.resolve(e.data.result);
      else w.reject(new Error(e.data.error ?? "the worker failed"));
    };
    worker.onerror = (e) => {
      for (const w of this.#waiting.values()) w.reject(new Error(`the worker failed: ${e.message}`));
      this.#waiting.clear();
    };
  }

  call<T = unknown>(request: R, transfer: Transferable[] = []): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, request }, transfer);
    });
  }
}
