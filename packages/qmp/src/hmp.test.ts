import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createBytePipe } from "./byte-stream.js";
import { QmpClient } from "./client.js";
import { HmpArgumentError, parseHmpArgs } from "./hmp-args.js";
import { HmpClient } from "./hmp-client.js";
import { HmpRegistry } from "./hmp-registry.js";
import { addHumanMonitorCommand, HmpServer } from "./hmp-server.js";
import { HmpTextClient, renderTerminalLine } from "./hmp-text-client.js";
import { connectHmp, listenHmp } from "./node.js";
import { QmpServer } from "./server.js";
import { startQemu, stopAllQemu, type QemuProcess } from "./test-support/qemu.js";
import { RawConnection } from "./test-support/raw-connection.js";

function registry(): HmpRegistry {
  let status = "running";
  return new HmpRegistry()
    .command({ name: "stop", aliases: ["s"], help: "stop emulation", handler: () => void (status = "paused") })
    .command({ name: "cont", aliases: ["c"], help: "resume emulation", handler: () => void (status = "running") })
    .command({
      name: "migrate",
      args: "detach:-d,uri:s",
      params: "[-d] uri",
      help: "migrate to URI",
      handler: ({ uri, detach }) => {
        if (!String(uri).includes(":")) throw new Error("Parameter 'uri' expects a valid migration protocol");
        return `migrating to ${uri}${detach ? " in the background" : ""}`;
      },
    })
    .command({ name: "cpu", args: "index:i", params: "index", help: "set the default CPU", handler: ({ index }) => `cpu ${index}` })
    .command({ name: "quit", aliases: ["q"], help: "quit the emulator", handler: (_a, ctx) => ctx.close() })
    .info({ name: "status", help: "show the current VM status (running|paused)", handler: () => `VM status: ${status}` });
}

describe("HMP command registry", () => {
  const hmp = registry();

  it("prints help lines in QEMU's format", async () => {
    expect(await hmp.execute("help stop")).toBe("stop|s  -- stop emulation\n");
    expect(await hmp.execute("help help")).toBe("help|? [cmd] -- show the help\n");
    expect(await hmp.execute("help migrate")).toBe("migrate [-d] uri -- migrate to URI\n");
    expect(await hmp.execute("help info status")).toBe("info status  -- show the current VM status (running|paused)\n");
    expect(await hmp.execute("info")).toContain("info status  -- show the current VM status (running|paused)\n");
    expect((await hmp.execute("help")).split("\n")[0]).toBe("cont|c  -- resume emulation");
  });

  it("uses QEMU's words for unknown commands and bad arguments", async () => {
    expect(await hmp.execute("nosuch")).toBe("unknown command: 'nosuch'\n");
    expect(await hmp.execute("info nosuch")).toBe("unknown command: 'info nosuch'\n");
    expect(await hmp.execute("help nosuch")).toBe("unknown command: 'nosuch'\n");
    expect(await hmp.execute("stop x")).toBe('stop: extraneous characters at the end of line\nTry "help stop" for more information\n');
    expect(await hmp.execute("info status extra")).toBe('status: extraneous characters at the end of line\nTry "help info status" for more information\n');
    expect(await hmp.execute("migrate")).toBe('migrate: string expected\nTry "help migrate" for more information\n');
    expect(await hmp.execute("cpu x")).toBe(`invalid char 'x' in expression\nTry "help cpu" for more information\n`);
    expect(await hmp.execute("cpu")).toBe('unexpected end of expression\nTry "help cpu" for more information\n');
  });

  it("runs handlers with parsed arguments and reports failures as Error:", async () => {
    expect(await hmp.execute("  s  ")).toBe("");
    expect(await hmp.execute("info status")).toBe("VM status: paused\n");
    expect(await hmp.execute('migrate -d "unix:/tmp/a b"')).toBe("migrating to unix:/tmp/a b in the background\n");
    expect(await hmp.execute("migrate bogus")).toBe("Error: Parameter 'uri' expects a valid migration protocol\n");
    expect(await hmp.execute("cpu 0x10")).toBe("cpu 16\n");
  });

  it("parses args_type notation", () => {
    expect(parseHmpArgs("x", "a:s,b:i?,c:b?,rest:S?", ' "q\\"t" 5 on tail text ')).toEqual({ a: 'q"t', b: 5, c: true, rest: "tail text" });
    expect(() => parseHmpArgs("x", "flag:-f,a:s", "-z a")).toThrow(new HmpArgumentError("x: unsupported option -z"));
    expect(() => parseHmpArgs("x", "c:b", "maybe")).toThrow("Expected 'on' or 'off'");
    expect(() => parseHmpArgs("x", "a:s", '"open')).toThrow("unterminated string");
  });
});

describe("terminal rendering of QEMU's echo", () => {
  it("replays cursor moves and erases", () => {
    expect(renderTerminalLine("i\x1b[K\x1b[Din\x1b[K\x1b[D\x1b[Dinf\x1b[K")).toBe("inf");
    expect(renderTerminalLine("a\x1b[K\x1b[Dab\x1b[K\x1b[D\x1b[Da\x1b[K\x1b[Dac\x1b[K")).toBe("ac");
  });
});

describe("HMP server", () => {
  function pipeServer(options = {}): { server: HmpServer; connect: () => Promise<HmpTextClient> } {
    const server = new HmpServer(registry(), options);
    return {
      server,
      connect: async () => {
        const [a, b] = createBytePipe();
        server.attach(a);
        return HmpTextClient.connect(b);
      },
    };
  }

  it("greets, prompts, and serves the text client with echo on and off", async () => {
    for (const echo of [true, false]) {
      const { connect } = pipeServer({ echo, banner: "savevm 0.1.0 monitor - type 'help' for more information" });
      const client = await connect();
      expect(client.banner).toBe("savevm 0.1.0 monitor - type 'help' for more information");
      expect(await client.run("info status")).toBe("VM status: running\n");
      expect(await client.run("stop")).toBe("");
      expect(await client.run("info status")).toBe("VM status: paused\n");
      expect(await client.run("nosuch")).toBe("unknown command: 'nosuch'\n");
      await expect(client.run("migrate x", { throwOnError: true })).rejects.toMatchObject({ code: "HMP_ERROR", output: "Error: Parameter 'uri' expects a valid migration protocol\n" });
      // a repeated line moves to the end, and the running line is already in the list
      expect(await client.run("info history")).toBe("0: 'stop'\n1: 'info status'\n2: 'nosuch'\n3: 'migrate x'\n4: 'info history'\n");
      expect(await client.run("quit")).toBe("");
    }
  });

  it("serves one client at a time", async () => {
    const { connect } = pipeServer();
    const first = await connect();
    const second = connect();
    let greeted = false;
    void second.then(() => (greeted = true));
    await first.run("stop");
    expect(greeted).toBe(false);
    first.close();
    expect((await second).banner).toContain("monitor");
  });

  it("runs HMP over QMP with human-monitor-command", async () => {
    const server = new QmpServer();
    addHumanMonitorCommand(server, registry());
    const [a, b] = createBytePipe();
    server.attach(a);
    const qmp = await QmpClient.connect(b);
    const hmp = new HmpClient(qmp);
    expect(await hmp.run("info status")).toBe("VM status: running\n");
    expect(await hmp.run("info status", { raw: true })).toBe("VM status: running\r\n");
    expect(await hmp.run("nosuch")).toBe("unknown command: 'nosuch'\n");
    await expect(hmp.run("info status", { cpuIndex: 3 })).rejects.toMatchObject({ desc: "Parameter 'cpu-index' expects a CPU number" });
    await qmp.close();
  });
});

describe("line editing, byte for byte against QEMU 7.2", () => {
  let qemu: QemuProcess;
  let dir: string;
  let listener: Awaited<ReturnType<typeof listenHmp>>;

  beforeAll(async () => {
    qemu = await startQemu({ hmp: true });
    dir = mkdtempSync(join(tmpdir(), "savevm-hmp-"));
    listener = await listenHmp(new HmpServer(new HmpRegistry()), `unix:${join(dir, "hmp.sock")}`);
  });

  afterAll(async () => {
    await listener?.close();
    await stopAllQemu();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const conns: RawConnection[] = [];
  afterEach(async () => {
    for (const c of conns.splice(0)) await c.close();
  });

  async function session(path: string): Promise<RawConnection> {
    const conn = await RawConnection.connect(path);
    conns.push(conn);
    await conn.readUntil("(qemu) ");
    return conn;
  }

  it("echoes keystrokes with the same redraws", async () => {
    const theirs = await session(qemu.hmpPath!);
    const ours = await session(join(dir, "hmp.sock"));
    const inputs = ["nosuch\r", "ab\x7fc\r", "\r", "nosuch\r\n", "\x1b[A\r", "xy\x1b[D\x1b[Dz\r", "nosuch zz\r"];
    for (const input of inputs) {
      const prompts = input.endsWith("\r\n") ? 2 : 1;
      const read = async (conn: RawConnection): Promise<string> => {
        conn.write(input);
        let text = "";
        for (let i = 0; i < prompts; i++) text += await conn.readUntil("(qemu) ");
        return text;
      };
      expect({ input, reply: await read(ours) }).toEqual({ input, reply: await read(theirs) });
    }
  });

  it("connects by address with the text client", async () => {
    const client = await connectHmp(`unix:${join(dir, "hmp.sock")}`);
    expect(await client.run("help help")).toBe("help|? [cmd] -- show the help\n");
    client.close();
  });
});
