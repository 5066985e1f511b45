#!/usr/bin/env node
// `npm run release`: version the packages from the pending changesets (CHANGELOGs included), build,
// test, publish. `npm run release -- --dry-run` shows what a release would publish and changes
// nothing in the tree: it reads the changeset plan, builds, and packs every package into a
// temporary directory.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);
const dryRun = args.includes("--dry-run");
const unknown = args.filter((a) => a !== "--dry-run");
if (unknown.length > 0) {
  console.error(`release: unknown option ${unknown[0]} (usage: npm run release [-- --dry-run])`);
  process.exit(2);
}

function run(command, commandArgs, options = {}) {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: options.capture ? "pipe" : "inherit", encoding: "utf8" });
  if (result.status !== 0 && !options.allowFailure) {
    if (options.capture) process.stderr.write(result.stderr ?? "");
    console.error(`release: \`${command} ${commandArgs.join(" ")}\` failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
  return result;
}

/** The workspaces that are published: every package under packages/ that is not private. */
function publicPackages() {
  return readdirSync(join(root, "packages"))
    .map((name) => join("packages", name))
    .filter((dir) => statSync(join(root, dir, "package.json"), { throwIfNoEntry: false })?.isFile())
    .map((dir) => ({ dir, json: JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) }))
    .filter((p) => p.json.private !== true);
}

/** `git+https://github.com/a/b.git`, `git@github.com:a/b.git` and `https://github.com/a/b` as one spelling. */
function normalizeRepositoryUrl(url) {
  return url
    .trim()
    .replace(/^git\+/, "")
    .replace(/^git@([^:]+):/, "https://$1/")
    .replace(/^ssh:\/\/git@/, "https://")
    .replace(/\.git$/, "")
    .replace(/\/$/, "");
}

/** Why the packages' `repository` fields cannot be published from this checkout, or undefined. */
function repositoryProblem(packages) {
  const urls = new Set(packages.map((p) => (p.json.repository?.url ? normalizeRepositoryUrl(p.json.repository.url) : "(none)")));
  if (urls.size !== 1) return `the packages name different repositories: ${[...urls].join(", ")}`;
  const [url] = urls;
  const origin = run("git", ["remote", "get-url", "origin"], { capture: true, allowFailure: true });
  if (origin.status !== 0)
    return `this checkout has no git remote "origin"; the packages say ${url} (set the remote, or change repository/homepage/bugs in every package.json)`;
  const remote = normalizeRepositoryUrl(origin.stdout);
  if (remote !== url) return `git remote "origin" is ${remote} but the packages say ${url}`;
  return undefined;
}

function plannedReleases() {
  const dir = mkdtempSync(join(tmpdir(), "savevm-release-"));
  try {
    const file = join(dir, "status.json");
    run("npx", ["changeset", "status", "--output", file]);
    return JSON.parse(readFileSync(file, "utf8")).releases;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function packAll(packages, into) {
  const workspaces = packages.flatMap((p) => ["-w", p.json.name]);
  const packed = run("npm", ["pack", "--json", "--pack-destination", into, ...workspaces], { capture: true });
  return JSON.parse(packed.stdout);
}

/** Files of a tarball built from a source that no longer exists (dist/ is never cleaned by tsc -b). */
function staleFiles(pkgDir, tarball) {
  return tarball.files
    .map((f) => f.path)
    .filter((f) => /^dist\/.*\.js$/.test(f) && !existsSync(join(root, pkgDir, f.replace(/^dist\//, "src/").replace(/\.js$/, ".ts"))));
}

function kilobytes(n) {
  return `${(n / 1024).toFixed(1)} kB`;
}

const packages = publicPackages();

if (dryRun) {
  console.log("release --dry-run: nothing in the tree changes; nothing is published\n");
  const releases = plannedReleases();
  run("npm", ["run", "build"]);
  const dir = mkdtempSync(join(tmpdir(), "savevm-release-pack-"));
  try {
    const tarballs = packAll(packages, dir);
    console.log("\nwould publish:");
    for (const p of packages) {
      const release = releases.find((r) => r.name === p.json.name);
      const tarball = tarballs.find((t) => t.name === p.json.name);
      const next = release
        ? `${release.oldVersion} -> ${release.newVersion} (${release.type}; ${release.changesets.length} changeset${
            release.changesets.length === 1 ? "" : "s"
          })`
        : `${p.json.version} (no pending changeset: not published)`;
      console.log(
        `  ${p.json.name.padEnd(18)} ${next.padEnd(44)} ${tarball.filename} ${kilobytes(tarball.size)} packed, ${tarball.entryCount} files`,
      );
    }
    for (const p of packages) {
      const stale = staleFiles(
        p.dir,
        tarballs.find((t) => t.name === p.json.name),
      );
      if (stale.length > 0)
        console.log(`\nnote: ${p.dir}/dist holds output of removed sources (${stale.join(", ")}); a release builds from an empty dist`);
    }
    const problem = repositoryProblem(packages);
    if (problem) console.log(`\nwarning: a release would stop here: ${problem}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  const dirty = run("git", ["status", "--porcelain"], { capture: true }).stdout.trim();
  if (dirty) {
    console.error("release: the working tree has uncommitted changes; commit or stash them first");
    process.exit(1);
  }
  const problem = repositoryProblem(packages);
  if (problem) {
    console.error(`release: ${problem}`);
    process.exit(1);
  }
  run("npx", ["changeset", "version"]);
  // The lock file records the workspaces' versions, which `changeset version` just changed.
  run("npm", ["install", "--package-lock-only", "--no-audit", "--no-fund"]);
  // Built from scratch, so no file of a removed source lingers in a tarball.
  for (const p of packages) rmSync(join(root, p.dir, "dist"), { recursive: true, force: true });
  run("npm", ["run", "build"]);
  run("npm", ["test"]);
  // The tags `changeset publish` makes belong on the commit that holds the new versions.
  run("git", ["add", "-A"]);
  run("git", ["commit", "-m", "Release packages"]);
  run("npx", ["changeset", "publish"]);
  console.log("\nreleased: push the commit and its tags (git push --follow-tags)");
}
