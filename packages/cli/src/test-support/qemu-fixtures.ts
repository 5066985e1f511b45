/** QEMU 7.2's saved streams that @savevm/format keeps as test fixtures, for CLI tests to run on. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

/** The fixture directory: `pc-running.mig.gz`, `pc-stopped.mig.gz`, `pc-running.pmem.gz`, … (all gzipped). */
export const QEMU_FIXTURES = new URL("../../../format/test/fixtures/qemu-7.2/", import.meta.url).pathname;

/** The fixture file `name` (with its `.gz`), decompressed. */
export async function readFixture(name: string): Promise<Buffer> {
  return gunzipSync(await readFile(join(QEMU_FIXTURES, name)));
}
