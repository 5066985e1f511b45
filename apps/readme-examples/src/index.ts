import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatWithOptions } from "node:util";

/** One ```ts block of a package README. */
export interface ReadmeExample {
  /** Position among the README's ```ts blocks, from 0. */
  readonly index: number;
  /** Line of the README where the block's code starts, for failure messages. */
  readonly line: number;
  readonly code: string;
  /** The package directory whose README holds it. */
  readonly packageDir: string;
}

interface PackageJson {
  name: string;
  exports?: Record<string, string | { default?: string; import?: string }>;
}

function directory(packageDir: URL | string): string {
  return typeof packageDir === "string" ? packageDir : fileURLToPath(packageDir);
}

/** The ```ts blocks of `packageDir`/README.md, in order: the examples `runExample` runs. */
export function readmeExamples(packageDir: URL | string): ReadmeExample[] {
  return readmeBlocks(packageDir, "ts");
}

/** The blocks of `packageDir`/README.md fenced as ```lang, in order (e.g. "sh" for shell sessions). */
export function readmeBlocks(packageDir: URL | string, lang: string): ReadmeExample[] {
  const dir = directory(packageDir);
  const readme = readFileSync(join(dir, "README.md"), "utf8");
  return [...readme.matchAll(new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\``, "gm"))].map((m, index) => ({
    index,
    line: readme.slice(0, m.index).split("\n").length + 1,
    code: m[1]!,
    packageDir: dir,
  }));
}

/**
 * The package's own specifiers (its name and every subpath of `exports`) mapped to the TypeScript
 * source each built file comes from (`./dist/node/index.js` → `src/node/index.ts`).
 */
export function sourceImports(packageDir: URL | string): Map<string, string> {
  const dir = directory(packageDir);
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as PackageJson;
  const map = new Map<string, string>();
  for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
    const built = typeof target === "string" ? target : target.import ?? target.default;
    if (built === undefined || !/^\.\/dist\/.*\.js$/.test(built))
      throw new Error(`${pkg.name}: export ${subpath} is not a ./dist/*.js file: ${built}`);
    const specifier = subpath === "." ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
    map.set(specifier, join(dir, built.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts")));
  }
  return map;
}

/** `code` with the package's own imports pointed at its sources; other imports stay as written. */
export function withSourceImports(code: string, imports: Map<string, string>): string {
  return code.replace(/(["'])(@[a-z0-9-]+\/[a-z0-9-]+(?:\/[a-z0-9-]+)*)\1/g, (whole, _quote: string, specifier: string) => {
    const source = imports.get(specifier);
    return source === undefined ? whole : JSON.stringify(source);
  });
}

const printOptions = { depth: null, breakLength: Infinity, compact: 100, colors: false } as const;
let runs = 0;

/**
 * Runs one example as a module and returns what it printed with `console.log` and
 * `console.table`, one string per call, formatted as Node prints them (on one line).
 * The module is written beside the package (under `.vitest-tmp/`) so its other imports resolve
 * from the package's dependencies, and removed afterwards.
 */
export async function runExample(example: ReadmeExample): Promise<string[]> {
  const dir = join(example.packageDir, ".vitest-tmp", `readme-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `example-${example.index}-${++runs}.ts`);
  const header = `// README.md, line ${example.line}\n`;
  writeFileSync(file, header + withSourceImports(example.code, sourceImports(example.packageDir)) + "\nexport {};\n");
  const printed: string[] = [];
  const { log, table } = console;
  console.log = (...args: unknown[]) => void printed.push(formatWithOptions(printOptions, ...args));
  console.table = (data: unknown) => void printed.push(formatWithOptions(printOptions, data));
  try {
    await import(file);
  } finally {
    console.log = log;
    console.table = table;
    rmSync(file, { force: true });
  }
  return printed;
}
