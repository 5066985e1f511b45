/**
 * `npm run fuzz` (long) and the short runs of the tests: fuzzes each target for `--seconds`,
 * prints executions per target and the totals, and exits 1 if anything was found.
 *
 *   node --import ./dist/register.js dist/cli.js [--seconds 120] [--target stream,qmp-json]
 *        [--findings DIR] [--seed N] [--json]
 */
import { fileURLToPath } from "node:url";
import { fuzzTarget, type TargetReport } from "./engine.js";
import { TARGETS } from "./targets/index.js";

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const seconds = Number(option("seconds") ?? 120);
const only = option("target")?.split(",");
const findingsDir = option("findings") ?? fileURLToPath(new URL("../corpus/crashes/", import.meta.url));
const seed = Number(option("seed") ?? Date.now() % 0x7fffffff);
const json = process.argv.includes("--json");
const targets = TARGETS.filter((t) => !only || only.includes(t.name));
if (!Number.isFinite(seconds) || seconds <= 0 || targets.length === 0) {
  console.error("usage: cli.js [--seconds N] [--target name,…] [--findings DIR] [--seed N] [--json]");
  process.exit(2);
}

const reports: TargetReport[] = [];
for (const target of targets) {
  const report = await fuzzTarget(target, { seconds, seed, findingsDir });
  reports.push(report);
  if (!json) {
    const rate = Math.round(report.executions / Math.max(report.seconds, 1e-3));
    console.log(
      `${target.name.padEnd(12)} ${String(report.executions).padStart(10)} executions  ${String(rate).padStart(7)}/s  corpus ${String(
        report.corpus,
      ).padStart(5)}  coverage ${String(report.covered).padStart(6)}  findings ${report.findings.length}`,
    );
    for (const f of report.findings) console.log(`  ${f.kind}: ${f.detail}${f.file ? ` (${f.file})` : ""}`);
  }
}
const total = reports.reduce((n, r) => n + r.executions, 0);
const found = reports.reduce((n, r) => n + r.findings.length, 0);
if (json) {
  console.log(
    JSON.stringify({ seed, reports: reports.map(({ findings, ...r }) => ({ ...r, findings: findings.map(({ input: _, ...f }) => f) })) }),
  );
} else {
  console.log(`total        ${String(total).padStart(10)} executions in ${reports.length} targets, ${found} findings (seed ${seed})`);
}
process.exitCode = found > 0 ? 1 : 0;
