import { MachineError } from "../errors.js";

/** Migration capabilities in QEMU 7.2's order; all default to false. */
export const MIGRATION_CAPABILITIES = [
  "xbzrle",
  "rdma-pin-all",
  "auto-converge",
  "zero-blocks",
  "compress",
  "events",
  "postcopy-ram",
  "x-colo",
  "release-ram",
  "block",
  "return-path",
  "pause-before-switchover",
  "multifd",
  "dirty-bitmaps",
  "postcopy-blocktime",
  "late-block-activate",
  "x-ignore-shared",
  "validate-uuid",
  "background-snapshot",
  "zero-copy-send",
  "postcopy-preempt",
  // savevm's extension: content-duplicate pages as references (recorded in the stream).
  "x-dedup",
] as const;

/** The savevm capability that writes content-duplicate pages as references. */
export const DEDUP_CAPABILITY = "x-dedup";

export type MigrationCapability = (typeof MIGRATION_CAPABILITIES)[number];

/**
 * Capabilities the machine implements. The rest are accepted and reported like QEMU does, but
 * turning one on makes `migrate` fail with a clear message rather than silently ignoring it.
 */
export const SUPPORTED_CAPABILITIES: ReadonlySet<MigrationCapability> = new Set<MigrationCapability>([
  "events",
  "zero-blocks",
  "pause-before-switchover",
  "validate-uuid",
  "late-block-activate",
  "background-snapshot",
  "x-ignore-shared",
  "x-dedup",
  "multifd",
  "auto-converge",
]);

/** QEMU 8.2's MigMode: `cpr-reboot` saves for a restart of the same host process. */
export const MIGRATION_MODES = ["normal", "cpr-reboot"] as const;
export type MigrationMode = (typeof MIGRATION_MODES)[number];

export interface MigrationParameters {
  "announce-initial": number;
  "announce-max": number;
  "announce-rounds": number;
  "announce-step": number;
  "compress-level": number;
  "compress-threads": number;
  "compress-wait-thread": boolean;
  "decompress-threads": number;
  "throttle-trigger-threshold": number;
  "cpu-throttle-initial": number;
  "cpu-throttle-increment": number;
  "cpu-throttle-tailslow": boolean;
  "tls-creds": string;
  "tls-hostname": string;
  "tls-authz": string;
  "max-bandwidth": number;
  "downtime-limit": number;
  "x-checkpoint-delay": number;
  "block-incremental": boolean;
  "multifd-channels": number;
  "xbzrle-cache-size": number;
  "max-postcopy-bandwidth": number;
  "max-cpu-throttle": number;
  "multifd-compression": "none" | "zlib" | "zstd";
  "multifd-zlib-level": number;
  "multifd-zstd-level": number;
  /** QEMU 8.2's `mode`. */
  mode: MigrationMode;
}

export type ParameterName = keyof MigrationParameters;

/** QEMU 7.2's defaults, as `query-migrate-parameters` reports them. */
export function defaultParameters(): MigrationParameters {
  return {
    "announce-initial": 50,
    "announce-max": 550,
    "announce-rounds": 5,
    "announce-step": 100,
    "compress-level": 1,
    "compress-threads": 8,
    "compress-wait-thread": true,
    "decompress-threads": 2,
    "throttle-trigger-threshold": 50,
    "cpu-throttle-initial": 20,
    "cpu-throttle-increment": 10,
    "cpu-throttle-tailslow": false,
    "tls-creds": "",
    "tls-hostname": "",
    "tls-authz": "",
    "max-bandwidth": 134217728,
    "downtime-limit": 300,
    "x-checkpoint-delay": 20000,
    "block-incremental": false,
    "multifd-channels": 2,
    "xbzrle-cache-size": 67108864,
    "max-postcopy-bandwidth": 0,
    "max-cpu-throttle": 99,
    "multifd-compression": "none",
    "multifd-zlib-level": 1,
    "multifd-zstd-level": 1,
    mode: "normal",
  };
}

const BOOLEAN_PARAMS: ReadonlySet<string> = new Set(["compress-wait-thread", "cpu-throttle-tailslow", "block-incremental"]);
const STRING_PARAMS: ReadonlySet<string> = new Set(["tls-creds", "tls-hostname", "tls-authz", "multifd-compression", "mode"]);

export function parameterKind(name: ParameterName): "bool" | "str" | "int" {
  if (BOOLEAN_PARAMS.has(name)) return "bool";
  if (STRING_PARAMS.has(name)) return "str";
  return "int";
}

export function isParameterName(name: string): name is ParameterName {
  return Object.hasOwn(defaultParameters(), name);
}

const U64_MAX = 18446744073709551615;

function rangeError(name: string, text: string): MachineError {
  return new MachineError("INVALID_ARGUMENT", `Parameter '${name}' expects ${text}`);
}

/**
 * Checks a `migrate-set-parameters` request as QEMU's `migrate_params_check` does (with its
 * underscore spelling in the messages) and returns the new parameter set; the old one is
 * untouched when any value is refused.
 */
export function applyParameters(current: MigrationParameters, changes: Partial<MigrationParameters>): MigrationParameters {
  const next: MigrationParameters = { ...current, ...changes };
  const intIn = (name: ParameterName, key: string, min: number, max: number, text: string): void => {
    if (!(name in changes)) return;
    const v = next[name] as number;
    if (!Number.isInteger(v) || v < min || v > max) throw rangeError(key, text);
  };
  intIn("compress-level", "compress_level", 0, 9, "an integer in the range of 0 to 9");
  intIn("compress-threads", "compress_threads", 1, 255, "a value between 1 and 255");
  intIn("decompress-threads", "decompress_threads", 1, 255, "a value between 1 and 255");
  intIn("throttle-trigger-threshold", "throttle_trigger_threshold", 1, 100, "an integer in the range of 1 to 100");
  intIn("cpu-throttle-initial", "cpu_throttle_initial", 1, 99, "an integer in the range of 1 to 99");
  intIn("cpu-throttle-increment", "cpu_throttle_increment", 1, 99, "an integer in the range of 1 to 99");
  intIn("downtime-limit", "downtime_limit", 0, 2000 * 1000, "an integer in the range of 0 to (2000 * 1000) ms");
  intIn("multifd-channels", "multifd_channels", 1, 255, "a value between 1 and 255");
  intIn("multifd-zlib-level", "multifd_zlib_level", 0, 9, "a value between 0 and 9");
  intIn("multifd-zstd-level", "multifd_zstd_level", 0, 20, "a value between 0 and 20");
  intIn("max-cpu-throttle", "max_cpu_throttle", 1, 99, "an integer in the range of 1 to 99");
  intIn("announce-initial", "announce_initial", 1, 100000, "a value between 1 and 100000 ms");
  intIn("announce-max", "announce_max", 1, 100000, "a value between 1 and 100000 ms");
  intIn("announce-rounds", "announce_rounds", 1, 1000, "a value between 1 and 1000");
  intIn("announce-step", "announce_step", 1, 10000, "a value between 1 and 10000 ms");
  intIn("x-checkpoint-delay", "x_checkpoint_delay", 0, 2 ** 32 - 1, "an integer in the range of 0 to 4294967295");
  for (const [name, key] of [
    ["max-bandwidth", "max_bandwidth"],
    ["max-postcopy-bandwidth", "max_postcopy_bandwidth"],
  ] as const) {
    if (!(name in changes)) continue;
    let v = next[name];
    // A negative size wraps around as QEMU's size type does.
    if (Number.isInteger(v) && v < 0) v = U64_MAX + 1 + v;
    if (!Number.isInteger(v) || v < 0 || v > U64_MAX) throw rangeError(key, "an integer in the range of 0 to 18446744073709551615 bytes/second");
    next[name] = v;
  }
  if ("xbzrle-cache-size" in changes) {
    const v = next["xbzrle-cache-size"];
    if (!Number.isInteger(v) || v < 4096 || !Number.isInteger(Math.log2(v))) {
      throw rangeError("xbzrle_cache_size", "a power of two no less than the target page size");
    }
  }
  if ("mode" in changes && !(MIGRATION_MODES as readonly string[]).includes(next.mode)) {
    throw new MachineError("INVALID_ARGUMENT", `Parameter 'mode' does not accept value '${String(next.mode)}'`);
  }
  if ("multifd-compression" in changes && !["none", "zlib", "zstd"].includes(next["multifd-compression"])) {
    throw new MachineError(
      "INVALID_ARGUMENT",
      `Parameter 'multifd-compression' does not accept value '${String(next["multifd-compression"])}'`,
    );
  }
  return next;
}

/** Capability conflicts QEMU 7.2 refuses when a capability is switched on. */
export function checkCapabilities(caps: ReadonlyMap<MigrationCapability, boolean>): void {
  const on = (c: MigrationCapability): boolean => caps.get(c) === true;
  if (on("postcopy-preempt") && !on("postcopy-ram")) {
    throw new MachineError("INVALID_ARGUMENT", "Postcopy preempt requires postcopy-ram");
  }
  if (on("multifd") && on("compress")) throw new MachineError("INVALID_ARGUMENT", "Multifd is not compatible with compress");
  // Page references name pages of the same stream; multifd pages travel apart from it.
  if (on("multifd") && on("x-dedup")) throw new MachineError("INVALID_ARGUMENT", "Multifd is not compatible with x-dedup");
  if (on("background-snapshot")) {
    const allowed = new Set<MigrationCapability>(["background-snapshot", "zero-blocks", "events", "block", "x-ignore-shared", "x-dedup"]);
    for (const c of MIGRATION_CAPABILITIES) {
      if (on(c) && !allowed.has(c)) {
        throw new MachineError("INVALID_ARGUMENT", `Background-snapshot is not compatible with ${c}`);
      }
    }
  }
}
