import type { SaveImageFormat } from "@savevm/format";
import { saveImageToFile } from "@savevm/format/node";
import type { MachineRegistry } from "../registry/index.js";
import { processCommandLine } from "./command-line.js";
import { runArgsOfProcess } from "./savevm-run-options.js";
import { withoutEnvironment } from "./shell-words.js";
import { unixSocketOwner } from "./socket-owner.js";
import { requireCompressionProgram } from "./compressor.js";
import { connectMonitor } from "./connect-monitor.js";
import { describeMachine } from "./describe-machine.js";
import { buildDomainXml, readDomainDescription } from "./domain-xml.js";
import { endMachine } from "./end-machine.js";
import type { MigrationProgress, MonitorDriver } from "./monitor-driver.js";
import { resolveMonitorTarget } from "./monitor-target.js";
import { SaveRestoreError } from "./save-image-error.js";
import { openFdChannel, openSocketChannel, type StreamChannel } from "./stream-channel.js";
import { peekMachineType } from "./stream-head.js";

/** Compression of the image, as libvirt's `save_image_format` (external programs, as libvirt runs them). */
export type SaveFormat = Exclude<SaveImageFormat, "sparse">;

/** Progress of a save or restore, as virsh's `--verbose` shows it. */
export interface SaveProgress {
  /** 0-100: for a save from the RAM still to send, for a restore from the image's bytes read. */
  percent: number;
  /** Bytes moved so far (RAM sent; image file read). */
  bytes: number;
  /** Bytes in all (guest RAM; image file size). */
  total: number;
}

export interface SaveToImageOptions {
  /**
   * The machine: the id, UUID or name of a registered machine, `unix:PATH` / `tcp:HOST:PORT`
   * (QMP), or `hmp:unix:PATH` / `hmp:tcp:HOST:PORT` (a text monitor).
   */
  target: string;
  /** The image to write. It appears only once complete; an existing file is replaced then. */
  file: string;
  /** Run state to restore into (`virsh save --running/--paused`); default: the state now. */
  runState?: "running" | "paused";
  /** Default "raw". */
  format?: SaveFormat;
  /** The domain XML to store instead of the generated one. */
  xml?: string;
  /** Write with O_DIRECT (`virsh save --bypass-cache`). */
  bypassCache?: boolean;
  onProgress?: (progress: SaveProgress) => void;
  /** Registry to look TARGET up in (default: the runtime directory's). */
  registry?: MachineRegistry | { runtimeDir?: string };
  /**
   * The machine's pid when it is local and not registered: its command line goes into the XML,
   * SIGTERM ends it. For a unix socket the owner is found through /proc when this is not given.
   */
  pid?: number;
  /** The machine's command line (binary first) when it cannot be read from /proc. */
  commandLine?: readonly string[];
  /** What to do with the machine after a successful save; default "terminate", as libvirt. */
  afterSave?: "terminate" | "keep";
  signal?: AbortSignal;
  /** Monitor connect/answer timeout in ms (default 10 000). */
  timeoutMs?: number;
  /** How often progress is polled, in ms (default 200). */
  progressIntervalMs?: number;
}

/** What {@link saveToImage} wrote. */
export interface SavedImage {
  file: string;
  name: string;
  uuid: string;
  wasRunning: boolean;
  format: SaveFormat;
  domainXml: string;
  /** How the stream came: a descriptor passed with getfd, or a unix socket the save listened on. */
  channel: "fd" | "unix";
  streamLength: number;
  imageLength: number;
  /** How the machine was ended: SIGTERM to its pid, `quit`, or kept. */
  ended: "signal" | "quit" | "kept";
}

const FINAL_STATES = new Set(["completed", "failed", "cancelled"]);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function progressOf(info: MigrationProgress): SaveProgress | undefined {
  if (info.total === undefined || info.total === 0) return undefined;
  const remaining = info.remaining ?? 0;
  const percent = info.status === "completed" ? 100 : Math.min(99, Math.max(0, Math.floor(((info.total - remaining) * 100) / info.total)));
  return { percent, bytes: info.transferred ?? info.total - remaining, total: info.total };
}

function migrationFailure(info: MigrationProgress): SaveRestoreError {
  return new SaveRestoreError(
    "MIGRATION_FAILED",
    `operation failed: migration out job: ${info.status === "cancelled" ? "canceled by client" : info.error ?? "unexpectedly failed"}`,
  );
}

/**
 * The machine behind a local unix monitor socket, when that process is QEMU or savevm (not a
 * proxy in between): its command line is then known and it can be ended as libvirt ends QEMU.
 */
async function localMonitorOwner(address: string): Promise<number | undefined> {
  if (!address.startsWith("unix:")) return undefined;
  const pid = await unixSocketOwner(address.slice("unix:".length));
  if (pid === undefined || pid === process.pid) return undefined;
  const argv = (await processCommandLine(pid))?.argv ?? [];
  const qemu = /(^|\/)qemu-(system-[^/]*|kvm)$/.test(argv[0] ?? "");
  const savevm = argv.some((a) => /(^|\/)(savevm(\.js)?|machine-process\.js)$/.test(a)) && runArgsOfProcess(argv) !== undefined;
  const machine = qemu || savevm;
  return machine ? pid : undefined;
}

/** The stream, then (at its end) the machine's word that the migration completed. */
async function* untilCompleted(stream: AsyncIterable<Uint8Array>, driver: MonitorDriver, timeoutMs: number): AsyncGenerator<Uint8Array> {
  yield* stream;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await driver.migration();
    if (info.status === "completed") return;
    if (FINAL_STATES.has(info.status)) throw migrationFailure(info);
    if (Date.now() > deadline) throw new SaveRestoreError("MIGRATION_FAILED", `the stream ended but the migration is still ${info.status}`);
    await sleep(20);
  }
}

/**
 * Saves a running (or paused) machine into a libvirt save image the way libvirt 9.0's
 * `virsh save` does: reads the run state (was_running), `stop`, resets the migration
 * capabilities, unlimited bandwidth, then migrates into a channel this call owns (a descriptor
 * passed with getfd where the monitor takes one, else a unix socket it listens on), through the
 * external compressor into a temporary file written `LibvirtQemudPart` first and
 * `LibvirtQemudSave` last, renamed into place. On any failure the temporary file goes, an
 * existing image stays, and a machine that was running runs again. Afterwards the machine is
 * ended as libvirt ends it: SIGTERM when its pid is local and known, else `quit`.
 */
export async function saveToImage(options: SaveToImageOptions): Promise<SavedImage> {
  const format = options.format ?? "raw";
  if ((format as string) === "sparse")
    throw new SaveRestoreError("INVALID_ARGUMENT", "the sparse format needs QEMU's mapped-ram, which savevm does not drive");
  const signal = options.signal;
  const aborted = (): SaveRestoreError => new SaveRestoreError("ABORTED", "operation aborted: migration out job: canceled by client");
  if (signal?.aborted) throw aborted();
  await requireCompressionProgram(format);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const target = await resolveMonitorTarget(options.target, options.registry);
  const driver = await connectMonitor(target, timeoutMs);
  let resume = false;
  let migrating = false;
  let channel: StreamChannel | undefined;
  let watching = true;
  const onAbort = (): void => channel?.fail(aborted());
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const status = await driver.status();
    if (status.status === "shutdown" || status.status === "inmigrate") {
      throw new SaveRestoreError("NOT_RUNNING", "Requested operation is not valid: domain is not running");
    }
    const wasRunning = options.runState ? options.runState === "running" : status.running;
    const pid = target.record?.pid ?? options.pid ?? (await localMonitorOwner(target.address));
    const facts = options.xml === undefined ? await driver.facts() : {};
    const local = pid !== undefined ? await processCommandLine(pid) : undefined;
    const commandLine = local ?? (options.commandLine ? { argv: withoutEnvironment(options.commandLine) } : undefined);
    if (signal?.aborted) throw aborted();

    await driver.stop();
    resume = status.running;
    await driver.resetMigrationCapabilities();
    await driver.unlimitedBandwidth();
    const fdCapable = target.protocol === "qmp" && target.address.startsWith("unix:") && target.record?.kind !== "savevm";
    channel = (fdCapable ? await openFdChannel(driver) : undefined) ?? (await openSocketChannel());
    if (signal?.aborted) throw aborted();
    await driver.migrate(channel.uri);
    migrating = true;

    const open = channel;
    const watcher = (async () => {
      while (watching) {
        const info = await driver.migration();
        const progress = progressOf(info);
        if (progress && info.status !== "completed") options.onProgress?.(progress);
        if (info.status === "failed" || info.status === "cancelled") open.fail(migrationFailure(info));
        if (FINAL_STATES.has(info.status)) return;
        await sleep(options.progressIntervalMs ?? 200);
      }
    })();
    watcher.catch((err: Error) =>
      open.fail(new SaveRestoreError("MONITOR", `monitor failed during the save: ${err.message}`, { cause: err })),
    );

    const { machineType, stream } = await peekMachineType(channel.bytes);
    const domainXml =
      options.xml ??
      buildDomainXml(
        describeMachine({
          facts,
          ...(target.record ? { record: target.record } : {}),
          ...(commandLine ? { process: commandLine } : {}),
          ...(machineType !== undefined ? { machineType } : {}),
        }),
      );
    const written = await saveImageToFile(
      options.file,
      { domainXml, wasRunning, format, ...(options.bypassCache ? { bypassCache: true } : {}) },
      untilCompleted(stream, driver, timeoutMs * 3),
    );
    watching = false;
    await watcher.catch(() => undefined);
    migrating = false;
    resume = false;
    options.onProgress?.({ percent: 100, bytes: written.streamLength, total: written.streamLength });
    const identity = readDomainDescription(domainXml);
    const ended =
      options.afterSave === "keep" ? "kept" : await endMachine(driver, pid !== undefined && local !== undefined ? pid : undefined);
    return {
      file: options.file,
      name: identity.name ?? "",
      uuid: identity.uuid ?? "",
      wasRunning,
      format,
      domainXml,
      channel: channel.kind,
      streamLength: written.streamLength,
      imageLength: written.totalLength,
      ended,
    };
  } catch (err) {
    watching = false;
    if (migrating) await driver.cancelMigration().catch(() => undefined);
    if (resume) await resumeAfterFailure(driver);
    throw err;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    await channel?.close().catch(() => undefined);
    await driver.close().catch(() => undefined);
  }
}

/** `cont` once the cancelled migration has let go of the machine (QEMU refuses `cont` while it winds down). */
async function resumeAfterFailure(driver: MonitorDriver): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      const info = await driver.migration();
      if (!FINAL_STATES.has(info.status) && info.status !== "none") {
        await sleep(20);
        continue;
      }
      await driver.cont();
      return;
    } catch {
      await sleep(20);
    }
  }
}
