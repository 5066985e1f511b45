import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readmeBlocks } from "@savevm/readme-examples";
import { QEMU } from "../test-support/qemu-vm.js";
import { runCli, SAVEVM_BIN } from "../test-support/run-cli.js";
import { virshState, virshTable } from "./list.js";

let dir: string;
const pids: number[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "savevm-cli-list-"));
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pid: number): Promise<void> {
  for (let i = 0; i < 500 && alive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

afterEach(async () => {
  for (const pid of pids.splice(0)) {
    if (!alive(pid)) continue;
    process.kill(pid, "SIGKILL");
    await waitGone(pid);
  }
  rmSync(dir, { recursive: true, force: true });
});

interface Detached {
  lines: string[];
  pid: number;
  name: string;
  uuid: string;
  id: number;
}

/** `savevm run --memory 4M …` in the test's runtime directory. */
function run(args: string[], options?: { timeoutMs?: number }) {
  return runCli(["run", "--memory", "4M", "--runtime-dir", join(dir, "run"), ...args], options);
}

/** `savevm run --detach …` in the test's runtime directory; the machine is killed after the test. */
async function detach(args: string[]): Promise<Detached> {
  const result = await run(["--detach", ...args], { timeoutMs: 30_000 });
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  const lines = result.stdout.trimEnd().split("\n");
  const field = (key: string) => lines.find((l) => l.startsWith(`${key} `))?.slice(key.length + 1) ?? "";
  const pid = Number(field("pid"));
  pids.push(pid);
  return { lines, pid, name: field("name"), uuid: field("uuid"), id: Number(field("id")) };
}

function list(...args: string[]) {
  return runCli(["list", "--runtime-dir", join(dir, "run"), ...args], { timeoutMs: 30_000 });
}

describe("virsh's table layout", () => {
  it("matches virsh list byte for byte (libvirt 9.0, test:///default)", () => {
    expect(virshTable(["Id", "Name", "State"], [["1", "test", "running"]])).toBe(
      " Id   Name   State\n----------------------\n 1    test   running\n\n"
    );
    expect(virshTable(["Id", "Name", "State"], [])).toBe(" Id   Name   State\n--------------------\n\n");
  });

  it("QEMU run states in virsh's words", () => {
    expect(
      ["running", "paused", "prelaunch", "inmigrate", "postmigrate", "suspended", "guest-panicked", "shutdown"].map(virshState)
    ).toEqual(["running", "paused", "paused", "paused", "paused", "pmsuspended", "crashed", "in shutdown"]);
  });
});

describe("savevm run --detach and savevm list", () => {
  it("lists detached machines like virsh list; a killed one disappears", async () => {
    const empty = await list();
    expect(empty).toMatchObject({ code: 0, stdout: " Id   Name   State\n--------------------\n\n" });

    const qmp = join(dir, "web.qmp");
    const web = await detach(["--name", "web", "--qmp", `unix:${qmp}`, "--hmp", `unix:${join(dir, "web.hmp")}`]);
    expect(web.lines.slice(0, 2)).toEqual([`unix:${qmp}`, `hmp:unix:${join(dir, "web.hmp")}`]);
    expect(web.name).toBe("web");
    expect(web.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(alive(web.pid)).toBe(true);
    const db = await detach([
      "--name",
      "db",
      "--uuid",
      "6F1C4A0E-1111-4222-8333-444455556666",
      "--qmp",
      `unix:${join(dir, "db.qmp")}`,
      "-S",
    ]);
    expect(db.uuid).toBe("6f1c4a0e-1111-4222-8333-444455556666");

    const table = await list("--all");
    expect(table.code).toBe(0);
    expect(table.stdout).toBe(
      virshTable(
        ["Id", "Name", "State"],
        [
          [String(web.id), "web", "running"],
          [String(db.id), "db", "paused"],
        ]
      )
    );
    expect((await list("--name")).stdout).toBe("web\ndb\n\n");
    expect((await list("--uuid")).stdout).toBe(`${web.uuid}\n${db.uuid}\n\n`);
    const json = JSON.parse((await list("--json")).stdout) as { name: string; qmp: string[]; pid: number }[];
    expect(json.map((r) => [r.name, r.qmp, r.pid])).toEqual([
      ["web", [`unix:${qmp}`], web.pid],
      ["db", [`unix:${join(dir, "db.qmp")}`], db.pid],
    ]);

    // the registry follows the machine's run state
    expect((await runCli(["qmp", `unix:${qmp}`, "stop"])).code).toBe(0);
    let listed = "";
    for (let i = 0; i < 50 && !listed.includes(`${web.id}    web    paused`); i++) listed = (await list()).stdout;
    expect(listed).toContain(`${web.id}    web    paused`);

    process.kill(web.pid, "SIGKILL");
    await waitGone(web.pid);
    expect((await list()).stdout).toBe(virshTable(["Id", "Name", "State"], [[String(db.id), "db", "paused"]]));
    // SIGTERM: the machine unregisters itself on the way out
    process.kill(db.pid, "SIGTERM");
    await waitGone(db.pid);
    expect((await list("--name")).stdout).toBe("\n");
  });

  it("refuses a duplicate of a running machine with libvirt's words, in the foreground and with --detach", async () => {
    const first = await detach(["--name", "tiny", "--qmp", `unix:${join(dir, "a.qmp")}`]);
    for (const mode of [[], ["--detach"]]) {
      const sameName = await run([...mode, "--name", "tiny", "--qmp", `unix:${join(dir, "b.qmp")}`]);
      expect(sameName.code).toBe(1);
      expect(sameName.stderr).toContain(`operation failed: domain 'tiny' already exists with uuid ${first.uuid}`);
      const sameUuid = await run([...mode, "--name", "other", "--uuid", first.uuid, "--qmp", `unix:${join(dir, "b.qmp")}`]);
      expect(sameUuid.code).toBe(1);
      expect(sameUuid.stderr).toContain(`operation failed: domain 'tiny' is already defined with uuid ${first.uuid}`);
      const both = await run([...mode, "--name", "tiny", "--uuid", first.uuid, "--qmp", `unix:${join(dir, "b.qmp")}`]);
      expect(both.code).toBe(1);
      expect(both.stderr).toContain("Requested operation is not valid: domain 'tiny' is already active");
    }
    expect((await list("--name")).stdout).toBe("tiny\n\n");
  });

  it("two machines of one name started at once: exactly one runs, the other is refused", async () => {
    const start = (i: number) => run(["--detach", "--name", "twin", "--qmp", `unix:${join(dir, `twin${i}.qmp`)}`]);
    const results = await Promise.all([start(1), start(2)]);
    for (const r of results) {
      const pid = /^pid (\d+)$/m.exec(r.stdout)?.[1];
      if (pid) pids.push(Number(pid));
    }
    expect(results.map((r) => r.code).sort()).toEqual([0, 1]);
    expect(results.find((r) => r.code === 1)!.stderr).toContain("operation failed: domain 'twin' already exists with uuid");
    expect((await list("--name")).stdout).toBe("twin\n\n");
  });

  it("never takes over a live machine's monitor socket; a stale socket file is reused", async () => {
    const qmp = `unix:${join(dir, "shared.qmp")}`;
    const first = await detach(["--qmp", qmp]);
    const second = await run(["--detach", "--qmp", qmp]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`Failed to bind socket to ${join(dir, "shared.qmp")}: Address already in use`);
    expect(JSON.parse((await runCli(["qmp", qmp, "query-name"])).stdout)).toEqual({ name: first.name });
    // killed, it leaves its socket file behind: the next machine may have it
    process.kill(first.pid, "SIGKILL");
    await waitGone(first.pid);
    const third = await detach(["--qmp", qmp]);
    expect(JSON.parse((await runCli(["qmp", qmp, "query-name"])).stdout)).toEqual({ name: third.name });
  });

  it("bad options of a detached machine fail in the foreground with the foreground's exit status", async () => {
    const bad = await run(["--detach", "--qmp", `unix:${join(dir, "x.qmp")}`, "--guest", "bogus"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Invalid guest option 'bogus'");
    const none = await run(["--detach"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("at least one --qmp or --hmp address is required");
    expect((await list("--name")).stdout).toBe("\n");
  });
});

describe("savevm run with only --hmp, and savevm qmp at a text monitor", () => {
  it("serves HMP alone; qmp says what it found, and speaks HMP with --hmp or an hmp: address", async () => {
    const hmp = `unix:${join(dir, "only.hmp")}`;
    const m = await detach(["--name", "text only", "--hmp", hmp]);
    expect(m.lines[0]).toBe(`hmp:${hmp}`);

    const asQmp = await runCli(["qmp", hmp, "query-status"]);
    expect(asQmp.code).toBe(1);
    expect(asQmp.stderr).toContain(
      `${hmp} is a human monitor (HMP), not QMP: it greeted with "QEMU 7.2.0 monitor - type 'help' for more information"; add --hmp`
    );

    expect(await runCli(["qmp", "--hmp", hmp, "info", "name"])).toMatchObject({ code: 0, stdout: "text only\n" });
    expect(await runCli(["qmp", `hmp:${hmp}`, "info", "uuid"])).toMatchObject({ code: 0, stdout: `${m.uuid}\n` });
    expect(await runCli(["qmp", `hmp:${hmp}`, "info", "status"])).toMatchObject({ code: 0, stdout: "VM status: running\n" });
    const unknown = await runCli(["qmp", `hmp:${hmp}`, "nosuch"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("unknown command: 'nosuch'");
    const shell = await runCli(["qmp", "-H", hmp], { input: "stop\ninfo status\n" });
    expect(shell.code).toBe(0);
    expect(shell.stdout).toContain("VM status: paused");
    expect((await list()).stdout).toContain("text only   paused");
  });
});

describe("savevm qmp at QEMU 7.2's own text monitor", () => {
  it("says it is a human monitor; with --hmp runs the command over the text protocol", async () => {
    const path = join(dir, "qemu.hmp");
    const qemu = spawn(
      QEMU,
      ["-accel", "tcg", "-display", "none", "-nodefaults", "-S", "-m", "16", "-monitor", `unix:${path},server=on,wait=off`],
      {
        stdio: "ignore",
      }
    );
    const exited = new Promise((resolve) => qemu.once("exit", resolve));
    try {
      for (let i = 0; i < 1500 && !existsSync(path); i++) await new Promise((resolve) => setTimeout(resolve, 10));
      const asQmp = await runCli(["qmp", `unix:${path}`, "query-status"]);
      expect(asQmp.code).toBe(1);
      expect(asQmp.stderr).toMatch(
        /is a human monitor \(HMP\), not QMP: it greeted with "QEMU 7\.2\.\d+ monitor - type 'help' for more information"; add --hmp/
      );
      expect(await runCli(["qmp", "--hmp", `unix:${path}`, "info", "status"])).toMatchObject({
        code: 0,
        stdout: "VM status: paused (prelaunch)\n",
      });
      expect(await runCli(["qmp", `hmp:unix:${path}`, "info", "uuid"])).toMatchObject({
        code: 0,
        stdout: "00000000-0000-0000-0000-000000000000\n",
      });
    } finally {
      qemu.kill("SIGKILL");
      await exited;
    }
  });
});

describe("the README's run --detach / list session", () => {
  it("runs as written: each line succeeds, the one marked refused fails with libvirt's words", async () => {
    const [session] = readmeBlocks(new URL("../..", import.meta.url), "console");
    const lines = session!.code.split("\n").filter((l) => l.startsWith("savevm "));
    expect(lines.length).toBeGreaterThan(3);
    const env = { ...process.env, SAVEVM_RUNTIME_DIR: join(dir, "run") };
    const outputs: string[] = [];
    for (const line of lines) {
      const args = line
        .replace(/\s+#.*$/, "")
        .split(/\s+/)
        .slice(1);
      const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [SAVEVM_BIN, ...args], { cwd: dir, env, timeout: 30_000 }, (error, stdout, stderr) =>
          resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr })
        );
      });
      const pid = /^pid (\d+)$/m.exec(result.stdout)?.[1];
      if (pid) pids.push(Number(pid));
      if (line.includes("# refused")) {
        expect(result.code, line).toBe(1);
        expect(result.stderr).toContain("operation failed: domain 'web' already exists with uuid");
      } else {
        expect(result.code, `${line}: ${result.stderr}`).toBe(0);
      }
      outputs.push(result.stdout);
    }
    expect(outputs.join("")).toContain(" 1    web    running");
    expect(outputs.join("")).toContain('{"name":"web"}');
    expect(outputs.join("")).toContain("VM status: running");
  });
});
