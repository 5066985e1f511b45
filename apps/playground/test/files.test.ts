/**
 * Saved states as files: a live snapshot downloaded from OPFS as a QEMU stream passes
 * `savevm inspect` and QEMU's analyze-migration.py; as a libvirt save image it passes
 * `savevm inspect`; the snapshot survives a reload of the page and restores to the T0 state.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANALYZER, inspectState, run, savevm } from "./cli.js";
import { createGuest, digests, liveSnapshot, opSeq, restoreSnapshot, runOp, ROOT, usePlayground, waitForOp } from "./harness.js";

const playground = usePlayground({ beforeAll, afterAll });
const dir = mkdtempSync(join(tmpdir(), "savevm-playground-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function downloadOf(name: string, action: string): Promise<string> {
  const { page } = playground.session;
  const [download] = await Promise.all([page.waitForEvent("download", { timeout: 60_000 }), page.click(`#snapshots li[data-name="${name}"] button[data-action="${action}"]`)]);
  const path = join(dir, download.suggestedFilename());
  await download.saveAs(path);
  return path;
}

describe("saved states in OPFS and on disk", () => {
  let t0: string[] = [];

  it("a live snapshot downloads as a QEMU stream that savevm inspect and analyze-migration.py read", async () => {
    const { page } = playground.session;
    await createGuest(page, { memory: 64 << 20, rate: 32 });
    expect(await liveSnapshot(page, "keep-me")).toBe("live-snapshot:completed");
    t0 = (await digests(page))[0]!;
    expect(t0[0]).toMatch(/^[0-9a-f]{16}$/);

    const file = await downloadOf("keep-me", "download-qemu");
    expect(file.endsWith("keep-me.mig")).toBe(true);
    expect(statSync(file).size).toBeGreaterThan(1 << 20);
    const inspected = await savevm(["inspect", file]);
    expect(inspected.code, inspected.stderr).toBe(0);
    expect(inspected.stdout).toMatch(/machine type\s+savevm-virt-1\.0/);
    const analyzed = await run("python3", [ANALYZER, "-f", file]);
    expect(analyzed.code, analyzed.stderr).toBe(0);
    const theirs = JSON.parse(analyzed.stdout) as Record<string, unknown>;
    const ours = (await inspectState(file)).state;
    expect(Object.keys(theirs).sort()).toEqual(Object.keys(ours).sort());
  });

  it("downloads as a libvirt save image that savevm inspect reads, and the page restores and inspects", async () => {
    const file = await downloadOf("keep-me", "download-libvirt");
    expect(file.endsWith("keep-me.save")).toBe(true);
    const inspected = await savevm(["inspect", file]);
    expect(inspected.code, inspected.stderr).toBe(0);
    expect(inspected.stdout).toMatch(/libvirt save image v2 \(raw\)/);
    expect(inspected.stdout).toMatch(/domain\s+keep-me/);

    // The image opened from disk: restored into machine B (a fresh machine sized from the file) …
    const { page } = playground.session;
    expect(await runOp(page, "target", "restore", () => page.setInputFiles("#restore-file", file))).toBe("restore:completed");
    expect((await digests(page))[1]!.slice(0, 3)).toEqual(t0.slice(0, 3));
    // … and inspected: the container and the stream inside it.
    await page.setInputFiles("#inspect-file", file);
    await page.waitForFunction(() => document.body.dataset.inspected === "keep-me.save", undefined, { timeout: 30_000 });
    const facts = await page.textContent("[data-testid=inspect-header]");
    expect(facts).toMatch(/libvirt save image v2 \(raw\), stream at 0x/);
    expect(facts).toMatch(/domainkeep-me/);
    expect(facts).toMatch(/machine typesavevm-virt-1\.0/);
    await page.click("#tab-source");
  });

  it("machine B refuses a real QEMU guest's stream with QEMU's words", async () => {
    const { page } = playground.session;
    const qemu = join(dir, "pc-stopped.mig");
    writeFileSync(qemu, gunzipSync(readFileSync(join(ROOT, "packages/format/test/fixtures/qemu-7.2/pc-stopped.mig.gz"))));
    expect(await runOp(page, "target", "restore", () => page.setInputFiles("#restore-file", qemu))).toBe("restore:failed");
    expect(await page.textContent("#ops-b")).toMatch(/Machine type received is 'pc-i440fx-7\.2' and local is 'savevm-virt-1\.0'/);
  });

  it("a cancelled live snapshot leaves no file and the guest running", async () => {
    const { page } = playground.session;
    await page.click("#tab-source");
    await page.fill("#snap-name", "never");
    await page.fill("#save-bw", "1");
    const seq = await opSeq(page, "source");
    await page.click("#live");
    await page.waitForFunction(() => /live-snapshot never active/.test(document.getElementById("ops-a")?.textContent ?? ""), undefined, { timeout: 30_000 });
    await page.click("#cancel");
    expect(await waitForOp(page, "source", "live-snapshot", seq)).toBe("live-snapshot:cancelled");
    await page.fill("#save-bw", "0");
    const names = await page.evaluate(async () => {
      const d = await (await navigator.storage.getDirectory()).getDirectoryHandle("snapshots");
      const out: string[] = [];
      for await (const [n] of (d as unknown as { entries(): AsyncIterable<[string]> }).entries()) out.push(n);
      return out.sort();
    });
    expect(names.filter((n) => n.startsWith("never"))).toEqual([]);
    const before = Number(/step (\d+)/.exec((await page.textContent("#map-status")) ?? "")?.[1]);
    await page.waitForTimeout(300);
    const after = Number(/step (\d+)/.exec((await page.textContent("#map-status")) ?? "")?.[1]);
    expect(after).toBeGreaterThan(before);
  });

  it("survives a reload of the page and restores into machine B as the state at T0", async () => {
    const s = playground.session;
    const { page } = s;
    await page.reload();
    await page.waitForSelector("body[data-ready='true']");
    await page.waitForSelector('#snapshots li[data-name="keep-me"]', { timeout: 10_000 });
    expect(await restoreSnapshot(page, "keep-me")).toBe("restore:completed");
    const rows = await digests(page);
    expect(rows[1]!.slice(0, 3)).toEqual(t0.slice(0, 3));
    // Deleted, it is gone from the list and from OPFS.
    await page.click('#snapshots li[data-name="keep-me"] button[data-action="delete"]');
    await page.waitForSelector('#snapshots li[data-name="keep-me"]', { state: "detached", timeout: 10_000 });
    const left = await page.evaluate(async () => {
      const d = await (await navigator.storage.getDirectory()).getDirectoryHandle("snapshots");
      const names: string[] = [];
      for await (const [n] of (d as unknown as { entries(): AsyncIterable<[string]> }).entries()) names.push(n);
      return names;
    });
    expect(left).toEqual([]);
    expect(s.errors).toEqual([]);
  });
});
