import { describe, expect, it } from "vitest";
import { CliFileError, exitCodeFor, formatError, namingFile, UsageError } from "./cli-error.js";

/** An Error carrying the fields Node's system errors (and our typed errors) have. */
function errorWith(message: string, fields: { code: string; syscall?: string; path?: string; errno?: number }): Error {
  return Object.assign(new Error(message), fields);
}

describe("formatError", () => {
  it("does not repeat a code the message already starts with", () => {
    const err = errorWith("EACCES: permission denied", { code: "EACCES" });
    expect(formatError(err)).toBe("EACCES: permission denied");
  });

  it("turns Node's system errors into CODE: path: text, once", () => {
    const err = errorWith("listen EACCES: permission denied /run/x.sock", {
      code: "EACCES",
      syscall: "listen",
      path: "/run/x.sock",
      errno: -13,
    });
    expect(formatError(err)).toBe("EACCES: /run/x.sock: Permission denied");
    const open = errorWith("ENOENT: no such file or directory, open '/a/b'", {
      code: "ENOENT",
      syscall: "open",
      path: "/a/b",
      errno: -2,
    });
    expect(formatError(open)).toBe("ENOENT: /a/b: No such file or directory");
  });

  it("is one line", () => {
    const err = errorWith("first\nsecond\n", { code: "X" });
    expect(formatError(err)).toBe("X: first; second");
  });

  it("names the file the user gave, not the temporary one", () => {
    const cause = errorWith("ENOSPC: no space left on device, write '/d/.out.mig.0a1b2c3d4e5f.part'", {
      code: "ENOSPC",
      syscall: "write",
    });
    const err = CliFileError.from(cause, "/d/out.mig");
    expect(formatError(err)).toBe("ENOSPC: /d/out.mig: No space left on device");
    expect(formatError(err)).not.toMatch(/\.part/);
  });
});

describe("namingFile", () => {
  it("names the output for a failed write, and leaves read failures and typed errors alone", () => {
    const write = errorWith("EIO: i/o error, write", { code: "EIO", syscall: "write" });
    expect(formatError(namingFile(write, "vm.save"))).toBe("EIO: vm.save: Input/output error");
    const read = errorWith("EIO: i/o error, read", { code: "EIO", syscall: "read" });
    expect(namingFile(read, "vm.save")).toBe(read);
    const typed = errorWith("truncated", { code: "TRUNCATED" });
    expect(namingFile(typed, "vm.save")).toBe(typed);
  });
});

describe("exitCodeFor", () => {
  it("is 2 for usage mistakes and 1 for failures", () => {
    expect(exitCodeFor(new UsageError("x"))).toBe(2);
    expect(exitCodeFor(errorWith("bad size", { code: "INVALID_ARGUMENT" }))).toBe(2);
    expect(exitCodeFor(errorWith("bad address", { code: "BAD_ADDRESS" }))).toBe(2);
    expect(exitCodeFor(errorWith("truncated", { code: "TRUNCATED" }))).toBe(1);
    expect(exitCodeFor(new Error("plain"))).toBe(1);
  });
});
