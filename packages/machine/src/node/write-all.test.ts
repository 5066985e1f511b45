import { describe, expect, it } from "vitest";
import { writeAll } from "./write-all.js";

describe("writeAll", () => {
  it("finishes after short writes, in order", async () => {
    const out: number[] = [];
    // A writer that takes at most 3 bytes per call.
    const writev = async (chunks: Uint8Array[]): Promise<number> => {
      let n = 0;
      for (const c of chunks) for (const b of c) if (n < 3) (out.push(b), n++);
      return n;
    };
    await writeAll([Uint8Array.of(1, 2), Uint8Array.of(3, 4, 5, 6), Uint8Array.of(7)], writev);
    expect(out).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});
