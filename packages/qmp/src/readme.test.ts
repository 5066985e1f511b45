import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startQemu, stopAllQemu, type QemuProcess } from "./test-support/qemu.js";

/** The TypeScript examples of README.md, run as they are written. */

const here = dirname(fileURLToPath(import.meta.url));
const readme = readFileSync(join(here, "..", "README.md"), "utf8");
const examples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
let dir: string;
let qemu: QemuProcess;

async function run(code: string, name: string): Promise<string[]> {
  // point the package imports at the sources so the examples run without a build
  const source = code
    .replace(/"@savevm\/qmp\/node"/g, JSON.stringify(join(here, "node.ts")))
    .replace(/"@savevm\/qmp"/g, JSON.stringify(join(here, "index.ts")));
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, source + "\nexport {};\n");
  const printed: string[] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    printed.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
  });
  try {
    await import(file);
  } finally {
    spy.mockRestore();
  }
  return printed;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "savevm-qmp-readme-"));
  qemu = await startQemu();
});

afterAll(async () => {
  await stopAllQemu();
  rmSync(dir, { recursive: true, force: true });
});

describe("README examples", () => {
  it("has the two runnable examples", () => {
    expect(examples.length).toBe(2);
  });

  it("talks to QEMU", async () => {
    process.env.QMP_SOCKET = qemu.qmpPath;
    const printed = await run(examples[0]!, "client");
    expect(printed).toEqual([
      expect.stringMatching(/^QEMU \{"major":7,"minor":2,"micro":\d+\} oob: true$/),
      "RESUME",
      '{"status":"running","singlestep":false,"running":true}',
      "STOP",
      "GenericError Parameter 'uri' expects a valid migration protocol",
    ]);
  });

  it("serves a tiny QMP server", async () => {
    const printed = await run(examples[1]!, "server");
    expect(printed).toEqual(['{"status":"running","singlestep":false,"running":true}', "Parameter 'bytes-per-second' expects uint64"]);
  });
});
