// setImmediate (Node) lets timers and I/O run without the 1 ms floor of setTimeout(0).
const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;

/** Runs `fn` from the event loop, after pending I/O and timers had a chance. */
export const defer: (fn: () => void) => void = immediate ? (fn) => void immediate(fn) : (fn) => void setTimeout(fn, 0);

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => defer(resolve));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
