import { close, createReadStream, fstatSync, writev } from "node:fs";
import { Socket } from "node:net";
import { promisify } from "node:util";
import type { InputChannel, OutputChannel } from "../channel.js";
import { MachineError } from "../errors.js";
import { SocketOutputChannel, socketInput } from "./socket-channel.js";
import { writeAll } from "./write-all.js";

const writevAsync = promisify(writev);
const closeAsync = promisify(close);

/** Writes to a file descriptor that is a regular file, at its current position. */
class FdFileOutputChannel implements OutputChannel {
  readonly #fd: number;
  #closed = false;

  constructor(fd: number) {
    this.#fd = fd;
  }

  async write(chunks: readonly Uint8Array[]): Promise<void> {
    await writeAll(chunks, async (part) => (await writevAsync(this.#fd, part)).bytesWritten);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await closeAsync(this.#fd);
  }

  async abort(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await closeAsync(this.#fd).catch(() => undefined);
  }
}

function checkFd(fd: number): ReturnType<typeof fstatSync> {
  try {
    return fstatSync(fd);
  } catch (err) {
    throw new MachineError("CHANNEL", `File descriptor ${fd} is not open: ${(err as Error).message}`, { cause: err });
  }
}

/** An output channel on a descriptor: a socket or pipe streams, a regular file is written in place. */
export function fdOutput(fd: number): OutputChannel {
  const stat = checkFd(fd);
  if (stat.isSocket() || stat.isFIFO()) {
    return new SocketOutputChannel(new Socket({ fd, readable: false, writable: true }));
  }
  return new FdFileOutputChannel(fd);
}

/** An input channel on a descriptor (an inherited fd or one passed with getfd). */
export function fdInput(fd: number): InputChannel {
  const stat = checkFd(fd);
  if (stat.isSocket() || stat.isFIFO()) return socketInput(new Socket({ fd, readable: true, writable: false }));
  const stream = createReadStream("", { fd, highWaterMark: 1 << 20, autoClose: true, start: undefined });
  return socketInput(stream);
}
