import type { OutputChannel } from "../channel.js";

/** Wraps a channel so that the write reaching byte `failAt` fails, as a broken disk or link would. */
export function failAfter(inner: OutputChannel, failAt: number): OutputChannel & { readonly written: number } {
  let written = 0;
  return {
    get written() {
      return written;
    },
    async write(chunks) {
      let size = 0;
      for (const c of chunks) size += c.length;
      if (written + size > failAt) {
        // Deliver the bytes before the failure point, then fail.
        const keep: Uint8Array[] = [];
        let left = failAt - written;
        for (const c of chunks) {
          if (left <= 0) break;
          keep.push(c.subarray(0, Math.min(left, c.length)));
          left -= c.length;
        }
        if (keep.length > 0) await inner.write(keep);
        written = failAt;
        throw new Error(`Unable to write to file: No space left on device (at byte ${failAt})`);
      }
      written += size;
      await inner.write(chunks);
    },
    close: () => inner.close(),
    abort: (reason) => inner.abort(reason),
  };
}
