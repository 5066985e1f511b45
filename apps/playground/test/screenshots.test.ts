/**
 * Screenshots of each main view (saved under test-artifacts/), read back as pixels: not blank,
 * and the page map shows the kind colour of pages whose kind Node's scanner gives for the same
 * deterministic guest.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";
import { createMachine, parseGuestOptions } from "@savevm/machine";
import { GuestMemory } from "@savevm/ram-wasm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guestOptionText } from "../src/shared/guest-options.js";
import type { GuestSettings } from "../src/shared/protocol.js";
import { DIRTY_COLOUR, KIND_COLOURS, QUEUED_COLOUR } from "../src/ui/page-map.js";
import { ARTIFACTS, createGuest, liveSnapshot, restoreSnapshot, ROOT, opSeq, usePlayground, waitForOp } from "./harness.js";
import { colourCount, decodePng, type Image } from "./png.js";

const MEMORY = 64 << 20;
const SETTINGS: GuestSettings = {
  memory: MEMORY,
  rate: 0,
  mix: "zero:50/uniform:10/duplicate:15/random:25",
  hot: "",
  seed: 1,
  fill: (MEMORY * 3) / 4,
  queuePages: 4096,
  running: true,
};

const playground = usePlayground({ beforeAll, afterAll });

/** Kinds of the same guest in Node: the playground's options, scanned with @savevm/ram-wasm. */
function nodeKinds(): Uint8Array {
  const machine = createMachine({ memory: MEMORY, startPaused: true, guest: parseGuestOptions(guestOptionText(SETTINGS)) });
  try {
    const memory = machine.mainRam.memory as GuestMemory;
    return memory.createScanner().scan(0, memory.pages).kinds.slice();
  } finally {
    machine.destroy();
  }
}

async function shoot(name: string): Promise<{ image: Image; map: { left: number; top: number; width: number; height: number; cols: number; rows: number; perCell: number } }> {
  const path = join(ARTIFACTS, `${name}.png`);
  const s = playground.session;
  await s.page.mouse.move(0, 0);
  await s.page.screenshot({ path });
  const image = decodePng(readFileSync(path));
  const map = await s.page.$eval("#map", (c) => {
    const r = c.getBoundingClientRect();
    const d = (c as HTMLCanvasElement).dataset;
    return { left: r.left, top: r.top, width: r.width, height: r.height, cols: Number(d.cols), rows: Number(d.rows), perCell: Number(d.perCell) };
  });
  return { image, map };
}

function pixelOfPage(shot: Awaited<ReturnType<typeof shoot>>, page: number): [number, number, number] {
  const { map } = shot;
  const cell = Math.floor(page / map.perCell);
  const x = map.left + ((cell % map.cols) + 0.5) * (map.width / map.cols);
  const y = map.top + (Math.floor(cell / map.cols) + 0.5) * (map.height / map.rows);
  return shot.image.pixel(Math.floor(x), Math.floor(y));
}

describe("screenshots at 1280x800", () => {
  it("machine A's page map shows each page's kind in its colour", async () => {
    const { page } = playground.session;
    await createGuest(page, { memory: MEMORY, rate: 0 });
    await page.waitForTimeout(300);
    const shot = await shoot("machine-a");
    expect(colourCount(shot.image)).toBeGreaterThan(8);
    const kinds = nodeKinds();
    const checked: string[] = [];
    for (let kind = 0; kind < 4; kind++) {
      // A few pages of each kind, spread over RAM.
      const pages = [...kinds.keys()].filter((p) => kinds[p] === kind);
      expect(pages.length, `pages of kind ${kind}`).toBeGreaterThan(0);
      for (const p of [pages[0]!, pages[Math.floor(pages.length / 2)]!, pages[pages.length - 1]!]) {
        expect(pixelOfPage(shot, p), `page ${p} (address 0x${(p * 4096).toString(16)}) of kind ${kind}`).toEqual([...KIND_COLOURS[kind]!]);
        checked.push(`${p}:${kind}`);
      }
    }
    expect(checked).toHaveLength(12);
  });

  it("the tooltip names a page's address, kind and state", async () => {
    const { page } = playground.session;
    const box = (await page.$("#map"))!;
    const r = (await box.boundingBox())!;
    await page.mouse.move(r.x + 2, r.y + 2);
    await expect.poll(() => page.textContent("#tip")).toMatch(/^page 0 at 0x00000000\nkind: (zero|uniform|duplicate|unique)\nstate: /);
    await page.screenshot({ path: join(ARTIFACTS, "tooltip.png") });
    // Keyboard: focus the map, move right, the tooltip follows.
    await page.focus("#map");
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => page.textContent("#tip")).toMatch(/^page 1 at 0x00001000/);
  });

  it("while a live snapshot runs, the map shows pending, queued, dirtied and written pages", async () => {
    const { page } = playground.session;
    await page.fill("#rate", "32");
    await page.dispatchEvent("#rate", "change");
    await page.fill("#save-bw", "6");
    await page.fill("#snap-name", "slow");
    const before = await opSeq(page, "source");
    await page.click("#live");
    await page.waitForFunction(() => /live-snapshot slow active/.test(document.getElementById("ops-a")?.textContent ?? ""), undefined, { timeout: 30_000 });
    await page.waitForTimeout(700);
    const shot = await shoot("live-snapshot-running");
    const seen = new Map<string, number>();
    const { map } = shot;
    for (let y = Math.ceil(map.top); y < map.top + map.height - 1; y += 2) {
      for (let x = Math.ceil(map.left); x < map.left + map.width - 1; x += 2) {
        const key = shot.image.pixel(x, y).join(",");
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
    }
    const count = (c: readonly number[]) => seen.get(c.join(",")) ?? 0;
    const pending = KIND_COLOURS.slice(0, 4).reduce((n, k) => n + count(k.map((v) => (v + 255) >> 1)), 0);
    const written = KIND_COLOURS.slice(0, 4).reduce((n, k) => n + count(k.map((v) => Math.floor((v * 45) / 100))), 0);
    expect(pending, "pixels of pending pages").toBeGreaterThan(100);
    expect(written, "pixels of written pages").toBeGreaterThan(100);
    expect(count(DIRTY_COLOUR) + count(QUEUED_COLOUR), "pixels of dirtied or queued pages").toBeGreaterThan(0);
    await page.click("#cancel");
    expect(await waitForOp(page, "source", "live-snapshot", before)).toBe("live-snapshot:cancelled");
    await page.fill("#save-bw", "0");
  });

  it("a live snapshot and machine B restored from it: views with overlays, not blank", async () => {
    const { page } = playground.session;
    await page.fill("#rate", "64");
    await page.dispatchEvent("#rate", "change");
    expect(await liveSnapshot(page, "shots")).toBe("live-snapshot:completed");
    const a = await shoot("machine-a-after-snapshot");
    expect(colourCount(a.image)).toBeGreaterThan(8);
    expect(await restoreSnapshot(page, "shots")).toBe("restore:completed");
    await page.waitForTimeout(200);
    const b = await shoot("machine-b");
    expect(colourCount(b.image)).toBeGreaterThan(8);
  });

  it("the inspect view of a real QEMU 7.2 file", async () => {
    const s = playground.session;
    const { page } = s;
    const fixture = join(ROOT, "packages/format/test/fixtures/qemu-7.2/pc-stopped.mig.gz");
    await page.setInputFiles("#inspect-file", { name: "pc-stopped.mig", mimeType: "application/octet-stream", buffer: gunzipSync(readFileSync(fixture)) });
    await page.waitForFunction(() => document.body.dataset.inspected === "pc-stopped.mig", undefined, { timeout: 30_000 });
    const shot = await shoot("inspect");
    expect(colourCount(shot.image)).toBeGreaterThan(8);
    expect(s.errors).toEqual([]);
  });
});
