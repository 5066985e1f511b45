/**
 * Node module hooks (registered by `register.ts`) that add istanbul's statement, branch and
 * function counters to the built code of the packages under test as it loads. The counters are
 * the fuzzer's coverage map: an input that moves a counter into a new bucket is kept.
 */
import { fileURLToPath } from "node:url";
import { createInstrumenter } from "istanbul-lib-instrument";
import { COVERAGE_VARIABLE } from "./coverage-variable.js";

/** The code under test: what the packages' entry points load. */
const UNDER_TEST = /\/packages\/(format|qmp)\/dist\/.*\.js$/;

const instrumenter = createInstrumenter({
  coverageVariable: COVERAGE_VARIABLE,
  esModules: true,
  compact: true,
  produceSourceMap: false,
  preserveComments: false,
});

interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | Uint8Array | null;
  shortCircuit?: boolean;
}

type NextLoad = (url: string, context: unknown) => Promise<LoadResult>;

export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<LoadResult> {
  const result = await nextLoad(url, context);
  if (result.format !== "module" || !url.startsWith("file:") || !UNDER_TEST.test(url) || result.source == null) return result;
  const source = typeof result.source === "string" ? result.source : new TextDecoder().decode(result.source);
  return { ...result, source: instrumenter.instrumentSync(source, fileURLToPath(url)) };
}
