import { describe, expect, it } from "vitest";
import { createProgram } from "./program.js";
import { runCli } from "./test-support/run-cli.js";
import { quickAnswer, topHelp } from "./top-help.js";
import { version } from "./version.js";

/** What commander prints for `savevm --help` at `width` columns. */
async function commanderHelp(width: number): Promise<string> {
  const program = await createProgram(["node", "savevm", "--help"]);
  program.configureHelp({ helpWidth: width });
  return program.helpInformation();
}

describe("savevm --help and --version without commander", () => {
  it.each([20, 40, 60, 72, 79, 80, 100, 132, 200])("lays out the help as commander does at %i columns", async (width) => {
    expect(topHelp(width)).toBe(await commanderHelp(width));
  });

  it("answers only the top-level help and version", () => {
    for (const args of [["--help"], ["-h"], ["help"]]) expect(quickAnswer(args, undefined)).toBe(topHelp(80));
    expect(quickAnswer(["--help"], 120)).toBe(topHelp(120));
    for (const args of [["--version"], ["-V"]]) expect(quickAnswer(args, undefined)).toBe(`${version}\n`);
    for (const args of [[], ["inspect", "--help"], ["--help", "inspect"], ["help", "inspect"], ["-hV"], ["--verbose"]]) {
      expect(quickAnswer(args, undefined), args.join(" ")).toBeUndefined();
    }
  });

  it("is what the savevm binary prints, exit status 0", async () => {
    const help = await runCli(["--help"]);
    expect([help.code, help.stdout, help.stderr]).toEqual([0, await commanderHelp(80), ""]);
    const ver = await runCli(["--version"]);
    expect([ver.code, ver.stdout, ver.stderr]).toEqual([0, `${version}\n`, ""]);
  });
});
