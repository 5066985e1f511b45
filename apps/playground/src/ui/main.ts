/**
 * The page: it draws what the machine workers send and turns controls into requests. Nothing
 * here touches guest RAM or a saved state's bytes.
 */
import { checkSnapshotName, snapshotDirectory, type SnapshotMeta } from "../shared/opfs-types.js";
import { KIND_NAMES, STATE_NAMES, type Digest, type Frame, type FrameStats, type GuestSettings, type Request } from "../shared/protocol.js";
import type { FilesRequest } from "../worker/files-worker.js";
import type { InspectedFile } from "../worker/inspect-file.js";
import { Charts } from "./charts.js";
import { bytes, el, mibps } from "./format.js";
import { renderInspection } from "./inspect-view.js";
import { cssColour, DIRTY_COLOUR, KIND_COLOURS, PageMap, QUEUED_COLOUR } from "./page-map.js";
import { WorkerClient } from "./worker-client.js";

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const e = document.getElementById(id);
  if (!e) throw new Error(`#${id} is missing from the page`);
  return e as T;
};
const value = (id: string): string => $<HTMLInputElement>(id).value;
const num = (id: string): number => Number(value(id));
const MiB = 2 ** 20;

function machineWorker(name: string): WorkerClient<Request> {
  return new WorkerClient<Request>(new Worker(new URL("../worker/machine-worker.ts", import.meta.url), { type: "module", name }));
}

const source = machineWorker("machine-a");
const target = machineWorker("machine-b");
const files = new WorkerClient<FilesRequest>(new Worker(new URL("../worker/files-worker.ts", import.meta.url), { type: "module", name: "files" }));

const map = new PageMap($<HTMLCanvasElement>("map"), $("tip"));
const charts = new Charts($("charts"), 356);
type View = "source" | "target" | "inspect";
let view: View = "source";
let inspected: InspectedFile | undefined;
const last: Record<"source" | "target", FrameStats | undefined> = { source: undefined, target: undefined };
const finished: Record<"source" | "target", string> = { source: "", target: "" };

const isolated = globalThis.crossOriginIsolated === true;
{
  const note = $("isolation");
  if (isolated) note.textContent = "cross-origin isolated: shared memory on, restores use a staging worker";
  else {
    note.textContent = "not cross-origin isolated: one thread per machine (no SharedArrayBuffer, no staging helper)";
    note.classList.add("warn");
  }
  note.dataset.isolated = String(isolated);
}

function legend(): void {
  const items: [string, string][] = KIND_NAMES.slice(0, 4).map((k, i) => [k, cssColour(KIND_COLOURS[i]!)]);
  items.push([STATE_NAMES[0], cssColour(DIRTY_COLOUR)], [STATE_NAMES[1], "rgb(200, 210, 225)"], [STATE_NAMES[2], cssColour(QUEUED_COLOUR)], [`${STATE_NAMES[3]} (darker)`, "rgb(110, 71, 5)"]);
  $("legend").replaceChildren(...items.map(([name, colour]) => el("li", {}, el("i", { style: `background:${colour}` }), name)));
}
legend();

function status(text: string, state = ""): void {
  const s = $("op-status");
  s.textContent = text;
  s.dataset.status = state;
}

function settings(): GuestSettings {
  const memory = num("memory");
  return {
    memory,
    rate: Math.round(num("rate") * MiB),
    mix: value("mix"),
    hot: value("hot"),
    seed: 1,
    fill: Math.floor((memory * Number(value("fill"))) / 4096) * 4096,
    queuePages: num("queue"),
    running: true,
  };
}

async function act(what: string, f: () => Promise<unknown>): Promise<void> {
  try {
    await f();
  } catch (err) {
    status(`${what}: ${err instanceof Error ? err.message : String(err)}`, "failed");
  }
}

function setView(v: View): void {
  view = v;
  for (const [id, name] of [["tab-source", "source"], ["tab-target", "target"], ["tab-inspect", "inspect"]] as const) {
    $(id).setAttribute("aria-selected", String(name === v));
  }
  $("map-panel").setAttribute("aria-labelledby", `tab-${v}`);
  $("inspect").hidden = v !== "inspect";
  $("digest-box").hidden = v === "inspect";
  document.body.dataset.view = v;
  if (v === "inspect") drawInspected();
}

function drawInspected(): void {
  if (!inspected?.map) {
    $("map-status").textContent = inspected ? "this file has no RAM" : "no file inspected yet";
    return;
  }
  const m = inspected.map;
  map.draw({ pages: m.pages, pagesPerEntry: m.pagesPerCell, kinds: m.kinds });
  $("map-status").textContent = `${inspected.name}: block ${m.block}, ${m.pages} pages${m.pagesPerCell > 1 ? `, ${m.pagesPerCell} a cell` : ""}`;
}

function describeOp(who: string, s: FrameStats): string {
  const op = s.op;
  if (op.kind === "none") return `${who}: ${s.runState}, step ${s.steps}`;
  const parts = [`${who}: ${op.kind}${op.name ? ` ${op.name}` : ""} ${op.status}`];
  if (op.status === "active" || op.status === "setup") {
    if (op.total > 0) parts.push(`${bytes(op.remaining)} left`);
    if (op.queue && op.kind === "live-snapshot") parts.push(`queue ${op.queue.length}/${op.queue.capacity}`);
  } else {
    parts.push(`in ${op.elapsedMs.toFixed(0)} ms`);
  }
  if (op.pauseMs !== undefined) parts.push(`pause at T0 ${op.pauseMs.toFixed(2)} ms`);
  else if (op.downtimeMs !== undefined) parts.push(`downtime ${op.downtimeMs} ms`);
  if (op.passes.length > 0) parts.push(`${op.passes.length} passes`);
  if (op.error) parts.push(`— ${op.error}`);
  return parts.join(", ");
}

function noteFrame(who: "source" | "target", s: FrameStats): void {
  last[who] = s;
  const op = s.op;
  const done = op.status === "completed" || op.status === "failed" || op.status === "cancelled";
  if (done && op.kind !== "none" && finished[who] !== `${op.kind}:${op.name ?? ""}:${op.status}`) {
    finished[who] = `${op.kind}:${op.name ?? ""}:${op.status}`;
    if (op.status === "completed" && who === "source") charts.finished(op.kind === "live-snapshot" ? op.pauseMs : undefined, op.kind === "live-snapshot" ? undefined : op.downtimeMs);
    void refreshSnapshots();
    status(describeOp(who === "source" ? "A" : "B", s), op.status);
  } else if (!done && op.kind !== "none") {
    finished[who] = "";
    status(describeOp(who === "source" ? "A" : "B", s), op.status);
  }
  if (op.kind !== "none") $(who === "source" ? "ops-a" : "ops-b").textContent = describeOp(who === "source" ? "A" : "B", s);
  document.body.dataset[`${who}Op`] = `${op.kind}:${op.status}`;
  document.body.dataset[`${who}OpSeq`] = String(op.seq);
  document.body.dataset[`${who}StagingLanes`] = String(s.stagingLanes);
}

/** How long the recent page-map draws took on this thread (the bench reads them). */
const drawTimes: number[] = [];
(window as unknown as { playgroundDrawMs: number[] }).playgroundDrawMs = drawTimes;

/** One frame in flight per machine: the next is asked for only once the last one was drawn. */
const inFlight = { source: false, target: false };
let lastBackground = 0;

function pull(who: "source" | "target"): void {
  if (inFlight[who]) return;
  inFlight[who] = true;
  const client = who === "source" ? source : target;
  client
    .call<Frame | null>({ cmd: "frame" })
    .then((f) => {
      if (!f) return;
      noteFrame(who, f.stats);
      if (who === "source") charts.update(f.stats);
      if (view === who) {
        map.draw({ pages: f.pages, pagesPerEntry: 1, kinds: f.kinds, bits: f.bits });
        drawTimes.push(map.lastDrawMs);
        if (drawTimes.length > 2000) drawTimes.splice(0, 1000);
        const s = f.stats;
        $("map-status").textContent = `${who === "source" ? "A" : "B"}: ${bytes(s.memory)}, ${s.runState}, step ${s.steps}, writing ${mibps(s.writeRate)}${s.op.queue && s.op.kind === "live-snapshot" ? `, queue ${s.op.queue.length}/${s.op.queue.capacity} (high ${s.op.queue.highWater}), ${s.op.stalls} writes waited` : ""}`;
      }
    })
    .catch(() => undefined)
    .finally(() => (inFlight[who] = false));
}

function tick(now: number): void {
  if (view === "source" || view === "target") pull(view);
  // The machine not on screen still reports its state, a few times a second.
  if (now - lastBackground > 250) {
    lastBackground = now;
    if (view !== "source") pull("source");
    if (view !== "target") pull("target");
  }
  requestAnimationFrame(tick);
}
requestAnimationFrame(tick);

// ---- controls --------------------------------------------------------------------------

$("create").onclick = () =>
  act("create", async () => {
    status("A: creating and filling the guest…");
    await source.call({ cmd: "create", settings: settings() });
    finished.source = "";
    status(`A: ${bytes(num("memory"))} guest running`);
    setView("source");
  });
$("run").onclick = () => act("run", () => source.call({ cmd: "run" }));
$("pause").onclick = () => act("pause", () => source.call({ cmd: "pause" }));
$("step").onclick = () => act("step", () => source.call({ cmd: "step", count: num("step-count") }));
$("rate").onchange = () => act("rate", () => source.call({ cmd: "rate", rate: Math.round(num("rate") * MiB) }));

function saveRequest(live: boolean): Request {
  return { cmd: "save", name: checkSnapshotName(value("snap-name")), live, dedup: $<HTMLInputElement>("dedup").checked, queuePages: num("queue"), maxBandwidth: Math.round(num("save-bw") * MiB) };
}
$("stop-save").onclick = () => act("stop and save", () => source.call(saveRequest(false)));
$("live").onclick = () => act("live snapshot", () => source.call(saveRequest(true)));

$("precopy").onclick = () =>
  act("pre-copy", async () => {
    const memory = last.source?.memory;
    if (!memory) throw new Error("create machine A first");
    const channel = new MessageChannel();
    await target.call({ cmd: "incoming", port: channel.port2, memory }, [channel.port2]);
    await source.call({ cmd: "precopy", port: channel.port1, maxBandwidth: Math.round(num("mig-bw") * MiB), downtimeLimit: num("downtime"), dedup: $<HTMLInputElement>("dedup").checked }, [channel.port1]);
  });
$("cancel").onclick = () =>
  act("cancel", async () => {
    await source.call({ cmd: "cancel" });
    await target.call({ cmd: "cancel" });
  });

$("restore-file").onchange = () =>
  act("restore", async () => {
    const file = $<HTMLInputElement>("restore-file").files?.[0];
    if (!file) return;
    await target.call({ cmd: "restore", file });
    setView("target");
  });

async function inspect(file: File): Promise<void> {
  status(`inspecting ${file.name}…`);
  inspected = await files.call<InspectedFile>({ cmd: "inspect", file });
  renderInspection($("inspect"), inspected);
  status(`inspected ${file.name}: ${inspected.summary.sections.length} sections, ${Object.keys(inspected.state).length} device sections`, "completed");
  document.body.dataset.inspected = file.name;
  setView("inspect");
}
$("inspect-file").onchange = () =>
  act("inspect", async () => {
    const file = $<HTMLInputElement>("inspect-file").files?.[0];
    if (file) await inspect(file);
  });
{
  const zone = $("center");
  zone.addEventListener("dragover", (e) => {
    e.preventDefault();
    $("drop-zone").classList.add("drop");
  });
  zone.addEventListener("dragleave", () => $("drop-zone").classList.remove("drop"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    $("drop-zone").classList.remove("drop");
    const file = e.dataTransfer?.files[0];
    if (file) void act("inspect", () => inspect(file));
  });
}

for (const [id, v] of [["tab-source", "source"], ["tab-target", "target"], ["tab-inspect", "inspect"]] as const) $(id).onclick = () => setView(v);
$("map-panel").parentElement!.querySelector('[role="tablist"]')!.addEventListener("keydown", (e) => {
  const k = (e as KeyboardEvent).key;
  if (k !== "ArrowLeft" && k !== "ArrowRight") return;
  const order: View[] = ["source", "target", "inspect"];
  const next = order[(order.indexOf(view) + (k === "ArrowRight" ? 1 : 2)) % 3]!;
  setView(next);
  $(`tab-${next}`).focus();
});

// ---- digests ---------------------------------------------------------------------------

function showDigest(row: string, d: Digest | Error, t0?: Digest): void {
  const cells = document.querySelectorAll<HTMLTableCellElement>(`#digests tr[data-row="${row}"] td`);
  if (d instanceof Error) {
    cells[0]!.textContent = d.message;
    cells[1]!.textContent = cells[2]!.textContent = cells[3]!.textContent = "";
    return;
  }
  cells[0]!.textContent = d.ram.slice(0, 16);
  cells[0]!.title = d.ram;
  cells[1]!.textContent = d.devices.slice(0, 16);
  cells[1]!.title = d.devices;
  cells[2]!.textContent = String(d.steps);
  const equal = t0 !== undefined && t0.ram === d.ram && t0.devices === d.devices && t0.steps === d.steps;
  cells[3]!.textContent = t0 === undefined ? "" : equal ? "equal" : "differs";
  cells[3]!.className = t0 === undefined ? "" : equal ? "ok" : "bad";
}

$("digest-btn").onclick = () =>
  act("digests", async () => {
    status("computing digests (SHA-256 of all RAM, in the workers)…");
    const get = (c: WorkerClient<Request>, at: "now" | "t0") => c.call<Digest>({ cmd: "digest", at }).catch((e: Error) => e);
    const [t0, restored, now] = await Promise.all([get(source, "t0"), get(target, "now"), get(source, "now")]);
    const reference = t0 instanceof Error ? undefined : t0;
    showDigest("t0", t0, reference);
    showDigest("restored", restored, reference);
    showDigest("now", now, reference);
    status("digests computed", "completed");
    document.body.dataset.digests = String(Date.now());
  });

// ---- saved states ----------------------------------------------------------------------

async function download(meta: SnapshotMeta, as: "qemu" | "libvirt"): Promise<void> {
  let fileName = meta.file;
  if (as === "libvirt") {
    status(`wrapping ${meta.name} into a libvirt save image…`);
    fileName = (await files.call<{ file: string }>({ cmd: "libvirt", name: meta.name })).file;
  }
  const dir = await snapshotDirectory();
  const file = await (await dir.getFileHandle(fileName)).getFile();
  const picker = (window as unknown as { showSaveFilePicker?: (o: object) => Promise<FileSystemFileHandle> }).showSaveFilePicker;
  if ($<HTMLInputElement>("use-picker").checked && picker) {
    // Streamed from OPFS to the chosen file; nothing is held whole.
    const handle = await picker({ suggestedName: fileName });
    await file.stream().pipeTo(await (handle as unknown as { createWritable(): Promise<WritableStream> }).createWritable());
  } else {
    // The OPFS file itself, disk-backed: the browser copies it to Downloads without building a Blob of the state.
    const url = URL.createObjectURL(file);
    const a = el("a", { href: url, download: fileName });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
  status(`downloaded ${fileName} (${bytes(file.size)})`, "completed");
}

async function refreshSnapshots(): Promise<void> {
  const metas = await files.call<SnapshotMeta[]>({ cmd: "list" });
  const list = $("snapshots");
  if (metas.length === 0) {
    list.replaceChildren(el("li", { class: "meta" }, "none yet"));
    return;
  }
  list.replaceChildren(
    ...metas.map((m) => {
      const button = (label: string, what: string, f: () => Promise<unknown>) => {
        const b = el("button", { type: "button", "aria-label": `${label} ${m.name}`, "data-action": what }, label);
        b.onclick = () => act(`${label} ${m.name}`, f);
        return b;
      };
      return el(
        "li",
        { "data-name": m.name },
        el("strong", {}, m.name),
        " ",
        el("span", { class: "meta" }, `${m.how}, ${bytes(m.bytes)} of ${bytes(m.memory)}${m.pauseMs !== undefined ? `, paused ${m.pauseMs.toFixed(2)} ms` : ""}`),
        el(
          "div",
          { class: "buttons" },
          button("Restore", "restore", async () => {
            await target.call({ cmd: "restore", name: m.name });
            setView("target");
          }),
          button("QEMU file", "download-qemu", () => download(m, "qemu")),
          button("libvirt image", "download-libvirt", () => download(m, "libvirt")),
          button("Delete", "delete", async () => {
            await files.call({ cmd: "delete", name: m.name });
            await refreshSnapshots();
          }),
        ),
      );
    }),
  );
}
void refreshSnapshots();
setView("source");
document.body.dataset.ready = "true";
