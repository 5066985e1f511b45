import type { InputChannel, OutputChannel } from "../channel.js";

/** QEMU's SocketAddress as query-migrate shows it (`port` is a string there). */
export type MigrationSocketAddress = { type: "unix"; path: string } | { type: "inet"; host: string; port: string };

export interface PreparedInput {
  accept: () => Promise<InputChannel>;
  close?: () => void;
  socketAddress?: MigrationSocketAddress;
}

/**
 * How the monitor reaches files, sockets and descriptors. The Node entry implements it
 * (`NodeChannels`); a browser embedding can supply its own or none.
 */
export interface MonitorChannels {
  /** Checks an outgoing migration URI now; the returned function connects/opens it. */
  prepareOutput(uri: string): () => Promise<OutputChannel>;
  /**
   * Checks an incoming URI and starts listening; `accept` resolves with the stream.
   * `socketAddress` is where it listens, as QEMU's query-migrate reports it.
   */
  prepareInput(uri: string): Promise<PreparedInput>;
  /** A file written under a temporary name and renamed into place on success. */
  openFileOutput(path: string): Promise<OutputChannel>;
  openFileInput(path: string): Promise<InputChannel>;
  /** `getfd`: names a descriptor received with the command. */
  addFd(name: string, fd: number): void;
  /** `closefd`. */
  closeFd(name: string): void;
}
