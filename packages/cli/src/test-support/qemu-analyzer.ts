/**
 * QEMU's own scripts/analyze-migration.py (fetched from Debian's QEMU source package by
 * scripts/fetch-qemu-analyzer.sh, never committed), and a comparison of its `-d state` output
 * with `savevm inspect --state`, which promises the same nesting and names with plain JSON values.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export const ANALYZER =
  process.env.SAVEVM_QEMU_ANALYZER ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "savevm", "analyze-migration.py");

export function analyzerAvailable(): boolean {
  return existsSync(ANALYZER);
}

export function analyzeState(file: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile("python3", [ANALYZER, "-f", file], { maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`analyze-migration.py failed: ${stderr || error.message}`));
      else resolve(JSON.parse(stdout) as Record<string, unknown>);
    });
  });
}

/**
 * The analyzer prints integers as `"0x0010"` (signed ones as `"0xfff0 (-16)"`, unsigned in later
 * versions) and buffers as `"aa bb"`; savevm prints numbers and `"aabb"`. Both become strings of
 * decimal integers / plain hex here, so equal states compare equal.
 */
export function normalizeAnalyzer(value: unknown): unknown {
  if (typeof value === "string") {
    const int = /^0x([0-9a-f]+)(?: \((-?\d+)\))?$/i.exec(value);
    if (int) return { int: BigInt(`0x${int[1]}`).toString(), signed: int[2] };
    if (/^([0-9a-f]{2})( [0-9a-f]{2})*$/i.test(value)) return value.replaceAll(" ", "").toLowerCase();
    return value;
  }
  if (Array.isArray(value)) return value.map(normalizeAnalyzer);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalizeAnalyzer(v)]));
  }
  return value;
}

/** savevm's value compared against the analyzer's normalized one; a signed value may be either. */
export function sameValue(ours: unknown, theirs: unknown, path: string, problems: string[]): void {
  if (ours === theirs) return;
  if (theirs && typeof theirs === "object" && "int" in theirs) {
    const t = theirs as { int: string; signed: string | undefined };
    const o = typeof ours === "number" || typeof ours === "string" ? BigInt(ours).toString() : String(ours);
    if (o !== t.int && o !== t.signed) problems.push(`${path}: savevm ${String(ours)}, analyzer ${t.int}${t.signed ? ` (${t.signed})` : ""}`);
    return;
  }
  if (Array.isArray(theirs)) {
    if (!Array.isArray(ours) || ours.length !== theirs.length) {
      problems.push(`${path}: savevm ${JSON.stringify(ours)?.slice(0, 80)}, analyzer a list of ${theirs.length}`);
      return;
    }
    theirs.forEach((t, i) => sameValue(ours[i], t, `${path}[${i}]`, problems));
    return;
  }
  if (theirs && typeof theirs === "object") {
    if (!ours || typeof ours !== "object") {
      problems.push(`${path}: savevm ${JSON.stringify(ours)?.slice(0, 80)}, analyzer an object`);
      return;
    }
    const o = ours as Record<string, unknown>;
    for (const [k, t] of Object.entries(theirs)) sameValue(o[k], t, `${path}.${k}`, problems);
    const extra = Object.keys(o).filter((k) => !(k in theirs) && k !== "page counts");
    if (extra.length > 0) problems.push(`${path}: keys only savevm has: ${extra.join(", ")}`);
    return;
  }
  if (typeof theirs === "string" && /^[0-9a-f]+$/.test(theirs) && (typeof ours === "number" || /^-?\d+$/.test(String(ours)))) {
    // Types the analyzer does not know (e.g. "timer") it prints as raw big-endian bytes; savevm decodes them as integers.
    const bits = theirs.length * 4;
    const raw = BigInt(`0x${theirs}`);
    const value = BigInt(ours as number | string);
    if (value !== raw && value !== BigInt.asIntN(bits, raw)) problems.push(`${path}: savevm ${String(ours)}, analyzer bytes ${theirs}`);
    return;
  }
  if (ours !== theirs) problems.push(`${path}: savevm ${JSON.stringify(ours)}, analyzer ${JSON.stringify(theirs)}`);
}

export function compareWithAnalyzer(ours: Record<string, unknown>, theirs: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const normalized = normalizeAnalyzer(theirs) as Record<string, unknown>;
  const missing = Object.keys(normalized).filter((k) => !(k in ours));
  if (missing.length > 0) problems.push(`sections only the analyzer has: ${missing.join(", ")}`);
  for (const [key, value] of Object.entries(normalized)) if (key in ours) sameValue(ours[key], value, key, problems);
  return problems;
}
