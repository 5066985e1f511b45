import type { HasherFactory } from "../digest.js";
import { MachineError } from "../errors.js";
import type { RamBlock } from "../ram/ram-block.js";
import type { LoadTransaction, SaveContext, SaveHandler } from "./handler.js";
import type { IncomingSection } from "./incoming-section.js";
import { SaveMode } from "./save-mode.js";
import type { VMStateDescription } from "./vmstate.js";

/**
 * Guest RAM kept in a file outside the stream, written back from memory (not a shared mapping:
 * the file is brought up to date by writing the pages the guest changed).
 */
export interface RamBacking {
  /** Where the RAM is kept (a path), for messages. */
  readonly location: string;
  /** Writes every page changed since the last flush, and makes the file durable. */
  flush(): Promise<void>;
  /**
   * A checkpoint that leaves RAM here is being written (RAM flushed, `sha256` its digest): until
   * it is loaded, a restart must not boot fresh devices on this RAM. The mark outlives the process.
   */
  markCheckpoint?(sha256: string): Promise<void>;
  /** The checkpoint was loaded, or was never completed: the mark goes away. */
  clearCheckpoint?(): Promise<void>;
}

/** What a checkpoint records about a RAM block it left in its memory file. */
export const MEMORY_FILE_VMSD: VMStateDescription = {
  name: "memory-file",
  version_id: 1,
  minimum_version_id: 1,
  fields: [
    { name: "size", type: "uint64" },
    { name: "sha256", type: "buffer", size: 32 },
  ],
};

async function sha256Of(block: RamBlock, hasher: HasherFactory): Promise<string> {
  const hash = hasher();
  block.forEachSpan((bytes) => hash.update(bytes));
  return hash.digest();
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from({ length: hex.length / 2 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The `memory-file` section of a cpr-reboot checkpoint: the size and SHA-256 of the RAM block it
 * left in the memory file. Loading it checks that this machine keeps that block in a memory file
 * and that the file (read at start) still holds exactly what the checkpoint left there.
 */
export class MemoryFileEntry implements SaveHandler {
  readonly idstr = "memory-file";
  readonly instanceId = 0;
  readonly versionId = 1;
  readonly minimumVersionId = 1;
  readonly modes = SaveMode.MIGRATE | SaveMode.REBOOT;
  readonly excludeFromDigest = true;
  readonly #block: RamBlock;
  readonly #hasher: HasherFactory;
  #backing: RamBacking | undefined;
  #digest: string | undefined;

  constructor(block: RamBlock, hasher: HasherFactory) {
    this.#block = block;
    this.#hasher = hasher;
  }

  get backing(): RamBacking | undefined {
    return this.#backing;
  }

  attach(backing: RamBacking): void {
    this.#backing = backing;
    this.#block.shared = true;
  }

  /** With the guest stopped: the file brought up to date, and the digest the section records. */
  async prepare(): Promise<void> {
    if (!this.#backing) return;
    await this.#backing.flush();
    this.#digest = await sha256Of(this.#block, this.#hasher);
    await this.#backing.markCheckpoint?.(this.#digest);
  }

  /** The checkpoint failed or was cancelled: the guest goes on with this RAM. */
  async abandon(): Promise<void> {
    await this.#backing?.clearCheckpoint?.().catch(() => undefined);
  }

  needed(ctx: SaveContext): boolean {
    return ctx.kind === "REBOOT" && this.#backing !== undefined && (this.#digest !== undefined || ctx.sizing === true);
  }

  save(ctx: SaveContext): void {
    // A size estimate runs before the digest exists; the digest's size is all it needs.
    const sha256 = this.#digest !== undefined ? hexBytes(this.#digest) : new Uint8Array(32);
    ctx.sink.device({ vmsd: MEMORY_FILE_VMSD, state: { size: BigInt(this.#block.size), sha256 } });
  }

  cleanup(): void {
    this.#digest = undefined;
  }

  beginLoad(): LoadTransaction {
    return {
      apply: (section: IncomingSection) => this.#check(section),
      // The checkpoint is taken over: the memory file's RAM is this machine's again. A mark that
      // could not be removed errs on the safe side (the next restart asks for --force-fresh-boot).
      commit: () => void this.#backing?.clearCheckpoint?.().catch(() => undefined),
      abort() {},
    };
  }

  async #check(section: IncomingSection): Promise<void> {
    const where = { offset: section.offset, section: this.idstr };
    if (section.body.kind !== "vmstate") throw new MachineError("LOAD_FAILED", "memory-file must be a device section", where);
    const block = this.#block;
    const backing = this.#backing;
    if (!backing) {
      throw new MachineError(
        "LOAD_FAILED",
        `This checkpoint left guest RAM (${block.name}) in a memory file, and this machine has none: start it with the same --memory-file`,
        where,
      );
    }
    const size = Number(section.body.state["size"] as bigint);
    if (size !== block.size) {
      throw new MachineError("LOAD_FAILED", `Memory file '${backing.location}' holds ${block.size} bytes of RAM, the checkpoint left ${size}`, where);
    }
    const expected = toHex(section.body.state["sha256"] as Uint8Array);
    const actual = await sha256Of(block, this.#hasher);
    if (actual !== expected) {
      throw new MachineError(
        "LOAD_FAILED",
        `Memory file '${backing.location}' does not match the checkpoint: its content changed since it was written (SHA-256 ${actual}, expected ${expected})`,
        where,
      );
    }
  }
}
