// Vitest setup file: every test file gets a registry directory of its own, so machines its tests
// start (and name) never meet another file's, nor the real /run/savevm.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "savevm-test-runtime-"));
process.env["SAVEVM_RUNTIME_DIR"] = dir;
afterAll(() => rmSync(dir, { recursive: true, force: true }));
