import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readSaveImageFile, saveImageToFile } from "./node.js";
import { collect, DOMAIN_XML, firstDifference, inPieces, sampleStream } from "./test-support/streams.js";

const scratch = mkdtempSync(path.join(os.tmpdir(), "savevm-libvirt-direct-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("bypassCache (O_DIRECT)", () => {
  // Sizes around the 1 MiB staging block: less than one, exactly some, and a short tail after several.
  for (const size of [1000, (1 << 20) - 92 - 65536 - DOMAIN_XML.length - 1, 3 * (1 << 20) + 12345]) {
    it(`writes and reads back an image of a ${size}-byte stream byte for byte`, async () => {
      const file = path.join(scratch, `direct-${size}.save`);
      const stream = sampleStream(size);
      const options = { domainXml: DOMAIN_XML, wasRunning: true };
      const written = await saveImageToFile(file, { ...options, bypassCache: true }, inPieces(stream, 77_777));
      const plainFile = path.join(scratch, `plain-${size}.save`);
      await saveImageToFile(plainFile, options, inPieces(stream, 77_777));
      expect(readFileSync(file).equals(readFileSync(plainFile))).toBe(true);
      expect(readFileSync(file).length).toBe(written.totalLength);
      const read = await readSaveImageFile(file, { bypassCache: true });
      expect(read.header.complete).toBe(true);
      expect(firstDifference(await collect(read.stream), stream)).toBe("same");
    });
  }

  it("reports a missing file with libvirt's open error, not an O_DIRECT one", async () => {
    await expect(readSaveImageFile(path.join(scratch, "none.save"), { bypassCache: true })).rejects.toThrow(
      `Failed to open file '${path.join(scratch, "none.save")}': No such file or directory`,
    );
  });
});
