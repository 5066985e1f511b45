import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll } from "vitest";
import { QmpClient } from "@savevm/qmp/node";
import type { QmpEvent } from "@savevm/qmp";

const here = dirname(fileURLToPath(import.meta.url));
export const CLI = join(here, "../../cli/bin/savevm.js");

/** One `savevm run` process and a QMP client connected to it. */
export interface RunProcess {
  child: ChildProcess;
  qmp: QmpClient;
  events: QmpEvent[];
  addresses: string[];
  stderr: () => string;
  exited: Promise<number | null>;
}

const running = new Set<ChildProcess>();

/** What `x-query-digest` returns. */
export type Digest = { ram: string; devices: string; steps: number };

export function digestOf(p: RunProcess): Promise<Digest> {
  return p.qmp.execute("x-query-digest");
}

/**
 * For a test file: a temporary directory (removed at the end) and every process it started
 * killed after each test, also when the test failed. Returns the directory's getter.
 */
export function processSandbox(prefix: string): () => string {
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterEach(() => killAll());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return () => dir;
}

/** Kills every process started here (for afterEach/afterAll, also after a failed test). */
export function killAll(): void {
  for (const child of running) if (child.exitCode === null) child.kill("SIGKILL");
  running.clear();
}

/** Starts `savevm run` with `args` (plus --qmp) and connects to its QMP socket. */
export async function startRun(qmpAddress: string, args: string[], options: { fd3?: number } = {}): Promise<RunProcess> {
  if (!existsSync(join(here, "../../cli/dist/main.js"))) {
    throw new Error("build @savevm/cli first (npx tsc -b packages/cli): these tests run the real `savevm run`");
  }
  const stdio: ("ignore" | "pipe" | number)[] = ["ignore", "ignore", "pipe"];
  if (options.fd3 !== undefined) stdio.push(options.fd3);
  const child = spawn(process.execPath, [CLI, "run", "--qmp", qmpAddress, ...args], { stdio });
  running.add(child);
  let err = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const addresses = await new Promise<string[]>((resolve, reject) => {
    const found: string[] = [];
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      for (const m of err.matchAll(/savevm: listening on (\S+)/g)) if (!found.includes(m[1]!)) found.push(m[1]!);
      if (found.length > 0 && (!args.includes("--hmp") || found.length > 1)) resolve(found);
    });
    void exited.then((code) => reject(new Error(`savevm run exited with ${code}: ${err}`)));
  });
  const qmp = await QmpClient.connect(addresses[0]!);
  const events: QmpEvent[] = [];
  qmp.onEvent("*", (e) => events.push(e));
  return { child, qmp, events, addresses, stderr: () => err, exited };
}

export async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Polls query-migrate until the status is one of `statuses`. */
export function migrationStatus(p: RunProcess, statuses: string[]): Promise<Record<string, unknown>> {
  return waitFor(async () => {
    const info = (await p.qmp.execute("query-migrate")) as Record<string, unknown>;
    return statuses.includes(String(info["status"])) ? info : undefined;
  }, `migration status ${statuses.join("/")}`);
}
