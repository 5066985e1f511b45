// ../../work/main/packages/cli/dist/table.js
function renderTable(columns, rows, indent = "  ") {
	const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? "").length)));
	const line = (cells) => indent + columns.map((c, i) => {
		const cell = cells[i] ?? "";
		const width = widths[i] ?? 0;
		return c.align === "right" ? cell.padStart(width) : cell.padEnd(width);
	}).join("  ").trimEnd();
	return [line(columns.map((c) => c.header)), ...rows.map(line)].join("\n");
}
/** `16 MiB`, `1.5 GiB`, `412 B`: sizes for people. */
function humanBytes(bytes) {
	const units = [
		"B",
		"KiB",
		"MiB",
		"GiB",
		"TiB"
	];
	let value = bytes;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	return `${unit === 0 || Number.isInteger(value) ? String(value) : value.toFixed(1)} ${units[unit]}`;
}
function hex(value, width = 0) {
	return "0x" + value.toString(16).padStart(width, "0");
}
export { humanBytes as n, renderTable as r, hex as t };
