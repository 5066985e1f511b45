import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";

async function listSources(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listSources(path)));
    else if (entry.name.endsWith(".ts") || entry.name.endsWith(".json")) out.push(path);
  }
  return out;
}

/**
 * SHA-256 over everything the wasm is built from (assembly/ and asconfig.json under `root`).
 * The build writes it into the generated module; a test recomputes it to catch a stale module.
 */
export async function assemblySourceHash(root) {
  const files = [...(await listSources(join(root, "assembly"))), join(root, "asconfig.json")].sort();
  const hash = createHash("sha256");
  for (const file of files) {
    hash.update(relative(root, file).split("\\").join("/"));
    hash.update("\0");
    hash.update(await readFile(file));
    hash.update("\0");
  }
  return hash.digest("hex");
}
