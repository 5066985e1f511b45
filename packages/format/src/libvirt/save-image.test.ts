import fc from "fast-check";
import { gunzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { readDomainIdentity } from "./domain-xml.js";
import { SaveImageError } from "./errors.js";
import { encodeLibvirtHeader, LIBVIRT_HEADER_SIZE, parseLibvirtHeader, type SaveImageFormat } from "./header.js";
import { readSaveImage } from "./read.js";
import { collect, COOKIE_XML, DOMAIN_XML, firstDifference, inPieces, rejection, sampleStream } from "./test-support/streams.js";
import { MemorySaveImageSink, rewriteSaveImageXml, writeSaveImage, type SaveImageSink, type WriteSaveImageOptions } from "./write.js";

const utf8 = new TextEncoder();

async function image(options: Partial<WriteSaveImageOptions>, stream: Uint8Array): Promise<Uint8Array> {
  const sink = new MemorySaveImageSink();
  await writeSaveImage(sink, { domainXml: DOMAIN_XML, wasRunning: true, ...options }, inPieces(stream, 1000));
  return sink.bytes();
}

function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

describe("writeSaveImage layout", () => {
  it("lays out header, XML, cookie and 64 KiB of padding as libvirt does", async () => {
    const stream = sampleStream(5000);
    const sink = new MemorySaveImageSink();
    const written = await writeSaveImage(sink, { domainXml: DOMAIN_XML, cookieXml: COOKIE_XML, wasRunning: true }, inPieces(stream, 700));
    const bytes = sink.bytes();
    const xmlLength = utf8.encode(DOMAIN_XML).length + 1;
    const cookieLength = utf8.encode(COOKIE_XML).length + 1;
    const header = parseLibvirtHeader(bytes);
    expect(header).toEqual({
      complete: true,
      version: 2,
      dataLen: xmlLength + cookieLength + 65536,
      wasRunning: true,
      format: "raw",
      cookieOffset: xmlLength,
      littleEndian: true,
    });
    expect(written).toEqual({
      header,
      payloadOffset: 92 + header.dataLen,
      streamLength: 5000,
      payloadLength: 5000,
      totalLength: 92 + header.dataLen + 5000,
    });
    expect(text(bytes.subarray(92, 92 + xmlLength))).toBe(`${DOMAIN_XML}\0`);
    expect(text(bytes.subarray(92 + xmlLength, 92 + xmlLength + cookieLength))).toBe(`${COOKIE_XML}\0`);
    expect(bytes.subarray(92 + xmlLength + cookieLength, written.payloadOffset).every((b) => b === 0)).toBe(true);
    expect(bytes.subarray(written.payloadOffset)).toEqual(stream);
  });

  it("writes cookieOffset 0 without a cookie, and honours the padding asked for", async () => {
    const bytes = await image({ padding: 10, wasRunning: false }, sampleStream(100));
    const header = parseLibvirtHeader(bytes);
    expect(header.cookieOffset).toBe(0);
    expect(header.wasRunning).toBe(false);
    expect(header.dataLen).toBe(utf8.encode(DOMAIN_XML).length + 1 + 10);
  });

  it("writes the partial magic first and the complete magic only after the whole stream", async () => {
    const events: string[] = [];
    const memory = new MemorySaveImageSink();
    const sink: SaveImageSink = {
      write(chunk) {
        if (memory.bytes().length === 0) events.push(`header ${text(chunk.subarray(0, 16))}`);
        else events.push("data");
        memory.write(chunk);
      },
      rewrite(position, bytes) {
        events.push(`rewrite ${position} ${text(bytes.subarray(0, 16))}`);
        memory.rewrite(position, bytes);
      },
    };
    await writeSaveImage(sink, { domainXml: DOMAIN_XML, wasRunning: true }, inPieces(sampleStream(3000), 1000));
    expect(events[0]).toBe("header LibvirtQemudPart");
    expect(events.at(-1)).toBe("rewrite 0 LibvirtQemudSave");
    expect(events.filter((event) => event.startsWith("rewrite"))).toHaveLength(1);
  });

  it("leaves the partial magic when the stream fails, so the image reads as incomplete", async () => {
    const sink = new MemorySaveImageSink();
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield sampleStream(100);
      throw new Error("migration failed");
    }
    await expect(writeSaveImage(sink, { domainXml: DOMAIN_XML, wasRunning: true }, failing())).rejects.toThrow("migration failed");
    const error = await rejection(readSaveImage(sink.bytes()));
    expect([error.code, error.detail]).toEqual(["SAVE_IMAGE_INCOMPLETE", "save image is incomplete"]);
    const partial = await readSaveImage(sink.bytes(), { allowPartial: true });
    expect(partial.header.complete).toBe(false);
    expect(await collect(partial.stream)).toEqual(sampleStream(100));
  });

  it("refuses XML it cannot store", async () => {
    const sink = new MemorySaveImageSink();
    for (const options of [
      { domainXml: "<domain>\0</domain>", wasRunning: true },
      { domainXml: DOMAIN_XML, cookieXml: "a\0b", wasRunning: true },
      { domainXml: DOMAIN_XML, padding: -1, wasRunning: true },
      { domainXml: DOMAIN_XML, format: "gzip" as const, gzipLevel: 10, wasRunning: true },
    ]) {
      expect((await rejection(writeSaveImage(sink, options, inPieces(new Uint8Array(1), 1)))).code).toBe("INVALID_ARGUMENT");
    }
    expect(sink.bytes().length).toBe(0);
  });
});

describe("readSaveImage", () => {
  it("reads back the XML, cookie, padding and stream", async () => {
    const stream = sampleStream(20_000);
    const bytes = await image({ cookieXml: COOKIE_XML }, stream);
    const read = await readSaveImage(bytes);
    expect(read.domainXml).toBe(DOMAIN_XML);
    expect(read.cookieXml).toBe(COOKIE_XML);
    expect(read.paddingLength).toBe(65536);
    expect(read.payloadOffset).toBe(92 + read.header.dataLen);
    expect(readDomainIdentity(read.domainXml)).toEqual({ name: "tiny", uuid: "6f1c4a0e-1b2d-4c3e-8f9a-0b1c2d3e4f50" });
    expect(firstDifference(await collect(read.stream), stream)).toBe("same");
  });

  it("reads from byte-sized chunks, a ReadableStream and an async iterable alike", async () => {
    const stream = sampleStream(3000);
    const bytes = await image({ cookieXml: COOKIE_XML, padding: 100 }, stream);
    const sources = [
      inPieces(bytes, 1),
      inPieces(bytes, 4096),
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < bytes.length; at += 333) controller.enqueue(bytes.slice(at, at + 333));
          controller.close();
        },
      }),
    ];
    for (const source of sources) {
      const read = await readSaveImage(source);
      expect([read.domainXml, read.cookieXml, read.paddingLength]).toEqual([DOMAIN_XML, COOKIE_XML, 100]);
      expect(firstDifference(await collect(read.stream), stream)).toBe("same");
    }
  });

  it("round-trips a gzip image whose payload is a gzip member like gzip -c writes", async () => {
    const stream = sampleStream(300_000);
    const bytes = await image({ format: "gzip", cookieXml: COOKIE_XML }, stream);
    const header = parseLibvirtHeader(bytes);
    expect(header.format).toBe("gzip");
    const payload = bytes.subarray(LIBVIRT_HEADER_SIZE + header.dataLen);
    expect([...payload.subarray(0, 4)]).toEqual([0x1f, 0x8b, 0x08, 0x00]);
    expect(payload.length).toBeLessThan(stream.length);
    expect(firstDifference(gunzipSync(payload), stream)).toBe("same");
    const read = await readSaveImage(inPieces(bytes, 5000));
    expect(firstDifference(await collect(read.stream), stream)).toBe("same");
  });

  it("inflates as the payload arrives instead of holding the image whole", async () => {
    const stream = new Uint8Array(8 * 1024 * 1024);
    const bytes = await image({ format: "gzip" }, stream);
    let pulled = 0;
    async function* counting(): AsyncGenerator<Uint8Array> {
      for await (const piece of inPieces(bytes, 1024)) {
        pulled += piece.length;
        yield piece;
      }
    }
    const read = await readSaveImage(counting());
    let produced = 0;
    for await (const chunk of read.stream) {
      produced += chunk.length;
      // Never much more than one input slice ahead, and never the whole file.
      expect(pulled).toBeLessThan(bytes.length);
      expect(chunk.length).toBeLessThanOrEqual(16 * 1024 * 1024);
      if (produced > stream.length / 2) break;
    }
    expect(produced).toBeGreaterThan(stream.length / 2);
  });

  it("reads a gzip payload of several members", async () => {
    const stream = sampleStream(50_000);
    const first = await image({ format: "gzip", padding: 0 }, stream.subarray(0, 20_000));
    const second = await image({ format: "gzip", padding: 0 }, stream.subarray(20_000));
    const headerAndXml = LIBVIRT_HEADER_SIZE + parseLibvirtHeader(first).dataLen;
    const joined = new Uint8Array(first.length + second.length - headerAndXml);
    joined.set(first);
    joined.set(second.subarray(headerAndXml), first.length);
    expect(firstDifference(await collect((await readSaveImage(joined)).stream), stream)).toBe("same");
  });

  it("reports damaged gzip data with its offset", async () => {
    const bytes = await image({ format: "gzip", padding: 0 }, sampleStream(40_000));
    const payloadOffset = LIBVIRT_HEADER_SIZE + parseLibvirtHeader(bytes).dataLen;
    const flipped = bytes.slice();
    flipped[payloadOffset + 2000] = flipped[payloadOffset + 2000]! ^ 0x55;
    const error = await rejection(collect((await readSaveImage(flipped)).stream));
    expect(error.code).toBe("DECOMPRESS_FAILED");
    expect(error.offset).toBeGreaterThanOrEqual(payloadOffset);
    const garbage = new Uint8Array(bytes.length + 3);
    garbage.set(bytes);
    expect((await rejection(collect((await readSaveImage(garbage)).stream))).code).toBe("DECOMPRESS_FAILED");
  });

  it("gives a typed error, never a crash, when an image is cut at any byte", async () => {
    const stream = sampleStream(600);
    for (const format of ["raw", "gzip"] as const) {
      const bytes = await image({ format, padding: 8, cookieXml: "<cookie/>", domainXml: "<domain><name>t</name></domain>" }, stream);
      const payloadOffset = LIBVIRT_HEADER_SIZE + parseLibvirtHeader(bytes).dataLen;
      const xmlEnd = LIBVIRT_HEADER_SIZE + parseLibvirtHeader(bytes).cookieOffset;
      for (let cut = 0; cut < bytes.length; cut++) {
        const attempt = readSaveImage(inPieces(bytes.subarray(0, cut), 7)).then((read) => collect(read.stream));
        if (format === "raw" && cut >= payloadOffset) {
          // A raw payload has no framing; the QEMU stream decoder notices the cut.
          expect(await attempt).toEqual(stream.subarray(0, cut - payloadOffset));
          continue;
        }
        const error = await rejection(attempt);
        const expected =
          cut < LIBVIRT_HEADER_SIZE
            ? "HEADER_TRUNCATED"
            : cut < xmlEnd
              ? "XML_TRUNCATED"
              : cut < payloadOffset
                ? "COOKIE_TRUNCATED"
                : "DECOMPRESS_FAILED";
        expect([cut, error.code]).toEqual([cut, expected]);
        if (cut < payloadOffset) expect(error.offset).toBe(cut);
      }
    }
  });

  it("refuses XML areas without a terminator or beyond the limit", async () => {
    const body = utf8.encode("<domain/>");
    const unterminated = new Uint8Array(LIBVIRT_HEADER_SIZE + body.length);
    unterminated.set(encodeLibvirtHeader({ dataLen: body.length, wasRunning: false }));
    unterminated.set(body, LIBVIRT_HEADER_SIZE);
    const error = await rejection(readSaveImage(unterminated));
    expect([error.code, error.offset]).toEqual(["XML_NOT_TERMINATED", unterminated.length]);

    const big = await image({ domainXml: `<domain>${"x".repeat(5000)}</domain>` }, sampleStream(10));
    const tooLarge = await rejection(readSaveImage(big, { maxXmlBytes: 4096 }));
    expect([tooLarge.code, tooLarge.offset]).toEqual(["XML_TOO_LARGE", LIBVIRT_HEADER_SIZE + 4096]);
    expect((await readSaveImage(big, { maxXmlBytes: 5017 })).domainXml.length).toBe(5017);
  });

  it("treats a version 1 image as raw whatever its format field says, as libvirt does", async () => {
    const stream = sampleStream(1000);
    const bytes = await image({ format: "raw", padding: 4 }, stream);
    const header = parseLibvirtHeader(bytes);
    bytes.set(encodeLibvirtHeader({ ...header, version: 1, format: "gzip" }));
    const read = await readSaveImage(bytes);
    expect([read.header.version, read.header.format]).toEqual([1, "gzip"]);
    expect(firstDifference(await collect(read.stream), stream)).toBe("same");
  });

  it("reads an image written on a big-endian host", async () => {
    const stream = sampleStream(1000);
    const bytes = await image({ cookieXml: COOKIE_XML }, stream);
    bytes.set(encodeLibvirtHeader({ ...parseLibvirtHeader(bytes), littleEndian: false }));
    const read = await readSaveImage(bytes);
    expect([read.header.littleEndian, read.cookieXml]).toEqual([false, COOKIE_XML]);
    expect(firstDifference(await collect(read.stream), stream)).toBe("same");
  });

  it("hands out the stream once and can release it unread", async () => {
    let returned = false;
    const bytes = await image({}, sampleStream(100));
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        yield* inPieces(bytes, 50);
      } finally {
        returned = true;
      }
    }
    const read = await readSaveImage(source());
    await read.stream.close();
    expect(returned).toBe(true);
    const again = await readSaveImage(bytes);
    await collect(again.stream);
    expect(() => again.stream[Symbol.asyncIterator]()).toThrow(SaveImageError);
  });

  it("refuses sources that are not bytes", async () => {
    await expect(readSaveImage(42 as never)).rejects.toThrow(TypeError);
    async function* strings(): AsyncGenerator<unknown> {
      yield "LibvirtQemudSave";
    }
    await expect(readSaveImage(strings() as AsyncIterable<Uint8Array>)).rejects.toThrow(TypeError);
  });
});

describe("formats that need an external program (browser-safe entry)", () => {
  it("reads the header and XML of an xz image but refuses its stream, naming the format", async () => {
    const bytes = await image({ format: "raw" }, sampleStream(100));
    bytes.set(encodeLibvirtHeader({ ...parseLibvirtHeader(bytes), format: "xz" }));
    const read = await readSaveImage(bytes);
    expect(read.domainXml).toBe(DOMAIN_XML);
    const error = await rejection(collect(read.stream));
    expect(error.code).toBe("COMPRESSOR_UNAVAILABLE");
    expect(error.detail).toMatch(/^xz save images are compressed by the external xz program/);
  });

  it("refuses to write them without touching the sink", async () => {
    for (const format of ["bzip2", "xz", "lzop", "zstd"] as const) {
      const sink = new MemorySaveImageSink();
      const error = await rejection(writeSaveImage(sink, { domainXml: DOMAIN_XML, wasRunning: true, format }, inPieces(sampleStream(10), 5)));
      expect(error.code).toBe("COMPRESSOR_UNAVAILABLE");
      expect(error.detail).toContain(format);
      expect(sink.bytes().length).toBe(0);
    }
  });

  it("uses a codec given to it", async () => {
    const flip = async function* (_format: string, input: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
      for await (const chunk of input) yield chunk.map((b) => b ^ 0xa5);
    };
    const xor = { decompress: flip, compress: flip };
    const stream = sampleStream(900);
    const sink = new MemorySaveImageSink();
    await writeSaveImage(sink, { domainXml: DOMAIN_XML, wasRunning: true, format: "zstd", codec: xor }, inPieces(stream, 300));
    expect(sink.bytes().subarray(-900)).toEqual(stream.map((b) => b ^ 0xa5));
    expect(firstDifference(await collect((await readSaveImage(sink.bytes(), { codec: xor })).stream), stream)).toBe("same");
  });
});

describe("rewriteSaveImageXml", () => {
  it("replaces the XML in place, keeping the cookie and the payload where they were", async () => {
    const stream = sampleStream(4000);
    const bytes = await image({ cookieXml: COOKIE_XML, format: "gzip" }, stream);
    const newXml = DOMAIN_XML.replace("<memory", "<description>edited</description>\n  <memory");
    const rewritten = await rewriteSaveImageXml(bytes, newXml, { wasRunning: false });
    expect(rewritten.length).toBe(bytes.length);
    const before = parseLibvirtHeader(bytes);
    expect(rewritten.subarray(LIBVIRT_HEADER_SIZE + before.dataLen)).toEqual(bytes.subarray(LIBVIRT_HEADER_SIZE + before.dataLen));
    const read = await readSaveImage(rewritten);
    expect([read.domainXml, read.cookieXml, read.header.wasRunning, read.header.dataLen]).toEqual([newXml, COOKIE_XML, false, before.dataLen]);
    expect(read.header.cookieOffset).toBe(utf8.encode(newXml).length + 1);
    expect(firstDifference(await collect(read.stream), stream)).toBe("same");
  });

  it("fails with libvirt's words when the new XML does not fit", async () => {
    const bytes = await image({ padding: 16 }, sampleStream(10));
    const error = await rejection(rewriteSaveImageXml(bytes, DOMAIN_XML + " ".repeat(17)));
    expect([error.code, error.detail]).toEqual(["XML_DOES_NOT_FIT", "new xml too large to fit in file"]);
    const fits = await rewriteSaveImageXml(bytes, DOMAIN_XML + " ".repeat(16));
    expect((await readSaveImage(fits)).paddingLength).toBe(0);
  });

  it("refuses to edit an incomplete image", async () => {
    const bytes = await image({}, sampleStream(10));
    bytes.set(encodeLibvirtHeader({ ...parseLibvirtHeader(bytes), complete: false }));
    expect((await rejection(rewriteSaveImageXml(bytes, DOMAIN_XML))).code).toBe("SAVE_IMAGE_INCOMPLETE");
  });
});

describe("round trip property", () => {
  it("reads back whatever was written, for any XML, stream and chunking", async () => {
    const xmlText = fc.string({ unit: "grapheme", maxLength: 200 }).map((s) => s.replaceAll("\0", ""));
    await fc.assert(
      fc.asyncProperty(
        xmlText,
        fc.option(xmlText, { nil: undefined }),
        fc.uint8Array({ maxLength: 3000 }),
        fc.constantFrom<SaveImageFormat>("raw", "gzip", "sparse"),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 400 }),
        fc.boolean(),
        async (domainXml, cookieXml, stream, format, padding, chunk, wasRunning) => {
          const sink = new MemorySaveImageSink();
          const options: WriteSaveImageOptions = { domainXml, wasRunning, format, padding };
          if (cookieXml !== undefined) options.cookieXml = cookieXml;
          await writeSaveImage(sink, options, inPieces(stream, chunk));
          const read = await readSaveImage(inPieces(sink.bytes(), chunk));
          expect(read.domainXml).toBe(domainXml);
          expect(read.cookieXml).toBe(cookieXml);
          expect(read.paddingLength).toBe(padding);
          expect(read.header).toMatchObject({ format, wasRunning, complete: true });
          expect(firstDifference(await collect(read.stream), stream)).toBe("same");
        },
      ),
      { numRuns: 150 },
    );
  });
});
