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
  it("ships no build output whose source is gone", () => {
    const files = filesUnder(installedDir(installs.get(name)!, name)).filter((f) => f.startsWith("dist/") && f.endsWith(".js"));
    const stale = files.filter(
      (f) => !["ts", "mts"].some((ext) => existsSync(join(root, pkg.dir, f.replace(/^dist\//, "src/").replace(/\.js$/, `.${ext}`)))),
    );
    expect(stale, `stale files in ${pkg.dir}/dist (their sources were removed): rebuild from a clean dist`).toEqual([]);
  });

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
    const maps = files.filter((f) => f.endsWith(".js.map"));
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

  it("has types for every subpath of every package under moduleResolution node16 and node10, with lib es2023 and no DOM", async () => {
    const specifiers = packages.flatMap((p) => subpathSpecifiers(p.json));
    const source = specifiers.map((s, i) => `import * as m${i} from "${s}";\nexport type T${i} = keyof typeof m${i};\n`).join("");
    writeFileSync(join(allDir, "consumer.ts"), source);
    // Node's own types for the /node entries; no DOM anywhere.
    const typeRoots = [join(root, "node_modules", "@types")];
    const common = {
      strict: true,
      noEmit: true,
      target: "es2022",
      lib: ["es2023"],
      types: ["node"],
      typeRoots,
      skipLibCheck: false,
      noImplicitAny: true,
    };
    const configs = [
      { label: "node16", tsc: tsc7, compilerOptions: { ...common, module: "node16", moduleResolution: "node16" } },
      { label: "node16-ts5", tsc: tsc5, compilerOptions: { ...common, module: "node16", moduleResolution: "node16" } },
      { label: "node10-ts5", tsc: tsc5, compilerOptions: { ...common, module: "commonjs", moduleResolution: "node10" } },
    ];
    await Promise.all(
      configs.map(async ({ label, tsc, compilerOptions }) => {
        const file = join(allDir, `tsconfig.${label}.json`);
        writeFileSync(file, JSON.stringify({ compilerOptions, files: ["consumer.ts"] }));
        await expect(
          exec(tsc, ["-p", file], allDir).then(() => "compiles"),
          label,
        ).resolves.toBe("compiles");
      }),
    );
  });
});

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
