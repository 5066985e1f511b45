import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, ftruncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FileRamBlock } from "./file-ram-block.js";
import { RamApplier } from "./ram/ram-applier.js";

const dir = mkdtempSync(join(tmpdir(), "savevm-file-ram-block-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function page(fill: number): Uint8Array {
  return new Uint8Array(4096).fill(fill);
}

describe("FileRamBlock", () => {
  it("gathers consecutive pages, flushes before a read, and writes scattered pages where they belong", () => {
    const path = join(dir, "a.ram");
    const fd = openSync(path, "w+");
    ftruncateSync(fd, 16 * 4096);
    const block = new FileRamBlock(fd, 16 * 4096);
    block.write(0, page(1));
    block.write(4096, page(2));
    expect(readFileSync(path)[0]).toBe(0); // still gathered
    const back = new Uint8Array(4096);
    block.read(4096, back);
    expect(back[0]).toBe(2);
    block.write(10 * 4096, page(3));
    block.write(2 * 4096, page(4));
    block.flush();
    closeSync(fd);
    const bytes = readFileSync(path);
    expect([0, 1, 2, 10].map((p) => bytes[p * 4096])).toEqual([1, 2, 4, 3]);
    expect(bytes[5 * 4096]).toBe(0);
  });

  it("lets the applier skip zero pages of a fresh file, so they stay holes", () => {
    const path = join(dir, "b.ram");
    const fd = openSync(path, "w+");
    const length = 256 * 4096;
    ftruncateSync(fd, length);
    const block = new FileRamBlock(fd, length);
    const applier = new RamApplier({ block: () => block });
    applier.apply({ kind: "ram", type: "mem-size", offset: 0, sectionId: 2, blocks: [{ idstr: "pc.ram", length }] } as never);
    for (let p = 0; p < 256; p++) {
      applier.apply({ kind: "ram", type: "zero", offset: 0, sectionId: 2, block: "pc.ram", address: p * 4096, fill: 0 } as never);
    }
    block.flush();
    closeSync(fd);
    expect(statSync(path).blocks).toBe(0);
  });
});
