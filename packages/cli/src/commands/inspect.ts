/**
 * `savevm inspect FILE|-`: what a QEMU stream or libvirt save image holds, in one streaming pass.
 * A plain inspect loads only the reading half of @savevm/format and counts page records without
 * looking at their bytes; --extract loads the rest (inspect-extract.ts).
 */
import type { Command } from "commander";
import {
  DeviceStateJsonBuilder,
  forEachRecord,
  StreamSummaryBuilder,
  readMigrationStream,
  type StreamSummary,
  type VmdescRecord,
} from "@savevm/format/reader";
import { openInput } from "../input.js";
import { openInputContainer, type OpenedContainer } from "../container.js";
import { renderTable, humanBytes, hex } from "../table.js";
import { namingFile, UsageError } from "../cli-error.js";
import { indentedDesc, summaryJson } from "./inspect-json.js";
import { mayBeMappedRam } from "./mapped-ram-sniff.js";
import { addProgressOptions, progressOptions, type ProgressFlags } from "./progress-options.js";
import { addStreamOptions, streamOptions, type StreamFlags } from "./stream-options.js";

interface InspectFlags extends StreamFlags, ProgressFlags {
  json?: boolean;
  state?: boolean;
  desc?: boolean;
  extract?: string;
}

export function registerInspect(program: Command): void {
  const command = program
    .command("inspect")
    .description("show what a QEMU migration stream or libvirt save image holds")
    .argument("<file>", "the file, or - for standard input")
    .option("--json", "the summary as JSON (libvirt header, configuration, sections, RAM by kind, devices), device state under \"state\"")
    .option("--state", "only the device state, shaped like analyze-migration.py -d state, plus RAM page counts")
    .option("--desc", "the vmdesc JSON trailer, indented like analyze-migration.py -d desc")
    .option("--extract <dir>", "write one raw file (0600) per RAM block (named by idstr, / turned into _) plus desc.json and state.json");
  addProgressOptions(addStreamOptions(command)).action(async (file: string, flags: InspectFlags) => {
    if ([flags.json, flags.state, flags.desc].filter(Boolean).length > 1) throw new UsageError("--json, --state and --desc cannot be combined");
    await inspect(file, flags);
  });
}

async function inspect(file: string, flags: InspectFlags): Promise<void> {
  const mappedRam = mayBeMappedRam(file) ? await import("./mapped-ram-io.js") : undefined;
  const mapped = await mappedRam?.openMappedRamInput(file);
  const input = await openInput(file);
  const container = await openInputContainer(input, "inspect", progressOptions(flags));
  try {
    const summary = new StreamSummaryBuilder();
    const state = flags.json || flags.state || flags.extract ? new DeviceStateJsonBuilder() : undefined;
    const extraction = flags.extract ? await (await import("./inspect-extract.js")).startExtraction(flags.extract) : undefined;
    let vmdesc: VmdescRecord | undefined;
    try {
      const records = mapped
        ? mappedRam!.mappedRamRecords(mapped, streamOptions(flags, 0), false)
        : readMigrationStream(container.stream, streamOptions(flags, container.baseOffset));
      // Without --extract nothing needs the pages' bytes: the summary counts most page records
      // itself (`pages`), and only the rest come through here.
      const options = extraction ? {} : { pages: summary };
      await forEachRecord(
        records,
        (rec) => {
          summary.add(rec);
          if (rec.kind === "ram" && rec.type !== "mem-size") {
            // the per-page records: only the summary's counters and the extraction need them
            extraction?.apply(rec);
            return;
          }
          state?.add(rec);
          extraction?.apply(rec);
          if (rec.kind === "vmdesc") vmdesc = rec;
        },
        options,
      );
    } catch (err) {
      extraction?.abort();
      if (file === "-" && !flags.extract) throw (await import("./mapped-ram-io.js")).explainMappedRamOnStdin(err, file);
      throw flags.extract ? namingFile(err, flags.extract) : err;
    }
    const result = summary.result();
    const stateJson = state ? stateWithPages(state.result(), result) : undefined;
    await extraction?.finish(vmdesc, stateJson);
    if (flags.json) {
      process.stdout.write(JSON.stringify(summaryJson(input.name, input.size, container, result, stateJson), null, 2) + "\n");
    } else if (flags.state) {
      process.stdout.write(JSON.stringify(stateJson, null, 2) + "\n");
    } else if (flags.desc) {
      if (!vmdesc) {
        throw new UsageError(`${input.name}: the stream has no vmdesc trailer (suppress-vmdesc=on, a device-state file, or postcopy)`);
      }
      process.stdout.write(indentedDesc(vmdesc.json) + "\n");
    } else {
      process.stdout.write(renderSummary(input.name, input.size, container, result, extraction?.files, mapped !== undefined));
    }
  } finally {
    await container.close();
    await mapped?.close();
  }
}

/** The RAM section's entry gets the page counts next to QEMU's "section sizes". */
function stateWithPages(state: Record<string, unknown>, summary: StreamSummary): Record<string, unknown> {
  if (!summary.ram) return state;
  const counts: Record<string, unknown> = {};
  for (const block of summary.ram.blocks) counts[block.idstr] = block.pages;
  for (const [key, value] of Object.entries(state)) {
    if (key.startsWith("ram (") && value && typeof value === "object") {
      (value as Record<string, unknown>)["page counts"] = counts;
    }
  }
  return state;
}

function describeContainer(container: OpenedContainer, summary: StreamSummary, mappedRam = false): string[] {
  const stream = `QEMU migration stream v${summary.header?.version ?? "?"}`;
  if (mappedRam) return [`format        QEMU mapped-ram file (${stream} with RAM at fixed offsets)`];
  if (container.kind === "gzip") return [`format        gzip-compressed ${stream}`];
  if (container.kind === "qemu") return [`format        ${stream}`];
  const l = container.libvirt!;
  return [
    `format        libvirt save image v${l.header.version} (${l.header.format}), holding a ${stream} at ${hex(l.payloadOffset)}`,
    `domain        ${l.name ?? "(no name)"}${l.uuid ? `  uuid ${l.uuid}` : ""}`,
    `was running   ${l.header.wasRunning ? "yes" : "no"}`,
  ];
}

function renderSummary(
  name: string,
  size: number | undefined,
  container: OpenedContainer,
  s: StreamSummary,
  extracted: ReadonlyMap<string, string> | undefined,
  mappedRam = false,
): string {
  const out: string[] = [];
  out.push(`file          ${name}${size !== undefined ? ` (${size} bytes)` : ""}`);
  out.push(...describeContainer(container, s, mappedRam));
  if (s.configuration) {
    out.push(`machine type  ${s.configuration.machineType}`);
    out.push(`capabilities  ${s.configuration.capabilities.length > 0 ? s.configuration.capabilities.join(", ") : "(none)"}`);
    if (s.configuration.targetPageBits !== undefined) out.push(`page bits     ${s.configuration.targetPageBits}`);
    if (s.configuration.uuid) out.push(`uuid          ${s.configuration.uuid}`);
  } else {
    out.push("configuration (none: send-configuration=off, a device-state file, or an old machine type)");
  }
  out.push(`footers       ${s.footers ? "yes" : "no"}`);
  out.push(
    s.vmdesc
      ? `vmdesc        ${s.vmdesc.size} bytes at ${hex(s.vmdesc.offset)} (${s.vmdesc.shape} shape, ${s.vmdesc.devices} devices)`
      : "vmdesc        (none)",
  );
  if (s.commands.length > 0) out.push(`commands      ${s.commands.map((c) => `${c.name} at ${hex(c.offset)}`).join(", ")}`);
  if (s.trailingBytes > 0) out.push(`trailing      ${s.trailingBytes} bytes after the stream`);
  out.push(`stream size   ${s.totalBytes} bytes`);

  out.push("", `sections (${s.sections.length})`);
  out.push(
    renderTable(
      [
        { header: "id", align: "right" },
        { header: "type" },
        { header: "idstr" },
        { header: "instance", align: "right" },
        { header: "version", align: "right" },
        { header: "offset", align: "right" },
        { header: "size", align: "right" },
      ],
      s.sections.map((sec) => [
        String(sec.sectionId),
        sec.type.toUpperCase(),
        sec.idstr,
        String(sec.instanceId),
        String(sec.version),
        hex(sec.offset),
        String(sec.size),
      ]),
    ),
  );

  if (s.ram) {
    out.push("", `RAM (page size ${s.ram.pageSize}, ${s.ram.sections} sections)`);
    const rows = s.ram.blocks.map((b) => [
      b.idstr,
      humanBytes(b.length),
      String(b.length / s.ram!.pageSize),
      String(b.pages.zero),
      String(b.pages.uniform),
      String(b.pages.normal),
      String(b.pages.xbzrle),
      String(b.pages.compressed),
      String(b.pages.dedup),
    ]);
    const t = s.ram.pages;
    rows.push(["total", "", "", String(t.zero), String(t.uniform), String(t.normal), String(t.xbzrle), String(t.compressed), String(t.dedup)]);
    out.push(
      renderTable(
        [
          { header: "block" },
          { header: "size", align: "right" },
          { header: "pages", align: "right" },
          { header: "zero", align: "right" },
          { header: "uniform", align: "right" },
          { header: "normal", align: "right" },
          { header: "xbzrle", align: "right" },
          { header: "compressed", align: "right" },
          { header: "dedup", align: "right" },
        ],
        rows,
      ),
    );
  }

  out.push("", `devices (${s.devices.length})`);
  if (s.devices.length > 0) {
    out.push(
      renderTable(
        [
          { header: "idstr" },
          { header: "instance", align: "right" },
          { header: "version", align: "right" },
          { header: "vmsd" },
          { header: "bytes", align: "right" },
          { header: "decoded by" },
        ],
        s.devices.map((d) => [
          d.idstr,
          String(d.instanceId),
          String(d.version),
          d.vmsdName ?? "",
          String(d.size),
          d.bodyLayout ?? "",
        ]),
      ),
    );
  }
  if (extracted && extracted.size > 0) {
    out.push("", "extracted");
    for (const [block, path] of extracted) out.push(`  ${block} -> ${path}`);
  }
  return out.join("\n") + "\n";
}

