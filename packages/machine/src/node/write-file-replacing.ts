import { randomBytes } from "node:crypto";
import { open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Writes `text` as `path` (mode 0600) through a temporary file in the same directory, renamed
 * over `path` only once complete (`durable`: synced to disk first), so a reader or a crash sees
 * the old file or the new one, never half of one. A failure removes the temporary file.
 */
export async function writeFileReplacing(path: string, text: string, options: { durable?: boolean } = {}): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.part`);
  const handle = await open(temp, "wx", 0o600);
  try {
    try {
      await handle.writeFile(text);
      if (options.durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}
