/**
 * Messages between the page (which only draws) and the machine workers. Requests carry an id
 * and get one reply; frames are pulled by the page once per animation frame.
 */

/** Page kinds on the map, in @savevm/ram-wasm's PageKind order. */
export const KIND_ZERO = 0;
export const KIND_UNIFORM = 1;
export const KIND_DUPLICATE = 2;
export const KIND_UNIQUE = 3;
/** A page an inspected file does not carry. */
export const KIND_ABSENT = 4;
export const KIND_NAMES = ["zero", "uniform", "duplicate", "unique", "not in file"] as const;

/** Overlay bitmaps in a frame, in this order, each `ceil(pages / 8)` bytes. */
export const STATE_NAMES = ["dirtied since the last pass", "pending in the savevm bitmap", "in the copy-before-write queue", "written"] as const;
export const STATE_DIRTY = 0;
export const STATE_PENDING = 1;
export const STATE_QUEUED = 2;
export const STATE_WRITTEN = 3;
export const STATE_COUNT = 4;

export interface GuestSettings {
  memory: number;
  /** Bytes per second while running. */
  rate: number;
  /** `zero:50/uniform:10/duplicate:15/random:25` */
  mix: string;
  /** Percent of writes into the hot set and its size in pages, e.g. `80:2048`; empty for none. */
  hot: string;
  seed: number;
  fill: number;
  queuePages: number;
  running: boolean;
}

export type Request =
  | { cmd: "create"; settings: GuestSettings }
  | { cmd: "run" }
  | { cmd: "pause" }
  | { cmd: "step"; count: number }
  | { cmd: "rate"; rate: number }
  | { cmd: "save"; name: string; live: boolean; dedup: boolean; queuePages: number; maxBandwidth: number }
  | { cmd: "precopy"; port: MessagePort; maxBandwidth: number; downtimeLimit: number; dedup: boolean }
  | { cmd: "incoming"; port: MessagePort; memory: number }
  | { cmd: "restore"; name?: string; file?: File }
  | { cmd: "cancel" }
  | { cmd: "digest"; at: "now" | "t0" }
  | { cmd: "frame" };

export interface Envelope {
  id: number;
  request: Request;
}

export interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export interface Digest {
  ram: string;
  devices: string;
  steps: number;
}

export interface PassStat {
  pass: number;
  /** Pages written during the pass that just ended. */
  pages: number;
  /** Pages per second the guest dirtied, as query-migrate measures it. */
  dirtyRate: number;
}

export interface OpStats {
  /** Counts the operations of this machine: a new one has a higher number. */
  seq: number;
  kind: "none" | "live-snapshot" | "stop-and-save" | "precopy" | "incoming" | "restore";
  status: string;
  error?: string;
  name?: string;
  remaining: number;
  transferred: number;
  total: number;
  mbps: number;
  queue?: { length: number; capacity: number; highWater: number; copied: number };
  stalls: number;
  stalledMs: number;
  pauseMs?: number;
  downtimeMs?: number;
  passes: PassStat[];
  elapsedMs: number;
}

export interface FrameStats {
  runState: string;
  steps: number;
  stepsAtT0?: number;
  guestRate: number;
  /** Bytes per second the guest wrote since the previous frame. */
  writeRate: number;
  memory: number;
  isolated: boolean;
  staging: boolean;
  /** Loads whose page writes the staging worker shared. */
  stagingLanes: number;
  op: OpStats;
}

export interface Frame {
  type: "frame";
  pages: number;
  /** One byte per page, KIND_*. */
  kinds: Uint8Array;
  /** STATE_COUNT bitmaps, one after the other. */
  bits: Uint8Array;
  stats: FrameStats;
}

export function bitmapBytes(pages: number): number {
  return Math.ceil(pages / 8);
}

export function testBit(bits: Uint8Array, map: number, pages: number, page: number): boolean {
  return ((bits[map * bitmapBytes(pages) + (page >> 3)]! >> (page & 7)) & 1) === 1;
}
