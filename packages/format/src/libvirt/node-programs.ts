import { spawn } from "node:child_process";
import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import path from "node:path";
import type { Writable } from "node:stream";
import type { ExternalSaveImageFormat, SaveImageCodec } from "./codec.js";
import { SaveImageError } from "./errors.js";

export interface ExternalProgramCodecOptions {
  /** PATH-style directory list searched for the programs; default `process.env.PATH`. */
  searchPath?: string;
  /** Replaces the PATH search: the program's file, or `undefined` when it is missing. */
  findProgram?: (name: ExternalSaveImageFormat) => Promise<string | undefined>;
}

// What libvirt falls back to when PATH is unset.
const DEFAULT_SEARCH_PATH = "/bin:/usr/bin";
const STDERR_KEPT = 4096;

/** An executable regular file named `name` in `searchPath`, like libvirt's virFindFileInPath. */
export async function findProgramInPath(name: string, searchPath = process.env.PATH ?? DEFAULT_SEARCH_PATH): Promise<string | undefined> {
  const candidates = name.includes("/")
    ? [name]
    : searchPath
        .split(path.delimiter)
        .filter((dir) => dir !== "")
        .map((dir) => path.join(dir, name));
  for (const candidate of candidates) {
    try {
      if (!(await stat(candidate)).isFile()) continue;
      await access(candidate, constants.X_OK);
      return path.resolve(candidate);
    } catch {
      // Not there or not executable: try the next directory.
    }
  }
  return undefined;
}

/** Arguments libvirt passes: `prog -dc` (lzop adds `--ignore-warn`) and `prog -c` (xz adds `-3`). */
export function compressionArguments(format: ExternalSaveImageFormat, direction: "compress" | "decompress"): string[] {
  if (direction === "decompress") return format === "lzop" ? ["-dc", "--ignore-warn"] : ["-dc"];
  return format === "xz" ? ["-c", "-3"] : ["-c"];
}

function writableOrClosed(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off("drain", done);
      stream.off("close", done);
      stream.off("error", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
    stream.on("error", done);
  });
}

interface ProgramExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

/**
 * Pipes `input` through a program (stdin -> stdout) as libvirt pipes QEMU's stream through a
 * compressor. The program is killed if the consumer stops early or the input fails.
 */
async function* runFilter(file: string, args: string[], input: AsyncIterable<Uint8Array>, label: string): AsyncGenerator<Uint8Array> {
  const child = spawn(file, args, { stdio: ["pipe", "pipe", "pipe"] });
  const exited = new Promise<ProgramExit>((resolve) => {
    child.once("error", (error) => resolve({ code: null, signal: null, error }));
    child.once("close", (code, signal) => resolve({ code, signal }));
  });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (text: string) => {
    if (stderr.length < STDERR_KEPT) stderr += text;
  });
  // EPIPE when the program quits early (bad data): its exit status explains it better.
  child.stdin.on("error", () => undefined);

  let inputFailure: { error: unknown } | undefined;
  const feeding = (async () => {
    try {
      for await (const chunk of input) {
        if (child.stdin.destroyed) return;
        if (!child.stdin.write(chunk)) await writableOrClosed(child.stdin);
      }
      child.stdin.end();
    } catch (error) {
      inputFailure = { error };
      child.kill("SIGKILL");
    }
  })();

  let finished = false;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    }
    await feeding;
    const exit = await exited;
    if (inputFailure) throw inputFailure.error;
    if (exit.error) {
      throw new SaveImageError("COMPRESSOR_FAILED", `cannot run ${label}: ${exit.error.message}`, undefined, { cause: exit.error });
    }
    if (exit.code !== 0) {
      const how = exit.signal ? `was killed by ${exit.signal}` : `exited with status ${exit.code}`;
      const detail = stderr.trim();
      throw new SaveImageError("COMPRESSOR_FAILED", `${label} ${how}${detail ? `: ${detail}` : ""}`);
    }
    finished = true;
  } finally {
    if (!finished) {
      child.kill("SIGKILL");
      await exited;
    }
  }
}

/**
 * Compression through the external programs, exactly as libvirt runs them. A program that is
 * not found fails with COMPRESSOR_MISSING and libvirt's message.
 */
export function externalProgramCodec(options: ExternalProgramCodecOptions = {}): SaveImageCodec {
  const locate = async (format: ExternalSaveImageFormat): Promise<string> => {
    const found = options.findProgram ? await options.findProgram(format) : await findProgramInPath(format, options.searchPath);
    if (found === undefined) {
      throw new SaveImageError(
        "COMPRESSOR_MISSING",
        `Compression program for ${format} image format in configuration file isn't available`,
      );
    }
    return found;
  };
  const run = async function* (
    format: ExternalSaveImageFormat,
    direction: "compress" | "decompress",
    input: AsyncIterable<Uint8Array>,
  ): AsyncGenerator<Uint8Array> {
    const args = compressionArguments(format, direction);
    yield* runFilter(await locate(format), args, input, `${format} ${args.join(" ")}`);
  };
  return {
    decompress: (format, input) => run(format, "decompress", input),
    compress: (format, input) => run(format, "compress", input),
  };
}

/** `options` with the external-program codec unless it names a codec of its own. */
export function withExternalPrograms<T extends { codec?: SaveImageCodec }>(options: T): T & { codec: SaveImageCodec } {
  return { ...options, codec: options.codec ?? externalProgramCodec() };
}
