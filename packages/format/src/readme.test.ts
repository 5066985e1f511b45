import { describe, expect, it } from "vitest";
import { readmeExamples, runExample } from "@savevm/readme-examples";

/** The TypeScript examples of README.md, run as they are written. */
const examples = readmeExamples(new URL("..", import.meta.url));

describe("README examples", () => {
  it("has ten runnable examples", () => {
    expect(examples.length).toBe(10);
  });

  it("writes a stream, reads it back record by record, summarizes it", async () => {
    expect(await runExample(examples[0]!)).toEqual([
      "0000:00:05.0/counter description { count: 7, regs: [ 1, 2, 3, 4 ], deadline: -1n, 'counter/extra': { armed: true } }",
      "171",
      "pc-i440fx-7.2 { zero: 1, uniform: 0, normal: 1, xbzrle: 0, compressed: 0, dedup: 0 } 1",
      '{"ram (0)":{"section sizes":{"pc.ram":65536}},"0000:00:05.0/counter (1)":{"count":7,"regs":[1,2,3,4],"deadline":-1,"counter/extra":{"armed":true}}}',
    ]);
  });

  it("writes a file, inspects it and extracts its RAM into a directory it creates", async () => {
    const printed = await runExample(examples[1]!);
    expect(printed).toEqual([
      "[ { sectionId: 0, idstr: 'ram', type: 'start', offset: 26, size: 53 }, { sectionId: 0, idstr: 'ram', type: 'end', offset: 79, size: 1046554 }, { sectionId: 1, idstr: 'slirp', type: 'full', offset: 1046633, size: 27 } ]",
      expect.stringMatching(/^Map\(1\) \{ 'pc\.ram' => '.*\/savevm-[^/]+\/ram\/pc\.ram' \}$/),
      "[ { name: 'slirp', instance_id: 0, size: 3, fields: [ { name: 'data', size: 3, type: 'buffer' } ] } ]",
    ]);
  });

  it("writes and reads an x-dedup reference", async () => {
    expect(await runExample(examples[2]!)).toEqual(["12288 0"]);
  });

  it("writes and reads a gzip libvirt save image", async () => {
    const printed = await runExample(examples[3]!);
    expect(printed[0]).toBe("65756 51");
    expect(printed[1]).toMatch(/^\{ complete: true, version: 2, dataLen: 65664, wasRunning: true, format: 'gzip', cookieOffset: 96/);
    expect(printed[2]).toBe("{ name: 'tiny', uuid: '6f1c4a0e-1b2d-4c3e-8f9a-0b1c2d3e4f50' }");
    expect(printed[3]).toBe("4104");
  });

  it("saves an xz image with the external program and edits its XML in place", async () => {
    expect(await runExample(examples[4]!)).toEqual(["xz <domain><name>tiny</name><description>edited</description></domain>"]);
  });

  it("reads a zstd image in-process with a caller-supplied decoder", async () => {
    expect(await runExample(examples[5]!)).toEqual(["zstd 4104 true"]);
  });

  it("encodes and decodes multifd init packets and packet headers, and bounds their counts", async () => {
    expect(await runExample(examples[6]!)).toEqual([
      "64 1",
      "1344 pc.ram [ 4096, 20480 ]",
      "true 0",
      "LIMIT_EXCEEDED multifd: received packet with size 4096 and expected a size of 128 (at byte 0x4c, in section 'multifd channel 1')",
    ]);
  });

  it("checks a stream for what QEMU's loader would refuse", async () => {
    expect(await runExample(examples[7]!)).toEqual([
      "MISSING_FOOTER 74 ram Missing section footer for ram",
      "BAD_RUNSTATE 116 globalstate invalid parameter value: runing",
      "[ 'BAD_RUNSTATE' ]",
    ]);
  });

  it("replaces a file durably, and an abort keeps the old one", async () => {
    expect(await runExample(examples[8]!)).toEqual([`{"snapshots":[]} [ 'index.json' ]`]);
  });

  it("writes a mapped-ram file and reads it back", async () => {
    expect(await runExample(examples[9]!)).toEqual(["1081547 [ 'mapped-ram' ] 1048576 1", "1 7 vmdesc"]);
  });
});
