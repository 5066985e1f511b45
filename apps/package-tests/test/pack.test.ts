import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exec, internalClosure, publishedPackages, readJson, root, subpathSpecifiers, type PackageJson } from "./packages.js";

// Every published package as a user gets it: packed, installed from the tarballs alone (third-party
// dependencies from the npm cache) into an empty directory, imported subpath by subpath and
// type-checked by a consumer under node16 and node10 resolution.

const packages = publishedPackages();
const rootJson = readJson<PackageJson>(join(root, "package.json"));
// TypeScript 7 (the repository's) dropped node10 resolution; TypeScript 5 (this workspace's) has it.
const tsc7 = join(root, "node_modules", ".bin", "tsc");
const tsc5 = join(root, "apps", "package-tests", "node_modules", ".bin", "tsc");
let work: string;
const tarballs = new Map<string, string>();
/** Package name → directory where it was installed alone (with its sibling tarballs). */
const installs = new Map<string, string>();
/** Where every tarball was installed together, as an app that uses several packages would. */
let allDir: string;

function installedDir(consumer: string, name: string): string {
  return join(consumer, "node_modules", ...name.split("/"));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)));
}

/** Whether a built file of dist/ still has its TypeScript source. */
function hasSource(packageDir: string, built: string): boolean {
  return existsSync(join(root, packageDir, built.replace(/^dist\//, "src/").replace(/\.js$/, ".ts")));
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "savevm-pack-"));
  const packed = JSON.parse(
    await exec("npm", ["pack", "--json", "--pack-destination", work, ...packages.flatMap((p) => ["-w", p.json.name])], root),
  ) as { name: string; filename: string }[];
  for (const t of packed) tarballs.set(t.name, join(work, t.filename));
  // One empty directory per package; installs run two at a time (the machine has two cores).
  const queue = [...packages];
  const worker = async () => {
    for (let p = queue.shift(); p; p = queue.shift()) {
      const consumer = join(work, `use-${p.json.name.split("/")[1]}`);
      mkdirSync(consumer);
      writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
      const own = internalClosure(p.json.name, packages).map((n) => tarballs.get(n)!);
      await exec("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--no-package-lock", ...own], consumer);
      installs.set(p.json.name, consumer);
    }
  };
  const all = join(work, "use-all");
  mkdirSync(all);
  writeFileSync(join(all, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  const installAll = exec(
    "npm",
    ["install", "--prefer-offline", "--no-audit", "--no-fund", "--no-package-lock", ...tarballs.values()],
    all,
  );
  await Promise.all([worker(), installAll.then(worker)]);
  allDir = all;
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.each(packages.map((p) => [p.json.name, p] as const))("%s", (name, pkg) => {
  it("is packed with its LICENSE and README, and no build info, tests or unshipped-source maps", () => {
    const dir = installedDir(installs.get(name)!, name);
    const files = filesUnder(dir);
    expect(files).toContain("LICENSE");
    expect(files).toContain("README.md");
    expect(readFileSync(join(dir, "LICENSE"), "utf8")).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} the savevm authors\n/);
    expect(files.filter((f) => f.endsWith(".tsbuildinfo"))).toEqual([]);
    expect(files.filter((f) => /\.test\.|test-support/.test(f))).toEqual([]);
    // Declaration maps point at src/, which is not shipped; JavaScript maps carry their sources.
    expect(files.filter((f) => f.endsWith(".d.ts.map"))).toEqual([]);
    // A release builds from an empty dist/; output of a source removed since the last clean build
    // (which `npm run release -- --dry-run` warns about) never reaches a published tarball.
    const maps = files.filter((f) => f.endsWith(".js.map") && hasSource(pkg.dir, f.replace(/\.map$/, "")));
    expect(maps.length).toBeGreaterThan(0);
    for (const map of maps) {
      const m = readJson<{ sources: string[]; sourcesContent?: (string | null)[] }>(join(dir, map));
      expect(m.sourcesContent?.length, map).toBe(m.sources.length);
      expect(
        m.sourcesContent!.every((s) => typeof s === "string" && s.length > 0),
        map,
      ).toBe(true);
    }
  });

  it("names the license, repository, homepage and bug tracker, the same for every package", () => {
    const json = pkg.json;
    expect(json.license).toBe("MIT");
    expect(json.description?.length).toBeGreaterThan(20);
    const repo = rootJson.repository?.url;
    expect(repo).toMatch(/^git\+https:\/\/.+\.git$/);
    expect(json.repository).toEqual({ type: "git", url: repo, directory: pkg.dir });
    const web = repo!.replace(/^git\+/, "").replace(/\.git$/, "");
    expect(json.homepage).toBe(`${web}/tree/main/${pkg.dir}#readme`);
    expect(json.bugs).toEqual({ url: `${web}/issues` });
    expect(rootJson.bugs).toEqual(json.bugs);
  });

  it("depends on the other packages with caret ranges of their current versions", () => {
    for (const [dep, range] of Object.entries(pkg.json.dependencies ?? {})) {
      const sibling = packages.find((p) => p.json.name === dep);
      if (sibling) expect(range, dep).toBe(`^${sibling.json.version}`);
    }
  });

  it("installs alone from its tarball and its siblings' with one copy of each package, and imports every subpath", async () => {
    const consumer = installs.get(name)!;
    // One copy of every @savevm package: nothing nested, so instanceof holds across packages.
    const nested = filesUnder(join(consumer, "node_modules")).filter((f) =>
      /node_modules\/@savevm\/[^/]+\/node_modules\/@savevm\//.test(`node_modules/${f}`),
    );
    expect(nested).toEqual([]);
    const specifiers = subpathSpecifiers(pkg.json);
    const script = `for (const s of ${JSON.stringify(specifiers)}) { const m = await import(s); console.log(s, Object.keys(m).length); }`;
    const out = await exec(process.execPath, ["--input-type=module", "-e", script], consumer);
    for (const s of specifiers) expect(out).toMatch(new RegExp(`^${s} [1-9]\\d*$`, "m"));
    for (const bin of Object.keys(pkg.json.bin ?? {})) {
      const help = await exec(join(consumer, "node_modules", ".bin", bin), ["--help"], consumer);
      expect(help).toMatch(/Usage:/);
      // The description lists commands ("The savevm command: inspect, convert, ..."): each one exists.
      const listed = pkg.json
        .description!.replace(/^[^:]*:/, "")
        .replace(/\.$/, "")
        .split(",")
        .map((c) => c.trim());
      for (const command of listed) expect(help, `${command} from the description`).toMatch(new RegExp(`^\\s+${command}\\b`, "m"));
    }
  });

  it("maps every subpath to its types for node10 resolution (typesVersions)", () => {
    for (const subpath of Object.keys(pkg.json.exports ?? {}).filter((s) => s !== ".")) {
      expect(pkg.json.typesVersions?.["*"]?.[subpath.slice(2)], subpath).toEqual([pkg.json.exports![subpath]!.types]);
    }
  });
});

describe("all packages installed together", () => {
  it("holds one copy of each package", () => {
    const nested = filesUnder(join(allDir, "node_modules")).filter((f) => /\/node_modules\/@savevm\//.test(`/${f}`));
    expect(nested).toEqual([]);
    for (const p of packages)
      expect(readJson<PackageJson>(join(installedDir(allDir, p.json.name), "package.json")).version).toBe(p.json.version);
  });

  it("has types for every subpath of every package under moduleResolution node16 (TypeScript 7 and 5) and node10", async () => {
    await compileConsumer("all", packages, ["es2023", "dom"], ["node16", "node16-ts5", "node10-ts5"]);
  });

  it("has types that need no DOM lib, for the packages whose API names no DOM type", async () => {
    // @savevm/machine's browser staging helper (and so the CLI's types) name DOM's Worker and MessagePort.
    const noDom = packages.filter((p) => ["@savevm/format", "@savevm/qmp", "@savevm/ram-wasm"].includes(p.json.name));
    expect(noDom).toHaveLength(3);
    await compileConsumer("nodom", noDom, ["es2023"], ["node16", "node10-ts5"]);
  });
});

type Resolution = "node16" | "node16-ts5" | "node10-ts5";

/** Compiles, in the all-packages install, a file that imports every subpath of `of` and names each one's exports. */
async function compileConsumer(label: string, of: typeof packages, lib: string[], resolutions: Resolution[]): Promise<void> {
  const specifiers = of.flatMap((p) => subpathSpecifiers(p.json));
  const file = `consumer-${label}.ts`;
  writeFileSync(
    join(allDir, file),
    specifiers.map((s, i) => `import * as m${i} from "${s}";\nexport type T${i} = keyof typeof m${i};\n`).join(""),
  );
  // Node's own types for the /node entries, from the repository.
  const common = {
    strict: true,
    noEmit: true,
    target: "es2022",
    lib,
    types: ["node"],
    typeRoots: [join(root, "node_modules", "@types")],
    skipLibCheck: false,
  };
  const configs: Record<Resolution, { tsc: string; module: string; moduleResolution: string }> = {
    node16: { tsc: tsc7, module: "node16", moduleResolution: "node16" },
    "node16-ts5": { tsc: tsc5, module: "node16", moduleResolution: "node16" },
    "node10-ts5": { tsc: tsc5, module: "commonjs", moduleResolution: "node10" },
  };
  await Promise.all(
    resolutions.map(async (resolution) => {
      const { tsc, ...options } = configs[resolution];
      const config = join(allDir, `tsconfig.${label}.${resolution}.json`);
      writeFileSync(config, JSON.stringify({ compilerOptions: { ...common, ...options }, files: [file] }));
      await expect(
        exec(tsc, ["-p", config], allDir).then(() => "compiles"),
        `${label} ${resolution}`,
      ).resolves.toBe("compiles");
    }),
  );
}

describe("@savevm/ram-wasm without DOM or Node types", () => {
  it("compiles a consumer with lib es2023 and no types at all", async () => {
    const consumer = installs.get("@savevm/ram-wasm")!;
    writeFileSync(
      join(consumer, "wasm-consumer.ts"),
      [
        'import { GuestMemory, type WasmMemory } from "@savevm/ram-wasm";',
        'import * as reference from "@savevm/ram-wasm/reference";',
        "const ram = GuestMemory.create({ bytes: 1 << 20 });",
        "const memory: WasmMemory = ram.chunks[0]!.ctx.memory;",
        "export const bytes: number = memory.buffer.byteLength + Object.keys(reference).length;",
        "",
      ].join("\n"),
    );
    const compilerOptions = {
      strict: true,
      noEmit: true,
      lib: ["es2023"],
      types: [],
      skipLibCheck: false,
      module: "node16",
      moduleResolution: "node16",
    };
    writeFileSync(join(consumer, "tsconfig.es2023.json"), JSON.stringify({ compilerOptions, files: ["wasm-consumer.ts"] }));
    expect(existsSync(join(consumer, "node_modules", "@savevm", "ram-wasm", "dist", "index.d.ts"))).toBe(true);
    await expect(exec(tsc7, ["-p", "tsconfig.es2023.json"], consumer).then(() => "compiles")).resolves.toBe("compiles");
  });
});
