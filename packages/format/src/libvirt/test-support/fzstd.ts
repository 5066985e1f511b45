import { Decompress } from "fzstd";

/** fzstd's push-style streaming decoder as a chunk transform, the way the README shows it. */
export async function* unzstd(input: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  const decoder = new Decompress((chunk) => void out.push(chunk));
  for await (const chunk of input) {
    decoder.push(chunk);
    yield* out.splice(0);
  }
  decoder.push(new Uint8Array(0), true);
  yield* out.splice(0);
}
