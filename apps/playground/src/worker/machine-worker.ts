/**
 * One machine in a Web Worker: its guest runs here, its RAM lives in @savevm/ram-wasm memory
 * here, and every save, load and migration streams from here. The page asks for a frame of
 * page-map data once per animation frame and only draws it.
 */
import {
  createMachine,
  parseGuestOptions,
  webStagingHelper,
  type Machine,
  type MachineBackends,
  type OutgoingMigration,
  type StagingHelper,
} from "@savevm/machine";
import { guestOptionText } from "../shared/guest-options.js";
import { checkSnapshotName, snapshotDirectory, type SnapshotMeta } from "../shared/opfs-types.js";
import type { Digest, Envelope, Frame, FrameStats, GuestSettings, OpStats, Reply, Request } from "../shared/protocol.js";
import { OpfsOutputChannel } from "./opfs-channel.js";
import { migrationInput, ramSizeOf, readMeta, snapshotFile, writeMeta } from "./opfs-files.js";
import { PageState } from "./page-state.js";
import { PortOutputChannel, portInput } from "./port-channel.js";
import { streamingSha256 } from "./sha256.js";

interface WorkerScope {
  onmessage: ((e: MessageEvent<Envelope>) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
  crossOriginIsolated: boolean;
}
const scope = self as unknown as WorkerScope;
const isolated = scope.crossOriginIsolated === true && typeof SharedArrayBuffer === "function";

let machine: Machine | undefined;
let pages: PageState | undefined;
/** What built the current machine, so the deterministic guest can be replayed to T0. */
let settings: GuestSettings | undefined;
let staging: StagingHelper | undefined;
let stepsAtT0: number | undefined;
/** Numbers the operations, so the page can tell a new one from the last. */
let opSeq = 0;
let op: OpStats = idleOp();
let opStarted = 0;
let opPromise: Promise<unknown> | undefined;
let inputToClose: { close(): Promise<void> } | undefined;
let lastRate = { steps: 0, at: performance.now() };
let passBase = 0;

function idleOp(): OpStats {
  return { seq: opSeq, kind: "none", status: "none", remaining: 0, transferred: 0, total: 0, mbps: 0, stalls: 0, stalledMs: 0, passes: [], elapsedMs: 0 };
}

/** Loads that the staging worker shared (a lane each), to show that it did. */
let stagingLanes = 0;

function backends(): Partial<MachineBackends> {
  if (isolated && !staging) {
    const helper = webStagingHelper();
    staging = {
      begin(memory) {
        const lane = helper.begin(memory);
        if (lane) stagingLanes++;
        return lane;
      },
      close: () => helper.close(),
    };
  }
  return { hasher: streamingSha256, ...(isolated && staging ? { staging } : {}) };
}

function replaceMachine(next: Machine): void {
  pages?.destroy();
  machine?.destroy();
  machine = next;
  pages = new PageState(next);
  stepsAtT0 = undefined;
  lastRate = { steps: next.guest.state.steps, at: performance.now() };
  next.events.on((e) => {
    if (e.event === "STOP" && op.kind === "live-snapshot" && stepsAtT0 === undefined) stepsAtT0 = next.guest.state.steps;
    if (e.event === "MIGRATION_PASS" && op.kind === "precopy") notePass(next);
  });
}

function guestOptions(s: GuestSettings) {
  return parseGuestOptions(guestOptionText(s));
}

function create(s: GuestSettings): void {
  assertIdle();
  if (s.memory > MAX_GUEST_BYTES) throw new Error(`guest RAM of ${s.memory} bytes: the playground runs guests up to 1 GiB`);
  const guest = guestOptions(s);
  settings = s;
  replaceMachine(createMachine({ memory: s.memory, guest, snapshotQueuePages: s.queuePages, startPaused: !s.running }, backends()));
  op = idleOp();
}

function need(): Machine {
  if (!machine) throw new Error("no machine yet: create one first");
  return machine;
}

function assertIdle(): void {
  if (opPromise) throw new Error(`a ${op.kind} is still running: wait for it or cancel it`);
}

function notePass(m: Machine): void {
  const ram = m.queryMigrate().ram;
  const sent = ram ? ram.normal + ram.duplicate : 0;
  op.passes.push({ pass: op.passes.length + 1, pages: sent - passBase, dirtyRate: ram?.["dirty-pages-rate"] ?? 0 });
  passBase = sent;
  pages?.passEnded();
}

/** Runs a save or load in the background; its state shows in frames, its end in `op.status`. */
function startOp(kind: OpStats["kind"], name: string | undefined, run: () => Promise<void>): void {
  opSeq++;
  op = { ...idleOp(), kind, status: "setup", ...(name !== undefined ? { name } : {}) };
  opStarted = performance.now();
  const promise = run()
    .then(() => {
      if (op.status !== "failed" && op.status !== "cancelled") op.status = "completed";
    })
    .catch((err: unknown) => {
      op.status = op.status === "cancelled" ? "cancelled" : "failed";
      op.error = err instanceof Error ? err.message : String(err);
    })
    .finally(() => {
      op.elapsedMs = performance.now() - opStarted;
      if (pages) pages.overlay = op.status === "completed" && kind !== "incoming" && kind !== "restore" ? "done" : "none";
      pages?.endPasses();
      opPromise = undefined;
      inputToClose = undefined;
    });
  opPromise = promise;
}

async function finishMigration(m: Machine, migration: OutgoingMigration): Promise<void> {
  await migration.done;
  const info = m.queryMigrate();
  if (info.downtime !== undefined) op.downtimeMs = info.downtime;
  if (migration.pauseMs !== undefined) op.pauseMs = migration.pauseMs;
  if (migration.status !== "completed") {
    op.status = migration.status === "cancelled" ? "cancelled" : "failed";
    throw new Error(migration.error ?? `the migration ended ${migration.status}`);
  }
}

async function save(r: Extract<Request, { cmd: "save" }>): Promise<void> {
  const m = need();
  assertIdle();
  const name = checkSnapshotName(r.name);
  m.setCapabilities([
    { capability: "background-snapshot", state: r.live },
    { capability: "x-dedup", state: r.dedup },
    { capability: "events", state: true },
  ]);
  m.setParameters({ "max-bandwidth": r.maxBandwidth });
  if (r.live) m.snapshotQueuePages = r.queuePages;
  else m.stop();
  stepsAtT0 = undefined;
  const dir = await snapshotDirectory();
  const file = `${name}.mig`;
  const channel = await OpfsOutputChannel.create(dir, file);
  startOp(r.live ? "live-snapshot" : "stop-and-save", name, async () => {
    const migration = m.migrate(channel);
    if (pages) pages.overlay = "active";
    await finishMigration(m, migration);
    if (!r.live) stepsAtT0 = m.guest.state.steps;
    const meta: SnapshotMeta = {
      name,
      file,
      format: "qemu",
      bytes: channel.bytes,
      memory: m.mainRam.size,
      created: new Date().toISOString(),
      how: r.live ? "live snapshot" : "stop-and-save",
      ...(migration.pauseMs !== undefined ? { pauseMs: migration.pauseMs } : {}),
      ...(stepsAtT0 !== undefined ? { steps: stepsAtT0 } : {}),
    };
    await writeMeta(meta);
  });
}

function precopy(r: Extract<Request, { cmd: "precopy" }>): void {
  const m = need();
  assertIdle();
  m.setCapabilities([
    { capability: "background-snapshot", state: false },
    { capability: "x-dedup", state: r.dedup },
    { capability: "events", state: true },
  ]);
  m.setParameters({ "max-bandwidth": r.maxBandwidth, "downtime-limit": r.downtimeLimit });
  passBase = 0;
  pages?.startPasses();
  startOp("precopy", undefined, async () => {
    const migration = m.migrate(new PortOutputChannel(r.port));
    if (pages) pages.overlay = "active";
    await finishMigration(m, migration);
    // The source stopped at switch-over: that is the state the destination must have.
    stepsAtT0 = m.guest.state.steps;
  });
}

/** The largest guest the page runs: RAM sizes read from a file are checked against it before anything is allocated. */
const MAX_GUEST_BYTES = 1 << 30;

async function load(kind: "incoming" | "restore", memory: number, input: { close(): Promise<void> } & AsyncIterable<Uint8Array>, name?: string): Promise<void> {
  assertIdle();
  if (!Number.isInteger(memory) || memory <= 0 || memory % 4096 !== 0 || memory > MAX_GUEST_BYTES) {
    await input.close();
    throw new Error(`${name ?? "the stream"}: its RAM block is ${memory} bytes; the playground restores guests of 4 KiB pages up to 1 GiB`);
  }
  replaceMachine(createMachine({ memory, incoming: true, startPaused: true }, backends()));
  settings = undefined;
  const m = machine!;
  inputToClose = input;
  startOp(kind, name, async () => {
    op.status = "active";
    await m.incoming(input);
  });
}

async function restore(r: Extract<Request, { cmd: "restore" }>): Promise<void> {
  if (r.name !== undefined) {
    const meta = await readMeta(r.name);
    const file = await snapshotFile(r.name);
    await load("restore", meta.memory, await migrationInput(file), r.name);
    return;
  }
  if (!r.file) throw new Error("restore needs a snapshot name or a file");
  const memory = await ramSizeOf(r.file);
  await load("restore", memory, await migrationInput(r.file), r.file.name);
}

async function digest(at: "now" | "t0"): Promise<Digest> {
  const m = need();
  if (at === "now") return m.digest();
  if (stepsAtT0 === undefined || !settings) throw new Error("no T0 yet: take a live snapshot (or a save) of this machine first");
  // The guest is deterministic: a twin built the same way and run to T0's step is the machine at T0.
  const twin = createMachine({ memory: settings.memory, startPaused: true, guest: { ...guestOptions(settings), pacing: { rate: 0 } } }, { hasher: streamingSha256 });
  try {
    twin.step(stepsAtT0);
    return await twin.digest();
  } finally {
    twin.destroy();
  }
}

function cancel(): void {
  if (!opPromise) return;
  op.status = "cancelled";
  if (op.kind === "incoming" || op.kind === "restore") void inputToClose?.close();
  else machine?.cancelMigration();
}

function frame(): Frame | undefined {
  const m = machine;
  if (!m || !pages) return undefined;
  const now = performance.now();
  const steps = m.guest.state.steps;
  const bytesPerStep = m.guest.state.workload.pagesPerStep * 4096;
  const writeRate = now > lastRate.at ? ((steps - lastRate.steps) * bytesPerStep * 1000) / (now - lastRate.at) : 0;
  lastRate = { steps, at: now };
  if (opPromise) {
    op.elapsedMs = now - opStarted;
    const info = m.queryMigrate();
    // "completed" is the promise's to set, once everything after the stream (the index entry) is done too.
    if (op.kind !== "incoming" && op.kind !== "restore" && info.status && info.status !== "completed") op.status = info.status;
    if (info.ram) {
      op.remaining = info.ram.remaining;
      op.transferred = info.ram.transferred;
      op.total = info.ram.total;
      op.mbps = info.ram.mbps;
    }
    const snapshot = m.liveSnapshot;
    if (snapshot) {
      op.queue = { length: snapshot.queue.length, capacity: snapshot.queue.capacity, highWater: snapshot.queue.highWater, copied: snapshot.queue.copied };
      op.stalls = snapshot.stall.stalls;
      op.stalledMs = snapshot.stall.stalledMs;
    }
  }
  const { kinds, bits } = pages.frame();
  const stats: FrameStats = {
    runState: m.runState.state,
    steps,
    ...(stepsAtT0 !== undefined ? { stepsAtT0 } : {}),
    guestRate: m.guestRate,
    writeRate,
    memory: m.mainRam.size,
    isolated,
    staging: isolated && staging !== undefined,
    stagingLanes,
    op: { ...op, passes: [...op.passes] },
  };
  return { type: "frame", pages: pages.pages, kinds, bits, stats };
}

async function handle(request: Request): Promise<{ result?: unknown; transfer?: Transferable[] }> {
  switch (request.cmd) {
    case "create":
      create(request.settings);
      return {};
    case "run":
      need().cont();
      return {};
    case "pause":
      need().stop();
      return {};
    case "step":
      await need().runSteps(request.count);
      return {};
    case "rate":
      need().guestRate = request.rate;
      return {};
    case "save":
      await save(request);
      return {};
    case "precopy":
      precopy(request);
      return {};
    case "incoming":
      await load("incoming", request.memory, portInput(request.port));
      return {};
    case "restore":
      await restore(request);
      return {};
    case "cancel":
      cancel();
      return {};
    case "digest":
      return { result: await digest(request.at) };
    case "frame": {
      const f = frame();
      return f ? { result: f, transfer: [f.kinds.buffer, f.bits.buffer] } : { result: null };
    }
  }
}

scope.onmessage = (e) => {
  const { id, request } = e.data;
  handle(request).then(
    ({ result, transfer }) => scope.postMessage({ id, ok: true, result } satisfies Reply, transfer ?? []),
    (err: unknown) => scope.postMessage({ id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies Reply),
  );
};
