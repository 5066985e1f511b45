import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addHumanMonitorCommand, HmpRegistry, QmpServer } from "@savevm/qmp";
import { listenQmp, type StreamListener } from "@savevm/qmp/node";
import { exitCodeFor, formatError } from "../cli-error.js";
import { parseKeyValueArgs, registerQmp, splitWords } from "./qmp.js";

let dir: string;
let listener: StreamListener;
let address: string;
let qemu: ChildProcess | undefined;
let qemuAddress: string;

/** Runs `savevm qmp …` in-process the way main() does, with piped stdin and captured output. */
async function savevm(args: string[], stdin = ""): Promise<{ code: number; stdout: string; stderr: string }> {
  const input = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => (out += d.toString()));
  stderr.on("data", (d: Buffer) => (err += d.toString()));
  input.end(stdin);
  const program = new Command("savevm").exitOverride();
  registerQmp(program, { stdin: input, stdout, stderr, terminal: false });
  let code = 0;
  try {
    await program.parseAsync(["node", "savevm", "qmp", ...args]);
  } catch (e) {
    err += `savevm: ${formatError(e)}\n`;
    code = exitCodeFor(e);
  }
  return { code, stdout: out, stderr: err };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "savevm-cli-qmp-"));
  const server = new QmpServer({ version: { qemu: { major: 7, minor: 2, micro: 0 }, package: "savevm-test" }, maxClients: 4 });
  let running = false;
  server.command("query-status", { handler: () => ({ running, singlestep: false, status: running ? "running" : "paused" }) });
  server.command("cont", {
    handler: (_args, ctx) => {
      running = true;
      ctx.emitEvent("RESUME");
    },
  });
  server.command("echo", { args: { value: "any" }, returns: "any", handler: ({ value }) => value });
  const hmp = new HmpRegistry().info({ name: "status", help: "show the VM status", handler: () => `VM status: ${running ? "running" : "paused"}` });
  addHumanMonitorCommand(server, hmp);
  address = `unix:${join(dir, "qmp.sock")}`;
  listener = await listenQmp(server, address);

  const qemuSock = join(dir, "qemu.sock");
  qemu = spawn("/usr/bin/qemu-system-x86_64", ["-accel", "tcg", "-display", "none", "-nodefaults", "-S", "-m", "16", "-qmp", `unix:${qemuSock},server=on,wait=off`], { stdio: "ignore" });
  qemuAddress = `unix:${qemuSock}`;
  const deadline = Date.now() + 15_000;
  while (!existsSync(qemuSock)) {
    if (qemu.exitCode !== null || Date.now() > deadline) throw new Error("QEMU did not start");
    await new Promise((r) => setTimeout(r, 20));
  }
});

afterAll(async () => {
  if (qemu && qemu.exitCode === null) {
    const exited = new Promise((r) => qemu!.once("exit", r));
    qemu.kill("SIGKILL");
    await exited;
  }
  await listener?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("key=value arguments", () => {
  it("parses values as JSON when they parse, nests dotted keys", () => {
    expect(parseKeyValueArgs(["uri=unix:/tmp/x", "n=5", "big=18446744073709551615", "on=true", "list=[1,2]", "obj={\"a\":null}", "s=\"5\"", "a.b.c=1", "a.d=x"])).toEqual({
      uri: "unix:/tmp/x",
      n: 5,
      big: 18446744073709551615n,
      on: true,
      list: [1, 2],
      obj: { a: null },
      s: "5",
      a: { b: { c: 1 }, d: "x" },
    });
    expect(() => parseKeyValueArgs(["novalue"])).toThrow("expected key=value, got 'novalue'");
    expect(() => parseKeyValueArgs(["a=1", "a.b=2"])).toThrow("'a' is both a value and an object");
    expect(() => parseKeyValueArgs(["a=1", "a=2"])).toThrow("'a' is given twice");
  });

  it("splits shell lines keeping quotes and JSON together", () => {
    expect(splitWords(`migrate uri="unix:/a b" caps=[{"capability": "events"}] x='y z'`)).toEqual(["migrate", "uri=unix:/a b", 'caps=[{"capability": "events"}]', "x=y z"]);
  });
});

describe("savevm qmp ADDRESS COMMAND", () => {
  it("prints the return value as JSON", async () => {
    expect(await savevm([address, "query-status"])).toEqual({ code: 0, stdout: '{"status":"paused","singlestep":false,"running":false}\n', stderr: "" });
    const echoed = await savevm([address, "echo", "value.list=[1,2]", "value.name=x", "--pretty"]);
    // the server answers in QEMU's member order, which the CLI keeps
    expect(echoed.stdout).toBe('{\n    "name": "x",\n    "list": [\n        1,\n        2\n    ]\n}\n');
  });

  it("exits non-zero with the error class and desc on stderr", async () => {
    expect(await savevm([address, "nosuch"])).toEqual({ code: 1, stdout: "", stderr: "savevm: CommandNotFound: The command nosuch has not been found\n" });
    const bad = await savevm([address, "echo"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe("savevm: GenericError: Parameter 'value' is missing\n");
    const usage = await savevm([address, "echo", "oops"]);
    expect(usage.code).toBe(2);
    const unreachable = await savevm([`unix:${join(dir, "nobody.sock")}`, "query-status"]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^savevm: CONNECT_FAILED: cannot connect to unix:/);
  });

  it("runs HMP commands with -H", async () => {
    expect(await savevm([address, "-H", "info", "status"])).toEqual({ code: 0, stdout: "VM status: paused\n", stderr: "" });
    const unknown = await savevm([address, "-H", "nosuch"]);
    expect(unknown).toEqual({ code: 1, stdout: "", stderr: "savevm: unknown command: 'nosuch'\n" });
  });

  it("works against QEMU 7.2", async () => {
    const status = await savevm([qemuAddress, "query-status"]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual({ status: "prelaunch", singlestep: false, running: false });
    expect((await savevm([qemuAddress, "-H", "info", "status"])).stdout).toBe("VM status: paused (prelaunch)\n");
    expect((await savevm([qemuAddress, "migrate", "uri=bogus:1"])).stderr).toBe("savevm: GenericError: Parameter 'uri' expects a valid migration protocol\n");
  });
});

describe("savevm qmp ADDRESS (shell)", () => {
  it("runs lines from stdin, prints replies, errors and events, and exits at EOF", async () => {
    const script = ["query-status", "", "nosuch", '{"execute":"echo","arguments":{"value":[1]},"id":"raw"}', "cont", "echo value=\"two words\"", "echo broken"].join("\n") + "\n";
    const { code, stdout, stderr } = await savevm([address, "-v"], script);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("Welcome to the savevm QMP shell. Connected to QEMU 7.2.0 (savevm-test)");
    expect(lines).toContain('{"status":"paused","singlestep":false,"running":false}');
    expect(lines).toContain('{"return":[1],"id":"raw"}');
    expect(lines.some((l) => /^\{"timestamp":\{"seconds":\d+,"microseconds":\d+\},"event":"RESUME"\}$/.test(l))).toBe(true);
    expect(lines).toContain('{"execute":"echo","arguments":{"value":"two words"}}');
    expect(lines).toContain('"two words"');
    expect(stderr).toBe("CommandNotFound: The command nosuch has not been found\nUSAGE: expected key=value, got 'broken'\n");
  });

  it("sends lines as HMP commands with -H", async () => {
    const { code, stdout } = await savevm([address, "-H"], "info status\nnosuch\n");
    expect(code).toBe(0);
    expect(stdout).toContain("VM status: ");
    expect(stdout).toContain("unknown command: 'nosuch'\n");
  });

  it("drives QEMU 7.2", async () => {
    const { code, stdout, stderr } = await savevm([qemuAddress], "query-status\nquery-name\nnosuch\n");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Welcome to the savevm QMP shell\. Connected to QEMU 7\.2\.\d+/);
    expect(stdout).toContain('{"status":"prelaunch","singlestep":false,"running":false}\n');
    expect(stdout).toContain("{}\n");
    expect(stderr).toBe("CommandNotFound: The command nosuch has not been found\n");
  });
});

describe("QEMU's spellings in savevm qmp", () => {
  it("connects to an address written as QEMU's -qmp unix:PATH,server=on,wait=off", async () => {
    const r = await savevm([`${qemuAddress},server=on,wait=off`, "query-status"]);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toMatchObject({ status: expect.any(String) });
    const old = await savevm([`${qemuAddress},server,nowait`, "query-status"]);
    expect(old.code).toBe(0);
  });

  it("refuses an option it does not know with a hint, as a usage error", async () => {
    const r = await savevm([`${qemuAddress},reconnect=1`, "query-status"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^savevm: BAD_ADDRESS: option 'reconnect=1' .* not supported.*server=on\|off/);
  });

  it("reads size suffixes where QEMU 7.2's schema says the member is an integer", async () => {
    const set = await savevm([qemuAddress, "migrate-set-parameters", "max-bandwidth=1G", "xbzrle-cache-size=512K", "tls-hostname=1M"]);
    expect(set.stderr).toBe("");
    const params = JSON.parse((await savevm([qemuAddress, "query-migrate-parameters"])).stdout) as Record<string, unknown>;
    expect(params["max-bandwidth"]).toBe(1 << 30);
    expect(params["xbzrle-cache-size"]).toBe(512 << 10);
    // a string member keeps the text
    expect(params["tls-hostname"]).toBe("1M");
  });

  it("--wait draws a bar with rate and ETA until the migration completes", async () => {
    const file = join(dir, "wait.mig");
    const r = await savevm([qemuAddress, "migrate", `uri=exec:cat > ${file}`, "--wait", "--progress"]);
    expect(r.stderr).not.toMatch(/savevm:/);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/migrate \[[# ]+\] +\d+%/);
    expect(r.stderr).toMatch(/ETA /);
    expect(JSON.parse((await savevm([qemuAddress, "query-migrate"])).stdout)).toMatchObject({ status: "completed" });
    const quiet = await savevm([qemuAddress, "query-status", "--wait", "--quiet"]);
    expect(quiet.stderr).toBe("");
  });
});

describe("savevm qmp ADDRESS,server=off", () => {
  it("listens and waits for QEMU to connect out, as QEMU's own spelling of that address says", async () => {
    const sock = join(dir, "connect-out.sock");
    const reply = savevm([`unix:${sock},server=off`, "query-status", "--timeout", "15000"]);
    const deadline = Date.now() + 10_000;
    while (!existsSync(sock)) {
      if (Date.now() > deadline) throw new Error("savevm qmp did not listen");
      await new Promise((r) => setTimeout(r, 20));
    }
    const client = spawn("/usr/bin/qemu-system-x86_64", ["-accel", "tcg", "-display", "none", "-nodefaults", "-S", "-m", "16", "-qmp", `unix:${sock}`], {
      stdio: "ignore",
    });
    try {
      const r = await reply;
      expect(r.stderr).toBe("");
      expect(JSON.parse(r.stdout)).toMatchObject({ status: "prelaunch" });
    } finally {
      const exited = new Promise((resolve) => client.once("exit", resolve));
      client.kill("SIGKILL");
      await exited;
    }
  });
});
