import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { open, rename, rm, type FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createFileSink, openReplacingFile, pendingTemporaryFiles, writeFileReplacing, type ReplaceFileSystem } from "./node.js";

const dir = mkdtempSync(join(tmpdir(), "savevm-replacing-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Node's file system, logging each open, write, sync, close and rename (paths relative to `dir`). */
function recordingFs(failAt?: string): { fs: ReplaceFileSystem; log: string[] } {
  const log: string[] = [];
  const name = (path: string) => (path === dir ? "<dir>" : path.startsWith(".", dir.length + 1) ? "<temp>" : path.slice(dir.length + 1));
  const step = (entry: string) => {
    log.push(entry);
    if (entry === failAt) throw Object.assign(new Error(`injected failure at ${entry}`), { code: "EIO" });
  };
  const fs: ReplaceFileSystem = {
    async open(path, flags, mode) {
      step(`open ${name(path)}`);
      const handle = await open(path, flags, mode);
      const wrapped: Partial<FileHandle> = {
        write: (async (...args: Parameters<FileHandle["write"]>) => {
          step(`write ${name(path)}`);
          return handle.write(...(args as unknown as [Uint8Array]));
        }) as FileHandle["write"],
        sync: async () => {
          step(`sync ${name(path)}`);
          return handle.sync();
        },
        close: async () => {
          log.push(`close ${name(path)}`);
          return handle.close();
        },
      };
      return Object.assign(Object.create(handle) as FileHandle, wrapped);
    },
    async rename(from, to) {
      step(`rename ${name(from)} ${name(to)}`);
      return rename(from, to);
    },
    async rm(path, options) {
      log.push(`rm ${name(path)}`);
      return rm(path, options);
    },
  };
  return { fs, log };
}

const onlyTarget = (file: string) => readdirSync(dir).filter((f) => f === file || f.startsWith(`.${file}.`));

describe("writeFileReplacing", () => {
  it("syncs the data before the rename and the directory after it", async () => {
    const target = join(dir, "ordered.json");
    const { fs, log } = recordingFs();
    await writeFileReplacing(target, "new\n", { fs });
    expect(log).toEqual([
      "open <temp>",
      "write <temp>",
      "sync <temp>",
      "close <temp>",
      "rename <temp> ordered.json",
      "open <dir>",
      "sync <dir>",
      "close <dir>",
    ]);
    expect(readFileSync(target, "utf8")).toBe("new\n");
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(onlyTarget("ordered.json")).toEqual(["ordered.json"]);
  });

  for (const failAt of ["write <temp>", "sync <temp>", "rename <temp> kept.json"]) {
    it(`keeps the old file and leaves no temporary file when ${failAt.split(" ")[0]} fails`, async () => {
      const target = join(dir, "kept.json");
      writeFileSync(target, "old");
      const { fs, log } = recordingFs(failAt);
      await expect(writeFileReplacing(target, "new", { fs })).rejects.toThrow(`injected failure at ${failAt}`);
      expect(readFileSync(target, "utf8")).toBe("old");
      expect(onlyTarget("kept.json")).toEqual(["kept.json"]);
      expect(log).toContain("rm <temp>");
      expect(pendingTemporaryFiles()).toEqual([]);
    });
  }

  it("reports a failed directory sync (the data may not survive a power cut)", async () => {
    const target = join(dir, "dirsync.json");
    const { fs } = recordingFs("sync <dir>");
    await expect(writeFileReplacing(target, "x", { fs })).rejects.toThrow("injected failure at sync <dir>");
    expect(readFileSync(target, "utf8")).toBe("x");
  });

  it("takes a mode and binary data", async () => {
    const target = join(dir, "mode.bin");
    await writeFileReplacing(target, new Uint8Array([1, 2, 3]), { mode: 0o640 });
    expect([...readFileSync(target)]).toEqual([1, 2, 3]);
    expect(statSync(target).mode & 0o600).toBe(0o600);
  });
});

describe("openReplacingFile", () => {
  it("lists the temporary file process-wide until commit, and abort removes it", async () => {
    const target = join(dir, "listed.mig");
    writeFileSync(target, "old");
    const aborted = await openReplacingFile(target);
    await aborted.write(new Uint8Array([9]));
    expect(pendingTemporaryFiles()).toEqual([aborted.temporary]);
    await aborted.abort();
    expect(existsSync(aborted.temporary)).toBe(false);
    expect(pendingTemporaryFiles()).toEqual([]);
    expect(readFileSync(target, "utf8")).toBe("old");

    const committed = await openReplacingFile(target);
    await committed.handle.write(new Uint8Array([7, 8]), 0, 2, 0);
    await committed.commit();
    await committed.abort();
    expect([...readFileSync(target)]).toEqual([7, 8]);
    expect(pendingTemporaryFiles()).toEqual([]);
    await expect(committed.commit()).rejects.toThrow("already committed");
  });

  it("uses a given temporary name, and refuses one that exists", async () => {
    const temporary = join(dir, ".given.tmp");
    const file = await openReplacingFile(join(dir, "given.json"), { temporary });
    expect(file.temporary).toBe(temporary);
    await expect(openReplacingFile(join(dir, "given.json"), { temporary })).rejects.toMatchObject({ code: "EEXIST" });
    expect(pendingTemporaryFiles()).toEqual([temporary]);
    await file.commit();
    expect(existsSync(temporary)).toBe(false);
  });
});

describe("createFileSink", () => {
  it("shows the file only on close; abort keeps the old one", async () => {
    const target = join(dir, "sink.mig");
    writeFileSync(target, "old");
    const aborted = createFileSink(target);
    await aborted.sink(new Uint8Array([1, 2]));
    expect(readFileSync(target, "utf8")).toBe("old");
    await aborted.abort();
    expect(onlyTarget("sink.mig")).toEqual(["sink.mig"]);

    const closed = createFileSink(target);
    void closed.sink(new Uint8Array([1, 2]));
    void closed.sink(new Uint8Array([3]));
    await closed.close();
    expect([...readFileSync(target)]).toEqual([1, 2, 3]);
    expect(onlyTarget("sink.mig")).toEqual(["sink.mig"]);
    expect(pendingTemporaryFiles()).toEqual([]);
  });
});
