import { describe, expect, it } from "vitest";
import { readmeExamples, runExample } from "@savevm/readme-examples";

/** The TypeScript examples of README.md, run as they are written. */
const examples = readmeExamples(new URL("..", import.meta.url));

describe("README examples", () => {
  it("has seven runnable examples", () => {
    expect(examples.length).toBe(7);
  });

  it("saves a machine into memory and loads it into a second one", async () => {
    const printed = await runExample(examples[0]!);
    expect(printed).toEqual([expect.stringMatching(/^completed \d+ bytes$/), "true"]);
  });

  it("migrates a running guest into a file and restores it", async () => {
    expect(await runExample(examples[1]!)).toEqual(["true"]);
  });

  it("takes a live point-in-time snapshot whose restore equals the guest at T0", async () => {
    const printed = await runExample(examples[2]!);
    expect(printed).toEqual([expect.stringMatching(/^completed paused \d+\.\d\d ms \d+$/), "true"]);
  });

  it("registers a spawned machine and refuses a second of its name", async () => {
    expect(await runExample(examples[3]!)).toEqual([
      expect.stringMatching(/^\[ '\d+ web running' \]$/),
      "DOMAIN_EXISTS: operation failed: domain 'web' already exists with uuid UUID",
      "0 0",
    ]);
  });

  it("saves a spawned machine like virsh save and restores it running", async () => {
    expect(await runExample(examples[4]!)).toEqual(["db true signal 0", "savevm db running", "running"]);
  });

  it("migrates over four multifd channels", async () => {
    expect(await runExample(examples[5]!)).toEqual(["completed true", "true"]);
  });

  it("throttles a guest that outruns pre-copy until the migration converges (auto-converge)", async () => {
    expect(await runExample(examples[6]!)).toEqual(["completed true"]);
  });
});
