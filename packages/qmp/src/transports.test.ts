import { mkdtempSync, rmSync, statSync, existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { QmpConnectionError } from "./errors.js";
import { acceptStream, AddressInUseError, connectStream, listenQmp, stdioStream } from "./node.js";
import { QmpServer } from "./server.js";
import type { StreamListener } from "./transports.js";
import { RawConnection } from "./test-support/raw-connection.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "savevm-qmp-transport-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function serve(server: QmpServer, address: string): Promise<StreamListener> {
  const listener = await listenQmp(server, address);
  cleanups.push(() => listener.close());
  return listener;
}

describe("unix sockets", () => {
  it("creates the socket file with mode 0600, replaces a stale one and removes it on close", async () => {
    const dir = tempDir();
    const path = join(dir, "qmp.sock");
    // a process killed while listening leaves its socket file behind
    spawnSync(process.execPath, ["-e", `require("net").createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, "SIGKILL"))`]);
    expect(statSync(path).isSocket()).toBe(true);
    const first = await listenQmp(new QmpServer(), `unix:${path}`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await first.close();
    expect(existsSync(path)).toBe(false);
    await serve(new QmpServer(), `unix:${path}`);
    const conn = await RawConnection.connect(path);
    cleanups.push(() => conn.close());
    expect(await conn.readLine()).toContain('"QMP"');
  });

  it("refuses to take over a socket a live server accepts on, and leaves that server's file alone", async () => {
    const dir = tempDir();
    const path = join(dir, "qmp.sock");
    const live = await serve(new QmpServer(), `unix:${path}`);
    const err = await listenQmp(new QmpServer(), `unix:${path}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AddressInUseError);
    expect((err as AddressInUseError).code).toBe("ADDRESS_IN_USE");
    expect((err as Error).message).toBe(`Failed to bind socket to ${path}: Address already in use (a running process accepts connections on it)`);
    // the first server still owns the path and still answers
    const conn = await RawConnection.connect(path);
    cleanups.push(() => conn.close());
    expect(await conn.readLine()).toContain('"QMP"');
    await live.close();
    expect(existsSync(path)).toBe(false);
  });

  it("answers what a client sent before it shut its side, then closes", async () => {
    const dir = tempDir();
    await serve(new QmpServer(), `unix:${join(dir, "q.sock")}`);
    const conn = await RawConnection.connect(join(dir, "q.sock"));
    await conn.readLine();
    conn.socket.end('{"execute":"qmp_capabilities"}{"execute":"query-version","id":"v"}');
    expect(await conn.readLine()).toBe('{"return": {}}\r\n');
    expect(await conn.readLine()).toContain('"id": "v"');
    await new Promise<void>((resolve) => (conn.isClosed ? resolve() : conn.socket.once("close", () => resolve())));
  });

  it("fails to connect with a typed error", async () => {
    const dir = tempDir();
    const err = await connectStream(`unix:${join(dir, "missing.sock")}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QmpConnectionError);
    expect((err as QmpConnectionError).code).toBe("CONNECT_FAILED");
  });
});

describe("tcp", () => {
  it("listens on loopback when no host is given and reports the port it got", async () => {
    const listener = await serve(new QmpServer(), "tcp::0");
    expect(listener.address).toMatchObject({ kind: "tcp", host: "127.0.0.1" });
    const port = (listener.address as { port: number }).port;
    expect(port).toBeGreaterThan(0);
    const conn = await RawConnection.connect({ port });
    cleanups.push(() => conn.close());
    expect(await conn.readLine()).toContain('"QMP"');
  });
});

describe("stdio and accept", () => {
  it("serves over a readable and a writable, like -qmp stdio", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const server = new QmpServer();
    server.attach(stdioStream(input, output));
    const lines: string[] = [];
    let text = "";
    output.on("data", (d: Buffer) => {
      text += d.toString();
      const parts = text.split("\r\n");
      text = parts.pop()!;
      lines.push(...parts);
    });
    input.write('{"execute":"qmp_capabilities"}\n{"execute":"query-version","id":1}\n');
    while (lines.length < 3) await new Promise((r) => setTimeout(r, 1));
    expect(lines[0]).toContain('"QMP"');
    expect(lines[1]).toBe('{"return": {}}');
    expect(lines[2]).toContain('"id": 1');
    server.close();
  });

  it("accepts one incoming connection and stops listening", async () => {
    const dir = tempDir();
    const path = join(dir, "accept.sock");
    const accepted = acceptStream(`unix:${path}`, { timeoutMs: 10_000 });
    while (!existsSync(path)) await new Promise((r) => setTimeout(r, 5));
    const peer = net.connect(path);
    const socket = await accepted;
    cleanups.push(() => {
      socket.destroy();
      peer.destroy();
    });
    expect(existsSync(path)).toBe(false);
    peer.write("hello");
    const got = await new Promise<string>((resolve) => socket.once("data", (d: Buffer) => resolve(d.toString())));
    expect(got).toBe("hello");
  });
});
