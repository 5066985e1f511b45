/**
 * Served without COOP/COEP (`savevm playground --no-isolation`): the page says it runs one
 * thread per machine, and a live snapshot restored into machine B still equals the source at T0.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, openPage, servePlayground, waitForOp, type Served, type Session } from "./harness.js";

let served: Served;
let s: Session;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  served = await servePlayground(["--no-isolation"]);
  s = await openPage(served.url);
});

afterAll(async () => {
  await s?.close();
  await served?.close();
});

describe("without cross-origin isolation", () => {
  it("shows the single-threaded note and still snapshots and restores", async () => {
    const { page } = s;
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    expect(await page.getAttribute("#isolation", "data-isolated")).toBe("false");
    expect(await page.isVisible("#isolation.warn")).toBe(true);
    expect(await page.textContent("#isolation")).toMatch(/not cross-origin isolated: one thread per machine/);
    await page.selectOption("#memory", String(64 << 20));
    await page.fill("#rate", "32");
    await page.click("#create");
    await page.waitForFunction(() => /running/.test(document.getElementById("map-status")?.textContent ?? ""), undefined, { timeout: 30_000 });
    await page.fill("#snap-name", "plain");
    await page.click("#live");
    expect(await waitForOp(page, "source", "live-snapshot")).toBe("live-snapshot:completed");
    await page.click('#snapshots li[data-name="plain"] button[data-action="restore"]');
    expect(await waitForOp(page, "target", "restore")).toBe("restore:completed");
    expect(await page.getAttribute("body", "data-target-staging-lanes")).toBe("0");
    await page.click("#digest-btn");
    await page.waitForFunction(() => document.body.dataset.digests !== undefined, undefined, { timeout: 60_000 });
    const rows = await page.$$eval("#digests tbody tr", (r) => r.map((x) => Array.from(x.querySelectorAll("td"), (c) => c.textContent ?? "")));
    expect(rows[1]![3]).toBe("equal");
    await page.screenshot({ path: join(ARTIFACTS, "not-isolated.png") });
    expect(s.errors).toEqual([]);
  });
});
