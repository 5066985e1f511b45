import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { openFileSource, readMigrationFile, readSaveImageFile, saveImageToFile } from "./node.js";
import { closingIterator } from "./source/closing-iterator.js";

const dir = mkdtempSync(join(tmpdir(), "savevm-format-sources-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const streamFile = join(dir, "stream.mig");
writeFileSync(streamFile, gunzipSync(readFileSync(new URL("../test/fixtures/qemu-7.2/pc-stopped.mig.gz", import.meta.url))));

/** Open descriptors of this process (Linux), once pending closes had a chance to finish. */
async function openFiles(): Promise<string[]> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  return readdirSync("/proc/self/fd");
}

async function expectNoLeak(run: () => Promise<unknown>): Promise<void> {
  const before = (await openFiles()).length;
  await run();
  expect((await openFiles()).length).toBe(before);
}

describe("file sources close their file when iteration ends", () => {
  it("openFileSource opens on iteration, closes on break and throw, and reads afresh each time", async () => {
    await expectNoLeak(async () => {
      const source = openFileSource(streamFile, { highWaterMark: 4096 });
      let chunks = 0;
      for await (const chunk of source) {
        expect(chunk.length).toBeGreaterThan(0);
        if (++chunks === 2) break;
      }
      await expect(
        (async () => {
          for await (const _ of source) throw new Error("consumer failed");
        })(),
      ).rejects.toThrow("consumer failed");
      let bytes = 0;
      for await (const chunk of source) bytes += chunk.length;
      expect(bytes).toBe(readFileSync(streamFile).length);
    });
  });

  it("readMigrationFile holds nothing open before it is read, nor after an early break", async () => {
    await expectNoLeak(async () => {
      const before = (await openFiles()).length;
      const records = readMigrationFile(streamFile);
      expect(await openFiles()).toHaveLength(before);
      for await (const record of records) {
        expect(record.kind).toBe("header");
        break;
      }
    });
  });

  it("readSaveImageFile's stream closes the file when stopped early, even before its first chunk", async () => {
    const image = join(dir, "image.save");
    await saveImageToFile(image, { domainXml: "<domain/>", wasRunning: false }, openFileSource(streamFile));
    await expectNoLeak(async () => {
      const opened = await readSaveImageFile(image);
      await opened.stream[Symbol.asyncIterator]().return?.();
    });
    await expectNoLeak(async () => {
      const opened = await readSaveImageFile(image);
      for await (const chunk of opened.stream) {
        expect(chunk.length).toBeGreaterThan(0);
        break;
      }
    });
    const notImage = join(dir, "not-an-image");
    writeFileSync(notImage, new Uint8Array(200).fill(7));
    await expectNoLeak(() => expect(readSaveImageFile(notImage)).rejects.toMatchObject({ code: "BAD_MAGIC" }));
  });
});

describe("closingIterator", () => {
  async function* numbers(): AsyncGenerator<number> {
    yield 1;
    yield 2;
  }

  it("closes once: at the end, on return before the first next, and when the inner iterator throws", async () => {
    let closes = 0;
    const close = async (): Promise<void> => {
      closes++;
    };
    const whole = closingIterator(numbers(), close);
    const seen: number[] = [];
    for await (const n of whole) seen.push(n);
    expect(seen).toEqual([1, 2]);
    expect(await whole.next()).toEqual({ done: true, value: undefined });
    expect(closes).toBe(1);

    await closingIterator(numbers(), close).return?.();
    expect(closes).toBe(2);

    const failing = closingIterator(
      (async function* () {
        yield 1;
        throw new Error("source failed");
      })(),
      close,
    );
    await expect(
      (async () => {
        for await (const _ of failing);
      })(),
    ).rejects.toThrow("source failed");
    expect(closes).toBe(3);
  });
});
