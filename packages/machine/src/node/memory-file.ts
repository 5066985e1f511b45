import { open, stat, type FileHandle } from "node:fs/promises";
import { MachineError } from "../errors.js";
import type { Machine } from "../machine.js";
import { TARGET_PAGE_SIZE, type RamBlock } from "../ram/ram-block.js";
import type { RamBacking } from "../save/memory-file-entry.js";
import { CheckpointMarkFile } from "./checkpoint-mark.js";

export interface MemoryFileOptions {
  intervalMs?: number;
  /**
   * The file holds the RAM of a checkpoint that was not loaded, and this machine is not waiting
   * for an incoming migration: boot afresh on that RAM anyway (`--force-fresh-boot`) instead of
   * refusing. The mark is removed and `warn` told.
   */
  forceFreshBoot?: boolean;
  warn?: (message: string) => void;
}

/** Pages copied out of guest RAM per file write. */
const BATCH_PAGES = 256;

/** Whether `path` holds a memory file of exactly `size` bytes (one a restart can take over). */
export async function memoryFileMatches(path: string, size: number): Promise<boolean> {
  try {
    return (await stat(path)).size === size;
  } catch {
    return false;
  }
}

/**
 * Guest RAM backed by a file, for checkpoint/restart (`savevm run --memory-file PATH`). This is
 * a write-back, not a shared mapping: guest RAM stays in (WebAssembly) memory, every guest write
 * marks its page, and the marked pages are written to the file every `intervalMs` and on
 * `flush()`. Only after a flush with the guest stopped does the file hold the guest's RAM exactly;
 * a cpr-reboot checkpoint does that flush (and an fsync) before it writes anything.
 */
export class MemoryFile implements RamBacking {
  readonly location: string;
  readonly block: RamBlock;
  readonly #handle: FileHandle;
  readonly #dirty: Uint8Array;
  #dirtyCount = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #writing: Promise<void> = Promise.resolve();
  #closed = false;
  readonly #detach: (() => void)[] = [];
  readonly #mark: CheckpointMarkFile;
  #markOps: Promise<void> = Promise.resolve();

  private constructor(machine: Machine, path: string, handle: FileHandle) {
    this.location = path;
    this.#mark = new CheckpointMarkFile(path);
    this.block = machine.mainRam;
    this.#handle = handle;
    this.#dirty = new Uint8Array(this.block.pageCount);
    const block = this.block;
    this.#detach.push(
      machine.ram.addWriteHook((b, page) => {
        if (b === block && this.#dirty[page] === 0) {
          this.#dirty[page] = 1;
          this.#dirtyCount++;
        }
      }),
      // A load put other storage in place: every page may differ from the file, and a pending
      // checkpoint of the old content is void.
      block.onReplace(() => {
        this.#markAll();
        void this.clearCheckpoint().catch(() => undefined);
      }),
    );
  }

  /**
   * Backs the machine's main RAM block with the file at `path`. An existing file must have the
   * block's size and becomes the guest's RAM; a missing one is created (sparse, mode 0600) and
   * receives the RAM as it is now.
   */
  static async open(machine: Machine, path: string, options: MemoryFileOptions = {}): Promise<MemoryFile> {
    const block = machine.mainRam;
    let handle: FileHandle;
    let existed = true;
    try {
      handle = await open(path, "r+");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
        throw new MachineError("CHANNEL", `Could not open memory file '${path}': ${(err as Error).message}`, { cause: err });
      }
      handle = await open(path, "wx+", 0o600);
      existed = false;
    }
    try {
      const size = (await handle.stat()).size;
      if (existed && size !== block.size) {
        throw new MachineError(
          "INVALID_CONFIG",
          `Memory file '${path}' has ${size} bytes, but guest RAM is ${block.size} bytes: it belongs to another machine`,
        );
      }
      const file = new MemoryFile(machine, path, handle);
      if (existed) await file.#checkPending(machine, options);
      if (existed) await file.#readInto();
      else {
        await handle.truncate(block.size);
        file.#markTouched();
      }
      machine.attachRamBacking(file);
      const interval = options.intervalMs ?? 200;
      file.#timer = setInterval(() => void file.sync().catch(() => undefined), interval);
      (file.#timer as { unref?: () => void }).unref?.();
      return file;
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw err;
    }
  }

  /**
   * A checkpoint left RAM here and was never loaded: only a machine that will load a stream may
   * start on it, unless told to boot afresh.
   */
  async #checkPending(machine: Machine, options: MemoryFileOptions): Promise<void> {
    const mark = await this.#mark.read();
    if (!mark || machine.incomingExpected) return;
    const when = mark.created ? ` (written ${mark.created})` : "";
    if (!options.forceFreshBoot) {
      throw new MachineError(
        "CHECKPOINT_PENDING",
        `Memory file '${this.location}' holds the RAM of a cpr-reboot checkpoint that was not loaded${when}: ` +
          "start with --incoming defer and load its state file (migrate-incoming file:STATE, or cprload), " +
          "or with --force-fresh-boot to boot fresh devices on that RAM",
      );
    }
    options.warn?.(`savevm: booting fresh devices on the RAM of an unloaded checkpoint in '${this.location}'${when} (--force-fresh-boot)`);
    await this.#mark.clear();
  }

  markCheckpoint(sha256: string): Promise<void> {
    return this.#inOrder(() => this.#mark.write({ sha256, created: new Date().toISOString() }));
  }

  clearCheckpoint(): Promise<void> {
    return this.#inOrder(() => this.#mark.clear());
  }

  /** One mark operation at a time: a late removal must not take away a newer mark. */
  #inOrder(operation: () => Promise<void>): Promise<void> {
    const next = this.#markOps.then(operation);
    this.#markOps = next.catch(() => undefined);
    return next;
  }

  /** Pages written since the last sync. */
  get dirtyPages(): number {
    return this.#dirtyCount;
  }

  async #readInto(): Promise<void> {
    const block = this.block;
    for (let at = 0; at < block.size; ) {
      const view = block.memory.span(at, Math.min(16 << 20, block.size - at));
      let done = 0;
      while (done < view.length) {
        const { bytesRead } = await this.#handle.read(view, done, view.length - done, at + done);
        if (bytesRead === 0) throw new MachineError("CHANNEL", `Memory file '${this.location}' ended at byte ${at + done}`);
        done += bytesRead;
      }
      at += view.length;
    }
    // Unknown content: every page may be non-zero.
    block.touched.fill(1);
  }

  #markAll(): void {
    this.#dirty.fill(1);
    this.#dirtyCount = this.#dirty.length;
  }

  /** A new file is sparse (zero): only pages that may hold something need writing. */
  #markTouched(): void {
    const touched = this.block.touched;
    for (let p = 0; p < touched.length; p++) {
      if (touched[p] === 1 && this.#dirty[p] === 0) {
        this.#dirty[p] = 1;
        this.#dirtyCount++;
      }
    }
  }

  /** Writes the pages marked since the last sync (one sync at a time). */
  sync(): Promise<void> {
    const next = this.#writing.then(() => this.#writeDirty());
    this.#writing = next.catch(() => undefined);
    return next;
  }

  async #writeDirty(): Promise<void> {
    if (this.#closed || this.#dirtyCount === 0) return;
    const dirty = this.#dirty;
    const buffer = new Uint8Array(BATCH_PAGES * TARGET_PAGE_SIZE);
    for (let page = dirty.indexOf(1); page >= 0 && page < dirty.length; page = dirty.indexOf(1, page)) {
      let count = 0;
      // Copied out before the (asynchronous) write: the guest may write the page meanwhile, and
      // then marks it again for the next sync.
      while (count < BATCH_PAGES && page + count < dirty.length && dirty[page + count] === 1) {
        dirty[page + count] = 0;
        buffer.set(this.block.page(page + count), count * TARGET_PAGE_SIZE);
        count++;
      }
      this.#dirtyCount -= count;
      const length = count * TARGET_PAGE_SIZE;
      let written = 0;
      while (written < length) {
        const { bytesWritten } = await this.#handle.write(buffer, written, length - written, page * TARGET_PAGE_SIZE + written);
        written += bytesWritten;
      }
      page += count;
    }
  }

  /** Brings the file up to date and makes it durable (fsync). */
  async flush(): Promise<void> {
    await this.sync();
    await this.#handle.sync();
  }

  /** Final flush, then the file is released. */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    try {
      await this.flush();
    } finally {
      this.#closed = true;
      for (const detach of this.#detach) detach();
      await this.#handle.close();
    }
  }
}
