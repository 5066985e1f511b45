import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, createGuest, digests, liveSnapshot, restoreSnapshot, usePlayground } from "./harness.js";

const playground = usePlayground({ beforeAll, afterAll });

describe("a 256 MiB guest in the page", () => {
  it("takes a live snapshot while writing; machine B restored from it equals the source at T0", async () => {
    const s = playground.session;
    const { page } = s;
    expect(await page.getAttribute("#isolation", "data-isolated")).toBe("true");
    await createGuest(page, { memory: 256 << 20, rate: 64 });
    await page.waitForTimeout(500);
    await page.selectOption("#queue", "1024");
    expect(await liveSnapshot(page, "live-256")).toBe("live-snapshot:completed");
    await page.screenshot({ path: join(ARTIFACTS, "live-snapshot.png") });
    expect(await restoreSnapshot(page, "live-256")).toBe("restore:completed");
    // Machine B's load shared its page writes with the browser StagingHelper's worker.
    expect(Number(await page.getAttribute("body", "data-target-staging-lanes"))).toBeGreaterThan(0);
    const [t0, restored, now] = await digests(page);
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
