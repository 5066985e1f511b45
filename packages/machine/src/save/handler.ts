import type { SaveKind } from "./save-mode.js";
import type { RecordSink, StreamConfiguration } from "./record-sink.js";
import type { IncomingSection } from "./incoming-section.js";

/** What a handler sees while it writes its part of a save. */
export interface SaveContext {
  readonly kind: SaveKind;
  /** True when the machine keeps running while RAM is written (pre-copy). */
  readonly live: boolean;
  readonly sink: RecordSink;
  /** The stream's configuration record (capabilities decide how RAM is written). */
  readonly configuration: StreamConfiguration | undefined;
  /** A dry run that measures a save's size in advance: write the largest body the entry may write. */
  readonly sizing?: boolean;
}

/**
 * One state entry, after QEMU's `SaveVMHandlers`: a live entry (RAM) implements
 * setup / iterate / pending / complete and is written as START, PART…, END; any other entry
 * implements `save` and is written as one FULL section. The engine writes the section headers
 * and footers; a handler writes only its body.
 */
export interface SaveHandler {
  readonly idstr: string;
  readonly instanceId: number;
  readonly versionId: number;
  /** Oldest version `load` accepts. */
  readonly minimumVersionId: number;
  /** Bit mask of `SaveMode`: which saves this entry takes part in. */
  readonly modes: number;
  /** Holds guest RAM; device-state-only saves skip it even if its mode says otherwise. */
  readonly isRam?: boolean;
  /** Left out of the device-state digest (state that is not the guest's, like the run state). */
  readonly excludeFromDigest?: boolean;

  setup?(ctx: SaveContext): void | Promise<void>;
  /**
   * Writes at most about `budget` bytes of body. Resolves true when the entry has nothing left
   * to send in this pass (QEMU's iterate returning 1).
   */
  iterate?(ctx: SaveContext, budget: number): boolean | Promise<boolean>;
  /** Bytes still to send; `exact` may do expensive work (a dirty-bitmap sync). */
  pending?(ctx: SaveContext, exact: boolean): number;
  complete?(ctx: SaveContext): void | Promise<void>;
  /** Called once when the save ends, whether it succeeded, failed or was cancelled. */
  cleanup?(ctx: SaveContext): void;

  /** FULL body. An entry whose `needed` returns false is left out of the stream. */
  save?(ctx: SaveContext): void;
  needed?(ctx: SaveContext): boolean;

  /** Starts loading this entry into staging; nothing is visible until `commit`. */
  beginLoad(): LoadTransaction;
}

/** The staged result of loading one entry. */
export interface LoadTransaction {
  /** One START/PART/END/FULL section of this entry, in stream order. */
  apply(section: IncomingSection): void | Promise<void>;
  /** Called after the whole stream loaded, before `validate`: waits for work still in flight. */
  settle?(): Promise<void>;
  /** Called after the whole stream loaded; checks that may fail go in `validate`. */
  validate?(): void;
  commit(): void;
  abort(): void;
}

export function isLive(handler: SaveHandler): boolean {
  return typeof handler.iterate === "function";
}
