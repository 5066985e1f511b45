/** QEMU 7.2's `MigrationStatus`. */
export type MigrationStatus =
  | "none"
  | "setup"
  | "cancelling"
  | "cancelled"
  | "active"
  | "postcopy-active"
  | "postcopy-paused"
  | "postcopy-recover"
  | "completed"
  | "failed"
  | "colo"
  | "pre-switchover"
  | "device"
  | "wait-unplug";

/** `query-migrate`'s `ram` member. */
export interface MigrationRamInfo {
  transferred: number;
  remaining: number;
  total: number;
  duplicate: number;
  skipped: number;
  normal: number;
  "normal-bytes": number;
  "dirty-pages-rate": number;
  mbps: number;
  "dirty-sync-count": number;
  "postcopy-requests": number;
  "page-size": number;
  "multifd-bytes": number;
  "pages-per-second": number;
  "precopy-bytes": number;
  "downtime-bytes": number;
  "postcopy-bytes": number;
  "dirty-sync-missed-zero-copy": number;
}

/** `query-migrate`'s reply; every member is optional, as in QEMU (`{}` before any migration). */
export interface MigrationInfo {
  status?: MigrationStatus;
  ram?: MigrationRamInfo;
  "total-time"?: number;
  "expected-downtime"?: number;
  downtime?: number;
  "setup-time"?: number;
  "error-desc"?: string;
  /** With `auto-converge`: how much the guest's CPU is throttled now (0 when it is not). */
  "cpu-throttle-percentage"?: number;
  /**
   * savevm: the most bytes this save writes, known before it starts, for a save that sends each
   * page at most once (a live snapshot, a stopped guest, a cpr-reboot checkpoint); absent for a
   * pre-copy of a running guest, which re-sends pages the guest writes again.
   */
  "x-expected-size"?: number;
  /** Incoming side: where it listens. */
  "socket-address"?: ({ type: "unix"; path: string } | { type: "inet"; host: string; port: string })[];
}
