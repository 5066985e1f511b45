/**
 * Each real QEMU 7.2 fixture dropped on the page: the sections table and every device value the
 * tree shows equal what `savevm inspect --json` (the CLI, run from node) prints for the file.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { summarizeStream } from "@savevm/format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectState } from "./cli.js";
import { ROOT, usePlayground } from "./harness.js";

const FIXTURES = join(ROOT, "packages/format/test/fixtures/qemu-7.2");
const files = readdirSync(FIXTURES).filter((f) => f.endsWith(".mig.gz"));

const playground = usePlayground({ beforeAll, afterAll });

/** The tree's leaves: a leaf is a plain value or a list of plain values, shown as JSON. */
function leaves(value: unknown, path: string[] = [], out = new Map<string, string>()): Map<string, string> {
  const plain = (v: unknown) => v === null || typeof v !== "object";
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const p = [...path, key];
    if (plain(v) || (Array.isArray(v) && v.every(plain))) out.set(JSON.stringify(p), JSON.stringify(v));
    else leaves(v, p, out);
  }
  return out;
}

async function drop(name: string, bytes: Buffer): Promise<void> {
  const s = playground.session;
  await s.page.evaluate(
    async ({ name, base64 }) => {
      const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([data], name));
      document.getElementById("center")!.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
    },
    { name, base64: bytes.toString("base64") },
  );
  const outcome = await s.page.waitForFunction(
    (n) => (document.body.dataset.inspected === n ? "ok" : document.getElementById("op-status")?.dataset.status === "failed" ? document.getElementById("op-status")!.textContent : false),
    name,
    { timeout: 30_000 },
  );
  const text = await outcome.jsonValue();
  if (text !== "ok") throw new Error(`the page could not inspect ${name}: ${String(text)}`);
}

describe("real QEMU 7.2 files dropped on the page", () => {
  it("finds the fixtures", () => expect(files.length).toBeGreaterThanOrEqual(8));

  it.each(files)("%s: sections and device values equal savevm inspect --json", async (file) => {
    const path = join(FIXTURES, file);
    const gz = readFileSync(path);
    await drop(file, gz);
    const s = playground.session;
    const { page } = s;
    const [cli, summary] = await Promise.all([inspectState(path), summarizeStream(gunzipSync(gz))]);

    const rows = await page.$$eval("[data-testid=sections] tbody tr", (trs) => trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent ?? "")));
    const expected = summary.sections.map((x) => [String(x.sectionId), x.type.toUpperCase(), x.idstr, String(x.instanceId), String(x.version), `0x${x.offset.toString(16)}`, String(x.size)]);
    expect(rows).toEqual(expected);
    const cliSections = cli.json.sections as { "section-id": number; idstr: string; offset: number; size: number }[] | undefined;
    if (cliSections) expect(rows.map((r) => [Number(r[0]), r[2], Number.parseInt(r[5]!, 16), Number(r[6])])).toEqual(cliSections.map((x) => [x["section-id"], x.idstr, x.offset, x.size]));

    const shown = new Map(
      await page.$$eval("[data-testid=device-tree] code[data-path]", (codes) => codes.map((c) => [c.getAttribute("data-path")!, c.textContent ?? ""] as [string, string])),
    );
    const want = leaves(cli.state);
    expect(want.size).toBeGreaterThan(10);
    expect([...shown.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [k, v] of want) expect(shown.get(k), k).toBe(v);
    expect(s.errors).toEqual([]);
  });
});
