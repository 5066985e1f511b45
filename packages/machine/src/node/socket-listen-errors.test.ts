import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { listenSocket } from "./socket-channel.js";

const dir = mkdtempSync(join(tmpdir(), "savevm-socket-listen-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("listenSocket", () => {
  it("says a unix socket's missing directory is missing, not a permission problem", async () => {
    const path = join(dir, "missing", "incoming.sock");
    await expect(listenSocket({ kind: "unix", path })).rejects.toThrow(`Failed to bind socket to '${path}': No such file or directory`);
  });
});
