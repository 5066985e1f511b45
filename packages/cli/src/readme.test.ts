import { spawn, execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { readmeBlocks } from "@savevm/readme-examples";
import { QEMU } from "./test-support/qemu-vm.js";
import { SAVEVM_BIN } from "./test-support/run-cli.js";

// The shell sessions of README.md, run as they are written: the `qemu-system-x86_64` line starts
// QEMU, `(qemu)` lines go to its monitor, `savevm` lines run the built CLI, all in one directory.

const sessions = readmeBlocks(new URL("..", import.meta.url), "sh");
const dir = mkdtempSync(join(tmpdir(), "savevm-cli-readme-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const execFileAsync = promisify(execFile);

/** Runs QEMU with the README's arguments and types the README's monitor commands at its prompt. */
function runQemu(args: string[], monitorLines: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const qemu = spawn(QEMU, args, { cwd: dir, stdio: ["pipe", "pipe", "pipe"] });
    const timer = setTimeout(() => qemu.kill("SIGKILL"), 60_000);
    let output = "";
    const pending = [...monitorLines];
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      // Each prompt asks for the next line; the previous command has finished by then.
      const prompts = output.split("(qemu) ").length - 1;
      while (pending.length > 0 && prompts > monitorLines.length - pending.length) qemu.stdin.write(`${pending.shift()}\n`);
    };
    qemu.stdout.on("data", onData);
    qemu.stderr.on("data", (c: Buffer) => (output += c.toString()));
    qemu.on("error", reject);
    qemu.on("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`QEMU exited with ${code}: ${output}`));
    });
  });
}

function words(line: string): string[] {
  return line
    .replace(/\s+#.*$/, "")
    .trim()
    .split(/\s+/);
}

describe("README shell sessions", () => {
  it("has the install line and the session", () => {
    expect(sessions.length).toBe(2);
    // The first is how to install from the registry; the pack test in apps/package-tests installs the tarball.
    expect(sessions[0]!.code).toMatch(/^npm install -g @savevm\/cli\n/);
  });

  it("saves a QEMU guest as the README does, then inspects, extracts and converts it", async () => {
    const lines = sessions[1]!.code.split("\n").filter((l) => l.trim() !== "");
    const qemuLine = lines.find((l) => l.startsWith("qemu-system-x86_64 "))!;
    const monitor = lines.filter((l) => l.startsWith("(qemu) ")).map((l) => l.slice("(qemu) ".length));
    const commands = lines.filter((l) => l.startsWith("savevm ")).map(words);
    expect(monitor).toEqual(['migrate "exec:gzip -c > vm.mig.gz"', "quit"]);
    expect(commands.map((c) => c[1])).toEqual(["inspect", "inspect", "inspect", "inspect", "convert", "check"]);

    await runQemu(words(qemuLine).slice(1), monitor);
    expect(statSync(join(dir, "vm.mig.gz")).size).toBeGreaterThan(0);
    const outputs: string[] = [];
    for (const command of commands) {
      const { stdout } = await execFileAsync(process.execPath, [SAVEVM_BIN, ...command.slice(1)], { cwd: dir, maxBuffer: 64 << 20 });
      outputs.push(stdout);
    }
    expect(outputs[0]).toMatch(/pc\.ram/);
    expect(JSON.parse(outputs[1]!).ram.blocks.map((b: { idstr: string }) => b.idstr)).toContain("pc.ram");
    expect(JSON.parse(outputs[2]!)).toEqual(JSON.parse(outputs[1]!).state);
    // ram/pc.ram is the guest's 64 MiB of RAM
    expect(statSync(join(dir, "ram", "pc.ram")).size).toBe(64 << 20);
    expect(existsSync(join(dir, "vm.mig"))).toBe(true);
    expect(readFileSync(join(dir, "vm.mig")).equals(gunzipSync(readFileSync(join(dir, "vm.mig.gz"))))).toBe(true);
    // a stream QEMU 7.2 wrote has nothing its own loader would refuse (and exit status 0)
    expect(outputs[5]).toBe("no problems found\n");
  });
});
