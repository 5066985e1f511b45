import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { expect } from "vitest";
import { FormatError, type FormatErrorCode } from "../src/errors.js";
import type { MigrationRecord } from "../src/records.js";
import { decodeMigrationStream } from "../src/stream/decoder.js";
import type { ReadMigrationOptions } from "../src/stream/read-options.js";

export const FIXTURES = [
  "pc-stopped",
  "q35-stopped",
  "pc-running",
  "pc-xbzrle",
  "pc-compress",
  "pc-nocfg-nofooter",
  "pc-novmdesc",
  "pc-xen-devices",
  "pc-nics",
] as const;

export type FixtureName = (typeof FIXTURES)[number];

const cache = new Map<string, Uint8Array>();

/** A stream QEMU 7.2 wrote (scripts/make-fixtures.sh), unzipped. */
export function fixture(name: FixtureName | "pc-running.pmem" | "pc-xbzrle.pmem"): Uint8Array {
  let bytes = cache.get(name);
  if (!bytes) {
    const file = name.endsWith(".pmem") ? `${name}.gz` : `${name}.mig.gz`;
    const path = fileURLToPath(new URL(`./fixtures/qemu-7.2/${file}`, import.meta.url));
    bytes = new Uint8Array(gunzipSync(readFileSync(path)));
    cache.set(name, bytes);
  }
  return bytes.slice();
}

export function decode(bytes: Uint8Array, options?: ReadMigrationOptions): Promise<MigrationRecord[]> {
  return decodeMigrationStream(bytes, options);
}

/** Splits bytes into chunks of the given sizes (cycled), to exercise records across chunk edges. */
export function* chunked(bytes: Uint8Array, sizes: readonly number[]): Generator<Uint8Array> {
  let pos = 0;
  let i = 0;
  while (pos < bytes.length) {
    const n = Math.max(1, sizes[i++ % sizes.length]!);
    yield bytes.subarray(pos, pos + n);
    pos += n;
  }
}

/** Asserts that `run` fails with a FormatError of `code` (and, when given, at `offset`). */
export async function expectFormatError(
  run: () => Promise<unknown>,
  code: FormatErrorCode,
  offset?: number,
  message?: string | RegExp,
): Promise<FormatError> {
  let caught: unknown;
  try {
    await run();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(FormatError);
  const err = caught as FormatError;
  expect(err.code, err.message).toBe(code);
  if (offset !== undefined) expect(err.offset, err.message).toBe(offset);
  if (message !== undefined) {
    if (typeof message === "string") expect(err.message).toContain(message);
    else expect(err.message).toMatch(message);
  }
  return err;
}

export function be32(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(at);
}

export function setBe32(bytes: Uint8Array, at: number, v: number): void {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, v);
}

export function setBe16(bytes: Uint8Array, at: number, v: number): void {
  new DataView(bytes.buffer, bytes.byteOffset).setUint16(at, v);
}

/** Index of an ASCII string in bytes. */
export function indexOfAscii(bytes: Uint8Array, s: string, from = 0): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).indexOf(s, from, "latin1");
}
