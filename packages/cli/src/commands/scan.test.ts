import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../program.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "savevm-scan-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs `savevm ...args` in-process and captures what it prints. */
async function savevm(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(["node", "savevm", ...args]);
    return { code, stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** An image built page by page from a seeded mix of zero, uniform, random and repeated pages. */
function buildImage(pages: number, pageSize: number, seed: number, tail = 0): Uint8Array {
  const next = xorshift(seed);
  const image = new Uint8Array(pages * pageSize + tail);
  const randomPages: number[] = [];
  for (let p = 0; p < pages; p++) {
    const page = image.subarray(p * pageSize, (p + 1) * pageSize);
    const pick = next() % 10;
    if (pick < 4) continue;
    if (pick < 6) page.fill(next() % 256);
    else if (pick < 8 && randomPages.length > 0) page.set(image.subarray((randomPages[next() % randomPages.length] as number) * pageSize).subarray(0, pageSize));
    else if (pick === 8) {
      // Zero but for one byte: sparse pages differ from each other in few places.
      page[next() % pageSize] = 1 + (next() % 255);
    } else {
      for (let i = 0; i < pageSize; i++) page[i] = next() & 0xff;
      randomPages.push(p);
    }
  }
  for (let i = pages * pageSize; i < image.length; i++) image[i] = next() & 0xff;
  return image;
}

/** Counts computed here with nothing but a Map over page contents. */
function countPages(image: Uint8Array, pageSize: number) {
  const padded = new Uint8Array(Math.ceil(image.length / pageSize) * pageSize);
  padded.set(image);
  const seen = new Set<string>();
  const counts = { pages: 0, zero: 0, uniform: 0, duplicate: 0, unique: 0 };
  for (let at = 0; at < padded.length; at += pageSize) {
    const page = padded.subarray(at, at + pageSize);
    counts.pages++;
    if (page.every((b) => b === page[0])) {
      if (page[0] === 0) counts.zero++;
      else counts.uniform++;
      continue;
    }
    const key = Buffer.from(page).toString("base64");
    if (seen.has(key)) counts.duplicate++;
    else {
      seen.add(key);
      counts.unique++;
    }
  }
  return counts;
}

describe("savevm scan", () => {
  for (const [pageSize, pages, seed, tail] of [
    [4096, 700, 1, 0],
    [512, 3000, 2, 0],
    [4096, 300, 3, 1000],
    [1024, 1, 4, 0],
  ] as const) {
    it(`prints the counts of a ${pages}-page image of ${pageSize}-byte pages${tail ? " with a partial last page" : ""} as JSON`, async () => {
      const image = buildImage(pages, pageSize, seed, tail);
      const file = join(dir, `image-${pageSize}-${seed}.raw`);
      await writeFile(file, image);
      const expected = countPages(image, pageSize);
      if (pages > 1) expect(expected.duplicate * expected.uniform * expected.zero).toBeGreaterThan(0);
      const out = await savevm("scan", file, "--page-size", String(pageSize), "--json");
      expect(out.stderr).toBe("");
      expect(out.code).toBe(0);
      expect(out.stdout.endsWith("\n")).toBe(true);
      expect(JSON.parse(out.stdout)).toEqual(expected);
      expect(Object.keys(JSON.parse(out.stdout))).toEqual(["pages", "zero", "uniform", "duplicate", "unique"]);
    });
  }

  it("streams an image larger than one read step and finds duplicates across steps", async () => {
    const pageSize = 4096;
    const pages = 40 * 256; // 40 MiB: three 16 MiB steps
    const image = new Uint8Array(pages * pageSize);
    const next = xorshift(9);
    for (let i = 0; i < 64 * pageSize; i++) image[i] = next() & 0xff;
    // The last pages repeat the first 64, two steps later.
    image.copyWithin((pages - 64) * pageSize, 0, 64 * pageSize);
    const file = join(dir, "large.raw");
    await writeFile(file, image);
    const out = await savevm("scan", file, "--json");
    expect(JSON.parse(out.stdout)).toEqual({ pages, zero: pages - 128, uniform: 0, duplicate: 64, unique: 64 });
  });

  it("prints a table by default", async () => {
    const image = buildImage(64, 4096, 5);
    const file = join(dir, "table.raw");
    await writeFile(file, image);
    const expected = countPages(image, 4096);
    const out = await savevm("scan", file);
    expect(out.code).toBe(0);
    const lines = out.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(`${file}: 256 KiB, 64 pages of 4096 bytes`);
    const row = (kind: string) => lines.find((l) => l.trim().startsWith(kind))?.trim().split(/\s+/);
    expect(row("zero")?.[1]).toBe(String(expected.zero));
    expect(row("uniform")?.[1]).toBe(String(expected.uniform));
    expect(row("duplicate")?.[1]).toBe(String(expected.duplicate));
    expect(row("unique")?.[1]).toBe(String(expected.unique));
    expect(row("total")).toEqual(["total", "64", "100.0%"]);
  });

  it("counts an empty file as no pages", async () => {
    const file = join(dir, "empty.raw");
    await writeFile(file, new Uint8Array(0));
    const out = await savevm("scan", file, "--json");
    expect(JSON.parse(out.stdout)).toEqual({ pages: 0, zero: 0, uniform: 0, duplicate: 0, unique: 0 });
  });

  it("fails with a coded message for a missing file, a bad page size and a file over --max-size", async () => {
    const missing = await savevm("scan", join(dir, "nope.raw"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`savevm: NOT_FOUND: ${join(dir, "nope.raw")}: no such file\n`);

    const file = join(dir, "small.raw");
    await writeFile(file, new Uint8Array(8192));
    const badSize = await savevm("scan", file, "--page-size", "1000");
    expect(badSize.code).toBe(2);
    expect(badSize.stderr).toMatch(/^savevm: BAD_PAGE_SIZE: page size 1000 /);

    const notNumber = await savevm("scan", file, "--page-size", "4k");
    expect(notNumber.code).toBe(2);
    expect(notNumber.stderr).toMatch(/^savevm: USAGE: /);

    const tooLarge = await savevm("scan", file, "--max-size", "4K");
    expect(tooLarge.code).toBe(1);
    expect(tooLarge.stderr).toMatch(/^savevm: TOO_LARGE: /);

    const directory = await savevm("scan", dir);
    expect(directory.code).toBe(2);
    expect(directory.stderr).toMatch(/^savevm: NOT_A_FILE: /);
  });
});
