import { closeSync } from "node:fs";
import { resolve } from "node:path";
import { FdTable } from "@savevm/qmp";
import type { InputChannel, OutputChannel } from "../channel.js";
import { MachineError } from "../errors.js";
import { execInput, execOutput } from "./exec-channel.js";
import { fdInput, fdOutput } from "./fd-channel.js";
import { FileOutputChannel, openFileInput } from "./file-channel.js";
import { parseMigrationUri, type MigrationUri } from "./migration-uri.js";
import { connectSocket, listenSocket, socketInput, SocketOutputChannel, type IncomingListener } from "./socket-channel.js";
import type { MultifdRequest } from "../save/multifd/multifd-transport.js";
import { acceptMultifd, connectMultifd } from "./multifd-sockets.js";

export interface NodeChannelOptions {
  /** Allow `exec:` URIs (off unless the machine was started with the option that allows it). */
  allowExec?: boolean;
  /** Where relative `file:` paths are resolved (the machine's state directory); the working directory at construction by default. */
  baseDir?: string;
}

/**
 * Turns migration URIs into channels and keeps the named descriptors `getfd` received.
 * Opening is split in two: `prepare*` checks the URI synchronously (so `migrate` can refuse at
 * once with QEMU's message), the returned function connects (errors then go to query-migrate).
 */
export class NodeChannels {
  readonly #fds = new FdTable(closeQuietly);
  readonly #allowExec: boolean;
  /** Relative file names are resolved here, fixed when the machine starts. */
  readonly baseDir: string;

  constructor(options: NodeChannelOptions = {}) {
    this.#allowExec = options.allowExec ?? false;
    this.baseDir = resolve(options.baseDir ?? process.cwd());
  }

  /** `getfd`: names a descriptor; an existing name is replaced (its old fd closed). */
  addFd(name: string, fd: number): void {
    this.#fds.set(name, fd);
  }

  /** `closefd`. */
  closeFd(name: string): void {
    if (!this.#fds.close(name)) throw new MachineError("INVALID_ARGUMENT", `File descriptor named '${name}' not found`);
  }

  hasFd(name: string): boolean {
    return this.#fds.names().includes(name);
  }

  /**
   * Hands over the descriptor named `name` (the caller owns it now), as `migrate fd:NAME` and
   * `fd:NAME` file names consume it; QEMU's message when there is none.
   */
  takeFd(name: string): number {
    const fd = this.#fds.take(name);
    if (fd === undefined) throw new MachineError("INVALID_ARGUMENT", `File descriptor named '${name}' has not been found`);
    return fd;
  }

  #checkExec(uri: MigrationUri): void {
    if (uri.kind === "exec" && !this.#allowExec) {
      throw new MachineError("INVALID_ARGUMENT", "exec: migration is disabled; start the machine with --allow-exec to enable it");
    }
  }

  /** Checks an outgoing URI and returns the function that opens it (with `multifd`, and its channels). */
  prepareOutput(text: string, multifd?: MultifdRequest): () => Promise<OutputChannel> {
    const uri = parseMigrationUri(text, "outgoing");
    this.#checkExec(uri);
    checkMultifdProtocol(uri, multifd);
    if (multifd && (uri.kind === "unix" || uri.kind === "tcp")) return () => connectMultifd(uri, multifd);
    switch (uri.kind) {
      case "file":
        if (uri.offset !== 0) throw new MachineError("INVALID_ARGUMENT", "file: offset is only supported for incoming migration");
        return async () => {
          const channel = new FileOutputChannel(resolve(this.baseDir, uri.path));
          await channel.ready();
          return channel;
        };
      case "unix":
      case "tcp":
        return async () => new SocketOutputChannel(await connectSocket(uri));
      case "fd": {
        // Outgoing fd: must be a getfd name (a number is not accepted, as in QEMU); it is consumed.
        const fd = this.takeFd(uri.name);
        return async () => fdOutput(fd);
      }
      case "exec":
        return async () => execOutput(uri.command);
    }
  }

  /**
   * Checks an incoming URI and starts listening where the scheme listens; `accept` resolves
   * with the stream once a source connected (or at once for files, fds and commands).
   */
  async prepareInput(
    text: string,
    multifd?: MultifdRequest,
  ): Promise<{ listener?: IncomingListener; accept: () => Promise<InputChannel> }> {
    const uri = parseMigrationUri(text, "incoming");
    this.#checkExec(uri);
    checkMultifdProtocol(uri, multifd);
    switch (uri.kind) {
      case "file":
        return { accept: () => openFileInput(resolve(this.baseDir, uri.path), uri.offset) };
      case "unix":
      case "tcp": {
        const listener = await listenSocket(uri);
        if (multifd) return { listener, accept: () => acceptMultifd(listener, multifd) };
        return { listener, accept: async () => socketInput(await listener.accept()) };
      }
      case "fd": {
        // Incoming fd: a getfd name, or the number of a descriptor the process inherited.
        const fd = this.hasFd(uri.name) || !/^\d+$/.test(uri.name) ? this.takeFd(uri.name) : Number(uri.name);
        const input = fdInput(fd);
        return { accept: async () => input };
      }
      case "exec":
        return { accept: async () => execInput(uri.command) };
    }
  }
}

/** Multifd needs several connections to one address: only unix and tcp have that (QEMU's words). */
function checkMultifdProtocol(uri: MigrationUri, multifd: MultifdRequest | undefined): void {
  if (multifd && uri.kind !== "unix" && uri.kind !== "tcp") {
    throw new MachineError("INVALID_ARGUMENT", "multifd is not supported by current protocol");
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed by its user.
  }
}
