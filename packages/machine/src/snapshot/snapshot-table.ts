import type { SnapshotInfo } from "./snapshot-store.js";

const SUFFIXES = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

/** C's `%g` with precision 3 (shortest of %e/%f, trailing zeros removed). */
function g3(v: number): string {
  if (v === 0) return "0";
  const [mantissa, exp] = v.toExponential(2).split("e") as [string, string];
  const x = Number(exp);
  const strip = (s: string): string => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
  if (x < -4 || x >= 3) return `${strip(mantissa)}e${x < 0 ? "-" : "+"}${String(Math.abs(x)).padStart(2, "0")}`;
  return strip(v.toFixed(2 - x));
}

/**
 * QEMU's size_to_str: three significant digits and a binary prefix, moving to the next prefix
 * once the number would reach 1000 ("759 KiB", "1.5 MiB").
 */
export function sizeToStr(bytes: number): string {
  const scaled = bytes / (1000 / 1024);
  // frexp's exponent: scaled = m * 2^e with m in [0.5, 1).
  const e = scaled > 0 ? Math.floor(Math.log2(scaled)) + 1 : 0;
  const i = Math.min(SUFFIXES.length - 1, Math.trunc((e - 1) / 10));
  return `${g3(bytes / 2 ** (i * 10))} ${SUFFIXES[i]}B`;
}

const two = (n: number): string => String(n).padStart(2, "0");

/** `%Y-%m-%d %H:%M:%S` in local time. */
function localDate(sec: number): string {
  const d = new Date(sec * 1000);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** `HH:MM:SS.mmm` of a virtual clock in nanoseconds. */
function vmClock(ns: number): string {
  const secs = Math.floor(ns / 1e9);
  const ms = Math.floor(ns / 1e6) % 1000;
  return `${two(Math.floor(secs / 3600))}:${two(Math.floor(secs / 60) % 60)}:${two(secs % 60)}.${String(ms).padStart(3, "0")}`;
}

const left = (s: string, w: number): string => s.padEnd(w);
const right = (s: string, w: number): string => s.padStart(w);

/**
 * HMP `info snapshots` as QEMU 7.2 prints it for snapshots present on every disk: the ID
 * column shows `--` (IDs may differ between images), no icount. Lines end in "\n".
 */
export function formatSnapshotTable(snapshots: readonly SnapshotInfo[]): string {
  if (snapshots.length === 0) return "There is no snapshot available.\n";
  const header = left("ID", 10) + left("TAG", 17) + right("VM SIZE", 8) + right("DATE", 20) + right("VM CLOCK", 13) + right("ICOUNT", 11);
  const rows = snapshots.map(
    (s) =>
      `${left("--", 9)} ${left(s.tag, 16)} ${right(sizeToStr(s.vmStateSize), 8)}${right(localDate(s.dateSec), 20)}${right(vmClock(s.vmClockNs), 13)}${right("", 11)}`,
  );
  return ["List of snapshots present on all disks:", header, ...rows].map((l) => `${l}\n`).join("");
}
