/** The identity of one state entry in a stream: what QEMU writes in a START or FULL header. */
export interface SectionIdentity {
  readonly sectionId: number;
  readonly idstr: string;
  readonly instanceId: number;
  readonly versionId: number;
}

export type SectionType = "start" | "part" | "end" | "full";

/** One RAM block as the MEM_SIZE record lists it. */
export interface RamBlockInfo {
  readonly name: string;
  readonly size: number;
  /** The block's address, written with x-ignore-shared. */
  readonly addr?: number;
}
