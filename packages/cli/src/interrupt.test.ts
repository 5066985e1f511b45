/** Pipes and signals, with the real CLI: `| head` ends quietly, Ctrl-C and SIGTERM leave no `.part` file. */
import { execFile, spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFixture } from "./test-support/qemu-fixtures.js";
import { SAVEVM_BIN } from "./test-support/run-cli.js";

let dir: string;
let stream: Buffer;
let file: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "savevm-interrupt-"));
  stream = await readFixture("pc-running.mig.gz");
  file = join(dir, "pc-running.mig");
  await writeFile(file, stream);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `savevm ARGS | head -c 100` in bash: the CLI's own exit status and stderr. */
function intoHead(args: string[]): Promise<{ status: number; stderr: string }> {
  const quoted = [process.execPath, SAVEVM_BIN, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  return new Promise((resolve, reject) => {
    execFile(
      "bash",
      ["-c", `${quoted} 2>"$0" | head -c 100 >/dev/null; echo "\${PIPESTATUS[0]}"`, join(dir, "stderr.txt")],
      { timeout: 30_000 },
      async (error, stdout) => {
        if (error) reject(error);
        else resolve({ status: Number(stdout.trim()), stderr: await readFile(join(dir, "stderr.txt"), "utf8") });
      },
    );
  });
}

async function partFiles(where: string): Promise<string[]> {
  return (await readdir(where)).filter((f) => f.endsWith(".part"));
}

/**
 * Starts `savevm ARGS` reading `input` (part of a stream) from stdin and left waiting for more,
 * waits until a `.part` file appears in `where`, sends `signal`, and resolves to the exit status.
 */
async function interrupt(
  args: string[],
  input: Uint8Array,
  where: string,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [SAVEVM_BIN, ...args], { stdio: ["pipe", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.stdin.write(input);
  try {
    const deadline = Date.now() + 20_000;
    while ((await partFiles(where)).length === 0) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no .part file appeared (exit ${child.exitCode}): ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill(signal);
    return { code: await exited, stderr };
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    child.stdin.destroy();
  }
}

describe("pipes", () => {
  it.each([
    ["convert to standard output", ["convert", "FILE", "-"]],
    ["inspect --desc", ["inspect", "FILE", "--desc"]],
  ])("%s | head ends quietly with status 0", async (_name, args) => {
    const r = await intoHead(args.map((a) => (a === "FILE" ? file : a)));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});

describe("signals", () => {
  it("SIGINT during convert removes the .part file, exits 130 and leaves the earlier output as it was", async () => {
    const out = join(dir, "convert");
    await mkdir(out, { recursive: true });
    const target = join(out, "out.mig");
    await writeFile(target, "the earlier file");
    const r = await interrupt(["convert", "-", target], stream.subarray(0, 300_000), out, "SIGINT");
    expect(r.code).toBe(130);
    expect(await partFiles(out)).toEqual([]);
    expect(await readFile(target, "utf8")).toBe("the earlier file");
  });

  it("SIGTERM during inspect --extract removes every .part file, exits 143 and leaves earlier files as they were", async () => {
    const out = join(dir, "extract");
    await mkdir(out, { recursive: true });
    await writeFile(join(out, "pc.ram"), "earlier RAM");
    const r = await interrupt(["inspect", "-", "--extract", out], stream.subarray(0, 300_000), out, "SIGTERM");
    expect(r.code).toBe(143);
    expect(await partFiles(out)).toEqual([]);
    expect(await readdir(out)).toEqual(["pc.ram"]);
    expect(await readFile(join(out, "pc.ram"), "utf8")).toBe("earlier RAM");
  });

  it("SIGINT during convert --to libvirt removes the image's .part file too", async () => {
    const out = join(dir, "libvirt");
    await mkdir(out, { recursive: true });
    const xml = join(dir, "dom.xml");
    await writeFile(xml, "<domain type='qemu'><name>t</name><uuid>6f1c4a0e-1111-2222-3333-444455556666</uuid></domain>");
    const r = await interrupt(
      ["convert", "-", join(out, "vm.save"), "--to", "libvirt", "--domain-xml", xml],
      stream.subarray(0, 300_000),
      out,
      "SIGINT",
    );
    expect(r.code).toBe(130);
    expect(await readdir(out)).toEqual([]);
  });
});

describe("onInterrupt", () => {
  it("runs a command's work before the temporary files go and the process exits 143", async () => {
    const marker = join(dir, "cancelled.txt");
    const script = `
      import { writeFileSync } from "node:fs";
      import { installInterruptHandling, onInterrupt } from ${JSON.stringify(new URL("../dist/interrupt.js", import.meta.url).href)};
      import { temporaryFileFor } from "@savevm/format/node";
      installInterruptHandling();
      const part = temporaryFileFor(${JSON.stringify(join(dir, "save.img"))});
      writeFileSync(part, "half a save");
      onInterrupt(async () => {
        await new Promise((r) => setTimeout(r, 50));
        writeFileSync(${JSON.stringify(marker)}, "migrate_cancel sent");
      });
      process.kill(process.pid, "SIGTERM");
      setInterval(() => {}, 1000);
    `;
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
        cwd: new URL("..", import.meta.url).pathname,
        stdio: "ignore",
      });
      child.once("exit", (c) => resolve(c));
    });
    expect(code).toBe(143);
    expect(await readFile(marker, "utf8")).toBe("migrate_cancel sent");
    expect(await partFiles(dir)).toEqual([]);
  });
});

describe("standard output failing otherwise", () => {
  it("is one line and status 1 (a full disk), not a stack trace", async () => {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile("bash", ["-c", `'${process.execPath}' '${SAVEVM_BIN}' convert '${file}' - > /dev/full`], (error, _stdout, stderr) => {
        resolve({ code: error ? (error as { code?: number }).code ?? null : 0, stderr });
      });
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("savevm: ENOSPC: standard output: No space left on device\n");
  });
});
