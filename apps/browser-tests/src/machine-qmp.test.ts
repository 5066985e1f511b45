/**
 * The root entries of @savevm/machine and @savevm/qmp in Debian's Chromium, loaded as plain ES
 * modules through an import map that serves only the packages' dist/ (no bundler, no Node
 * builtins): a machine saves stop-and-copy and live (background-snapshot) into memory and restores
 * into a second machine with the same digests as in Node; a QmpServer and a QmpClient talk over an
 * in-memory byte pipe and give the same replies, byte for byte on the wire, as in Node.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { MACHINE_QMP_PAGE, MACHINE_QMP_PATH } from "./machine-qmp-page.js";
import { runMachineScenario, runQmpScenario, type MachineOutcome, type QmpOutcome } from "./machine-qmp-scenario.js";
import { openResultPage } from "./result-page.js";
import { serveRepository, type StaticServer } from "./static-server.js";

const ROOT = new URL("../../../", import.meta.url).pathname;
const SERVED = [
  "/packages/format/dist/",
  "/packages/ram-wasm/dist/",
  "/packages/machine/dist/",
  "/packages/qmp/dist/",
  "/node_modules/fflate/esm/",
  "/apps/browser-tests/dist/",
];

interface PageOutcome {
  error?: string;
  machine: MachineOutcome;
  qmp: QmpOutcome;
  nodeBuiltin: string;
}

let server: StaticServer;
let browser: Browser;
let outcome: PageOutcome;
let missing: string[] = [];

beforeAll(async () => {
  server = await serveRepository(ROOT, SERVED, { [MACHINE_QMP_PATH]: MACHINE_QMP_PAGE });
  let errors: string[];
  ({ browser, result: outcome, errors, missing } = await openResultPage<PageOutcome>(server.url + MACHINE_QMP_PATH, 20_000));
  if (outcome.error) throw new Error(`in the page: ${outcome.error}\n${[...errors, ...missing].join("\n")}`);
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("@savevm/machine and @savevm/qmp root entries in Chromium, without a bundler", () => {
  it("load with nothing from Node: every module came from the served dist/, and a node: import is refused", () => {
    expect(missing).toEqual([]);
    expect(outcome.nodeBuiltin).toMatch(/^refused/);
  });

  it("@savevm/machine saves stop-and-copy and a live snapshot into memory and restores them to the same digests as in Node", async () => {
    const node = await runMachineScenario();
    expect(outcome.machine).toEqual(node);
    const { stopAndSave, live } = outcome.machine;
    expect(stopAndSave.status).toBe("completed");
    expect(stopAndSave.restored).toEqual(stopAndSave.source);
    expect(stopAndSave.source.steps).toBe(120);
    expect(live.status).toBe("completed");
    // The guest ran on after T0, yet the restored machine is the one at T0.
    expect(live.stepsAfterT0).toBe(true);
    expect(live.restored).toEqual(live.twin);
    expect(live.restored.steps).toBe(80);
    expect(live.restored.ram).not.toBe(stopAndSave.restored.ram);
  });

  it("@savevm/qmp serves and calls over an in-memory byte pipe with the same replies and bytes as in Node", async () => {
    const node = await runQmpScenario();
    expect(outcome.qmp).toEqual(node);
    expect(outcome.qmp.results).toContainEqual({ error: { class: "GenericError", desc: "speed must not be 0" } });
    expect(outcome.qmp.results).toContainEqual({
      error: { class: "CommandNotFound", desc: "The command no-such-command has not been found" },
    });
    expect(outcome.qmp.wire).toContain('{"error": {"class": "GenericError", "desc": "QMP input must be a JSON object"}}\r\n');
    expect(outcome.qmp.wire).toContain('"event": "RESUME"');
  });
});
