import { describe, expect, it } from "vitest";
import { readmeExamples, runExample } from "@savevm/readme-examples";

/** The TypeScript examples of README.md, run as they are written. */
const examples = readmeExamples(new URL("..", import.meta.url));

describe("README examples", () => {
  it("has one runnable example", () => {
    expect(examples.length).toBe(1);
  });

  it("classifies pages and takes a live snapshot through the copy-before-write queue", async () => {
    const printed = await runExample(examples[0]!);
    expect(printed).toEqual([
      "{ pages: 16380, zero: 16379, uniform: 0, duplicate: 1, unique: 0 }", // the second range: pages 4 and on
      "true 2",
      "hello, guest",
      "true 1",
      expect.stringMatching(/^[0-9a-f]{1,16}$/),
    ]);
  });
});
