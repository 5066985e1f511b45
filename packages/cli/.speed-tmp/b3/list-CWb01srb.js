import { t as MachineRegistry } from "./machine-registry-QkcVjJSj.js";
// ../../work/main/packages/cli/dist/commands/list.js
/** virsh's state words for QEMU run states (libvirt maps them the same way for its QEMU domains). */
function virshState(runState) {
	switch (runState) {
		case "running": return "running";
		case "suspended": return "pmsuspended";
		case "guest-panicked": return "crashed";
		case "shutdown": return "in shutdown";
		default: return "paused";
	}
}
/**
* A table as virsh prints one: every cell after one space, columns two spaces apart beyond the
* widest cell, a dashed line of each column's width + 3, and a blank line at the end.
*/
function virshTable(header, rows) {
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
	const line = (cells) => cells.map((cell, i) => ` ${i < cells.length - 1 ? cell.padEnd(widths[i] + 2) : cell}`).join("") + "\n";
	return line(header) + "-".repeat(widths.reduce((n, w) => n + w + 3, 0)) + "\n" + rows.map(line).join("") + "\n";
}
function render(records, options) {
	if (options.json) return `${JSON.stringify(records, null, 2)}\n`;
	if (options.name && options.uuid) return records.map((r) => `${r.uuid} ${r.name}\n`).join("") + "\n";
	if (options.name) return records.map((r) => `${r.name}\n`).join("") + "\n";
	if (options.uuid) return records.map((r) => `${r.uuid}\n`).join("") + "\n";
	return virshTable([
		"Id",
		"Name",
		"State"
	], records.map((r) => [
		String(r.id),
		r.name,
		virshState(r.state)
	]));
}
/** `savevm list`: the machines that run, as `virsh list` shows domains. */
function registerList(program) {
	program.command("list").description("list running machines (savevm run, restored machines, QEMU that savevm started) like virsh list").option("--all", "also machines that are not running (none are kept: an entry lives as long as its process)").option("--name", "print names only").option("--uuid", "print UUIDs only (with --name: UUID and name)").option("--json", "print the registry entries (addresses, pid, state, start time) as JSON").option("--runtime-dir <dir>", "machine registry directory (default $XDG_RUNTIME_DIR/savevm, /run/savevm for root)").action(async (options) => {
		const registry = await MachineRegistry.open(options.runtimeDir !== void 0 ? { runtimeDir: options.runtimeDir } : {});
		process.stdout.write(render(await registry.list(), options));
	});
}
export { registerList, virshState, virshTable };
