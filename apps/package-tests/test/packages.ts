import { execFile } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

/** The repository root. */
export const root = new URL("../../..", import.meta.url).pathname;

export interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  description?: string;
  license?: string;
  repository?: { type?: string; url?: string; directory?: string };
  homepage?: string;
  bugs?: { url?: string };
  files?: string[];
  types?: string;
  exports?: Record<string, { types?: string; default?: string }>;
  typesVersions?: Record<string, Record<string, string[]>>;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
}

export interface Workspace {
  dir: string;
  json: PackageJson;
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

/** The published packages: every workspace under packages/ that is not private. */
export function publishedPackages(): Workspace[] {
  return readdirSync(join(root, "packages"))
    .map((name) => join("packages", name))
    .filter((dir) => statSync(join(root, dir, "package.json"), { throwIfNoEntry: false })?.isFile())
    .map((dir) => ({ dir, json: readJson<PackageJson>(join(root, dir, "package.json")) }))
    .filter((p) => p.json.private !== true);
}

/** `@savevm/x` and `@savevm/x/sub` for every entry of a package's `exports`. */
export function subpathSpecifiers(json: PackageJson): string[] {
  return Object.keys(json.exports ?? {}).map((subpath) => (subpath === "." ? json.name : `${json.name}/${subpath.slice(2)}`));
}

/** The package's dependencies on other published packages, transitively. */
export function internalClosure(name: string, packages: Workspace[]): string[] {
  const byName = new Map(packages.map((p) => [p.json.name, p]));
  const seen = new Set<string>();
  const visit = (n: string) => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const dep of Object.keys(byName.get(n)?.json.dependencies ?? {})) if (byName.has(dep)) visit(dep);
  };
  visit(name);
  return [...seen];
}

/** The environment of a child npm/node, without the npm_* variables of the `npm test` running us. */
export function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith("npm_")));
}

const execFileAsync = promisify(execFile);

export async function exec(command: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, { cwd, env: cleanEnv(), maxBuffer: 64 << 20 });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(" ")} (in ${cwd}) failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  }
}
