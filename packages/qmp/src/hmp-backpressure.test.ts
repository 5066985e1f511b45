import { describe, expect, it } from "vitest";
import { createBytePipe } from "./byte-stream.js";
import { HmpRegistry } from "./hmp-registry.js";
import { HmpServer } from "./hmp-server.js";

/**
 * QEMU's echo redraws the whole line for every byte typed, so one long line echoes tens of MiB.
 * A client that types long lines and does not read must not make the server buffer that: reading
 * stops while the stream's buffer is full, and goes on when the client reads.
 */
describe("HMP server back-pressure", () => {
  const LINE = "x".repeat(5000) + "\r";
  const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it("stops reading while output is not taken, and finishes every line once it is", async () => {
    const server = new HmpServer(new HmpRegistry().command({ name: "ping", help: "answer", handler: () => "pong" }), {
      banner: "test monitor",
    });
    const [serverEnd, clientEnd] = createBytePipe();
    server.attach(serverEnd);
    const writes: number[] = [];
    const write = serverEnd.write.bind(serverEnd);
    serverEnd.write = (chunk: Uint8Array) => {
      writes.push(chunk.length);
      return write(chunk);
    };
    // Three long lines and a command, all at once; nobody reads yet.
    clientEnd.write(new TextEncoder().encode(LINE.repeat(3) + "ping\r"));
    await tick(100);
    // What waits for the client is about one piece of echo plus the pipe's buffer, not the ~100 MiB the lines echo.
    expect(serverEnd.writableLength).toBeLessThan(512 * 1024);
    const writesWhileBlocked = writes.length;
    await tick(50);
    expect(writes.length).toBe(writesWhileBlocked);

    let received = 0;
    let tail = "";
    const done = new Promise<void>((resolve) => {
      clientEnd.on("data", (chunk: Uint8Array) => {
        received += chunk.length;
        tail = (tail + new TextDecoder("latin1").decode(chunk)).slice(-64);
        if (tail.endsWith("pong\r\n(qemu) ")) resolve();
      });
    });
    await done;
    // Every byte of each line was echoed (QEMU's redraw), in pieces, not one write per byte typed.
    expect(received).toBeGreaterThan(3 * 30 * 1024 * 1024);
    expect(writes.length).toBeLessThan(received / 16_000);
    server.close();
  }, 20_000);
});
