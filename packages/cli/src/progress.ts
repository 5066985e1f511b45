/**
 * A progress bar on stderr, drawn only when stderr is a terminal and the input is large, so
 * pipes and logs stay clean.
 */
const MIN_BYTES = 64 << 20;
const REDRAW_MS = 100;

export function withProgress(
  chunks: AsyncIterable<Uint8Array>,
  total: number | undefined,
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
): AsyncIterable<Uint8Array> {
  if (!stream.isTTY || total === undefined || total < MIN_BYTES) return chunks;
  return (async function* () {
    let done = 0;
    let last = 0;
    const draw = () => {
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 12));
      const fraction = Math.min(1, done / total);
      const filled = Math.round(fraction * width);
      stream.write(`\r${label} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%`);
    };
    try {
      for await (const chunk of chunks) {
        done += chunk.length;
        const now = Date.now();
        if (now - last >= REDRAW_MS) {
          last = now;
          draw();
        }
        yield chunk;
      }
      draw();
    } finally {
      stream.write("\r\x1b[K");
    }
  })();
}
