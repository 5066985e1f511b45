import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { commands } from "./commands/index.js";
import { createProgram } from "./program.js";
import { runCli, SAVEVM_BIN } from "./test-support/run-cli.js";

function helpOf(command: Command): string {
  let text = "";
  command.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  command.outputHelp();
  return text;
}

describe("savevm", () => {
  it("lists every command of commands/index.ts in --help without loading their modules", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    for (const entry of commands) expect(r.stdout).toMatch(new RegExp(`^  ${entry.name}\\b`, "m"));
    const program = await createProgram(["node", "savevm", "--help"]);
    // listed only: none has its options
    for (const c of program.commands) expect(c.options, c.name()).toHaveLength(0);
  });

  it("loads only the command that runs", async () => {
    const program = await createProgram(["node", "savevm", "inspect", "x"]);
    const loaded = program.commands.filter((c) => c.options.length > 0).map((c) => c.name());
    expect(loaded).toEqual(["inspect"]);
  });

  it("every command's module adds the command of its entry, and its --help ends with examples", async () => {
    const program = await createProgram([], { all: true });
    for (const entry of commands) {
      const command = program.commands.find((c) => c.name() === entry.name);
      expect(command, entry.name).toBeDefined();
      expect(helpOf(command!), entry.name).toMatch(/\nExamples:\n {2}\$ savevm /);
    }
  });

  it.each([["nosuch"], ["nosuch", "--help"], ["help", "nosuch"], ["--verbose-typo"]])(
    "savevm %s is a usage error (exit 2, one line)",
    async (...args) => {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      if (args[0] !== "--verbose-typo") expect(r.stderr).toBe("savevm: unknown command 'nosuch' (see 'savevm --help')\n");
    },
  );

  it("a bad option value, size or missing input is exit 2; a failure is exit 1", async () => {
    expect((await runCli(["inspect", "/nonexistent/x.mig"])).code).toBe(2);
    expect((await runCli(["inspect", "/nonexistent/x.mig", "--max-buffer", "-3"])).code).toBe(2);
    expect((await runCli(["scan", "/nonexistent/x.raw", "--max-size", "12Q"])).code).toBe(2);
    expect((await runCli(["convert", "-", "-", "--to", "zip"])).code).toBe(2);
    const truncated = await runCli(["inspect", "-"], { input: new Uint8Array([0x51, 0x45, 0x56, 0x4d, 0, 0, 0, 3]) });
    expect(truncated.code).toBe(1);
    expect(truncated.stderr).toMatch(/^savevm: TRUNCATED: [^\n]*\n$/);
  });

  it("a unix socket in a missing directory is ENOENT, not EACCES", async () => {
    const r = await runCli(["run", "--memory", "16M", "--qmp", "unix:/nonexistent-savevm-dir/vm.qmp"], { timeoutMs: 20_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("savevm: ENOENT: /nonexistent-savevm-dir/vm.qmp: No such file or directory\n");
  });
});

describe("savevm completion", () => {
  it.each(["bash", "zsh", "fish"])("prints a %s script that asks savevm for completions", async (shell) => {
    const r = await runCli(["completion", shell]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("savevm complete --");
  });

  it("the bash script completes in a real bash (with bash-completion), through the installed savevm", async () => {
    const bin = mkdtempSync(join(tmpdir(), "savevm-completion-"));
    try {
      writeFileSync(join(bin, "savevm"), `#!/bin/sh\nexec '${process.execPath}' '${SAVEVM_BIN}' "$@"\n`, { mode: 0o755 });
      const complete = (words: string[]) =>
        [
          `COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}`,
          `COMP_LINE='${words.join(" ")}'; COMP_POINT=\${#COMP_LINE}; __savevm_complete; echo "[\${COMPREPLY[*]}]"`,
        ].join("; ");
      const script = [
        "source /usr/share/bash-completion/bash_completion",
        "source <(savevm completion bash)",
        complete(["savevm", "ins"]),
        complete(["savevm", "convert", "a", "b", "--to", ""]),
      ].join("\n");
      const out = await new Promise<string>((resolve, reject) =>
        execFile(
          "bash",
          ["-c", script],
          { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, timeout: 30_000 },
          (error, stdout) => (error ? reject(error) : resolve(stdout)),
        ),
      );
      expect(out.split("\n").filter(Boolean)).toEqual(["[inspect]", "[same qemu stream libvirt mapped-ram]"]);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it("completes command names and a command's options", async () => {
    const names = await runCli(["complete", "--", "ins"]);
    expect(names.stdout).toMatch(/^inspect\t/m);
    const options = await runCli(["complete", "--", "inspect", "--"]);
    for (const o of ["--json", "--state", "--desc", "--extract", "--quiet"]) expect(options.stdout).toMatch(new RegExp(`^${o}\\t`, "m"));
  });
});
