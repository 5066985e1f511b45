import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ExternalSaveImageFormat } from "./codec.js";
import { LIBVIRT_HEADER_SIZE, parseLibvirtHeader, saveImageFormatNumber } from "./header.js";
import { compressionArguments, externalProgramCodec, findProgramInPath, readSaveImage, writeSaveImage } from "./node.js";
import { collect, COOKIE_XML, DOMAIN_XML, firstDifference, inPieces, rejection, sampleStream } from "./test-support/streams.js";
import { MemorySaveImageSink } from "./write.js";

// The programs come from Debian's xz-utils, zstd, bzip2, lzop and gzip packages.
const MAGIC: Record<ExternalSaveImageFormat, number[]> = {
  xz: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00],
  zstd: [0x28, 0xb5, 0x2f, 0xfd],
  bzip2: [0x42, 0x5a, 0x68],
  lzop: [0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a],
};

const scratch = mkdtempSync(path.join(os.tmpdir(), "savevm-libvirt-programs-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function runProgram(program: string, args: string[], input: Uint8Array): Uint8Array {
  const result = spawnSync(program, args, { input, maxBuffer: 64 * 1024 * 1024 });
  expect(result.error).toBeUndefined();
  expect(result.status).toBe(0);
  return new Uint8Array(result.stdout);
}

async function writeImage(format: "gzip" | ExternalSaveImageFormat, stream: Uint8Array): Promise<Uint8Array> {
  const sink = new MemorySaveImageSink();
  const written = await writeSaveImage(sink, { domainXml: DOMAIN_XML, cookieXml: COOKIE_XML, wasRunning: true, format }, inPieces(stream, 64 * 1024));
  expect(written.streamLength).toBe(stream.length);
  return sink.bytes();
}

function payloadOf(image: Uint8Array): Uint8Array {
  return image.subarray(LIBVIRT_HEADER_SIZE + parseLibvirtHeader(image).dataLen);
}

describe("external compression programs", () => {
  const stream = sampleStream(2 * 1024 * 1024, 7);

  for (const format of ["xz", "zstd", "bzip2", "lzop"] as const) {
    it(`round-trips a ${format} image through the real ${format} program`, async () => {
      const image = await writeImage(format, stream);
      expect(image[28]).toBe(saveImageFormatNumber(format));
      const payload = payloadOf(image);
      expect([...payload.subarray(0, MAGIC[format].length)]).toEqual(MAGIC[format]);
      // What the program itself makes of the payload, as libvirt's restore would run it.
      expect(firstDifference(runProgram(format, compressionArguments(format, "decompress"), payload), stream)).toBe("same");
      const read = await readSaveImage(inPieces(image, 100_000));
      expect([read.header.format, read.domainXml, read.cookieXml]).toEqual([format, DOMAIN_XML, COOKIE_XML]);
      expect(firstDifference(await collect(read.stream), stream)).toBe("same");
    });
  }

  it("interoperates with the real gzip both ways", async () => {
    const image = await writeImage("gzip", stream);
    expect(firstDifference(runProgram("gzip", ["-dc"], payloadOf(image)), stream)).toBe("same");

    const byGzip = runProgram("gzip", ["-c"], stream);
    const front = image.subarray(0, image.length - payloadOf(image).length);
    const mixed = new Uint8Array(front.length + byGzip.length);
    mixed.set(front);
    mixed.set(byGzip, front.length);
    expect(firstDifference(await collect((await readSaveImage(mixed)).stream), stream)).toBe("same");
  });

  it("passes libvirt's arguments", () => {
    expect(compressionArguments("xz", "compress")).toEqual(["-c", "-3"]);
    expect(compressionArguments("zstd", "compress")).toEqual(["-c"]);
    expect(compressionArguments("lzop", "decompress")).toEqual(["-dc", "--ignore-warn"]);
    expect(compressionArguments("bzip2", "decompress")).toEqual(["-dc"]);
  });

  it("reports a missing program with libvirt's message, before writing anything", async () => {
    const emptyDirectory = mkdtempSync(path.join(scratch, "empty-path-"));
    const codec = externalProgramCodec({ searchPath: emptyDirectory });
    const sink = new MemorySaveImageSink();
    const error = await rejection(writeSaveImage(sink, { domainXml: DOMAIN_XML, wasRunning: true, format: "xz", codec }, inPieces(stream, 4096)));
    expect([error.code, error.detail]).toEqual([
      "COMPRESSOR_MISSING",
      "Compression program for xz image format in configuration file isn't available",
    ]);
    expect(sink.bytes().length).toBe(0);

    const image = await writeImage("zstd", stream.subarray(0, 1000));
    const read = await readSaveImage(image, { codec });
    expect(read.domainXml).toBe(DOMAIN_XML);
    const readError = await rejection(collect(read.stream));
    expect([readError.code, readError.detail]).toEqual([
      "COMPRESSOR_MISSING",
      "Compression program for zstd image format in configuration file isn't available",
    ]);
  });

  it("looks programs up through an injected finder", async () => {
    const asked: string[] = [];
    const codec = externalProgramCodec({
      findProgram: async (name) => {
        asked.push(name);
        return undefined;
      },
    });
    const sink = new MemorySaveImageSink();
    expect((await rejection(writeSaveImage(sink, { domainXml: DOMAIN_XML, wasRunning: true, format: "bzip2", codec }, inPieces(stream, 4096)))).code).toBe(
      "COMPRESSOR_MISSING",
    );
    expect(asked).toEqual(["bzip2"]);
  });

  it("finds executables the way libvirt does", async () => {
    const directory = mkdtempSync(path.join(scratch, "bin-"));
    writeFileSync(path.join(directory, "notexec"), "");
    const program = path.join(directory, "tool");
    writeFileSync(program, "#!/bin/sh\n");
    chmodSync(program, 0o755);
    expect(await findProgramInPath("tool", `/nonexistent${path.delimiter}${directory}`)).toBe(program);
    expect(await findProgramInPath("notexec", directory)).toBeUndefined();
    expect(await findProgramInPath(program, "")).toBe(program);
    expect(await findProgramInPath("xz", "/usr/bin")).toBe("/usr/bin/xz");
  });

  it("reports a damaged payload with the program's own complaint", async () => {
    const image = await writeImage("xz", stream.subarray(0, 100_000));
    const damaged = image.slice();
    const payloadStart = image.length - payloadOf(image).length;
    damaged.fill(0x41, payloadStart + 40, payloadStart + 80);
    const error = await rejection(collect((await readSaveImage(damaged)).stream));
    expect(error.code).toBe("COMPRESSOR_FAILED");
    expect(error.detail).toMatch(/^xz -dc exited with status [1-9]\d*: /);
  });

  it("kills the program when the reader stops early", async () => {
    const pidFile = path.join(scratch, "xz.pid");
    const wrapper = path.join(scratch, "xz-wrapper");
    writeFileSync(wrapper, `#!/bin/sh\necho $$ > '${pidFile}'\nexec xz "$@"\n`);
    chmodSync(wrapper, 0o755);
    const image = await writeImage("xz", stream);
    const read = await readSaveImage(inPieces(image, 4096), { codec: externalProgramCodec({ findProgram: async () => wrapper }) });
    for await (const chunk of read.stream) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    const pid = Number(readFileSync(pidFile, "utf8"));
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  });

  it("passes on a failure of the stream being compressed and stops the program", async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield stream.subarray(0, 100_000);
      throw new Error("source broke");
    }
    const sink = new MemorySaveImageSink();
    await expect(writeSaveImage(sink, { domainXml: DOMAIN_XML, wasRunning: true, format: "zstd" }, failing())).rejects.toThrow("source broke");
  });
});
