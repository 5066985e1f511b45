import { concatBytes } from "../../source/byte-source.js";
import { SaveImageError } from "../errors.js";

/** Yields `bytes` in pieces of `size` bytes. */
export async function* inPieces(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

export async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk.slice());
  return concatBytes(parts);
}

/**
 * A fake migration stream: the QEVM magic, then runs of zero pages and pseudo-random bytes, so
 * that compressors have both easy and hard input. Deterministic for a given seed.
 */
export function sampleStream(length: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(length);
  bytes.set([0x51, 0x45, 0x56, 0x4d, 0, 0, 0, 3].slice(0, length));
  let state = seed >>> 0 || 1;
  for (let at = 8; at < length; at += 4096) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    if (state % 3 === 0) continue;
    for (let i = at; i < Math.min(at + 4096, length); i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      bytes[i] = state & 0xff;
    }
  }
  return bytes;
}

/** The SaveImageError a promise rejects with (fails the test for anything else). */
export async function rejection(promise: Promise<unknown>): Promise<SaveImageError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SaveImageError) return error;
    throw new Error(`expected a SaveImageError, got ${String(error)}`, { cause: error });
  }
  throw new Error("expected a SaveImageError, but the promise resolved");
}

export const DOMAIN_XML = `<domain type='qemu'>
  <name>tiny</name>
  <uuid>6f1c4a0e-1b2d-4c3e-8f9a-0b1c2d3e4f50</uuid>
  <memory unit='KiB'>32768</memory>
  <description>caf\u00e9 \u2603</description>
</domain>
`;

export const COOKIE_XML = `<cookie>
  <cpu mode='custom' match='exact' check='full'><model fallback='forbid'>qemu64</model></cpu>
  <slirpHelper/>
</cookie>
`;

/**
 * Where two byte arrays first differ ("same" if they do not). Cheaper than a deep `toEqual` on
 * large arrays, and the failure names the position.
 */
export function firstDifference(actual: Uint8Array, expected: Uint8Array): string {
  const shorter = Math.min(actual.length, expected.length);
  for (let i = 0; i < shorter; i++) {
    if (actual[i] !== expected[i]) return `differ at byte ${i}: ${actual[i]} != ${expected[i]}`;
  }
  return actual.length === expected.length ? "same" : `lengths differ: ${actual.length} != ${expected.length}`;
}
