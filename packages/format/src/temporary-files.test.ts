import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FileRamSink, pendingTemporaryFiles, removeTemporaryFiles, temporaryFileFor } from "./node.js";

const dir = mkdtempSync(join(tmpdir(), "savevm-temporary-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("temporary files", () => {
  it("lists each temporary name until released, and removes them all on demand", () => {
    const a = temporaryFileFor(join(dir, "a.mig"));
    const b = temporaryFileFor(join(dir, "b.mig"));
    expect(a).toMatch(/\/\.a\.mig\.[0-9a-f]{12}\.part$/);
    writeFileSync(a, "x");
    writeFileSync(b, "y");
    expect(pendingTemporaryFiles()).toEqual(expect.arrayContaining([a, b]));
    expect(removeTemporaryFiles()).toEqual(expect.arrayContaining([a, b]));
    expect(existsSync(a) || existsSync(b)).toBe(false);
    expect(pendingTemporaryFiles()).toEqual([]);
  });

  it("FileRamSink writes 0600 files under temporary names, renamed on close and removed on abort", async () => {
    const out = join(dir, "ram");
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out);
    writeFileSync(join(out, "pc.ram"), "earlier");
    const aborted = new FileRamSink(out);
    aborted.block("pc.ram", 8192).write(0, new Uint8Array([1, 2, 3]));
    expect(pendingTemporaryFiles()).toHaveLength(1);
    aborted.abort();
    expect(readdirSync(out)).toEqual(["pc.ram"]);
    expect(pendingTemporaryFiles()).toEqual([]);

    const sink = new FileRamSink(out);
    sink.block("pc.ram", 8192).write(0, new Uint8Array([1, 2, 3]));
    await sink.close();
    expect(readdirSync(out)).toEqual(["pc.ram"]);
    expect(statSync(join(out, "pc.ram")).size).toBe(8192);
    expect(statSync(join(out, "pc.ram")).mode & 0o777).toBe(0o600);
  });
});
