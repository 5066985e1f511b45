import type { InputChannel, OutputChannel } from "../channel.js";
import type { MonitorChannels, PreparedInput } from "../monitor/monitor-channels.js";
import { NodeChannels } from "./channels.js";
import { FileOutputChannel, openFileInput } from "./file-channel.js";

/** The monitor's channels on Node: files, unix and tcp sockets, descriptors, commands. */
export class NodeMonitorChannels implements MonitorChannels {
  readonly channels: NodeChannels;

  constructor(options: { allowExec?: boolean } = {}) {
    this.channels = new NodeChannels(options);
  }

  prepareOutput(uri: string): () => Promise<OutputChannel> {
    return this.channels.prepareOutput(uri);
  }

  async prepareInput(uri: string): Promise<PreparedInput> {
    const prepared = await this.channels.prepareInput(uri);
    const listener = prepared.listener;
    if (!listener) return { accept: prepared.accept };
    const a = listener.address;
    return {
      accept: prepared.accept,
      close: () => listener.close(),
      socketAddress: a.kind === "unix" ? { type: "unix", path: a.path } : { type: "inet", host: a.host, port: String(a.port) },
    };
  }

  async openFileOutput(path: string): Promise<OutputChannel> {
    const channel = new FileOutputChannel(path);
    await channel.ready();
    return channel;
  }

  openFileInput(path: string): Promise<InputChannel> {
    return openFileInput(path);
  }

  addFd(name: string, fd: number): void {
    this.channels.addFd(name, fd);
  }

  closeFd(name: string): void {
    this.channels.closeFd(name);
  }
}
