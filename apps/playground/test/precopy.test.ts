/**
 * Pre-copy migration from machine A to machine B in the page, over a MessageChannel byte
 * stream, while A's guest writes: it completes, shows its passes and downtime, and B equals A
 * as A stopped at switch-over.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, createGuest, digests, opSeq, usePlayground, waitForOp } from "./harness.js";

const playground = usePlayground({ beforeAll, afterAll });

describe("pre-copy to the second machine", () => {
  it("completes under max-bandwidth and downtime-limit and shows its downtime", async () => {
    const s = playground.session;
    const { page } = s;
    await createGuest(page, { memory: 64 << 20, rate: 16, hot: "95:8192" });
    await page.fill("#mig-bw", "128");
    await page.fill("#downtime", "300");
    const [a, b] = [await opSeq(page, "source"), await opSeq(page, "target")];
    await page.click("#precopy");
    // While it runs, the status shows the stream going.
    await page.waitForFunction(() => /precopy (active|setup|completed)/.test(document.getElementById("ops-a")?.textContent ?? ""), undefined, { timeout: 30_000 });
    expect(await waitForOp(page, "source", "precopy", a)).toBe("precopy:completed");
    expect(await waitForOp(page, "target", "incoming", b)).toBe("incoming:completed");
    await expect.poll(() => page.textContent("#ops-a")).toMatch(/^A: precopy completed, in \d+ ms, downtime \d+ ms, \d+ passes$/);
    await expect.poll(() => page.textContent("#ops-b")).toMatch(/^B: incoming completed/);
    await page.screenshot({ path: join(ARTIFACTS, "precopy.png") });
    // The pass chart got one bar per pass.
    const bars = await page.$$eval("[data-testid=chart-passes] canvas", (c) => c.length);
    expect(bars).toBeGreaterThan(0);

    const [t0, target, now] = await digests(page);
    expect(t0![0]).toMatch(/^[0-9a-f]{16}$/);
    expect(target!.slice(0, 3)).toEqual(t0!.slice(0, 3));
    expect(now!.slice(0, 3)).toEqual(t0!.slice(0, 3)); // A stays stopped after switch-over
    expect(target![3]).toBe("equal");
    expect(s.errors).toEqual([]);
  });
});
