import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { readMigrationFile } from "@savevm/format/node";
import { describe, expect, it } from "vitest";
import { processSandbox, startRun } from "./savevm-run.js";

const sandbox = processSandbox("savevm-snapshot-crash-");

const TRIALS = 20;

interface IndexEntry {
  id: string;
  tag: string;
  vmStateSize: number;
}

/** What a snapshot directory's index names, each body checked: present, of its recorded size, a whole stream. */
async function checkStore(store: string): Promise<IndexEntry[]> {
  const indexPath = join(store, "index.json");
  if (!existsSync(indexPath)) return [];
  const index = JSON.parse(readFileSync(indexPath, "utf8")) as { snapshots: IndexEntry[] };
  for (const s of index.snapshots) {
    const body = join(store, `${s.id}.vmstate`);
    expect(existsSync(body), `${s.tag}: ${body} is listed but missing`).toBe(true);
    expect(statSync(body).size, `${s.tag}: ${body} is short`).toBe(s.vmStateSize);
    let records = 0;
    let eof = false;
    for await (const rec of readMigrationFile(body)) {
      records++;
      if (rec.kind === "eof") eof = true;
    }
    expect(eof, `${s.tag}: ${body} ends before its EOF record (${records} records)`).toBe(true);
  }
  return index.snapshots;
}

describe("named snapshots survive kill -9 at random points", () => {
  it(`never leaves an index naming a missing or short body (${TRIALS} trials)`, { timeout: 60_000 }, async () => {
    const store = join(sandbox(), "store");
    let completed = 0;
    let killedDuringSave = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      // Restarting on what the previous kill left also proves the index still opens.
      const p = await startRun(`unix:${join(sandbox(), `t${trial}.qmp`)}`, [
        "--memory",
        "2M",
        "--guest",
        `rate=1M,fill=1M,seed=${trial + 1}`,
        "--snapshots",
        store,
      ]);
      let stop = false;
      let inFlight = false;
      const saving = (async () => {
        for (let k = 0; !stop; k++) {
          inFlight = true;
          // Tags come back, so saves also replace (and delete) earlier bodies.
          const out = (await p.qmp.execute("human-monitor-command", { "command-line": `savevm t${(trial + k) % 3}` })) as string;
          inFlight = false;
          expect(out).toBe("");
          completed++;
        }
      })().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 250));
      stop = true;
      if (inFlight) killedDuringSave++;
      p.child.kill("SIGKILL");
      await p.exited;
      await saving;
      await p.qmp.close().catch(() => undefined);
      await checkStore(store);
    }
    const final = await checkStore(store);
    expect(final.length).toBeGreaterThan(0);
    expect(completed).toBeGreaterThan(TRIALS);
    expect(killedDuringSave).toBeGreaterThan(0);
    // Besides what the index names, only what a kill can leave: temporary files, and bodies the
    // index no longer names (a kill between the index update and their removal).
    const named = new Set(["index.json", ...final.map((s) => `${s.id}.vmstate`)]);
    for (const name of readdirSync(store)) if (!named.has(name)) expect(name).toMatch(/^(\..*\.part|\d+\.vmstate)$/);
  });
});
