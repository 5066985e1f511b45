/** The run state as both monitors report it. */
export interface MonitorStatus {
  /** QEMU RunState word: running, paused, prelaunch, inmigrate, postmigrate, … */
  status: string;
  running: boolean;
}

/** A migration's progress as query-migrate (or `info migrate`) shows it. */
export interface MigrationProgress {
  /** none, setup, active, completed, failed, cancelled, … */
  status: string;
  error?: string;
  /** RAM bytes sent so far. */
  transferred?: number;
  /** RAM bytes still to send. */
  remaining?: number;
  /** Guest RAM size the migration walks. */
  total?: number;
}

/** What the monitor can tell about the machine, for the domain XML. Absent: not answered. */
export interface MonitorFacts {
  name?: string;
  uuid?: string;
  /** Base memory in bytes. */
  memory?: number;
  vcpus?: number;
}

/**
 * One monitor connection, QMP or HMP, with the operations a save and a restore need. The two
 * drivers hide the protocols' differences (JSON replies vs printed text), not their behaviour.
 */
export interface MonitorDriver {
  readonly protocol: "qmp" | "hmp";
  status(): Promise<MonitorStatus>;
  stop(): Promise<void>;
  cont(): Promise<void>;
  /** Every migration capability off except `events` (as libvirt resets them before a save). */
  resetMigrationCapabilities(): Promise<void>;
  /** `max-bandwidth` to libvirt's "unlimited" (9223372036853727232 bytes/s). */
  unlimitedBandwidth(): Promise<void>;
  /**
   * Hands `fd` to the monitor under `name` (getfd with SCM_RIGHTS). Resolves `false` when this
   * connection cannot carry descriptors, so the caller picks another channel.
   */
  passFd(name: string, fd: number): Promise<boolean>;
  /** Starts an outgoing migration and returns at once. */
  migrate(uri: string): Promise<void>;
  migrateIncoming(uri: string): Promise<void>;
  cancelMigration(): Promise<void>;
  migration(): Promise<MigrationProgress>;
  facts(): Promise<MonitorFacts>;
  /** Ends the machine (`quit`). */
  quit(): Promise<void>;
  close(): Promise<void>;
}

/** libvirt's QEMU_DOMAIN_MIG_BANDWIDTH_MAX in bytes: the largest MiB/s value that fits int64. */
export const UNLIMITED_BANDWIDTH = 9223372036853727232n;
