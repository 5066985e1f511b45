import type { LibvirtSaveHeader } from "@savevm/format";
import type { InputChannel, OutputChannel } from "../channel.js";
import type { MultifdInputChannel, MultifdRequest } from "../save/multifd/multifd-transport.js";

/** QEMU's SocketAddress as query-migrate shows it (`port` is a string there). */
export type MigrationSocketAddress = { type: "unix"; path: string } | { type: "inet"; host: string; port: string };

/** An incoming stream; `saveImage` is set when it came wrapped in a libvirt save image. */
export interface IncomingInput extends MultifdInputChannel {
  /** The image's header: the load follows its `wasRunning` as `virsh restore` does. */
  readonly saveImage?: LibvirtSaveHeader;
}

export interface PreparedInput {
  accept: () => Promise<IncomingInput>;
  close?: () => void;
  socketAddress?: MigrationSocketAddress;
}

export interface StateFileOptions {
  /** The command argument the name came from, for messages (`filename` by default). */
  argument?: string;
}

/**
 * How the monitor reaches files, sockets and descriptors. The Node entry implements it
 * (`NodeChannels`); a browser embedding can supply its own or none.
 */
export interface MonitorChannels {
  /**
   * Checks an outgoing migration URI now; the returned function connects/opens it. With
   * `multifd` it also connects that many multifd channels (the channel's `multifd`).
   */
  prepareOutput(uri: string, multifd?: MultifdRequest): () => Promise<OutputChannel>;
  /**
   * Checks an incoming URI and starts listening; `accept` resolves with the stream.
   * `socketAddress` is where it listens, as QEMU's query-migrate reports it. With `multifd` it
   * accepts that many multifd connections too (the input's `multifd`).
   */
  prepareInput(uri: string, multifd?: MultifdRequest): Promise<PreparedInput>;
  /**
   * A device-state file named by the user (`xen-save-devices-state filename`, `cprsave file`):
   * `fd:NAME` for a descriptor from `getfd`, or a file, written under a temporary name and renamed
   * into place on success (`durable`: synced to disk first). Other `letters:` prefixes are refused.
   * `argument` names the command's argument in messages.
   */
  openFileOutput(name: string, options?: StateFileOptions & { durable?: boolean }): Promise<OutputChannel>;
  openFileInput(name: string, options?: StateFileOptions): Promise<InputChannel>;
  /** `getfd`: names a descriptor received with the command. */
  addFd(name: string, fd: number): void;
  /** `closefd`. */
  closeFd(name: string): void;
}
