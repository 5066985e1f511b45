import { readFile, unlink } from "node:fs/promises";
import { MachineError } from "../errors.js";
import { writeFileReplacing } from "@savevm/format/node";

/** What a pending-checkpoint mark says. */
export interface CheckpointMark {
  /** SHA-256 of the RAM the checkpoint left in the memory file. */
  sha256: string;
  /** When the checkpoint was started (ISO 8601). */
  created: string;
}

/** A mark larger than this is not one this code wrote. */
const MAX_MARK_BYTES = 4096;

/**
 * The file next to a memory file that says a cpr-reboot checkpoint left RAM in it and has not
 * been loaded yet: `<memory file>.checkpoint`. It is written (synced, renamed into place) before
 * the checkpoint's stream, removed when the checkpoint is loaded or its save fails, so a crash
 * in between leaves the mark (a restart then asks to be told what to do) rather than none.
 */
export class CheckpointMarkFile {
  readonly path: string;

  constructor(memoryFile: string) {
    this.path = `${memoryFile}.checkpoint`;
  }

  async read(): Promise<CheckpointMark | undefined> {
    let text: string;
    try {
      const bytes = await readFile(this.path);
      if (bytes.length > MAX_MARK_BYTES) throw new Error(`${bytes.length} bytes`);
      text = bytes.toString("utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new MachineError("CHANNEL", `Could not read checkpoint mark '${this.path}': ${(err as Error).message}`, { cause: err });
    }
    try {
      const mark = JSON.parse(text) as Partial<CheckpointMark>;
      return {
        sha256: String(mark.sha256 ?? ""),
        created: String(mark.created ?? ""),
      };
    } catch {
      // A damaged mark still means a checkpoint may be pending.
      return { sha256: "", created: "" };
    }
  }

  async write(mark: CheckpointMark): Promise<void> {
    await writeFileReplacing(this.path, `${JSON.stringify(mark)}\n`);
  }

  async clear(): Promise<void> {
    await unlink(this.path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "ENOENT") throw err;
    });
  }
}
