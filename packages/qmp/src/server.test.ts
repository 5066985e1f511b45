import { describe, expect, it } from "vitest";
import { createBytePipe, type ByteStream } from "./byte-stream.js";
import { QmpError } from "./errors.js";
import type { JsonObject } from "./json-value.js";
import { t } from "./schema.js";
import { QmpServer, type QmpServerOptions } from "./server.js";
import { gate, LineReader } from "./test-support/line-reader.js";

const FIXED_CLOCK = { clock: () => ({ seconds: 1700000000, microseconds: 42 }) };

function connect(server: QmpServer): { reader: LineReader; session: ReturnType<QmpServer["attach"]> } {
  const [serverEnd, clientEnd] = createBytePipe();
  const session = server.attach(serverEnd);
  return { reader: new LineReader(clientEnd), session };
}

async function negotiated(server: QmpServer, oob = false): Promise<LineReader> {
  const { reader } = connect(server);
  await reader.readLine();
  reader.write(oob ? '{"execute":"qmp_capabilities","arguments":{"enable":["oob"]}}' : '{"execute":"qmp_capabilities"}');
  expect(await reader.readLine()).toBe('{"return": {}}\r\n');
  return reader;
}

function serverWith(options: QmpServerOptions = {}): QmpServer {
  return new QmpServer({ version: { qemu: { major: 7, minor: 2, micro: 0 }, package: "savevm-test" }, ...FIXED_CLOCK, ...options });
}

describe("greeting and negotiation", () => {
  it("greets with QEMU's exact shape and key order", async () => {
    const { reader } = connect(serverWith());
    expect(await reader.readLine()).toBe('{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}, "package": "savevm-test"}, "capabilities": ["oob"]}}\r\n');
  });

  it("refuses commands before qmp_capabilities and after a second one", async () => {
    const server = serverWith();
    server.command("ping", { handler: () => "pong" });
    const { reader } = connect(server);
    await reader.readLine();
    reader.write('{"execute":"ping","id":1}');
    expect(await reader.readLine()).toBe(`{"id": 1, "error": {"class": "CommandNotFound", "desc": "Expecting capabilities negotiation with 'qmp_capabilities'"}}\r\n`);
    reader.write('{"execute":"qmp_capabilities","arguments":{"enable":["foo"]}}');
    expect(await reader.readLine()).toBe(`{"error": {"class": "GenericError", "desc": "Parameter 'null' does not accept value 'foo'"}}\r\n`);
    reader.write('{"execute":"qmp_capabilities"}{"execute":"ping","id":2}{"execute":"qmp_capabilities"}');
    expect(await reader.readLine()).toBe('{"return": {}}\r\n');
    expect(await reader.readLine()).toBe('{"return": "pong", "id": 2}\r\n');
    expect(await reader.readLine()).toBe(`{"error": {"class": "CommandNotFound", "desc": "Capabilities negotiation is already complete, command ignored"}}\r\n`);
  });

  it("refuses to enable a capability it did not offer", async () => {
    const { reader } = connect(serverWith({ capabilities: [] }));
    expect(await reader.readLine()).toContain('"capabilities": []');
    reader.write('{"execute":"qmp_capabilities","arguments":{"enable":["oob"]}}');
    expect(await reader.readLine()).toBe(`{"error": {"class": "GenericError", "desc": "Capability oob not available"}}\r\n`);
  });

  it("prints pretty output like QEMU's pretty=on", async () => {
    const server = serverWith({ pretty: true });
    const { reader } = connect(server);
    await reader.readUntil("\r\n}\r\n");
    reader.write('{"execute":"qmp_capabilities","id":[1,{}]}');
    expect(await reader.readUntil("\r\n}\r\n")).toBe('{\r\n    "return": {\r\n    },\r\n    "id": [\r\n        1,\r\n        {\r\n        }\r\n    ]\r\n}\r\n');
  });
});

describe("commands", () => {
  it("runs async handlers and echoes any id, big integers included", async () => {
    const server = serverWith();
    server.command("add", {
      args: { a: "int", b: "int" },
      returns: "int",
      handler: async ({ a, b }) => {
        await Promise.resolve();
        return BigInt(a) + BigInt(b);
      },
    });
    const reader = await negotiated(server);
    reader.write('{"execute":"add","arguments":{"a":9007199254740993,"b":1},"id":12345678901234567890}');
    expect(await reader.readLine()).toBe('{"return": 9007199254740994, "id": 12345678901234567890}\r\n');
  });

  it("turns coded errors of other packages into GenericError and keeps a QmpError's class", async () => {
    const server = serverWith();
    server.command("load", {
      handler: () => {
        throw Object.assign(new Error("bad magic 0x12345678 at offset 0"), { code: "BAD_MAGIC" });
      },
    });
    server.command("find", {
      handler: () => {
        throw new QmpError("Device 'x' not found", { errorClass: "DeviceNotFound" });
      },
    });
    const reader = await negotiated(server);
    reader.write('{"execute":"load","id":"a"}{"execute":"find","id":"b"}');
    expect(await reader.readLine()).toBe('{"id": "a", "error": {"class": "GenericError", "desc": "bad magic 0x12345678 at offset 0"}}\r\n');
    expect(await reader.readLine()).toBe(`{"id": "b", "error": {"class": "DeviceNotFound", "desc": "Device 'x' not found"}}\r\n`);
  });

  it("validates arguments before the handler runs", async () => {
    const server = serverWith();
    let calls = 0;
    server.command("set", {
      args: { level: "uint8", "*mode": t.enum("Mode", ["a", "b"]) },
      handler: () => {
        calls++;
      },
    });
    const reader = await negotiated(server);
    reader.write('{"execute":"set","arguments":{"level":256}}{"execute":"set","arguments":{"level":1,"mode":"c"}}{"execute":"set","arguments":{"level":1,"mode":"b"}}');
    expect(await reader.readLine()).toContain("Parameter 'level' expects uint8_t");
    expect(await reader.readLine()).toContain("Parameter 'mode' does not accept value 'c'");
    expect(await reader.readLine()).toBe('{"return": {}}\r\n');
    expect(calls).toBe(1);
  });

  it("lists its commands, version and schema", async () => {
    const server = serverWith();
    server.command("migrate", { args: { uri: "str", "*detach": "bool" }, handler: () => {} });
    server.command("query-thing", { returns: t.struct("Thing", { kind: t.enum("Kind", ["x", "y"]), sizes: t.array("size") }), handler: () => ({ kind: "x", sizes: [] }) });
    server.event("STOP");
    const reader = await negotiated(server);
    reader.write('{"execute":"query-commands"}{"execute":"query-version"}{"execute":"query-qmp-schema"}');
    const names = (await reader.readJson()).return.map((c: { name: string }) => c.name);
    expect(names).toEqual(expect.arrayContaining(["qmp_capabilities", "query-commands", "query-version", "query-qmp-schema", "migrate", "query-thing"]));
    expect(await reader.readLine()).toBe('{"return": {"qemu": {"micro": 0, "minor": 2, "major": 7}, "package": "savevm-test"}}\r\n');
    const schema: JsonObject[] = (await reader.readJson()).return;
    const byName = new Map(schema.map((e) => [e.name as string, e]));
    const migrate = byName.get("migrate")!;
    expect(migrate["meta-type"]).toBe("command");
    expect(byName.get(migrate["arg-type"] as string)).toEqual({
      name: migrate["arg-type"],
      "meta-type": "object",
      members: [{ name: "uri", type: "str" }, { name: "detach", type: "bool", default: null }],
    });
    expect(byName.get(migrate["ret-type"] as string)).toMatchObject({ "meta-type": "object", members: [] });
    const thing = byName.get(byName.get("query-thing")!["ret-type"] as string)!;
    const kind = byName.get((thing.members as JsonObject[])[0]!.type as string)!;
    expect(kind).toMatchObject({ "meta-type": "enum", values: ["x", "y"] });
    expect((thing.members as JsonObject[])[1]!.type).toBe("[int]");
    expect(byName.get("[int]")).toEqual({ name: "[int]", "meta-type": "array", "element-type": "int" });
    expect(byName.get("STOP")).toMatchObject({ "meta-type": "event" });
    expect(byName.get("int")).toEqual({ name: "int", "meta-type": "builtin", "json-type": "int" });
  });
});

describe("queueing and out-of-band", () => {
  it("lets an exec-oob command overtake a running in-band command", async () => {
    const server = serverWith();
    const held = gate();
    server.command("slow", { handler: async () => held.promise.then(() => "slow done") });
    server.command("ping", { allowOob: true, handler: () => "pong" });
    const reader = await negotiated(server, true);
    reader.write('{"execute":"slow","id":1}{"exec-oob":"ping","id":2}');
    expect(await reader.readLine()).toBe('{"return": "pong", "id": 2}\r\n');
    held.open();
    expect(await reader.readLine()).toBe('{"return": "slow done", "id": 1}\r\n');
  });

  it("reads at most 8 in-band commands ahead with OOB on, then stops reading", async () => {
    const server = serverWith();
    const gates = Array.from({ length: 20 }, () => gate());
    let started = 0;
    server.command("slow", { args: { n: "int" }, handler: async ({ n }) => {
      started++;
      await gates[n as number]!.promise;
      return n;
    } });
    server.command("ping", { allowOob: true, handler: () => "pong" });
    const { reader, session } = connect(server);
    await reader.readLine();
    reader.write('{"execute":"qmp_capabilities","arguments":{"enable":["oob"]}}');
    await reader.readLine();
    reader.write(Array.from({ length: 20 }, (_, n) => `{"execute":"slow","arguments":{"n":${n}},"id":${n}}`).join("") + '{"exec-oob":"ping","id":"oob"}');
    while (started === 0) await new Promise((r) => setTimeout(r, 1));
    const stats = session.stats();
    expect(started).toBe(1);
    expect(stats.queuedCommands).toBe(8);
    expect(stats.inputBytes).toBeGreaterThan(0); // the rest waits unread
    const replies: string[] = [];
    for (let n = 0; n < 20; n++) {
      gates[n]!.open();
      replies.push(await reader.readLine());
    }
    // the OOB command was read as soon as the queue had room, long before the last slow reply
    const oobAt = replies.findIndex((r) => r.includes('"oob"'));
    expect(oobAt).toBeGreaterThanOrEqual(0);
    expect(oobAt).toBeLessThan(19);
    expect(session.stats().peakQueuedCommands).toBe(8);
  });

  it("without OOB reads one command at a time", async () => {
    const server = serverWith();
    const gates = [gate(), gate(), gate()];
    server.command("slow", { args: { n: "int" }, handler: async ({ n }) => gates[n as number]!.promise.then(() => n) });
    const { reader, session } = connect(server);
    await reader.readLine();
    reader.write('{"execute":"qmp_capabilities"}');
    await reader.readLine();
    reader.write('{"execute":"slow","arguments":{"n":0}}{"execute":"slow","arguments":{"n":1}}{"execute":"slow","arguments":{"n":2}}');
    while (session.stats().inputBytes === 0) await new Promise((r) => setTimeout(r, 1));
    expect(session.stats().queuedCommands).toBe(0);
    for (const g of gates) {
      g.open();
      await reader.readLine();
    }
    expect(session.stats().peakQueuedCommands).toBe(1);
  });

  it("refuses exec-oob for in-band commands and before OOB is negotiated", async () => {
    const server = serverWith();
    const reader = await negotiated(server);
    reader.write('{"exec-oob":"query-version","id":1}');
    expect(await reader.readLine()).toBe(`{"id": 1, "error": {"class": "GenericError", "desc": "QMP input member 'exec-oob' is unexpected"}}\r\n`);
    const oobReader = await negotiated(serverWith(), true);
    oobReader.write('{"exec-oob":"query-version","id":1}');
    expect(await oobReader.readLine()).toBe(`{"id": 1, "error": {"class": "GenericError", "desc": "The command query-version does not support OOB"}}\r\n`);
  });
});

describe("events", () => {
  it("broadcasts to negotiated clients only, before the reply of the command that raised it", async () => {
    const server = serverWith({ maxClients: 2 });
    server.command("cont", { handler: (_a, ctx) => ctx.emitEvent("RESUME") });
    const a = await negotiated(server);
    const b = connect(server).reader;
    await b.readLine();
    a.write('{"execute":"cont","id":6}');
    expect(await a.readLine()).toBe('{"timestamp": {"seconds": 1700000000, "microseconds": 42}, "event": "RESUME"}\r\n');
    expect(await a.readLine()).toBe('{"return": {}, "id": 6}\r\n');
    server.emitEvent("MIGRATION", { status: "setup" });
    expect(await a.readLine()).toBe('{"timestamp": {"seconds": 1700000000, "microseconds": 42}, "event": "MIGRATION", "data": {"status": "setup"}}\r\n');
    b.write('{"execute":"qmp_capabilities"}');
    // b gets its reply and no earlier event
    expect(await b.readLine()).toBe('{"return": {}}\r\n');
    server.emitEvent("STOP");
    expect(await b.readLine()).toContain('"event": "STOP"');
  });
});

describe("clients", () => {
  it("lets a command hang up after its reply, like quit", async () => {
    const server = serverWith();
    server.command("quit", {
      handler: (_a, ctx) => {
        ctx.emitEvent("SHUTDOWN", { guest: false, reason: "host-qmp-quit" });
        ctx.disconnectAfterReply();
      },
    });
    const reader = await negotiated(server);
    reader.write('{"execute":"quit","id":"q"}');
    expect(await reader.readLine()).toContain('"event": "SHUTDOWN"');
    expect(await reader.readLine()).toBe('{"return": {}, "id": "q"}\r\n');
    await reader.waitClosed();
    expect(server.sessions()).toEqual([]);
  });

  it("serves one client at a time; the next gets its greeting when the first leaves", async () => {
    const server = serverWith();
    const first = connect(server);
    const second = connect(server);
    await first.reader.readLine();
    expect(second.session.state).toBe("waiting");
    expect(server.sessions()).toEqual([first.session]);
    first.session.close();
    expect(await second.reader.readLine()).toContain('{"QMP"');
    expect(second.session.state).toBe("negotiation");
  });

  it("closes connections beyond the waiting limit", async () => {
    const server = serverWith({ maxWaitingClients: 1 });
    connect(server);
    const waiting = connect(server);
    const extra = connect(server);
    await extra.reader.waitClosed();
    expect(extra.session.state).toBe("closed");
    expect(waiting.session.state).toBe("waiting");
  });

  it("gives commands a descriptor a transport received, for getfd", async () => {
    const server = serverWith({ fdCommands: true });
    const closed: number[] = [];
    server.fds.closeFd = (fd) => closed.push(fd);
    const [serverEnd, clientEnd] = createBytePipe();
    const fds = [7];
    const withFds: ByteStream = Object.assign(serverEnd, { takeFd: () => fds.shift() });
    server.attach(withFds);
    const reader = new LineReader(clientEnd);
    await reader.readLine();
    reader.write('{"execute":"qmp_capabilities"}{"execute":"getfd","arguments":{"fdname":"mig"}}{"execute":"getfd","arguments":{"fdname":"again"}}');
    await reader.readLine();
    expect(await reader.readLine()).toBe('{"return": {}}\r\n');
    expect(await reader.readLine()).toBe(`{"error": {"class": "GenericError", "desc": "No file descriptor supplied via SCM_RIGHTS"}}\r\n`);
    expect(server.fds.take("mig")).toBe(7);
    reader.write('{"execute":"closefd","arguments":{"fdname":"mig"}}');
    expect(await reader.readLine()).toBe(`{"error": {"class": "GenericError", "desc": "File descriptor named 'mig' not found"}}\r\n`);
    expect(closed).toEqual([]);
  });
});
