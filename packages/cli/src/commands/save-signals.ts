/**
 * Ctrl-C or SIGTERM during `savevm save` / `restore` cancels the job instead of ending the
 * process at once: the save cancels the migration, removes its temporary file and resumes a
 * machine that was running, as virsh's Ctrl-C aborts a save job. The process then exits 130 or
 * 143. The process-wide handlers (temporary-file cleanup) are set aside meanwhile and put back.
 */
const SIGNALS = { SIGINT: 130, SIGTERM: 143 } as const;
type Handled = keyof typeof SIGNALS;

export async function withSignalAbort<T>(job: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let received: Handled | undefined;
  const saved = new Map<Handled, ((...args: unknown[]) => void)[]>();
  const onSignal = (signal: Handled): void => {
    received ??= signal;
    controller.abort();
  };
  for (const signal of Object.keys(SIGNALS) as Handled[]) {
    saved.set(signal, process.listeners(signal) as ((...args: unknown[]) => void)[]);
    process.removeAllListeners(signal);
    process.on(signal, onSignal);
  }
  try {
    return await job(controller.signal);
  } catch (err) {
    if (received !== undefined) {
      process.stderr.write(`savevm: ${(err as Error).message}\n`);
      process.exit(SIGNALS[received]);
    }
    throw err;
  } finally {
    for (const [signal, listeners] of saved) {
      process.off(signal, onSignal);
      for (const listener of listeners) process.on(signal, listener);
    }
  }
}
