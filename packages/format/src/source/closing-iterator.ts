/**
 * Wraps `inner` so that `close` runs exactly once when the iteration ends: at its end, when it
 * throws, or when the consumer stops (`break`, `return()`, `throw()`), even before the first
 * `next()`. A plain generator skips its `finally` when it is returned before it started, which
 * would leave a file or a pipe open.
 */
export function closingIterator<T>(inner: AsyncIterator<T>, close: () => Promise<void>): AsyncIterableIterator<T> {
  let closed: Promise<void> | undefined;
  const closeOnce = (): Promise<void> => (closed ??= close());
  return {
    async next() {
      if (closed) return { done: true, value: undefined };
      try {
        const r = await inner.next();
        if (r.done) await closeOnce();
        return r;
      } catch (error) {
        await closeOnce().catch(() => undefined);
        throw error;
      }
    },
    async return(value?: unknown) {
      try {
        await inner.return?.(value);
      } finally {
        await closeOnce();
      }
      return { done: true, value: undefined };
    },
    async throw(error?: unknown) {
      try {
        await inner.return?.();
      } finally {
        await closeOnce();
      }
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
