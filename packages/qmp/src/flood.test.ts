import { afterEach, describe, expect, it } from "vitest";
import { listenQmp } from "./node.js";
import { QmpServer } from "./server.js";
import type { QmpServerSession } from "./server-session.js";
import { RawConnection } from "./test-support/raw-connection.js";
import type { StreamListener } from "./transports.js";

/**
 * A client that floods or sends a huge message must not make the server's memory grow, and
 * must not disturb other clients. Loopback TCP, bounded in bytes and time.
 */

const LIMITS = { maxMessageBytes: 64 * 1024, maxOutputBytes: 512 * 1024 };
const CHUNK = 64 * 1024;

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<{ server: QmpServer; port: number; sessions: QmpServerSession[] }> {
  const server = new QmpServer({ maxClients: 2, limits: LIMITS });
  const sessions: QmpServerSession[] = [];
  server.on("session", (s) => sessions.push(s));
  const listener: StreamListener = await listenQmp(server, "tcp:127.0.0.1:0");
  cleanups.push(() => listener.close(), () => server.close());
  return { server, port: (listener.address as { port: number }).port, sessions };
}

async function negotiatedConnection(port: number): Promise<RawConnection> {
  const conn = await RawConnection.connect({ port });
  cleanups.push(() => conn.close());
  await conn.readLine();
  conn.write('{"execute":"qmp_capabilities"}\n');
  expect(await conn.readLine()).toBe('{"return": {}}\r\n');
  return conn;
}

/** Writes chunks until `maxBytes` are out or the peer stops taking them for a while. */
async function flood(conn: RawConnection, chunk: Buffer, maxBytes: number, maxMs: number): Promise<number> {
  let sent = 0;
  const deadline = Date.now() + maxMs;
  while (sent < maxBytes && Date.now() < deadline && !conn.isClosed) {
    if (!conn.socket.write(chunk)) {
      const drained = await Promise.race([
        new Promise<boolean>((resolve) => conn.socket.once("drain", () => resolve(true))),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 200)),
      ]);
      if (!drained) break; // the server stopped reading: back-pressure reached the client
    }
    sent += chunk.length;
  }
  return sent;
}

async function roundTrips(conn: RawConnection, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    conn.write(`{"execute":"query-version","id":${i}}\n`);
    // events may come in between; the reply is what matters
    expect(await conn.readUntil(`"id": ${i}}\r\n`)).toContain('"return"');
  }
}

describe("bounded under abuse", () => {
  it("keeps a garbage flood bounded while another client is served", async () => {
    const { port, sessions } = await setup();
    const flooder = await negotiatedConnection(port);
    flooder.socket.pause(); // it never reads its replies
    const victim = sessions[0]!;
    const other = await negotiatedConnection(port);
    // every "}" is one error reply, so the flood also tests output back-pressure
    const sent = await flood(flooder, Buffer.alloc(CHUNK, "}"), 256 * 1024 * 1024, 1000);
    await roundTrips(other, 20);
    const stats = victim.stats();
    // the server read only what it could answer: the rest stayed in the kernel and the client
    expect(stats.peakInputBytes).toBeLessThanOrEqual(CHUNK * 2 + LIMITS.maxMessageBytes);
    expect(stats.peakOutputBytes).toBeLessThanOrEqual(LIMITS.maxOutputBytes + 1024);
    expect(stats.peakQueuedCommands).toBeLessThanOrEqual(2);
    expect(stats.parseErrors).toBeGreaterThan(0);
    // the flooding client was answered with errors (it just never read them)
    flooder.socket.resume();
    expect(await flooder.readLine()).toBe(`{"error": {"class": "GenericError", "desc": "JSON parse error, expecting value"}}\r\n`);
    // it pushed far more than the server holds: the rest waits in socket buffers, not in our heap
    expect(sent).toBeGreaterThan(stats.peakInputBytes);
  });

  it("answers an oversized message with errors, not with memory", async () => {
    const { port, sessions } = await setup();
    const huge = await negotiatedConnection(port);
    const victim = sessions[0]!;
    huge.write('{"execute":"query-status","id":"');
    const reading = (async () => {
      // this client reads its replies, so the server keeps consuming the whole message
      const first = await huge.readLine();
      huge.take();
      return first;
    })();
    await flood(huge, Buffer.alloc(CHUNK, "a"), 8 * 1024 * 1024, 3000);
    expect(await reading).toBe(`{"error": {"class": "GenericError", "desc": "JSON token size limit exceeded"}}\r\n`);
    const other = await negotiatedConnection(port);
    await roundTrips(other, 5);
    expect(victim.stats().peakInputBytes).toBeLessThanOrEqual(CHUNK * 2 + LIMITS.maxMessageBytes);
  });

  it("disconnects a client that lets events pile up unread", async () => {
    const { server, port, sessions } = await setup();
    const sleeper = await negotiatedConnection(port);
    sleeper.socket.pause();
    const victim = sessions[0]!;
    const other = await negotiatedConnection(port);
    let reason: string | undefined;
    victim.on("close", (r) => (reason = r));
    const payload = { blob: "x".repeat(1024) };
    for (let i = 0; i < 50_000 && victim.state !== "closed"; i++) {
      server.emitEvent("FLOOD", payload);
      if (i % 256 === 0) await new Promise((r) => setImmediate(r)); // let the socket flush to the kernel
    }
    expect(victim.state).toBe("closed");
    expect(reason).toBe("output limit exceeded");
    await roundTrips(other, 5);
  });
});
