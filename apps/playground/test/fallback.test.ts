/**
 * Served without COOP/COEP (`savevm playground --no-isolation`): the page says it runs one
 * thread per machine, and a live snapshot restored into machine B still equals the source at T0.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, createGuest, digests, liveSnapshot, restoreSnapshot, usePlayground } from "./harness.js";

const playground = usePlayground({ beforeAll, afterAll }, ["--no-isolation"]);

describe("without cross-origin isolation", () => {
  it("shows the single-threaded note and still snapshots and restores", async () => {
    const s = playground.session;
    const { page } = s;
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    expect(await page.getAttribute("#isolation", "data-isolated")).toBe("false");
    expect(await page.isVisible("#isolation.warn")).toBe(true);
    expect(await page.textContent("#isolation")).toMatch(/not cross-origin isolated: one thread per machine/);
    await createGuest(page, { memory: 64 << 20, rate: 32 });
    expect(await liveSnapshot(page, "plain")).toBe("live-snapshot:completed");
    expect(await restoreSnapshot(page, "plain")).toBe("restore:completed");
    expect(await page.getAttribute("body", "data-target-staging-lanes")).toBe("0");
    expect((await digests(page))[1]![3]).toBe("equal");
    await page.screenshot({ path: join(ARTIFACTS, "not-isolated.png") });
    expect(s.errors).toEqual([]);
  });
});
