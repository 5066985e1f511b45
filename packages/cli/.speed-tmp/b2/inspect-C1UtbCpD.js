import { f as forEachRecord, i as StreamSummaryBuilder, p as readMigrationStream, t as DeviceStateJsonBuilder } from "./device-json-DOW67pXe.js";
import { a as openInput, i as openInputContainer, n as streamOptions, t as addStreamOptions } from "./stream-options-DegsKMwL.js";
import { n as humanBytes, r as renderTable, t as hex } from "./table-Dt_cYIdp.js";
import { a as namingFile, n as UsageError } from "./cli-error-a_dr6oY-.js";
import { n as progressOptions, t as addProgressOptions } from "./progress-options-Cgw3N4Ce.js";
// ../../work/main/packages/cli/dist/commands/inspect-json.js
function summaryJson(name, size, container, s, state) {
	const out = { filename: name };
	if (size !== void 0) out["file-size"] = size;
	out.format = container.kind === "libvirt" ? "libvirt" : container.kind === "gzip" ? "gzip" : "qemu";
	if (container.libvirt) {
		const l = container.libvirt;
		out.libvirt = {
			version: l.header.version,
			was_running: l.header.wasRunning,
			format: l.header.format,
			data_len: l.header.dataLen,
			"payload-offset": l.payloadOffset,
			name: l.name ?? null,
			uuid: l.uuid ?? null
		};
	}
	out.stream = {
		version: s.header?.version ?? null,
		size: s.totalBytes,
		footers: s.footers,
		"trailing-bytes": s.trailingBytes
	};
	out.configuration = s.configuration ? {
		"machine-type": s.configuration.machineType,
		capabilities: s.configuration.capabilities,
		...s.configuration.targetPageBits !== void 0 ? { "target-page-bits": s.configuration.targetPageBits } : {},
		...s.configuration.uuid ? { uuid: s.configuration.uuid } : {}
	} : null;
	out.vmdesc = s.vmdesc ? {
		offset: s.vmdesc.offset,
		size: s.vmdesc.size,
		shape: s.vmdesc.shape,
		devices: s.vmdesc.devices
	} : null;
	out.commands = s.commands.map((c) => ({
		name: c.name,
		command: c.command,
		offset: c.offset
	}));
	out.sections = s.sections.map((sec) => ({
		"section-id": sec.sectionId,
		type: sec.type,
		idstr: sec.idstr,
		"instance-id": sec.instanceId,
		version: sec.version,
		offset: sec.offset,
		size: sec.size,
		...sec.bodyLayout ? { "body-layout": sec.bodyLayout } : {}
	}));
	out.ram = s.ram ? {
		"page-size": s.ram.pageSize,
		sections: s.ram.sections,
		blocks: s.ram.blocks.map((b) => ({
			idstr: b.idstr,
			length: b.length,
			pages: b.pages
		})),
		pages: s.ram.pages
	} : null;
	out.devices = s.devices.map((d) => ({
		idstr: d.idstr,
		"instance-id": d.instanceId,
		"section-id": d.sectionId,
		version: d.version,
		...d.vmsdName !== void 0 ? { "vmsd-name": d.vmsdName } : {},
		offset: d.offset,
		size: d.size,
		...d.bodyLayout ? { "body-layout": d.bodyLayout } : {}
	}));
	if (state) out.state = state;
	return out;
}
/**
* The vmdesc trailer as `analyze-migration.py -d desc` prints it: Python's `json.dumps(…,
* indent=4)`, keys in the writer's order, non-ASCII as `\uXXXX`.
*/
function indentedDesc(json) {
	return JSON.stringify(JSON.parse(new TextDecoder().decode(json)), null, 4).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
// ../../work/main/packages/cli/dist/commands/inspect.js
function registerInspect(program) {
	const command = program.command("inspect").description("show what a QEMU migration stream or libvirt save image holds").argument("<file>", "the file, or - for standard input").option("--json", "the summary as JSON (libvirt header, configuration, sections, RAM by kind, devices), device state under \"state\"").option("--state", "only the device state, shaped like analyze-migration.py -d state, plus RAM page counts").option("--desc", "the vmdesc JSON trailer, indented like analyze-migration.py -d desc").option("--extract <dir>", "write one raw file (0600) per RAM block (named by idstr, / turned into _) plus desc.json and state.json");
	addProgressOptions(addStreamOptions(command)).action(async (file, flags) => {
		if ([
			flags.json,
			flags.state,
			flags.desc
		].filter(Boolean).length > 1) throw new UsageError("--json, --state and --desc cannot be combined");
		await inspect(file, flags);
	});
}
async function inspect(file, flags) {
	const input = await openInput(file);
	const container = await openInputContainer(input, "inspect", progressOptions(flags));
	try {
		const summary = new StreamSummaryBuilder();
		const state = flags.json || flags.state || flags.extract ? new DeviceStateJsonBuilder() : void 0;
		const extraction = flags.extract ? await (await import("./inspect-extract-DRRyaM7Y.js")).startExtraction(flags.extract) : void 0;
		let vmdesc;
		try {
			const records = readMigrationStream(container.stream, streamOptions(flags, container.baseOffset));
			await forEachRecord(records, (rec) => {
				summary.add(rec);
				if (rec.kind === "ram" && rec.type !== "mem-size") {
					extraction?.apply(rec);
					return;
				}
				state?.add(rec);
				extraction?.apply(rec);
				if (rec.kind === "vmdesc") vmdesc = rec;
			}, extraction ? {} : { pages: summary });
		} catch (err) {
			extraction?.abort();
			throw flags.extract ? namingFile(err, flags.extract) : err;
		}
		const result = summary.result();
		const stateJson = state ? stateWithPages(state.result(), result) : void 0;
		await extraction?.finish(vmdesc, stateJson);
		if (flags.json) process.stdout.write(JSON.stringify(summaryJson(input.name, input.size, container, result, stateJson), null, 2) + "\n");
		else if (flags.state) process.stdout.write(JSON.stringify(stateJson, null, 2) + "\n");
		else if (flags.desc) {
			if (!vmdesc) throw new UsageError(`${input.name}: the stream has no vmdesc trailer (suppress-vmdesc=on, a device-state file, or postcopy)`);
			process.stdout.write(indentedDesc(vmdesc.json) + "\n");
		} else process.stdout.write(renderSummary(input.name, input.size, container, result, extraction?.files));
	} finally {
		await container.close();
	}
}
/** The RAM section's entry gets the page counts next to QEMU's "section sizes". */
function stateWithPages(state, summary) {
	if (!summary.ram) return state;
	const counts = {};
	for (const block of summary.ram.blocks) counts[block.idstr] = block.pages;
	for (const [key, value] of Object.entries(state)) if (key.startsWith("ram (") && value && typeof value === "object") value["page counts"] = counts;
	return state;
}
function describeContainer(container, summary) {
	const stream = `QEMU migration stream v${summary.header?.version ?? "?"}`;
	if (container.kind === "gzip") return [`format        gzip-compressed ${stream}`];
	if (container.kind === "qemu") return [`format        ${stream}`];
	const l = container.libvirt;
	return [
		`format        libvirt save image v${l.header.version} (${l.header.format}), holding a ${stream} at ${hex(l.payloadOffset)}`,
		`domain        ${l.name ?? "(no name)"}${l.uuid ? `  uuid ${l.uuid}` : ""}`,
		`was running   ${l.header.wasRunning ? "yes" : "no"}`
	];
}
function renderSummary(name, size, container, s, extracted) {
	const out = [];
	out.push(`file          ${name}${size !== void 0 ? ` (${size} bytes)` : ""}`);
	out.push(...describeContainer(container, s));
	if (s.configuration) {
		out.push(`machine type  ${s.configuration.machineType}`);
		out.push(`capabilities  ${s.configuration.capabilities.length > 0 ? s.configuration.capabilities.join(", ") : "(none)"}`);
		if (s.configuration.targetPageBits !== void 0) out.push(`page bits     ${s.configuration.targetPageBits}`);
		if (s.configuration.uuid) out.push(`uuid          ${s.configuration.uuid}`);
	} else out.push("configuration (none: send-configuration=off, a device-state file, or an old machine type)");
	out.push(`footers       ${s.footers ? "yes" : "no"}`);
	out.push(s.vmdesc ? `vmdesc        ${s.vmdesc.size} bytes at ${hex(s.vmdesc.offset)} (${s.vmdesc.shape} shape, ${s.vmdesc.devices} devices)` : "vmdesc        (none)");
	if (s.commands.length > 0) out.push(`commands      ${s.commands.map((c) => `${c.name} at ${hex(c.offset)}`).join(", ")}`);
	if (s.trailingBytes > 0) out.push(`trailing      ${s.trailingBytes} bytes after the stream`);
	out.push(`stream size   ${s.totalBytes} bytes`);
	out.push("", `sections (${s.sections.length})`);
	out.push(renderTable([
		{
			header: "id",
			align: "right"
		},
		{ header: "type" },
		{ header: "idstr" },
		{
			header: "instance",
			align: "right"
		},
		{
			header: "version",
			align: "right"
		},
		{
			header: "offset",
			align: "right"
		},
		{
			header: "size",
			align: "right"
		}
	], s.sections.map((sec) => [
		String(sec.sectionId),
		sec.type.toUpperCase(),
		sec.idstr,
		String(sec.instanceId),
		String(sec.version),
		hex(sec.offset),
		String(sec.size)
	])));
	if (s.ram) {
		out.push("", `RAM (page size ${s.ram.pageSize}, ${s.ram.sections} sections)`);
		const rows = s.ram.blocks.map((b) => [
			b.idstr,
			humanBytes(b.length),
			String(b.length / s.ram.pageSize),
			String(b.pages.zero),
			String(b.pages.uniform),
			String(b.pages.normal),
			String(b.pages.xbzrle),
			String(b.pages.compressed),
			String(b.pages.dedup)
		]);
		const t = s.ram.pages;
		rows.push([
			"total",
			"",
			"",
			String(t.zero),
			String(t.uniform),
			String(t.normal),
			String(t.xbzrle),
			String(t.compressed),
			String(t.dedup)
		]);
		out.push(renderTable([
			{ header: "block" },
			{
				header: "size",
				align: "right"
			},
			{
				header: "pages",
				align: "right"
			},
			{
				header: "zero",
				align: "right"
			},
			{
				header: "uniform",
				align: "right"
			},
			{
				header: "normal",
				align: "right"
			},
			{
				header: "xbzrle",
				align: "right"
			},
			{
				header: "compressed",
				align: "right"
			},
			{
				header: "dedup",
				align: "right"
			}
		], rows));
	}
	out.push("", `devices (${s.devices.length})`);
	if (s.devices.length > 0) out.push(renderTable([
		{ header: "idstr" },
		{
			header: "instance",
			align: "right"
		},
		{
			header: "version",
			align: "right"
		},
		{ header: "vmsd" },
		{
			header: "bytes",
			align: "right"
		},
		{ header: "decoded by" }
	], s.devices.map((d) => [
		d.idstr,
		String(d.instanceId),
		String(d.version),
		d.vmsdName ?? "",
		String(d.size),
		d.bodyLayout ?? ""
	])));
	if (extracted && extracted.size > 0) {
		out.push("", "extracted");
		for (const [block, path] of extracted) out.push(`  ${block} -> ${path}`);
	}
	return out.join("\n") + "\n";
}
export { registerInspect };
