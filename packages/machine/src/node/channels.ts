import { closeSync } from "node:fs";
import type { InputChannel, OutputChannel } from "../channel.js";
import { MachineError } from "../errors.js";
import { execInput, execOutput } from "./exec-channel.js";
import { fdInput, fdOutput } from "./fd-channel.js";
import { FileOutputChannel, openFileInput } from "./file-channel.js";
import { parseMigrationUri, type MigrationUri } from "./migration-uri.js";
import { connectSocket, listenSocket, socketInput, SocketOutputChannel, type IncomingListener } from "./socket-channel.js";

export interface NodeChannelOptions {
  /** Allow `exec:` URIs (off unless the machine was started with the option that allows it). */
  allowExec?: boolean;
}

/**
 * Turns migration URIs into channels and keeps the named descriptors `getfd` received.
 * Opening is split in two: `prepare*` checks the URI synchronously (so `migrate` can refuse at
 * once with QEMU's message), the returned function connects (errors then go to query-migrate).
 */
export class NodeChannels {
  readonly #fds = new Map<string, number>();
  readonly #allowExec: boolean;

  constructor(options: NodeChannelOptions = {}) {
    this.#allowExec = options.allowExec ?? false;
  }

  /** `getfd`: names a descriptor; an existing name is replaced (its old fd closed). */
  addFd(name: string, fd: number): void {
    const old = this.#fds.get(name);
    if (old !== undefined && old !== fd) closeQuietly(old);
    this.#fds.set(name, fd);
  }

  /** `closefd`. */
  closeFd(name: string): void {
    const fd = this.#fds.get(name);
    if (fd === undefined) throw new MachineError("INVALID_ARGUMENT", `File descriptor named '${name}' not found`);
    this.#fds.delete(name);
    closeQuietly(fd);
  }

  hasFd(name: string): boolean {
    return this.#fds.has(name);
  }

  #checkExec(uri: MigrationUri): void {
    if (uri.kind === "exec" && !this.#allowExec) {
      throw new MachineError("INVALID_ARGUMENT", "exec: migration is disabled; start the machine with --allow-exec to enable it");
    }
  }

  /** Checks an outgoing URI and returns the function that opens it. */
  prepareOutput(text: string): () => Promise<OutputChannel> {
    const uri = parseMigrationUri(text, "outgoing");
    this.#checkExec(uri);
    switch (uri.kind) {
      case "file":
        if (uri.offset !== 0) throw new MachineError("INVALID_ARGUMENT", "file: offset is only supported for incoming migration");
        return async () => {
          const channel = new FileOutputChannel(uri.path);
          await channel.ready();
          return channel;
        };
      case "unix":
      case "tcp":
        return async () => new SocketOutputChannel(await connectSocket(uri));
      case "fd": {
        // Outgoing fd: must be a getfd name (a number is not accepted, as in QEMU); it is consumed.
        const fd = this.#fds.get(uri.name);
        if (fd === undefined) throw new MachineError("INVALID_ARGUMENT", `File descriptor named '${uri.name}' has not been found`);
        this.#fds.delete(uri.name);
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
  async prepareInput(text: string): Promise<{ listener?: IncomingListener; accept: () => Promise<InputChannel> }> {
    const uri = parseMigrationUri(text, "incoming");
    this.#checkExec(uri);
    switch (uri.kind) {
      case "file":
        return { accept: () => openFileInput(uri.path, uri.offset) };
      case "unix":
      case "tcp": {
        const listener = await listenSocket(uri);
        return { listener, accept: async () => socketInput(await listener.accept()) };
      }
      case "fd": {
        const named = this.#fds.get(uri.name);
        let fd = named;
        if (fd === undefined && /^\d+$/.test(uri.name)) fd = Number(uri.name);
        if (fd === undefined) throw new MachineError("INVALID_ARGUMENT", `File descriptor named '${uri.name}' has not been found`);
        if (named !== undefined) this.#fds.delete(uri.name);
        const input = fdInput(fd);
        return { accept: async () => input };
      }
      case "exec":
        return { accept: async () => execInput(uri.command) };
    }
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed by its user.
  }
}
