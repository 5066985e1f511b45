import { describe, expect, it } from "vitest";
import { peekStream } from "./peek-stream.js";

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<number[]> {
  const out: number[] = [];
  for await (const chunk of chunks) out.push(...chunk);
  return out;
}

async function* chunked(...chunks: number[][]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield Uint8Array.from(chunk);
}

describe("peekStream", () => {
  it("reads ahead only until enough is seen, capped at the limit, and replays every byte", async () => {
    let pulled = 0;
    async function* counted(): AsyncGenerator<Uint8Array> {
      for (const chunk of [[1, 2], [3, 4, 5], [6], [7]]) {
        pulled++;
        yield Uint8Array.from(chunk);
      }
    }
    const peeked = await peekStream(counted(), (head) => head.length >= 3, 4);
    expect([...peeked.head]).toEqual([1, 2, 3, 4]);
    expect(peeked.ended).toBe(false);
    expect(pulled).toBe(2);
    expect(await collect(peeked.replay())).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("stops at the source's end with what there was", async () => {
    const peeked = await peekStream(chunked([9], [8]), (head) => head.length >= 16, 16);
    expect([...peeked.head]).toEqual([9, 8]);
    expect(peeked.ended).toBe(true);
    expect(await collect(peeked.replay())).toEqual([9, 8]);
  });

  it("ends the source's iteration when the replay is stopped early", async () => {
    let finished = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        for (let i = 0; ; i++) yield Uint8Array.of(i);
      } finally {
        finished = true;
      }
    }
    const peeked = await peekStream(source(), (head) => head.length >= 1, 1);
    for await (const chunk of peeked.replay()) if (chunk[0] === 2) break;
    expect(finished).toBe(true);
  });
});
