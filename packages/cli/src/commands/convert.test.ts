import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemorySaveImageSink, parseLibvirtHeader, writeSaveImage } from "@savevm/format";
import { runCli } from "../test-support/run-cli.js";

const FIXTURES = new URL("../../../format/test/fixtures/qemu-7.2/", import.meta.url).pathname;
const XML = "<domain type='qemu'><name>tiny</name><uuid>6f1c4a0e-1111-2222-3333-444455556666</uuid></domain>";

let dir: string;
let streams: Record<string, Buffer>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "savevm-convert-"));
  streams = {};
  for (const name of (await readdir(FIXTURES)).filter((f) => f.endsWith(".mig.gz"))) {
    streams[name] = gunzipSync(await readFile(join(FIXTURES, name)));
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("savevm convert", () => {
  it("re-encodes every real QEMU fixture byte for byte", async () => {
    expect(Object.keys(streams).length).toBeGreaterThan(5);
    for (const [name, bytes] of Object.entries(streams)) {
      const input = join(dir, name.replace(/\.gz$/, ""));
      const output = `${input}.out`;
      await writeFile(input, bytes);
      const r = await runCli(["convert", input, output]);
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      expect(Buffer.compare(await readFile(output), bytes), name).toBe(0);
    }
  });

  it("streams from standard input to standard output", async () => {
    const bytes = streams["pc-running.mig.gz"]!;
    const r = await runCli(["convert", "-", "-"], { input: bytes });
    expect(r.code).toBe(0);
    expect(Buffer.compare(r.stdoutBytes, bytes)).toBe(0);
  });

  it("keeps a raw libvirt save image byte for byte, and can unwrap or wrap the stream", async () => {
    const stream = streams["pc-running.mig.gz"]!;
    const sink = new MemorySaveImageSink();
    await writeSaveImage(sink, { domainXml: XML, cookieXml: "<cookie/>", wasRunning: true }, (async function* () {
      yield stream;
    })());
    const image = join(dir, "vm.save");
    await writeFile(image, sink.bytes());

    const same = join(dir, "same.save");
    expect((await runCli(["convert", image, same])).code).toBe(0);
    expect(Buffer.compare(await readFile(same), Buffer.from(sink.bytes()))).toBe(0);

    const bare = join(dir, "bare.mig");
    expect((await runCli(["convert", image, bare, "--to", "qemu"])).code).toBe(0);
    expect(Buffer.compare(await readFile(bare), stream)).toBe(0);

    const xml = join(dir, "domain.xml");
    await writeFile(xml, XML);
    const wrapped = join(dir, "wrapped.save");
    const r = await runCli(["convert", bare, wrapped, "--to", "libvirt", "--domain-xml", xml, "--paused", "--image-format", "gzip"]);
    expect(r.code, r.stderr).toBe(0);
    const header = parseLibvirtHeader(await readFile(wrapped));
    expect(header).toMatchObject({ complete: true, version: 2, wasRunning: false, format: "gzip" });
    const back = join(dir, "back.mig");
    expect((await runCli(["convert", wrapped, back, "--to", "qemu"])).code).toBe(0);
    expect(Buffer.compare(await readFile(back), stream)).toBe(0);
  });

  it("leaves an existing output untouched when the input is bad", async () => {
    const output = join(dir, "keep.mig");
    await writeFile(output, "previous contents");
    const bad = join(dir, "truncated.mig");
    await writeFile(bad, streams["pc-running.mig.gz"]!.subarray(0, 70_000));
    const r = await runCli(["convert", bad, output]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^savevm: TRUNCATED: /);
    expect(await readFile(output, "utf8")).toBe("previous contents");
    expect((await readdir(dir)).filter((f) => f.endsWith(".part"))).toEqual([]);
  });

  it("needs a domain XML to make a libvirt image from a bare stream", async () => {
    const input = join(dir, "plain.mig");
    await writeFile(input, streams["pc-stopped.mig.gz"]!);
    const r = await runCli(["convert", input, join(dir, "x.save"), "--to", "libvirt"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--domain-xml/);
  });
});
