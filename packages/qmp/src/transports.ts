import { chmodSync, closeSync, lstatSync, unlinkSync, type Stats } from "node:fs";
import * as net from "node:net";
import { dirname } from "node:path";
import type { Readable, Writable } from "node:stream";
import { AddressError, formatAddress, parseAddress, type QmpAddress } from "./address.js";
import type { ByteStream } from "./byte-stream.js";
import { QmpConnectionError } from "./errors.js";
import { writeWithFd } from "./fd-passing.js";

/**
 * Node transports: unix sockets (created 0600), TCP (loopback unless a host is given),
 * inherited descriptors (`fd:N`), stdio. Node's `net` cannot receive SCM_RIGHTS descriptors,
 * so sockets made here never offer `takeFd`; pass descriptors by inheritance (`fd:N`) instead.
 * Unix sockets from {@link connectStream} can send one (`writeWithFd`, see fd-passing.ts).
 */

export interface StreamListener {
  /** Where it listens; a TCP port 0 is replaced by the port picked. */
  readonly address: QmpAddress;
  close(): Promise<void>;
}

export interface ListenOptions {
  /** Host for TCP addresses without one. Default 127.0.0.1. */
  defaultHost?: string;
  /** Keep the file when closing (default: a unix socket file is removed). */
  keepSocketFile?: boolean;
}

function toAddress(address: string | QmpAddress): QmpAddress {
  return typeof address === "string" ? parseAddress(address) : address;
}

function removeStaleSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // nothing there
  }
}

/** A unix socket path is held by a live server: binding there would steal its future clients. */
export class AddressInUseError extends Error {
  readonly code = "ADDRESS_IN_USE";
  constructor(readonly path: string) {
    super(`Failed to bind socket to ${path}: Address already in use (a running process accepts connections on it)`);
    this.name = "AddressInUseError";
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Makes `path` free for a new unix socket: a socket file nobody accepts on (left by a process
 * that died) is removed; one a live process accepts on is refused with {@link AddressInUseError}.
 */
export async function claimSocketPath(path: string, timeoutMs = 2000): Promise<void> {
  if (!statOrUndefined(path)?.isSocket()) return;
  const live = await new Promise<boolean>((resolve) => {
    const socket = net.connect(path);
    const done = (result: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    // a server too busy to accept within the timeout is still a live server
    const timer = setTimeout(() => done(true), timeoutMs);
    socket.once("connect", () => done(true));
    socket.once("error", (err: NodeJS.ErrnoException) => done(err.code !== "ECONNREFUSED" && err.code !== "ENOENT"));
  });
  if (live) throw new AddressInUseError(path);
  removeStaleSocket(path);
}

/**
 * libuv reports a unix socket path whose directory is missing as EACCES (as Windows would); say
 * ENOENT, which is what bind(2) said.
 */
export function unixListenError(err: unknown, path: string): unknown {
  const e = err as NodeJS.ErrnoException;
  if (e?.code !== "EACCES" || statOrUndefined(dirname(path))) return err;
  return Object.assign(new Error(`listen ENOENT: no such file or directory ${path}`, { cause: err }), {
    code: "ENOENT",
    errno: -2,
    syscall: "listen",
    path,
  });
}

/** Calls `onConnection` for each client connecting to `address` (not for `stdio`). */
export async function listenStreams(address: string | QmpAddress, onConnection: (stream: net.Socket) => void, options: ListenOptions = {}): Promise<StreamListener> {
  const where = toAddress(address);
  // half-open lets a server answer what a client sent before it shut its side
  const server = net.createServer({ allowHalfOpen: true }, onConnection);
  const failed = new Promise<never>((_, reject) => server.once("error", reject));
  let bound: QmpAddress;
  switch (where.kind) {
    case "unix": {
      await claimSocketPath(where.path);
      let restore: number | undefined;
      try {
        // the socket file must never exist with looser permissions, so bind under a tight umask
        restore = process.umask(0o177);
      } catch {
        restore = undefined; // worker threads cannot change the umask; chmod below still applies
      }
      try {
        server.listen(where.path);
      } finally {
        if (restore !== undefined) process.umask(restore);
      }
      await Promise.race([new Promise<void>((resolve) => server.once("listening", resolve)), failed]).catch((err: unknown) => {
        throw unixListenError(err, where.path);
      });
      chmodSync(where.path, 0o600);
      bound = where;
      break;
    }
    case "tcp": {
      const host = where.host || options.defaultHost || "127.0.0.1";
      server.listen(where.port, host);
      await Promise.race([new Promise<void>((resolve) => server.once("listening", resolve)), failed]);
      const info = server.address() as net.AddressInfo;
      bound = { kind: "tcp", host, port: info.port };
      break;
    }
    case "fd":
      server.listen({ fd: where.fd });
      await Promise.race([new Promise<void>((resolve) => server.once("listening", resolve)), failed]);
      bound = where;
      break;
    case "stdio":
      throw new AddressError("stdio cannot accept connections; use serveStdio", "stdio");
  }
  return {
    address: bound,
    // stops accepting at once; connections already made stay open until their owners close them
    close: async () => {
      server.close();
      if (bound.kind === "unix" && !options.keepSocketFile) removeStaleSocket(bound.path);
    },
  };
}

export interface ConnectOptions {
  /** Give up connecting after this many milliseconds. */
  timeoutMs?: number;
}

const CONNECT_ERRORS: Record<string, string> = {
  ENOENT: "No such file or directory",
  ECONNREFUSED: "Connection refused",
  EACCES: "Permission denied",
  ENOTSOCK: "Socket operation on non-socket",
  ETIMEDOUT: "Connection timed out",
  EHOSTUNREACH: "No route to host",
};

/** Why a connect failed, as the C library says it (Node's text repeats the address). */
function connectFailure(err: NodeJS.ErrnoException): string {
  return (err.code && CONNECT_ERRORS[err.code]) ?? err.message;
}

/** Connects to a monitor address (`unix:`, `tcp:`, `fd:`). */
export async function connectStream(address: string | QmpAddress, options: ConnectOptions = {}): Promise<net.Socket> {
  const where = toAddress(address);
  if (where.kind === "stdio") throw new AddressError("cannot connect to stdio", "stdio");
  if (where.kind === "fd") return new net.Socket({ fd: where.fd, readable: true, writable: true });
  const socket = where.kind === "unix" ? net.connect(where.path) : net.connect(where.port, where.host || "127.0.0.1");
  return new Promise<net.Socket>((resolve, reject) => {
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            socket.destroy();
            reject(new QmpConnectionError("TIMEOUT", `connecting to ${formatAddress(where)} timed out`));
          }, options.timeoutMs);
    socket.once("connect", () => {
      if (timer) clearTimeout(timer);
      socket.removeAllListeners("error");
      // unix sockets can carry descriptors (getfd); tcp cannot
      if (where.kind === "unix") Object.assign(socket, { writeWithFd: (chunk: Uint8Array, fd: number) => writeWithFd(socket, chunk, fd) });
      resolve(socket);
    });
    socket.once("error", (err) => {
      if (timer) clearTimeout(timer);
      reject(new QmpConnectionError("CONNECT_FAILED", `cannot connect to ${formatAddress(where)}: ${connectFailure(err)}`, { cause: err }));
    });
  });
}

/**
 * Listens on `address` for exactly one connection (QEMU started with `-qmp unix:PATH` connects
 * out to us), then stops listening.
 */
export async function acceptStream(address: string | QmpAddress, options: ConnectOptions & ListenOptions & { onListening?: (address: QmpAddress) => void } = {}): Promise<net.Socket> {
  let accept!: (s: net.Socket) => void;
  const accepted = new Promise<net.Socket>((resolve) => (accept = resolve));
  let first = true;
  const listener = await listenStreams(
    address,
    (socket) => {
      if (first) {
        first = false;
        accept(socket);
      } else socket.destroy();
    },
    { ...options, keepSocketFile: false },
  );
  options.onListening?.(listener.address);
  try {
    if (options.timeoutMs === undefined) return await accepted;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new QmpConnectionError("TIMEOUT", `nobody connected to ${formatAddress(listener.address)}`)), options.timeoutMs);
    });
    try {
      return await Promise.race([accepted, timeout]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await listener.close();
  }
}

/** A {@link ByteStream} made of a readable and a writable (stdin/stdout by default). */
export function stdioStream(input: Readable = process.stdin, output: Writable = process.stdout): ByteStream {
  type L = (...args: any[]) => void;
  const routes = (event: string): (Readable | Writable)[] => {
    switch (event) {
      case "data":
      case "end":
        return [input];
      case "drain":
        return [output];
      case "close":
        return [input];
      default:
        return [input, output];
    }
  };
  return {
    write: (chunk) => output.write(chunk),
    end: () => output.end(),
    destroy: (error) => {
      input.destroy(error);
      if (output !== process.stdout && output !== process.stderr) output.destroy(error);
    },
    pause: () => input.pause(),
    resume: () => input.resume(),
    on(event, listener: L) {
      for (const s of routes(event)) s.on(event, listener);
      return this;
    },
    removeListener(event, listener: L) {
      for (const s of routes(event)) s.removeListener(event, listener);
      return this;
    },
    get writableLength() {
      return output.writableLength;
    },
  };
}

/** Closes a descriptor number, for {@link FdTable.closeFd}. */
export function closeDescriptor(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}
