import { createServer, type Server } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MachineError } from "../errors.js";
import { connectSocket, SocketOutputChannel } from "./socket-channel.js";

describe("SocketOutputChannel", () => {
  let server: Server | undefined;
  let dir: string | undefined;
  afterEach(() => {
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("reports a peer that hangs up in QEMU's words, whichever of Node's error paths sees it first", async () => {
    dir = mkdtempSync(join(tmpdir(), "savevm-socket-"));
    const path = join(dir, "drop.sock");
    // The destination reads a little, then drops the connection, as a failing destination does.
    server = createServer((s) => s.once("data", () => s.destroy()));
    await new Promise<void>((resolve) => server!.listen(path, resolve));
    const channel = new SocketOutputChannel(await connectSocket({ kind: "unix", path }));
    const chunk = new Uint8Array(256 * 1024);
    let failure: unknown;
    for (let i = 0; i < 400 && failure === undefined; i++) {
      await channel.write([chunk]).catch((err: unknown) => (failure = err));
    }
    expect(failure).toBeInstanceOf(MachineError);
    expect((failure as Error).message).toMatch(/^Unable to write to socket: /);
    await expect(channel.close()).rejects.toBe(failure);
  });
});
