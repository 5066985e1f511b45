import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exec, publishedPackages, readJson, root, type PackageJson } from "./packages.js";

// `npm run release -- --dry-run` on this checkout: it must tell what would be published and leave
// the tree as it found it (no version bump, no CHANGELOG, no consumed changeset, no tarball).

/** What a real release writes: versions, CHANGELOGs, the changesets it consumes, the lock file; and tarballs. */
const releasePaths = [":(glob)**/package.json", ":(glob)**/CHANGELOG.md", ".changeset", "package-lock.json", ":(glob)**/*.tgz"];

async function releaseStatus(): Promise<string> {
  return exec("git", ["status", "--porcelain=v1", "--untracked-files=all", "--", ...releasePaths], root);
}

describe("npm run release -- --dry-run", () => {
  it("reports the version each package would be published at and changes nothing", async () => {
    const before = await releaseStatus();
    const out = await exec("npm", ["run", "release", "--", "--dry-run"], root);
    expect(await releaseStatus()).toBe(before);
    for (const p of publishedPackages()) {
      const line = out.split("\n").find((l) => l.trim().startsWith(`${p.json.name} `));
      expect(line, `${p.json.name} in:\n${out}`).toBeDefined();
      expect(line).toContain(`savevm-${p.json.name.split("/")[1]}-${p.json.version}.tgz`);
      // Nothing was ever published: every package sits at 0.0.0 and its first release is 0.1.0.
      if (p.json.version === "0.0.0") expect(line).toMatch(/0\.0\.0 -> 0\.1\.0 \(minor; \d+ changesets?\)/);
    }
  }, 300_000);

  it("refuses an unknown option with a usage error", async () => {
    await expect(exec("node", ["scripts/release.mjs", "--dryrun"], root)).rejects.toThrow(/unknown option --dryrun/);
  });
});

describe("changeset version (what the release runs first)", () => {
  it("writes a CHANGELOG per package and makes the first release 0.1.0 everywhere, with caret ranges between them", async () => {
    // A copy of what changesets reads: the workspace manifests and the pending changesets.
    const copy = mkdtempSync(join(tmpdir(), "savevm-changeset-version-"));
    try {
      cpSync(join(root, "package.json"), join(copy, "package.json"));
      cpSync(join(root, ".changeset"), join(copy, ".changeset"), { recursive: true });
      for (const group of ["packages", "apps"]) {
        for (const name of readdirSync(join(root, group))) {
          const manifest = join(root, group, name, "package.json");
          if (!existsSync(manifest)) continue;
          mkdirSync(join(copy, group, name), { recursive: true });
          cpSync(manifest, join(copy, group, name, "package.json"));
        }
      }
      symlinkSync(join(root, "node_modules"), join(copy, "node_modules"));
      await exec(process.execPath, [join(root, "node_modules", "@changesets", "cli", "bin.js"), "version"], copy);
      const before = new Map(publishedPackages().map((p) => [p.json.name, p.json.version]));
      for (const p of publishedPackages()) {
        const after = readJson<PackageJson>(join(copy, p.dir, "package.json"));
        if (before.get(p.json.name) === "0.0.0") expect(after.version, p.json.name).toBe("0.1.0");
        const changelog = readFileSync(join(copy, p.dir, "CHANGELOG.md"), "utf8");
        expect(changelog).toMatch(new RegExp(`^# ${p.json.name}\\n\\n## ${after.version.replace(/\./g, "\\.")}\\n`));
        for (const [dep, range] of Object.entries(after.dependencies ?? {})) {
          if (!before.has(dep)) continue;
          const depVersion = readJson<PackageJson>(
            join(copy, publishedPackages().find((q) => q.json.name === dep)!.dir, "package.json"),
          ).version;
          expect(range, `${p.json.name} -> ${dep}`).toBe(`^${depVersion}`);
        }
      }
      // Private workspaces keep linking the new versions too.
      const versions = new Map(
        publishedPackages().map((p) => [p.json.name, readJson<PackageJson>(join(copy, p.dir, "package.json")).version]),
      );
      for (const group of ["packages", "apps"]) {
        for (const name of readdirSync(join(copy, group))) {
          const json = readJson<PackageJson & { devDependencies?: Record<string, string> }>(join(copy, group, name, "package.json"));
          for (const [dep, range] of Object.entries({ ...json.dependencies, ...json.devDependencies })) {
            if (versions.has(dep)) expect([`^${versions.get(dep)}`, "*"], `${group}/${name} -> ${dep}`).toContain(range);
          }
        }
      }
      expect(readdirSync(join(copy, ".changeset")).filter((f) => f.endsWith(".md") && f !== "README.md")).toEqual([]);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
