/**
 * `savevm demo`: a live point-in-time snapshot while the guest keeps writing, a second machine
 * restored from it, and the digests compared with the source at T0.
 */
import type { Command } from "commander";
import { parseSize } from "@savevm/machine";
import { liveSnapshotDemo, type LiveSnapshotDemoReport } from "@savevm/machine/node";
import { UsageError } from "../cli-error.js";
import { humanBytes, renderTable } from "../table.js";

interface DemoFlags {
  memory: string;
  rate: string;
  fill?: string;
  queue?: string;
  dedup?: boolean;
  file?: string;
  json?: boolean;
}

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("take a live snapshot of a running guest, restore it on a second machine and compare the digests with the guest at T0")
    .option("--memory <size>", "guest RAM", "256M")
    .option("--rate <size>", "bytes per second the guest writes while it runs", "64M")
    .option("--fill <size>", "RAM the guest fills with its mix first (default: 3/4 of RAM)")
    .option("--queue <pages>", "pages of the copy-before-write queue")
    .option("--dedup", "write duplicate pages as references (the x-dedup extension)")
    .option("--file <path>", "keep the snapshot in this file (default: a temporary file)")
    .option("--json", "the report as JSON")
    .action(async (flags: DemoFlags) => {
      const queuePages = flags.queue === undefined ? undefined : Number(flags.queue);
      if (queuePages !== undefined && (!Number.isInteger(queuePages) || queuePages < 1)) {
        throw new UsageError(`--queue: not a positive number of pages: ${flags.queue}`);
      }
      const memory = parseSize(flags.memory, "memory size");
      const report = await liveSnapshotDemo({
        memory,
        rate: parseSize(flags.rate, "guest rate"),
        ...(flags.fill !== undefined ? { fill: parseSize(flags.fill, "guest fill") } : {}),
        ...(queuePages !== undefined ? { queuePages } : {}),
        dedup: flags.dedup === true,
        ...(flags.file !== undefined ? { file: flags.file } : {}),
        ...(flags.json ? {} : { onStep: (line: string) => process.stderr.write(`${line}\n`) }),
      });
      process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
      if (!report.equal) process.exitCode = 1;
    });
}

function keyValues(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
}

const mibps = (bytesPerSecond: number): string => `${(bytesPerSecond / 2 ** 20).toFixed(1)} MiB/s`;

function renderReport(r: LiveSnapshotDemoReport): string {
  const d = r.digests;
  const pages = r.pages.zero + r.pages.uniform + r.pages.dedup + r.pages.normal;
  const out = [
    "",
    r.equal
      ? "the restored machine equals the source at T0 (RAM, devices, guest step), not the source at the end"
      : "MISMATCH: the restored machine differs from the source at T0",
    renderTable(
      [{ header: "machine" }, { header: "RAM sha256" }, { header: "devices sha256" }, { header: "step", align: "right" }],
      [
        ["source at T0", d.t0.ram.slice(0, 16), d.t0.devices.slice(0, 16), String(d.t0.steps)],
        ["restored", d.restored.ram.slice(0, 16), d.restored.devices.slice(0, 16), String(d.restored.steps)],
        ["source at the end", d.sourceAtEnd.ram.slice(0, 16), d.sourceAtEnd.devices.slice(0, 16), String(d.sourceAtEnd.steps)],
      ],
    ),
    "",
    ...keyValues([
      ["guest paused at T0", `${r.pauseMs.toFixed(2)} ms`],
      ["snapshot written in", `${r.snapshotMs.toFixed(0)} ms`],
      ["restored in", `${r.restoreMs.toFixed(0)} ms`],
      ["guest writes before / during", `${mibps(r.guest.rateBefore)} / ${mibps(r.guest.rateDuring)}`],
      ["file size", `${humanBytes(r.fileBytes)} (${((r.fileBytes / r.memory) * 100).toFixed(1)}% of ${humanBytes(r.memory)} RAM)`],
      [
        "queue high-water mark",
        `${r.queue.highWater} of ${r.queue.capacity} pages (${humanBytes(r.queue.highWater * 4096)}); ${r.queue.copied} pages copied before a guest write`,
      ],
      ["guest waits for the queue", `${r.guest.stalls} (${r.guest.stalledMs.toFixed(0)} ms)`],
    ]),
    "",
    `pages (${pages}, each written once)`,
    renderTable(
      [{ header: "kind" }, { header: "pages", align: "right" }, { header: "written as" }],
      [
        ["zero", String(r.pages.zero), "ZERO record (9 bytes)"],
        ["uniform", String(r.pages.uniform), "ZERO record with the fill byte (QEMU 7.2 loads it; 8.2+ does not)"],
        ["duplicate", String(r.pages.dedup), "x-dedup reference (16 bytes)"],
        ["other", String(r.pages.normal), "PAGE record (4 KiB + 8 bytes)"],
      ],
    ),
    "",
  ];
  return out.join("\n");
}
