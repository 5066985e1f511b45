import type { IncomingBody } from "./incoming-section.js";
import type { SectionType } from "./section.js";
import type { VMStateDescription } from "./vmstate.js";

/** The top-level records of an incoming stream, as the stream reader hands them over. */
export type LoadRecord =
  | { readonly type: "header"; readonly version: number; readonly offset: number }
  | { readonly type: "configuration"; readonly machineType: string; readonly uuid?: Uint8Array; readonly offset: number }
  | {
      readonly type: "section";
      readonly sectionType: SectionType;
      readonly sectionId: number;
      /** Present for START and FULL. */
      readonly idstr?: string;
      readonly instanceId?: number;
      readonly versionId?: number;
      readonly offset: number;
      readonly body: IncomingBody;
    }
  | { readonly type: "eof"; readonly offset: number };

/** What a START or FULL section header resolves to before its body is read. */
export type SectionLayout = { readonly kind: "ram" } | { readonly kind: "vmstate"; readonly vmsd: VMStateDescription };

/**
 * Called by the stream reader for a START/FULL header before it reads the body: how to read it,
 * or undefined for an entry this load does not know (the loader then refuses the section).
 */
export type SectionResolver = (idstr: string, instanceId: number) => SectionLayout | undefined;
