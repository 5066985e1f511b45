import type { InputChannel, OutputChannel } from "../channel.js";
import type { LoadRecord, SectionResolver } from "./load-record.js";
import type { RecordSink } from "./record-sink.js";
import type { VMStateDescription } from "./vmstate.js";

/** A record sink bound to a channel. */
export interface ChannelSink extends RecordSink {
  /** Flushes what is buffered; the channel is not closed. */
  end(): Promise<void>;
}

/**
 * The bytes side of saving and loading: turns records into a stream on a channel and a stream
 * back into records. The machine's default is built on @savevm/format.
 */
export interface SinkOptions {
  /** Write the vmdesc JSON trailer after EOF (QEMU does, except for device-state files). */
  vmdesc: boolean;
}

export interface StreamCodec {
  createSink(channel: OutputChannel, options: SinkOptions): ChannelSink;
  readRecords(input: InputChannel, resolve: SectionResolver): AsyncIterable<LoadRecord>;
  /** A device body as it appears in a FULL section (used for the device digest). */
  encodeVmstate(vmsd: VMStateDescription, state: Record<string, unknown>): Uint8Array;
}
