import { describe, expect, it } from "vitest";
import { MemorySaveImageSink } from "@savevm/format";
import { writeSaveImage } from "@savevm/format/node";
import { memoryInputChannel } from "../channel.js";
import { unwrapSaveImage } from "./save-image-input.js";

const qemuStream = Uint8Array.from({ length: 100_000 }, (_, i) => (i < 4 ? "QEVM".charCodeAt(i) : (i * 7) & 0xff));

async function collect(iterable: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of iterable) parts.push(chunk);
  return Buffer.concat(parts);
}

async function image(format: "raw" | "gzip" | "xz", wasRunning: boolean, complete = true): Promise<Uint8Array> {
  const sink = new MemorySaveImageSink();
  const xml = "<domain type='kvm'><name>t</name><uuid>6f1c4a0e-1111-4222-8333-444455556666</uuid></domain>";
  await writeSaveImage(
    sink,
    { domainXml: xml, wasRunning, format },
    (async function* () {
      yield qemuStream;
    })()
  );
  const bytes = sink.bytes();
  if (!complete) bytes.set(new TextEncoder().encode("LibvirtQemudPart"), 0);
  return bytes;
}

describe("unwrapSaveImage", () => {
  it("passes a QEMU stream through untouched, chunk for chunk, whatever the chunk sizes", async () => {
    for (const chunkSize of [1, 5, 16, 4096]) {
      const input = await unwrapSaveImage(memoryInputChannel(qemuStream.subarray(0, 20_000), chunkSize));
      expect(input.saveImage).toBeUndefined();
      expect(await collect(input)).toEqual(Buffer.from(qemuStream.subarray(0, 20_000)));
    }
    const empty = await unwrapSaveImage(memoryInputChannel(new Uint8Array(0)));
    expect(await collect(empty)).toEqual(Buffer.alloc(0));
  });

  it("unwraps a libvirt image (raw, gzip, xz through the program) and hands on its header", async () => {
    for (const [format, wasRunning] of [
      ["raw", true],
      ["gzip", false],
      ["xz", true],
    ] as const) {
      const input = await unwrapSaveImage(memoryInputChannel(await image(format, wasRunning), 7000));
      expect(input.saveImage).toMatchObject({ complete: true, wasRunning, format });
      expect(await collect(input)).toEqual(Buffer.from(qemuStream));
      await input.close();
    }
  });

  it("refuses an image whose save never finished with libvirt's words", async () => {
    await expect(unwrapSaveImage(memoryInputChannel(await image("raw", true, false)))).rejects.toThrow("save image is incomplete");
  });
});
