import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseLibvirtHeader } from "./header.js";
import { readSaveImageFile, rewriteSaveImageXmlFile, saveImageToFile } from "./node.js";
import { collect, COOKIE_XML, DOMAIN_XML, firstDifference, inPieces, rejection, sampleStream } from "./test-support/streams.js";

const scratch = mkdtempSync(path.join(os.tmpdir(), "savevm-libvirt-files-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function freshDirectory(): string {
  return mkdtempSync(path.join(scratch, "case-"));
}

describe("saveImageToFile", () => {
  it("writes a complete image readable back, mode 0600, with no temporary file left", async () => {
    const directory = freshDirectory();
    const file = path.join(directory, "tiny.save");
    const stream = sampleStream(500_000);
    const written = await saveImageToFile(file, { domainXml: DOMAIN_XML, cookieXml: COOKIE_XML, wasRunning: true, format: "zstd" }, inPieces(stream, 65536));
    expect(readdirSync(directory)).toEqual(["tiny.save"]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(file).size).toBe(written.totalLength);
    expect(parseLibvirtHeader(readFileSync(file))).toEqual(written.header);
    const read = await readSaveImageFile(file);
    expect([read.domainXml, read.cookieXml, read.header.format]).toEqual([DOMAIN_XML, COOKIE_XML, "zstd"]);
    expect(firstDifference(await collect(read.stream), stream)).toBe("same");
  });

  it("keeps the partial magic on disk while the stream is written", async () => {
    const directory = freshDirectory();
    const file = path.join(directory, "busy.save");
    const seen: string[] = [];
    async function* observed(): AsyncGenerator<Uint8Array> {
      yield sampleStream(1000);
      const [temporary, ...others] = readdirSync(directory);
      expect(others).toEqual([]);
      expect(temporary).toMatch(/^\.busy\.save\.[0-9a-f]{12}\.part$/);
      seen.push(readFileSync(path.join(directory, temporary!)).subarray(0, 16).toString("latin1"));
      yield sampleStream(1000, 2);
    }
    await saveImageToFile(file, { domainXml: DOMAIN_XML, wasRunning: false }, observed());
    expect(seen).toEqual(["LibvirtQemudPart"]);
    expect(readFileSync(file).subarray(0, 16).toString("latin1")).toBe("LibvirtQemudSave");
  });

  it("leaves a previous image intact and removes the temporary file when the save fails", async () => {
    const directory = freshDirectory();
    const file = path.join(directory, "kept.save");
    writeFileSync(file, "previous image");
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield sampleStream(100_000);
      throw new Error("guest went away");
    }
    await expect(saveImageToFile(file, { domainXml: DOMAIN_XML, wasRunning: true, format: "gzip" }, failing())).rejects.toThrow("guest went away");
    expect(readFileSync(file, "utf8")).toBe("previous image");
    expect(readdirSync(directory)).toEqual(["kept.save"]);
  });

  it("removes the temporary file when the compressor is missing", async () => {
    const directory = freshDirectory();
    const file = path.join(directory, "never.save");
    const codec = { compress: () => { throw new Error("no codec"); }, decompress: () => { throw new Error("no codec"); } };
    await expect(saveImageToFile(file, { domainXml: DOMAIN_XML, wasRunning: true, format: "xz", codec }, inPieces(new Uint8Array(10), 5))).rejects.toThrow("no codec");
    expect(readdirSync(directory)).toEqual([]);
  });
});

describe("readSaveImageFile", () => {
  it("fails to open a missing file with libvirt's words", async () => {
    const missing = path.join(scratch, "missing.save");
    const error = await rejection(readSaveImageFile(missing));
    expect([error.code, error.detail]).toEqual(["OPEN_FAILED", `Failed to open file '${missing}': No such file or directory`]);
  });

  it("refuses an incomplete file", async () => {
    const file = path.join(freshDirectory(), "part.save");
    await saveImageToFile(file, { domainXml: DOMAIN_XML, wasRunning: true }, inPieces(sampleStream(10), 10));
    const image = readFileSync(file);
    image.write("LibvirtQemudPart", 0, "latin1");
    writeFileSync(file, image);
    expect((await rejection(readSaveImageFile(file))).code).toBe("SAVE_IMAGE_INCOMPLETE");
  });
});

describe("rewriteSaveImageXmlFile", () => {
  it("replaces the XML in place and leaves the payload alone", async () => {
    const file = path.join(freshDirectory(), "edit.save");
    const stream = sampleStream(50_000);
    await saveImageToFile(file, { domainXml: DOMAIN_XML, cookieXml: COOKIE_XML, wasRunning: true, format: "xz" }, inPieces(stream, 8192));
    const before = readFileSync(file);
    const newXml = DOMAIN_XML.replace("tiny", "tiny-renamed");
    await rewriteSaveImageXmlFile(file, newXml, { wasRunning: false });
    const after = readFileSync(file);
    expect(after.length).toBe(before.length);
    const payloadOffset = 92 + parseLibvirtHeader(before).dataLen;
    expect(after.subarray(payloadOffset).equals(before.subarray(payloadOffset))).toBe(true);
    const read = await readSaveImageFile(file);
    expect([read.domainXml, read.cookieXml, read.header.wasRunning]).toEqual([newXml, COOKIE_XML, false]);
    expect(firstDifference(await collect(read.stream), stream)).toBe("same");
  });

  it("refuses XML that does not fit and leaves the file unchanged", async () => {
    const file = path.join(freshDirectory(), "full.save");
    await saveImageToFile(file, { domainXml: DOMAIN_XML, wasRunning: true, padding: 0 }, inPieces(sampleStream(100), 100));
    const before = readFileSync(file);
    const error = await rejection(rewriteSaveImageXmlFile(file, `${DOMAIN_XML} `));
    expect([error.code, error.detail]).toEqual(["XML_DOES_NOT_FIT", "new xml too large to fit in file"]);
    expect(readFileSync(file).equals(before)).toBe(true);
  });
});
