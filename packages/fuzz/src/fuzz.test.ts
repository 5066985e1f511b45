import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { TARGETS } from "./targets/index.js";

const dist = fileURLToPath(new URL("../dist/", import.meta.url));
const findings = mkdtempSync(join(tmpdir(), "savevm-fuzz-"));
afterAll(() => rmSync(findings, { recursive: true, force: true }));

/** Seconds each target is fuzzed for in the test suite (`npm run fuzz` runs two minutes each). */
const SECONDS = 3;

interface Report {
  target: string;
  executions: number;
  corpus: number;
  covered: number;
  instrumented: boolean;
  findings: { kind: string; detail: string }[];
  largestAllocation: number;
}

/** The fuzzer as `npm run fuzz` runs it (instrumented, in its own process), for a bounded time. */
function runFuzzer(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        "--max-old-space-size=1024",
        "--import",
        join(dist, "register.js"),
        join(dist, "cli.js"),
        "--seconds",
        String(SECONDS),
        "--seed",
        "1",
        "--json",
        "--findings",
        findings,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    // A target that hangs for good still ends the test.
    const timer = setTimeout(() => child.kill("SIGKILL"), (TARGETS.length * SECONDS + 60) * 1000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("coverage-guided fuzzing, a few seconds per target", () => {
  it("finds no crash, hang, untyped error or oversized allocation in any target, and its coverage grows", async () => {
    const { code, stdout, stderr } = await runFuzzer();
    const last = stdout.trim().split("\n").at(-1) ?? "";
    expect(last.startsWith("{"), `fuzzer output: ${stdout}\n${stderr}`).toBe(true);
    const { reports } = JSON.parse(last) as { reports: Report[] };
    expect(reports.map((r) => r.target)).toEqual(TARGETS.map((t) => t.name));
    for (const r of reports) {
      expect(r.findings, `${r.target}: ${JSON.stringify(r.findings)}`).toEqual([]);
      expect(r.instrumented, r.target).toBe(true);
      const seeds = (await TARGETS.find((t) => t.name === r.target)!.seeds()).length;
      // Mutants ran, and some reached code the seeds had not: the search is guided.
      expect(r.executions, r.target).toBeGreaterThan(seeds + 50);
      expect(r.corpus, r.target).toBeGreaterThan(seeds);
      expect(r.covered, r.target).toBeGreaterThan(100);
    }
    expect(readdirSync(findings)).toEqual([]);
    expect(code).toBe(0);
  });
});
