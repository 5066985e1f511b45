import { chmodSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import type { Readable, Writable } from "node:stream";
import { claimSocketPath } from "@savevm/qmp/node";
import type { InputChannel, OutputChannel } from "../channel.js";
import { unixListenError } from "@savevm/qmp/node";
import { MachineError } from "../errors.js";

const STRERROR: Record<string, string> = {
  ECONNREFUSED: "Connection refused",
  ENOENT: "No such file or directory",
  EACCES: "Permission denied",
  ETIMEDOUT: "Connection timed out",
  EHOSTUNREACH: "No route to host",
  ENETUNREACH: "Network is unreachable",
  EADDRINUSE: "Address already in use",
  ECONNRESET: "Connection reset by peer",
  EPIPE: "Broken pipe",
};

/** The C library's wording for a Node system error, as QEMU prints it. */
export function describeSystemError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return (e.code && STRERROR[e.code]) ?? e.message ?? String(err);
}

export type SocketAddress = { kind: "unix"; path: string } | { kind: "tcp"; host: string; port: number };

function label(address: SocketAddress): string {
  return address.kind === "unix" ? address.path : `${address.host}:${address.port}`;
}

/**
 * Sends a save over a connected socket or pipe; `close` ends it and waits until everything is
 * sent.
 */
export class SocketOutputChannel implements OutputChannel {
  readonly #socket: Writable;
  #error: Error | undefined;

  constructor(socket: Writable) {
    this.#socket = socket;
    socket.on("error", (err) => this.#fail(err));
  }

  /**
   * The channel's one error, in QEMU's words. A write's callback can see the failure before the
   * socket's `error` event does, so every path that meets a system error comes through here.
   */
  #fail(err: Error): Error {
    this.#error ??= new MachineError("CHANNEL", `Unable to write to socket: ${describeSystemError(err)}`, { cause: err });
    return this.#error;
  }

  write(chunks: readonly Uint8Array[]): Promise<void> {
    if (this.#error) return Promise.reject(this.#error);
    const socket = this.#socket;
    if (chunks.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onClose = (): void => reject(this.#error ?? new MachineError("CHANNEL", "Unable to write to socket: Broken pipe"));
      socket.once("close", onClose);
      socket.cork();
      chunks.forEach((chunk, i) => {
        const last = i === chunks.length - 1;
        // The callback of the last write fires once all of them reached the kernel, after which
        // the caller may reuse its buffers.
        socket.write(chunk, last ? (err) => {
          socket.off("close", onClose);
          if (err) reject(this.#fail(err));
          else resolve();
        } : undefined);
      });
      socket.uncork();
    });
  }

  close(): Promise<void> {
    if (this.#error) return Promise.reject(this.#error);
    const socket = this.#socket;
    return new Promise<void>((resolve, reject) => {
      socket.once("error", (err) => reject(this.#fail(err)));
      socket.end(() => resolve());
    });
  }

  async abort(): Promise<void> {
    this.#socket.destroy();
  }
}

/** Receives a stream from a connected socket or pipe. */
export function socketInput(socket: Readable): InputChannel {
  return {
    async *[Symbol.asyncIterator]() {
      for await (const chunk of socket) yield chunk as Uint8Array;
    },
    async close() {
      socket.destroy();
    },
  };
}

/** Connects to a destination; rejects with QEMU's "Failed to connect to …" wording. */
export function connectSocket(address: SocketAddress): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket =
      address.kind === "unix" ? createConnection({ path: address.path }) : createConnection({ host: address.host, port: address.port });
    socket.once("connect", () => {
      socket.removeAllListeners("error");
      resolve(socket);
    });
    socket.once("error", (err) => {
      reject(new MachineError("CHANNEL", `Failed to connect to '${label(address)}': ${describeSystemError(err)}`, { cause: err }));
    });
  });
}

/** A listening socket waiting for one incoming migration. */
export interface IncomingListener {
  /** The bound address (with the real port when 0 was asked for). */
  readonly address: SocketAddress;
  /** Resolves with the first connection; the listener then stops accepting. */
  accept(): Promise<Socket>;
  /** The next connection, the listener accepting on (multifd takes several); `close` ends it. */
  acceptNext(): Promise<Socket>;
  close(): void;
}

/**
 * Listens for an incoming migration. TCP with an empty host binds to loopback (not every
 * interface, unlike QEMU) and unix sockets are created with mode 0600.
 */
export async function listenSocket(address: SocketAddress): Promise<IncomingListener> {
  // A socket file a live process accepts on (another machine's monitor) is never taken over.
  if (address.kind === "unix") {
    try {
      await claimSocketPath(address.path);
    } catch (err) {
      throw new MachineError("CHANNEL", `Failed to bind socket to '${address.path}': Address already in use`, { cause: err });
    }
  }
  const server: Server = createServer({ pauseOnConnect: false });
  const pending: Socket[] = [];
  const waiters: ((s: Socket) => void)[] = [];
  const acceptNext = (): Promise<Socket> => {
    const ready = pending.shift();
    return ready ? Promise.resolve(ready) : new Promise<Socket>((r) => waiters.push(r));
  };
  server.on("connection", (socket) => {
    const waiter = waiters.shift();
    if (waiter) waiter(socket);
    else pending.push(socket);
  });
  return new Promise((resolve, reject) => {
    server.once("error", (err) => {
      const reason = address.kind === "unix" ? unixListenError(err, address.path) : err;
      reject(new MachineError("CHANNEL", `Failed to bind socket to '${label(address)}': ${describeSystemError(reason)}`, { cause: err }));
    });
    const ready = (): void => {
      server.removeAllListeners("error");
      let bound: SocketAddress = address;
      if (address.kind === "unix") {
        chmodSync(address.path, 0o600);
      } else {
        const a = server.address();
        if (a && typeof a === "object") bound = { kind: "tcp", host: a.address, port: a.port };
      }
      resolve({
        address: bound,
        acceptNext,
        accept() {
          return acceptNext().then((socket) => {
            server.close();
            return socket;
          });
        },
        close() {
          server.close();
          for (const s of pending) s.destroy();
        },
      });
    };
    if (address.kind === "unix") {
      const old = process.umask(0o177);
      try {
        server.listen(address.path, ready);
      } finally {
        process.umask(old);
      }
    } else {
      server.listen({ host: address.host === "" ? "127.0.0.1" : address.host, port: address.port }, ready);
    }
  });
}
