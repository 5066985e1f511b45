import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, openPage, servePlayground, waitForOp, type Served, type Session } from "./harness.js";

let served: Served;
let s: Session;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  served = await servePlayground();
  s = await openPage(served.url);
});

afterAll(async () => {
  await s?.close();
  await served?.close();
});

describe("a 256 MiB guest in the page", () => {
  it("takes a live snapshot while writing; machine B restored from it equals the source at T0", async () => {
    const { page } = s;
    expect(await page.getAttribute("#isolation", "data-isolated")).toBe("true");
    await page.selectOption("#memory", String(256 << 20));
    await page.fill("#rate", "64");
    await page.click("#create");
    await page.waitForFunction(() => /running/.test(document.getElementById("map-status")?.textContent ?? ""), undefined, { timeout: 60_000 });
    await page.waitForTimeout(500);
    await page.fill("#snap-name", "live-256");
    await page.selectOption("#queue", "1024");
    await page.click("#live");
    expect(await waitForOp(page, "source", "live-snapshot")).toBe("live-snapshot:completed");
    await page.screenshot({ path: join(ARTIFACTS, "live-snapshot.png") });
    await page.click('#snapshots li[data-name="live-256"] button[data-action="restore"]');
    expect(await waitForOp(page, "target", "restore")).toBe("restore:completed");
    // Machine B's load shared its page writes with the browser StagingHelper's worker.
    expect(Number(await page.getAttribute("body", "data-target-staging-lanes"))).toBeGreaterThan(0);
    await page.click("#digest-btn");
    await page.waitForFunction(() => document.body.dataset.digests !== undefined, undefined, { timeout: 60_000 });
    const cells = await page.$$eval("#digests tbody tr", (rows) => rows.map((r) => Array.from(r.querySelectorAll("td"), (c) => c.textContent)));
    const [t0, restored, now] = cells;
    expect(t0![0]).toMatch(/^[0-9a-f]{16}$/);
    expect(restored!.slice(0, 3)).toEqual(t0!.slice(0, 3));
    expect(restored![3]).toBe("equal");
    // The source kept running after T0: its state now is not the snapshot's.
    expect(Number(now![2])).toBeGreaterThan(Number(t0![2]));
    expect(now![3]).toBe("differs");
    await page.screenshot({ path: join(ARTIFACTS, "restored.png") });
    expect(s.errors).toEqual([]);
  });
});
