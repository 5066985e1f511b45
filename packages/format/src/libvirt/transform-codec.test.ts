import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { readMigrationStream } from "../stream/decoder.js";
import { saveImageToFile } from "./node-file.js";
import { readSaveImage } from "./read.js";
import { unzstd } from "./test-support/fzstd.js";
import { unxz } from "./test-support/xz-decompress.js";
import { saveImageCodec } from "./transform-codec.js";

const dir = mkdtempSync(join(tmpdir(), "savevm-transform-codec-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stream = new Uint8Array(gunzipSync(readFileSync(new URL("../../test/fixtures/qemu-7.2/pc-xbzrle.mig.gz", import.meta.url))));

async function* chunked(bytes: Uint8Array, size = 1 << 16): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c.slice());
  const out = new Uint8Array(parts.reduce((n, c) => n + c.length, 0));
  parts.reduce((at, c) => (out.set(c, at), at + c.length), 0);
  return out;
}

/** A save image made the way libvirt makes one: the payload piped through `zstd -c` or `xz -c -3`. */
async function compressedImage(format: "zstd" | "xz"): Promise<Uint8Array> {
  const file = join(dir, `${format}.save`);
  await saveImageToFile(file, { domainXml: "<domain><name>z</name></domain>", wasRunning: true, format }, chunked(stream));
  return new Uint8Array(readFileSync(file));
}

const zstdImage = () => compressedImage("zstd");

describe("saveImageCodec", () => {
  it("reads a zstd image written by the zstd program in-process, through the browser entry's reader", async () => {
    const bytes = await zstdImage();
    const image = await readSaveImage(chunked(bytes, 4096), { codec: saveImageCodec({ zstd: { decompress: unzstd } }) });
    expect(image.header.format).toBe("zstd");
    const decoded = await collect(image.stream);
    expect(decoded.length).toBe(stream.length);
    expect(Buffer.from(decoded).equals(Buffer.from(stream))).toBe(true);
  });

  it("reads an xz image written by the xz program with a wasm decoder", async () => {
    const image = await readSaveImage(chunked(await compressedImage("xz"), 4096), { codec: saveImageCodec({ xz: { decompress: unxz } }) });
    expect(image.header.format).toBe("xz");
    expect(Buffer.from(await collect(image.stream)).equals(Buffer.from(stream))).toBe(true);
  });

  it("feeds the migration stream decoder straight from the decompressor", async () => {
    const image = await readSaveImage(await zstdImage(), { codec: saveImageCodec({ zstd: { decompress: unzstd } }) });
    let last = "";
    for await (const rec of readMigrationStream(image.stream)) last = rec.kind;
    expect(last).toBe("vmdesc");
  });

  it("refuses a format or direction it was not given, naming it", async () => {
    const image = await readSaveImage(await zstdImage(), { codec: saveImageCodec({ xz: { decompress: unzstd } }) });
    await expect(collect(image.stream)).rejects.toMatchObject({
      code: "COMPRESSOR_UNAVAILABLE",
      message: expect.stringContaining("no zstd decompressor"),
    });
    await expect(readSaveImage(await zstdImage()).then((i) => collect(i.stream))).rejects.toMatchObject({
      code: "COMPRESSOR_UNAVAILABLE",
      message: expect.stringContaining("saveImageCodec({ zstd: { decompress } })"),
    });
    expect(() => saveImageCodec({ zstd: { decompress: unzstd } }).compress("zstd", chunked(stream))).toThrow(
      expect.objectContaining({ code: "COMPRESSOR_UNAVAILABLE" }),
    );
  });

  it("turns the decoder's failure on a damaged payload into DECOMPRESS_FAILED", async () => {
    const bytes = await zstdImage();
    const image0 = await readSaveImage(bytes, { codec: saveImageCodec({ zstd: { decompress: unzstd } }) });
    const payload = image0.payloadOffset;
    await image0.stream.close();
    // The zstd frame header: magic, then a frame header descriptor with reserved bits set.
    bytes[payload + 4] = 0xff;
    bytes[payload + 5] = 0xff;
    const image = await readSaveImage(bytes, { codec: saveImageCodec({ zstd: { decompress: unzstd } }) });
    await expect(collect(image.stream)).rejects.toMatchObject({
      code: "DECOMPRESS_FAILED",
      message: expect.stringContaining("zstd payload is damaged"),
    });
  });
});
