import type { InputChannel, OutputChannel } from "../../channel.js";
import type { MultifdCodec } from "./multifd-codec.js";

/** What a save or load needs to open its multifd channels besides the main stream. */
export interface MultifdRequest {
  /** `multifd-channels`: how many channels beside the main one. */
  channels: number;
  /** This machine's UUID (16 bytes, zeros for none); sent in, or checked against, each init packet. */
  uuid: Uint8Array;
  /** `multifd-compression` (`none` or `zlib`) and its level (`multifd-zlib-level`). */
  compression: "none" | "zlib";
  level: number;
}

/** The channels of one multifd migration, and the codec its packets use (none: uncompressed). */
export interface MultifdLanes<Channel> {
  readonly lanes: readonly Channel[];
  readonly uuid: Uint8Array;
  readonly codec?: MultifdCodec;
}

/** A main output channel that comes with its connected multifd channels (in channel order). */
export interface MultifdOutputChannel extends OutputChannel {
  readonly multifd?: MultifdLanes<OutputChannel>;
}

/** A main input channel that comes with its accepted multifd connections (in any order). */
export interface MultifdInputChannel extends InputChannel {
  readonly multifd?: MultifdLanes<InputChannel>;
}
