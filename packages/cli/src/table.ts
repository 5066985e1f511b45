/** Plain-text tables for terminal output: columns padded to their widest cell. */
export type Align = "left" | "right";

export interface Column {
  header: string;
  align?: Align;
}

export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[], indent = "  "): string {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    indent +
    columns
      .map((c, i) => {
        const cell = cells[i] ?? "";
        const width = widths[i] ?? 0;
        return c.align === "right" ? cell.padStart(width) : cell.padEnd(width);
      })
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map(line)].join("\n");
}

/** `16 MiB`, `1.5 GiB`, `412 B`: sizes for people. */
export function humanBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = unit === 0 || Number.isInteger(value) ? String(value) : value.toFixed(1);
  return `${text} ${units[unit]}`;
}

export function hex(value: number, width = 0): string {
  return "0x" + value.toString(16).padStart(width, "0");
}
