/**
 * Files that exist only until an operation finishes: a `.NAME.RANDOM.part` beside the file it will
 * replace. Every one made here is listed process-wide until it is renamed or removed, so a signal
 * handler (the CLI's, on SIGINT/SIGTERM) can remove whatever an interrupted operation left behind.
 */
import { randomBytes } from "node:crypto";
import { unlinkSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

/**
 * The list lives on `globalThis` under a registered symbol, so it stays one list when a process
 * loads two copies of this package, and a signal handler can drain it without importing anything
 * (see {@link TEMPORARY_FILES}).
 */
export interface TemporaryFileList {
  readonly pending: Set<string>;
  removeAll(): string[];
}

/** `globalThis[TEMPORARY_FILES]`: the process-wide list, once any module that writes one is loaded. */
export const TEMPORARY_FILES = Symbol.for("@savevm/format/temporary-files");

const list: TemporaryFileList = ((globalThis as Record<symbol, TemporaryFileList | undefined>)[TEMPORARY_FILES] ??= {
  pending: new Set<string>(),
  removeAll() {
    const removed: string[] = [];
    for (const path of this.pending) {
      try {
        unlinkSync(path);
        removed.push(path);
      } catch {
        // already gone, or never created
      }
    }
    this.pending.clear();
    return removed;
  },
});
const pending = list.pending;

/** A fresh temporary name in the directory of `target`, listed until {@link releaseTemporaryFile}. */
export function temporaryFileFor(target: string): string {
  const path = join(dirname(resolve(target)), `.${basename(target)}.${randomBytes(6).toString("hex")}.part`);
  pending.add(path);
  return path;
}

/** Adds a temporary file made elsewhere to the list. */
export function trackTemporaryFile(path: string): void {
  pending.add(resolve(path));
}

/** Takes a file off the list: it was renamed into place or removed. */
export function releaseTemporaryFile(path: string): void {
  pending.delete(resolve(path));
}

/** The temporary files that exist right now (made and neither renamed nor removed). */
export function pendingTemporaryFiles(): string[] {
  return [...pending];
}

/**
 * Removes every listed temporary file, synchronously so that it can run in a signal handler just
 * before the process exits. Returns the paths removed.
 */
export function removeTemporaryFiles(): string[] {
  return list.removeAll();
}
