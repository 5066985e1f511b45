import type { VMStateDescription } from "../vmstate/types.js";

/**
 * Device layouts known in advance, keyed by section idstr. An array matches a section whose idstr
 * equals a description's name or ends with `/name` (qdev idstrs look like `0000:00:01.1/ide`).
 */
export type DeviceDescriptions =
  | readonly VMStateDescription[]
  | ReadonlyMap<string, VMStateDescription>
  | Readonly<Record<string, VMStateDescription>>
  | ((idstr: string, instanceId: number) => VMStateDescription | undefined);

export interface ReadMigrationOptions {
  /**
   * Whether a configuration record follows the header. "auto" (default) looks at the byte after
   * the header; true makes its absence CONFIGURATION_MISSING, as a default QEMU reports it.
   */
  configuration?: "auto" | boolean;
  /**
   * Whether sections end with a footer. "auto" (default) decides after the first section body;
   * true makes a missing footer MISSING_FOOTER.
   */
  footers?: "auto" | boolean;
  /** False for a stream without the 8-byte header (COLO). Default true. */
  header?: boolean;
  /** Device sections with these layouts are parsed directly (and version-checked). */
  devices?: DeviceDescriptions;
  /**
   * When a device body has no known layout, the rest of the input is buffered to find the vmdesc
   * trailer. More than this many bytes throws LIMIT_EXCEEDED. Default 64 MiB.
   */
  maxBufferedBytes?: number;
  /** Target page size (default 4096; a configuration record's target-page-bits overrides it). */
  pageSize?: number;
  /**
   * MEM_SIZE entries carry a be64 page size (postcopy-ram with non-host-sized pages). The stream
   * does not say which blocks; pass true for all or a predicate by block name. Default false.
   */
  postcopyPageSizes?: boolean | ((idstr: string) => boolean);
  /** MEM_SIZE entries carry the block address (x-ignore-shared). Default: from the configuration's capabilities. */
  ignoreShared?: boolean;
  /**
   * Capabilities in the configuration record this reader understands; any other throws
   * EXTENSION_UNSUPPORTED. Default ["x-ignore-shared", "x-dedup"] (`DEFAULT_SUPPORTED_CAPABILITIES`):
   * leave "x-dedup" out to refuse streams that use the dedup extension.
   */
  supportedCapabilities?: readonly string[];
  /** The local machine type: a received one that is not a prefix of it throws MACHINE_TYPE_MISMATCH. */
  machineType?: string;
  /** Absolute offset of the stream's first byte in its container (e.g. after a libvirt header). */
  baseOffset?: number;
  /** Most RAM blocks accepted in MEM_SIZE (default 4096). */
  maxRamBlocks?: number;
  /** Longest vmstate array accepted (default 4 Mi elements). */
  maxArrayLength?: number;
}

export const DEFAULT_MAX_BUFFERED = 64 * 1024 * 1024;

export type DeviceLookup = (idstr: string, instanceId: number) => VMStateDescription | undefined;

export function deviceLookup(devices: DeviceDescriptions | undefined): DeviceLookup {
  if (devices === undefined) return () => undefined;
  if (typeof devices === "function") return devices;
  if (Array.isArray(devices)) {
    const list = devices as readonly VMStateDescription[];
    return (idstr) => list.find((d) => d.name === idstr) ?? list.find((d) => idstr.endsWith("/" + d.name));
  }
  if (devices instanceof Map) {
    const map = devices as ReadonlyMap<string, VMStateDescription>;
    return (idstr) => map.get(idstr);
  }
  const record = devices as Readonly<Record<string, VMStateDescription>>;
  return (idstr) => (Object.hasOwn(record, idstr) ? record[idstr] : undefined);
}
