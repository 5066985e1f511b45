import { existsSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, expectTypeOf, it } from "vitest";
import { createBytePipe } from "./byte-stream.js";
import { QmpClient as BaseClient } from "./client.js";
import { QmpConnectionError, QmpError, QmpGreetingError, QmpNegotiationError, QmpProtocolError } from "./errors.js";
import { EventListener, type QmpEvent } from "./events.js";
import { listenQmp, QmpClient } from "./node.js";
import { QmpServer } from "./server.js";
import { gate } from "./test-support/line-reader.js";

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function testServer(): QmpServer {
  const server = new QmpServer({ clock: () => ({ seconds: 1, microseconds: 2 }) });
  server.command("echo", { args: { value: "any" }, returns: "any", handler: ({ value }) => value });
  server.command("emit", {
    args: { name: "str", "*n": "int" },
    handler: ({ name, n }, ctx) => {
      for (let i = 0; i < (typeof n === "number" ? n : 1); i++) ctx.emitEvent(name, { i });
    },
  });
  server.command("fail", { handler: () => { throw new QmpError("it broke", { errorClass: "DeviceNotActive" }); } });
  return server;
}

async function pipeClient(server: QmpServer, options = {}): Promise<BaseClient> {
  const [a, b] = createBytePipe();
  server.attach(a);
  const client = await BaseClient.connect(b, options);
  cleanups.push(() => client.close());
  return client;
}

describe("QmpClient against our server", () => {
  it("reads the greeting, negotiates OOB and runs many calls in flight", async () => {
    const client = await pipeClient(testServer());
    expect(client.greeting).toEqual({ version: { qemu: { major: 7, minor: 2, micro: 0 }, package: "savevm" }, capabilities: ["oob"] });
    expect(client.oobEnabled).toBe(true);
    const values = await Promise.all(Array.from({ length: 50 }, (_, i) => client.execute("echo", { value: { i, big: 2n ** 60n } })));
    expect(values).toEqual(Array.from({ length: 50 }, (_, i) => ({ i, big: 2n ** 60n })));
  });

  it("rejects with QmpError carrying class, desc and the command sent", async () => {
    const client = await pipeClient(testServer());
    const err = await client.execute("fail").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QmpError);
    expect(err).toMatchObject({ errorClass: "DeviceNotActive", desc: "it broke", code: "QMP_ERROR" });
    expect((err as QmpError).command).toMatchObject({ execute: "fail" });
    const missing = await client.execute("nosuch").catch((e: QmpError) => e);
    expect(missing).toMatchObject({ errorClass: "CommandNotFound", desc: "The command nosuch has not been found" });
  });

  it("types the return value the caller asks for", async () => {
    const client = await pipeClient(testServer());
    const version = await client.execute<{ qemu: { major: number } }>("query-version");
    expectTypeOf(version.qemu.major).toEqualTypeOf<number>();
    expect(version.qemu.major).toBe(7);
  });

  it("delivers events to listeners by name and filter, with history and async iteration", async () => {
    const client = await pipeClient(testServer());
    const stops = client.listen("STOP");
    const evenTicks = client.listen(["TICK"], (e) => (e.data?.i as number) % 2 === 0);
    const seen: string[] = [];
    const off = client.onEvent("*", (e) => seen.push(e.event));
    await client.execute("emit", { name: "TICK", n: 4 });
    await client.execute("emit", { name: "STOP" });
    expect((await stops.get()).event).toBe("STOP");
    expect(stops.empty()).toBe(true);
    expect(evenTicks.clear().map((e) => e.data?.i)).toEqual([0, 2]);
    expect(evenTicks.history.map((e) => e.data?.i)).toEqual([0, 2]);
    expect(seen).toEqual(["TICK", "TICK", "TICK", "TICK", "STOP"]);
    off();
    const collected: QmpEvent[] = [];
    const iterate = (async () => {
      for await (const ev of client.listen("DONE")) {
        collected.push(ev);
        if (collected.length === 2) break;
      }
    })();
    await client.execute("emit", { name: "DONE", n: 2 });
    await iterate;
    expect(collected.map((e) => e.timestamp)).toEqual([{ seconds: 1, microseconds: 2 }, { seconds: 1, microseconds: 2 }]);
    expect(client.events.history.length).toBe(7);
  });

  it("accepts listener subclasses, like python's accept() override", async () => {
    class OnlyFirst extends EventListener {
      override accept(event: QmpEvent): boolean {
        return event.event === "TICK" && event.data?.i === 0;
      }
    }
    const client = await pipeClient(testServer());
    const listener = client.addEventListener(new OnlyFirst());
    await client.execute("emit", { name: "TICK", n: 3 });
    expect(listener.clear().length).toBe(1);
  });

  it("waits for an event with a timeout", async () => {
    const client = await pipeClient(testServer());
    const waiting = client.waitEvent("NEVER", { timeoutMs: 20 });
    await expect(waiting).rejects.toMatchObject({ code: "TIMEOUT" });
  });

  it("fails pending calls cleanly when the connection drops", async () => {
    const server = testServer();
    const held = gate();
    server.command("hang", { handler: () => held.promise });
    const client = await pipeClient(server);
    const listener = client.listen();
    const call = client.execute("hang");
    await new Promise((r) => setTimeout(r, 5));
    server.close();
    const err = await call.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QmpConnectionError);
    expect((err as QmpConnectionError).code).toBe("DISCONNECTED");
    expect((err as Error).message).toContain("'hang'");
    await client.closed;
    expect(client.state).toBe("closed");
    await expect(listener.get()).rejects.toBeInstanceOf(QmpConnectionError);
    await expect(client.execute("echo", { value: 1 })).rejects.toBeInstanceOf(QmpConnectionError);
    held.open();
  });

  it("reports a greeting that is missing or wrong", async () => {
    const [, silent] = createBytePipe();
    await expect(BaseClient.connect(silent, { greetingTimeoutMs: 20 })).rejects.toBeInstanceOf(QmpGreetingError);
    const [fake, other] = createBytePipe();
    fake.write(new TextEncoder().encode('{"hello": 1}\r\n'));
    await expect(BaseClient.connect(other)).rejects.toBeInstanceOf(QmpGreetingError);
  });

  it("reports negotiation failures", async () => {
    const server = new QmpServer({ capabilities: [] });
    const [a, b] = createBytePipe();
    server.attach(a);
    await expect(BaseClient.connect(b, { oob: true })).rejects.toBeInstanceOf(QmpNegotiationError);
  });

  it("treats an id-less error it did not ask for as a broken connection", async () => {
    const client = await pipeClient(testServer());
    const disconnected = new Promise<Error | undefined>((resolve) => client.on("disconnect", resolve));
    client.sendRaw("}\n");
    expect(await disconnected).toBeInstanceOf(QmpProtocolError);
    expect(client.state).toBe("closed");
  });

  it("sends raw messages without an id and matches the id-less reply", async () => {
    const client = await pipeClient(testServer());
    const reply = await client.executeMessage({ execute: "echo", arguments: { value: "x" }, id: { nested: [1] } });
    expect(reply).toEqual({ return: "x", id: { nested: [1] } });
  });

  it("sends exec-oob only when OOB was negotiated", async () => {
    const server = testServer();
    server.command("ping", { allowOob: true, handler: () => "pong" });
    const client = await pipeClient(server);
    expect(await client.execute("ping", undefined, { oob: true })).toBe("pong");
    const noOob = await pipeClient(testServer(), { oob: false });
    await expect(noOob.execute("ping", undefined, { oob: true })).rejects.toMatchObject({ code: "OOB_NOT_ENABLED" });
  });
});

describe("QmpClient over sockets", () => {
  function tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), "savevm-qmp-client-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  it("connects by address and reconnects after the server restarts", async () => {
    const dir = tempDir();
    const address = `unix:${join(dir, "q.sock")}`;
    let server = testServer();
    let listener = await listenQmp(server, address);
    const client = await QmpClient.connect(address, { reconnect: { retries: 50, delayMs: 10 } });
    cleanups.push(() => client.close());
    expect(await client.execute("echo", { value: 1 })).toBe(1);
    const reconnected = new Promise<void>((resolve) => client.once("reconnect", resolve));
    const dropped = new Promise<unknown>((resolve) => client.once("disconnect", resolve));
    server.close();
    await listener.close();
    await dropped;
    server = testServer();
    listener = await listenQmp(server, address);
    cleanups.push(() => listener.close());
    // a call made while reconnecting waits for the new connection
    expect(await client.execute("echo", { value: 2 })).toBe(2);
    await reconnected;
    expect(client.state).toBe("running");
  });

  it("gives up reconnecting after its retries", async () => {
    const dir = tempDir();
    const address = `unix:${join(dir, "q.sock")}`;
    const server = testServer();
    const listener = await listenQmp(server, address);
    const client = await QmpClient.connect(address, { reconnect: { retries: 2, delayMs: 5 } });
    server.close();
    await listener.close();
    await client.closed;
    await expect(client.execute("echo", { value: 1 })).rejects.toMatchObject({ code: "DISCONNECTED" });
  });

  it("accepts a server that connects out to it", async () => {
    const dir = tempDir();
    const path = join(dir, "out.sock");
    const server = testServer();
    const accepting = QmpClient.accept(`unix:${path}`, { acceptTimeoutMs: 10_000 });
    while (!existsSync(path)) await new Promise((r) => setTimeout(r, 5));
    server.attach(net.connect(path));
    const client = await accepting;
    cleanups.push(() => client.close());
    expect(await client.execute("echo", { value: "out" })).toBe("out");
  });
});
