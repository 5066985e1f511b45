/**
 * Pre-copy migration from machine A to machine B in the page, over a MessageChannel byte
 * stream, while A's guest writes: it completes, shows its passes and downtime, and B equals A
 * as A stopped at switch-over.
 */
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

describe("pre-copy to the second machine", () => {
  it("completes under max-bandwidth and downtime-limit and shows its downtime", async () => {
    const { page } = s;
    await page.selectOption("#memory", String(64 << 20));
    await page.fill("#rate", "16");
    await page.selectOption("#hot", "95:8192");
    await page.click("#create");
    await page.waitForFunction(() => /running/.test(document.getElementById("map-status")?.textContent ?? ""), undefined, { timeout: 30_000 });
    await page.fill("#mig-bw", "128");
    await page.fill("#downtime", "300");
    await page.click("#precopy");
    // While it runs, the status shows the stream going.
    await page.waitForFunction(() => /precopy (active|setup|completed)/.test(document.getElementById("ops-a")?.textContent ?? ""), undefined, { timeout: 30_000 });
    expect(await waitForOp(page, "source", "precopy")).toBe("precopy:completed");
    expect(await waitForOp(page, "target", "incoming")).toBe("incoming:completed");
    await expect.poll(() => page.textContent("#ops-a")).toMatch(/^A: precopy completed, in \d+ ms, downtime \d+ ms, \d+ passes$/);
    await expect.poll(() => page.textContent("#ops-b")).toMatch(/^B: incoming completed/);
    await page.screenshot({ path: join(ARTIFACTS, "precopy.png") });
    // The pass chart got one bar per pass.
    const bars = await page.$$eval("[data-testid=chart-passes] canvas", (c) => c.length);
    expect(bars).toBeGreaterThan(0);

    await page.click("#digest-btn");
    await page.waitForFunction(() => document.body.dataset.digests !== undefined, undefined, { timeout: 60_000 });
    const cells = await page.$$eval("#digests tbody tr", (rows) => rows.map((r) => Array.from(r.querySelectorAll("td"), (c) => c.textContent)));
    const [t0, b, now] = cells;
    expect(t0![0]).toMatch(/^[0-9a-f]{16}$/);
    expect(b!.slice(0, 3)).toEqual(t0!.slice(0, 3));
    expect(now!.slice(0, 3)).toEqual(t0!.slice(0, 3)); // A stays stopped after switch-over
    expect(b![3]).toBe("equal");
    expect(s.errors).toEqual([]);
  });
});
