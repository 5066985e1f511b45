import type { InputChannel, OutputChannel } from "../channel.js";
import type { MonitorChannels, PreparedInput, StateFileOptions } from "../monitor/monitor-channels.js";
import type { MultifdInputChannel, MultifdRequest } from "../save/multifd/multifd-transport.js";
import { NodeChannels, type NodeChannelOptions } from "./channels.js";
import { fdInput, fdOutput } from "./fd-channel.js";
import { FileOutputChannel, openFileInput } from "./file-channel.js";
import { parseStateFileName } from "./state-file-name.js";
import { unwrapSaveImage } from "./save-image-input.js";

/** The monitor's channels on Node: files, unix and tcp sockets, descriptors, commands. */
export class NodeMonitorChannels implements MonitorChannels {
  readonly channels: NodeChannels;

  /** `baseDir`: where relative file names resolve (the machine's state directory; the working directory at start by default). */
  constructor(options: NodeChannelOptions = {}) {
    this.channels = new NodeChannels(options);
  }

  /** The directory relative file names are resolved against. */
  get baseDir(): string {
    return this.channels.baseDir;
  }

  prepareOutput(uri: string, multifd?: MultifdRequest): () => Promise<OutputChannel> {
    return this.channels.prepareOutput(uri, multifd);
  }

  async prepareInput(uri: string, multifd?: MultifdRequest): Promise<PreparedInput> {
    const prepared = await this.channels.prepareInput(uri, multifd);
    // Every incoming URI also takes a libvirt save image (`virsh save` output).
    const accept = async () => {
      const input: MultifdInputChannel = await prepared.accept();
      const unwrapped = await unwrapSaveImage(input);
      return input.multifd ? Object.assign(unwrapped, { multifd: input.multifd }) : unwrapped;
    };
    const listener = prepared.listener;
    if (!listener) return { accept };
    const a = listener.address;
    return {
      accept,
      close: () => listener.close(),
      socketAddress: a.kind === "unix" ? { type: "unix", path: a.path } : { type: "inet", host: a.host, port: String(a.port) },
    };
  }

  async openFileOutput(name: string, options: StateFileOptions & { durable?: boolean } = {}): Promise<OutputChannel> {
    const target = parseStateFileName(name, this.baseDir, options.argument);
    if (target.kind === "fd") return fdOutput(this.channels.takeFd(target.name));
    // Every file channel is durable (synced before and after its rename), as `durable` asks.
    const channel = new FileOutputChannel(target.path);
    await channel.ready();
    return channel;
  }

  async openFileInput(name: string, options: StateFileOptions = {}): Promise<InputChannel> {
    const target = parseStateFileName(name, this.baseDir, options.argument);
    if (target.kind === "fd") return fdInput(this.channels.takeFd(target.name));
    return openFileInput(target.path);
  }

  addFd(name: string, fd: number): void {
    this.channels.addFd(name, fd);
  }

  closeFd(name: string): void {
    this.channels.closeFd(name);
  }
}
