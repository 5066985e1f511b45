import { describe, expect, it } from "vitest";
import { FormatError } from "../errors.js";
import { sameBytes } from "../test-support/bytes.js";
import { type ByteSource, concatBytes } from "./byte-source.js";
import { StreamInput } from "./stream-input.js";

const data = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) & 0xff);

function pieces(sizes: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let pos = 0;
  for (let i = 0; pos < data.length; i++) {
    const n = sizes[i % sizes.length]!;
    out.push(data.slice(pos, pos + n));
    pos += n;
  }
  return out;
}

async function* asyncOf(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) yield c;
}

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
  });
}

async function collect(source: ByteSource): Promise<Uint8Array> {
  const input = new StreamInput(source);
  const out: Uint8Array[] = [];
  for await (const c of input.rest()) out.push(c.slice());
  return concatBytes(out);
}

describe("StreamInput", () => {
  it("takes every kind of source", async () => {
    const chunks = pieces([1000, 7, 0, 33_000]);
    for (const source of [data, data.buffer, chunks, asyncOf(chunks), streamOf(chunks)] as ByteSource[]) {
      expect(sameBytes(await collect(source), data)).toBe(true);
    }
  });

  it("parses records that straddle chunks, keeping absolute offsets", async () => {
    const input = new StreamInput(asyncOf(pieces([3, 5000, 1, 65536])), 1000);
    const r = input.reader;
    let pos = 0;
    while (pos < data.length) {
      const n = Math.min(4099, data.length - pos);
      expect(await input.ensure(n)).toBe(true);
      expect(r.offset).toBe(1000 + pos);
      expect(sameBytes(r.bytes(n), data.subarray(pos, pos + n))).toBe(true);
      pos += n;
    }
    expect(await input.atEnd()).toBe(true);
  });

  it("uses a chunk in place after a short record is stitched across it", async () => {
    const big = data.slice(10, 90_000);
    const input = new StreamInput([data.slice(0, 10), big]);
    await input.ensure(16);
    input.reader.skip(16);
    await input.ensure(1000);
    expect(input.reader.buf.buffer).toBe(big.buffer);
  });

  it("reports a short input as TRUNCATED at the right offset", async () => {
    const input = new StreamInput(pieces([40_000]), 7);
    expect(await input.ensure(200_000)).toBe(false);
    input.reader.skip(99_998);
    expect(() => input.reader.u32()).toThrow(FormatError);
    try {
      input.reader.u32();
    } catch (e) {
      expect((e as FormatError).code).toBe("TRUNCATED");
      expect((e as FormatError).offset).toBe(7 + 99_998);
    }
  });

  it("buffers everything up to a limit", async () => {
    const ok = new StreamInput(asyncOf(pieces([4096])));
    await ok.readAll(data.length);
    expect(ok.reader.remaining).toBe(data.length);
    const tooMuch = new StreamInput(asyncOf(pieces([4096])));
    await expect(tooMuch.readAll(50_000)).rejects.toMatchObject({ code: "LIMIT_EXCEEDED" });
  });

  it("parses whole records with parse(), however the input is cut", async () => {
    const records = [3, 300, 70_000, 0, 5];
    const bytes = concatBytes(records.map((n) => Uint8Array.from([n >> 16, (n >> 8) & 0xff, n & 0xff, ...new Uint8Array(n).fill(n & 0xff)])));
    const cut = () => asyncOf(Array.from({ length: Math.ceil(bytes.length / 1000) }, (_, i) => bytes.slice(i * 1000, i * 1000 + 1000)));
    const input = new StreamInput(cut());
    const seen: number[] = [];
    while (!(await input.atEnd())) {
      seen.push(await input.parse((r) => {
        const n = (r.u8() << 16) | r.u16();
        const body = r.bytes(n);
        expect(body.every((b) => b === (n & 0xff))).toBe(true);
        return n;
      }));
    }
    expect(seen).toEqual(records);
    // The limit applies when a record needs more input than is buffered.
    const limited = new StreamInput(cut());
    await limited.parse((r) => r.skip(3 + 3));
    await limited.parse((r) => r.skip(3 + 300));
    await expect(limited.parse((r) => r.skip(3 + 70_000), 1000)).rejects.toMatchObject({ code: "LIMIT_EXCEEDED", offset: 309 });
  });

  it("releases the source when closed early", async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(new Uint8Array(10));
      },
      cancel() {
        cancelled = true;
      },
    });
    const input = new StreamInput(stream);
    await input.ensure(5);
    await input.close();
    expect(cancelled).toBe(true);
  });
});
