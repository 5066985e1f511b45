import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { installAllocationGuard, takeLargestAllocation } from "./allocation-guard.js";
import { CoverageMap, coveredSlots } from "./coverage-map.js";
import { mutate, Random } from "./mutator.js";
import type { FuzzTarget } from "./target.js";

export interface FuzzOptions {
  /** How long to mutate, after the seeds ran. */
  seconds: number;
  /** PRNG seed: the same seed and time give a comparable run. */
  seed?: number;
  /** One execution longer than this is a hang. */
  hangMs?: number;
  /** Where inputs that found something are written (`<dir>/<target>/<kind>-<hash>.bin`); none if unset. */
  findingsDir?: string;
  /** Most corpus entries kept in memory. */
  maxCorpus?: number;
}

export type FindingKind = "crash" | "hang" | "allocation";

export interface Finding {
  kind: FindingKind;
  /** What was thrown (name, code, message, first stack line), or what took too long or too much. */
  detail: string;
  /** The input, as written under findingsDir (if set). */
  file?: string;
  input: Uint8Array;
}

export interface TargetReport {
  target: string;
  executions: number;
  seconds: number;
  /** Inputs kept because they reached new coverage (seeds included). */
  corpus: number;
  /** Coverage slots reached (statements, functions, branch arms of the code under test). */
  covered: number;
  instrumented: boolean;
  findings: Finding[];
  /** Typed errors seen, by code: which refusals the run reached. */
  refusals: Record<string, number>;
  /** Largest allocation an execution made. */
  largestAllocation: number;
}

const TIMEOUT = Symbol("timeout");

/**
 * Coverage-guided fuzzing of one target (AFL's loop): run the seeds, then take a corpus entry,
 * mutate it, run it, keep it if it reached a new hit-count class of some counter. Every thrown
 * error must be the target's typed error; executions must stay under `hangMs` and allocate no
 * more than the target's limits allow.
 */
export async function fuzzTarget(target: FuzzTarget, options: FuzzOptions): Promise<TargetReport> {
  installAllocationGuard();
  const random = new Random(options.seed ?? 1);
  const hangMs = options.hangMs ?? 2000;
  const maxCorpus = options.maxCorpus ?? 4096;
  const coverage = new CoverageMap();
  const seen = { bits: new Uint8Array(0) };
  const corpus: Uint8Array[] = [];
  const findings: Finding[] = [];
  const reported = new Set<string>();
  const refusals: Record<string, number> = {};
  const dictionary = (target.dictionary ?? []).map((t) => new TextEncoder().encode(t));
  let executions = 0;
  let largestAllocation = 0;

  const report = (kind: FindingKind, detail: string, input: Uint8Array): void => {
    // One finding per distinct failure: the same bug is found again and again.
    const key = `${kind}:${detail.replace(/\d+/g, "N")}`;
    if (reported.has(key)) return;
    reported.add(key);
    const finding: Finding = { kind, detail, input: input.slice() };
    if (options.findingsDir) {
      const dir = join(options.findingsDir, target.name);
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${kind}-${createHash("sha1").update(input).digest("hex").slice(0, 12)}.bin`);
      writeFileSync(file, input);
      finding.file = file;
    }
    findings.push(finding);
  };

  const execute = async (input: Uint8Array): Promise<number> => {
    executions++;
    takeLargestAllocation();
    const started = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const pending = target.run(input);
      if (pending) {
        const timeout = new Promise<typeof TIMEOUT>((resolve) => {
          timer = setTimeout(() => resolve(TIMEOUT), hangMs);
        });
        if ((await Promise.race([pending, timeout])) === TIMEOUT) report("hang", `no result after ${hangMs} ms`, input);
      }
    } catch (error) {
      if (target.expected(error)) {
        const code = (error as { code: string }).code;
        refusals[code] = (refusals[code] ?? 0) + 1;
      } else {
        report("crash", describe(error), input);
      }
    } finally {
      if (timer) clearTimeout(timer);
    }
    const ms = performance.now() - started;
    if (ms > hangMs) report("hang", `took ${Math.round(ms)} ms (limit ${hangMs})`, input);
    const allocated = takeLargestAllocation();
    if (allocated > largestAllocation) largestAllocation = allocated;
    if (allocated > target.maxAllocation)
      report("allocation", `allocated ${allocated} bytes at once (limit ${target.maxAllocation})`, input);
    return coverage.sample(seen);
  };

  coverage.clear();
  for (const seed of await target.seeds()) {
    await execute(seed);
    corpus.push(seed);
  }
  if (corpus.length === 0) corpus.push(new Uint8Array(0));
  const start = performance.now();
  const deadline = start + options.seconds * 1000;
  const pick = (): Uint8Array => corpus[random.below(corpus.length)]!;
  const mutateOptions = { maxLength: target.maxInput, dictionary, pick };
  let sinceClock = 0;
  for (;;) {
    // Reading the clock costs more than a short execution: look every few.
    if (++sinceClock >= 16) {
      sinceClock = 0;
      if (performance.now() >= deadline) break;
    }
    // Newer entries first half of the time: they are where the frontier is.
    const parent = random.below(2) === 0 ? corpus[corpus.length - 1 - random.below(Math.min(corpus.length, 64))]! : pick();
    const child = mutate(parent, random, mutateOptions);
    if ((await execute(child)) > 0) {
      if (corpus.length >= maxCorpus) corpus.splice(random.below(corpus.length), 1);
      corpus.push(child);
    }
  }
  return {
    target: target.name,
    executions,
    seconds: (performance.now() - start) / 1000,
    corpus: corpus.length,
    covered: coveredSlots(seen.bits),
    instrumented: coverage.instrumented,
    findings,
    refusals,
    largestAllocation,
  };
}

/** Runs one input once, as the regression test does: undefined if it passed, else what went wrong. */
export async function replay(target: FuzzTarget, input: Uint8Array): Promise<string | undefined> {
  try {
    await target.run(input);
    return undefined;
  } catch (error) {
    return target.expected(error) ? undefined : describe(error);
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return `non-Error thrown: ${String(error)}`;
  const code = (error as { code?: unknown }).code;
  const where = error.stack?.split("\n")[1]?.trim() ?? "";
  return `${error.name}${code === undefined ? "" : ` [${String(code)}]`}: ${error.message.slice(0, 200)} ${where}`;
}
