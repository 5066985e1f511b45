import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { listenStreams } from "./transports.js";

const dir = mkdtempSync(join(tmpdir(), "savevm-listen-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("listenStreams on a unix socket", () => {
  it("says ENOENT, not libuv's EACCES, when the socket's directory is missing", async () => {
    const path = join(dir, "missing", "vm.qmp");
    await expect(listenStreams(`unix:${path}`, () => undefined)).rejects.toMatchObject({ code: "ENOENT", path });
  });
});
