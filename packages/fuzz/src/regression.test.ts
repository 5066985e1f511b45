import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { replay } from "./engine.js";
import { TARGETS } from "./targets/index.js";

const CRASHES = new URL("../corpus/crashes/", import.meta.url);

/** Inputs that once failed a target, kept to show they stay fixed (`corpus/crashes/<target>/`). */
function crashInputs(target: string): [string, Uint8Array][] {
  const dir = new URL(`${target}/`, CRASHES);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((name) => [name, new Uint8Array(readFileSync(new URL(name, dir)))]);
}

describe("fuzz regressions: every kept input and every seed is handled (accepted, or refused with a typed error)", () => {
  for (const target of TARGETS) {
    it(target.name, async () => {
      const inputs: [string, Uint8Array][] = [
        ...crashInputs(target.name),
        ...(await target.seeds()).map((s, i): [string, Uint8Array] => [`seed ${i}`, s]),
      ];
      const failures: string[] = [];
      for (const [name, input] of inputs) {
        const failure = await replay(target, input);
        if (failure) failures.push(`${name}: ${failure}`);
      }
      expect(failures).toEqual([]);
    });
  }

  it("keeps the inputs that once failed", () => {
    expect(crashInputs("qmp-json").length).toBeGreaterThan(0);
  });
});
