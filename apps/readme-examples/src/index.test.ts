import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readmeBlocks, readmeExamples, runExample, sourceImports, withSourceImports } from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "savevm-readme-examples-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

mkdirSync(join(dir, "src", "node"), { recursive: true });
writeFileSync(
  join(dir, "package.json"),
  JSON.stringify({
    name: "@x/pkg",
    exports: { ".": { types: "./dist/index.d.ts", default: "./dist/index.js" }, "./node": "./dist/node/index.js" },
  }),
);
writeFileSync(join(dir, "src", "index.ts"), "export const answer: bigint = 42n;\n");
writeFileSync(join(dir, "src", "node", "index.ts"), 'export const where = "node";\n');
writeFileSync(
  join(dir, "README.md"),
  [
    "# pkg",
    "```sh",
    "npm install @x/pkg",
    "```",
    "```ts",
    'import { answer } from "@x/pkg";',
    'import { where } from "@x/pkg/node";',
    "console.log(answer, { where, list: [1, 2] });",
    "console.table([{ a: 1 }]);",
    "```",
    "",
  ].join("\n"),
);

describe("readme-examples", () => {
  it("finds blocks by language, with the README line where their code starts", () => {
    expect(readmeExamples(dir).map((e) => e.line)).toEqual([6]);
    expect(readmeBlocks(dir, "sh").map((e) => e.code)).toEqual(["npm install @x/pkg\n"]);
  });

  it("points the package's own specifiers at its sources and leaves others alone", () => {
    const imports = sourceImports(dir);
    expect([...imports.keys()]).toEqual(["@x/pkg", "@x/pkg/node"]);
    const code = withSourceImports('import "@x/pkg/node"; import "@x/pkgs"; import "@y/pkg";', imports);
    expect(code).toBe(`import ${JSON.stringify(join(dir, "src/node/index.ts"))}; import "@x/pkgs"; import "@y/pkg";`);
  });

  it("runs an example and returns what it printed, one line per call, as Node prints it", async () => {
    const log = console.log;
    expect(await runExample(readmeExamples(dir)[0]!)).toEqual(["42n { where: 'node', list: [ 1, 2 ] }", "[ { a: 1 } ]"]);
    expect(console.log).toBe(log);
  });
});
