import { readdirSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { decodeMigrationStream, encodeMigrationStream, type MigrationRecord } from "@savevm/format";

/** The real QEMU 7.2 streams @savevm/format's tests keep (migrate to file, exec:gzip). */
const QEMU_FIXTURES = new URL("../../format/test/fixtures/qemu-7.2/", import.meta.url);

/** Every real migration stream fixture, uncompressed, by file name. */
export function qemuStreams(): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const name of readdirSync(QEMU_FIXTURES).sort()) {
    if (!name.endsWith(".mig.gz")) continue;
    out.set(name, new Uint8Array(gunzipSync(readFileSync(new URL(name, QEMU_FIXTURES)))));
  }
  return out;
}

/** Decoded records of every fixture (the RAM page data copied out of the reused records). */
export async function qemuRecords(): Promise<Map<string, MigrationRecord[]>> {
  const out = new Map<string, MigrationRecord[]>();
  for (const [name, bytes] of qemuStreams()) out.set(name, await decodeMigrationStream(bytes));
  return out;
}

/**
 * A real stream with most RAM pages left out: every device section and the
 * first few records of each RAM record type per section stay (and, unless left out, the vmdesc
 * trailer, QEMU's 100 KiB of JSON). Small inputs run fast, so the fuzzer spends its time on the
 * structure rather than on copying pages.
 */
export function reducedStream(records: readonly MigrationRecord[], keepPerSection = 3, withVmdesc = true): Uint8Array {
  const kept: MigrationRecord[] = [];
  const counts = new Map<string, number>();
  let lastBlockKept: string | undefined;
  for (const rec of records) {
    if (rec.kind === "ram" && rec.type !== "mem-size" && rec.type !== "eos" && rec.type !== "multifd-flush") {
      const key = `${rec.sectionId}:${rec.type}`;
      const n = counts.get(key) ?? 0;
      // A record that leaves out its block name needs the record before it to be of that block.
      if (n >= keepPerSection || (rec.continued && lastBlockKept !== rec.block)) continue;
      counts.set(key, n + 1);
      lastBlockKept = rec.block;
    }
    if (rec.kind === "vmdesc" && !withVmdesc) continue;
    kept.push(rec);
  }
  return encodeMigrationStream(kept);
}
