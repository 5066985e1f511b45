import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Sha256 } from "./sha256.js";

describe("Sha256", () => {
  it("equals node:crypto's SHA-256 for any split of the input", () => {
    const data = new Uint8Array(70_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 131 + (i >> 7)) & 0xff;
    for (const length of [0, 1, 55, 56, 63, 64, 65, 119, 120, 4096, 70_000]) {
      const input = data.subarray(0, length);
      const expected = createHash("sha256").update(input).digest("hex");
      for (const split of [1, 7, 64, 1000]) {
        const sha = new Sha256();
        for (let at = 0; at < length; at += split) sha.update(input.subarray(at, Math.min(length, at + split)));
        expect(sha.digestHex(), `${length} bytes in pieces of ${split}`).toBe(expected);
      }
    }
  });
});
