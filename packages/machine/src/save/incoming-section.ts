import type { SectionIdentity, SectionType } from "./section.js";

/**
 * A RAM body record as read from a stream (the shape @savevm/format's decoder produces, so its
 * records pass through without copying). A page's `data` is valid only during the callback.
 */
export type RamRecord =
  | {
      readonly type: "mem-size";
      readonly blocks: readonly { readonly idstr: string; readonly length: number; readonly addr?: number }[];
      readonly offset: number;
    }
  | { readonly type: "zero"; readonly block: string; readonly address: number; readonly fill: number; readonly offset: number }
  | { readonly type: "page"; readonly block: string; readonly address: number; readonly data: Uint8Array; readonly offset: number }
  | { readonly type: "dedup"; readonly block: string; readonly address: number; readonly source: number; readonly offset: number }
  | { readonly type: "eos"; readonly offset: number };

export type IncomingBody =
  | {
      readonly kind: "ram";
      /** Calls `apply` for each record of the section body, in order, up to and including EOS. */
      readonly forEach: (apply: (record: RamRecord) => void) => Promise<void>;
    }
  | { readonly kind: "vmstate"; readonly state: Record<string, unknown> };

/** One section of an incoming stream, handed to the entry it belongs to. */
export interface IncomingSection {
  readonly type: SectionType;
  /** For PART and END, the identity given by the START of the same section id. */
  readonly entry: SectionIdentity;
  /** Byte offset of the section header in the stream. */
  readonly offset: number;
  readonly body: IncomingBody;
}
