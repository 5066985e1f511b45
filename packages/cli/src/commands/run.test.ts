import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, afterAll, describe, expect, it } from "vitest";
import { runCli, SAVEVM_BIN } from "../test-support/run-cli.js";

let dir: string;
let stream: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "savevm-cli-run-"));
  // a stream of a paused source, as libvirt's save takes it
  const qmp = `unix:${join(dir, "source.qmp")}`;
  const source = await runCli(["run", "--detach", "--memory", "4M", "--qmp", qmp, "--guest", "rate=4M,seed=9"]);
  const pid = Number(/^pid (\d+)$/m.exec(source.stdout)?.[1]);
  try {
    stream = join(dir, "source.qemu");
    expect((await runCli(["qmp", qmp, "stop"])).code).toBe(0);
    expect((await runCli(["qmp", "--wait", qmp, "migrate", `uri=file:${stream}`])).code).toBe(0);
  } finally {
    process.kill(pid, "SIGKILL");
  }
});

afterEach(async () => {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const gone = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await gone;
  }
  children.clear();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `savevm run` in the foreground; resolves once `until` shows in its stderr, or when it exits. */
function run(args: string[], until: RegExp): Promise<{ child: ChildProcess; stderr: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [SAVEVM_BIN, "run", "--memory", "4M", ...args], { stdio: ["ignore", "ignore", "pipe"] });
  children.add(child);
  let err = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve) => {
    const done = () => resolve({ child, stderr: () => err, exited });
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      if (until.test(err)) done();
    });
    void exited.then(done);
  });
}

describe("savevm run --incoming", () => {
  it("takes a libvirt save image, says what its was_running does, and resumes the guest when it was running", async () => {
    const xml = join(dir, "domain.xml");
    writeFileSync(xml, "<domain type='kvm'><name>img</name><uuid>6f1c4a0e-1111-4222-8333-444455556666</uuid></domain>");
    for (const [flag, words, status] of [
      ["--running", "libvirt save image (was_running=1, zstd): the guest resumes after the load", "running"],
      ["--paused", "libvirt save image (was_running=0, zstd): the guest stays paused after the load", "paused"],
    ] as const) {
      const image = join(dir, `img${flag}.save`);
      expect((await runCli(["convert", "--to", "libvirt", "--image-format", "zstd", "--domain-xml", xml, flag, stream, image])).code).toBe(
        0
      );
      const qmp = `unix:${join(dir, `t${flag}.qmp`)}`;
      const m = await run(["--qmp", qmp, "--incoming", `file:${image}`], /savevm: libvirt save image/);
      expect(m.stderr()).toContain(`savevm: ${words}`);
      let state = "";
      for (let i = 0; i < 200 && state !== status; i++) {
        state = (JSON.parse((await runCli(["qmp", qmp, "query-status"])).stdout) as { status: string }).status;
        if (state !== status) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(state).toBe(status);
      m.child.kill("SIGTERM");
      expect(await m.exited).toBe(0);
    }
  });

  it("a load from an incoming URI that fails ends savevm run with status 1, as QEMU exits", async () => {
    const truncated = join(dir, "truncated.qemu");
    writeFileSync(truncated, readFileSync(stream).subarray(0, 5000));
    const m = await run(["--qmp", `unix:${join(dir, "f.qmp")}`, "--incoming", `file:${truncated}`], /load of migration failed/);
    expect(await m.exited).toBe(1);
    expect(m.stderr()).toMatch(/^savevm: load of migration failed: .+/m);
  });

  it("with defer, a failed migrate-incoming leaves the machine waiting for the next one", async () => {
    const qmp = `unix:${join(dir, "d.qmp")}`;
    const m = await run(["--qmp", qmp, "--incoming", "defer"], /listening on/);
    const truncated = join(dir, "truncated2.qemu");
    writeFileSync(truncated, readFileSync(stream).subarray(0, 5000));
    expect((await runCli(["qmp", qmp, "migrate-incoming", `uri=file:${truncated}`])).code).toBe(0);
    let status = "";
    for (let i = 0; i < 200 && status !== "failed"; i++) {
      status = (JSON.parse((await runCli(["qmp", qmp, "query-migrate"])).stdout) as { status?: string }).status ?? "";
      if (status !== "failed") await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(status).toBe("failed");
    expect(m.child.exitCode).toBe(null);
    expect((await runCli(["qmp", qmp, "migrate-incoming", `uri=file:${stream}`])).code).toBe(0);
  });
});
