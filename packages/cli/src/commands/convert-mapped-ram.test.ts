import { mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../test-support/run-cli.js";

const FIXTURES = new URL("../../../format/test/fixtures/qemu-7.2/", import.meta.url).pathname;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "savevm-mapped-ram-cli-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `inspect --extract` of a file: block name → bytes. */
async function extracted(file: string, name: string): Promise<Map<string, Buffer>> {
  const out = join(dir, `${name}.extract`);
  const r = await runCli(["inspect", "--extract", out, file]);
  expect(r.code, r.stderr).toBe(0);
  const blocks = new Map<string, Buffer>();
  for (const f of (await readdir(out)).sort()) if (!f.endsWith(".json")) blocks.set(f, await readFile(join(out, f)));
  return blocks;
}

function expectSameRam(a: Map<string, Buffer>, b: Map<string, Buffer>): void {
  expect([...a.keys()]).toEqual([...b.keys()]);
  for (const [name, bytes] of a) expect(Buffer.compare(bytes, b.get(name)!), name).toBe(0);
}

describe("savevm convert --to mapped-ram / --to stream", () => {
  for (const fixture of ["pc-running.mig.gz", "q35-stopped.mig.gz", "pc-xbzrle.mig.gz"]) {
    it(`round-trips a real QEMU 7.2 stream with equal RAM, sparse on disk: ${fixture}`, async () => {
      const input = join(dir, fixture.replace(/\.gz$/, ""));
      await writeFile(input, gunzipSync(await readFile(join(FIXTURES, fixture))));
      const mapped = `${input}.mapped`;
      const back = `${input}.back`;
      let r = await runCli(["convert", "--to", "mapped-ram", input, mapped]);
      expect(r.code, r.stderr).toBe(0);
      const st = await stat(mapped);
      expect(st.blocks * 512).toBeLessThan(st.size);

      r = await runCli(["inspect", mapped]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/format +QEMU mapped-ram file/);
      expect(r.stdout).toMatch(/capabilities +mapped-ram/);

      r = await runCli(["convert", "--to", "stream", mapped, back]);
      expect(r.code, r.stderr).toBe(0);
      r = await runCli(["inspect", back]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/format +QEMU migration stream v3/);
      expect(r.stdout).toMatch(/capabilities +\(none\)/);

      const original = await extracted(input, `${fixture}.in`);
      expectSameRam(await extracted(mapped, `${fixture}.mapped`), original);
      expectSameRam(await extracted(back, `${fixture}.back`), original);
    });
  }

  it("explains that a mapped-ram file needs a path, not standard input or output", async () => {
    const input = join(dir, "stdin.mig");
    await writeFile(input, gunzipSync(await readFile(join(FIXTURES, "pc-stopped.mig.gz"))));
    const mapped = `${input}.mapped`;
    expect((await runCli(["convert", "--to", "mapped-ram", input, mapped])).code).toBe(0);
    let r = await runCli(["inspect", "-"], { input: await readFile(mapped) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mapped-ram file.*give its path instead of -/);
    r = await runCli(["convert", "--to", "mapped-ram", input, "-"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/give an output path, not -/);
  });
});
