import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readmeExamples, runExample } from "@savevm/readme-examples";
import { startQemu, stopAllQemu, type QemuProcess } from "./test-support/qemu.js";

/** The TypeScript examples of README.md, run as they are written. */

const examples = readmeExamples(new URL("..", import.meta.url));
let qemu: QemuProcess;

beforeAll(async () => {
  qemu = await startQemu();
});

afterAll(async () => {
  await stopAllQemu();
});

describe("README examples", () => {
  it("has the two runnable examples", () => {
    expect(examples.length).toBe(2);
  });

  it("talks to QEMU", async () => {
    process.env.QMP_SOCKET = qemu.qmpPath;
    const printed = await runExample(examples[0]!);
    expect(printed).toEqual([
      expect.stringMatching(/^QEMU \{ major: 7, minor: 2, micro: \d+ \} oob: true$/),
      "RESUME",
      "{ status: 'running', singlestep: false, running: true }",
      "STOP",
      "GenericError Parameter 'uri' expects a valid migration protocol",
    ]);
  });

  it("serves a tiny QMP server", async () => {
    const printed = await runExample(examples[1]!);
    expect(printed).toEqual(["{ status: 'running', singlestep: false, running: true }", "Parameter 'bytes-per-second' expects uint64"]);
  });
});
