/**
 * The built site is what a browser runs: @savevm/machine's, @savevm/format's and
 * @savevm/ram-wasm's root entries bundled for it must bring no Node built-in along.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { APP } from "./harness.js";

const assets = join(APP, "dist/assets");

describe("the built site", () => {
  it("has the page, the bench page and both workers", () => {
    const files = readdirSync(assets);
    for (const name of ["main-", "bench-", "machine-worker-", "files-worker-"]) expect(files.some((f) => f.startsWith(name) && f.endsWith(".js")), name).toBe(true);
  });

  it("imports no Node built-in and requires nothing", () => {
    for (const file of readdirSync(assets).filter((f) => f.endsWith(".js"))) {
      const code = readFileSync(join(assets, file), "utf8");
      expect(code.match(/["'`]node:[a-z_/]+["'`]/g) ?? [], file).toEqual([]);
      expect(code.match(/\brequire\(["'`]/g) ?? [], file).toEqual([]);
      // What Vite puts in place of a Node module it had to leave out of a browser build.
      expect(code.includes("__vite-browser-external"), file).toBe(false);
    }
  });
});
