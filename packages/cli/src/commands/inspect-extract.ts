/**
 * `savevm inspect --extract DIR`: one raw file per RAM block, plus desc.json and state.json, as
 * `analyze-migration.py -x` writes them. Loaded only with --extract: a plain inspect never needs
 * the RAM applier or the file writers.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { RamApplier, formatQemuJson, type MigrationRecord, type VmdescRecord } from "@savevm/format";
import { FileRamSink } from "@savevm/format/node";
import { replaceFile } from "../output-file.js";

export interface Extraction {
  /** Block name → file path, for the blocks written so far. */
  readonly files: ReadonlyMap<string, string>;
  /** Every record of the stream, in order: RAM records write pages, MEM_SIZE makes the files. */
  apply(rec: MigrationRecord): void;
  /** Writes desc.json and state.json, then renames the block files into place. */
  finish(vmdesc: VmdescRecord | undefined, state: unknown): Promise<void>;
  /** Removes what was written; files already in `dir` before stay as they were. */
  abort(): void;
}

export async function startExtraction(dir: string): Promise<Extraction> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const writer = new FileRamSink(dir);
  const applier = new RamApplier(writer);
  return {
    files: writer.files,
    apply: (rec) => applier.apply(rec),
    async finish(vmdesc, state) {
      try {
        if (vmdesc) await writePrivate(join(dir, "desc.json"), formatQemuJson(vmdesc.description) + "\n");
        await writePrivate(join(dir, "state.json"), JSON.stringify(state, null, 4) + "\n");
      } catch (err) {
        writer.abort();
        throw err;
      }
      await writer.close();
    },
    abort: () => writer.abort(),
  };
}

/** desc.json and state.json sit beside the RAM files and are as private (they hold device state). */
async function writePrivate(path: string, text: string): Promise<void> {
  const out = await replaceFile(path, 0o600);
  try {
    await out.write(new TextEncoder().encode(text));
    await out.commit();
  } catch (err) {
    await out.abort();
    throw err;
  }
}
