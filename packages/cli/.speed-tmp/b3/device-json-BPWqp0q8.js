import { U as DEFAULT_PAGE_SIZE, a as readMigrationStream, i as forEachRecord } from "./decoder-CmMoHoIO.js";
// ../../work/main/packages/format/dist/stream/encoded-length.js
/** How many bytes a record takes in the stream (a PACKAGED command includes its nested stream). */
function encodedLength(rec, pageSize = DEFAULT_PAGE_SIZE) {
	switch (rec.kind) {
		case "header": return 8;
		case "configuration": {
			let n = 5 + rec.machineType.length;
			for (const s of rec.subsections) n += 2 + s.name.length + 4 + s.payload.length;
			return n;
		}
		case "section": return (rec.type === "start" || rec.type === "full" ? 6 + rec.idstr.length + 8 : 5) + (rec.body?.length ?? 0);
		case "footer": return 5;
		case "eof": return 1;
		case "vmdesc": return 5 + rec.json.length;
		case "trailing": return rec.data.length;
		case "command": {
			let n = 5 + rec.data.length;
			for (const inner of rec.packaged ?? []) n += encodedLength(inner, pageSize);
			return n;
		}
		case "ram": {
			if (rec.type === "mem-size") {
				let n = 8;
				for (const b of rec.blocks) n += 1 + b.idstr.length + 8 + (b.pageSize !== void 0 ? 8 : 0) + (b.addr !== void 0 ? 8 : 0);
				return n;
			}
			if (rec.type === "eos" || rec.type === "multifd-flush") return 8;
			const head = 8 + (rec.continued ? 0 : 1 + rec.block.length);
			switch (rec.type) {
				case "zero": return head + 1;
				case "page": return head + pageSize;
				case "xbzrle": return head + 3 + rec.data.length;
				case "compressed": return head + 4 + rec.data.length;
				case "dedup": return head + 8;
			}
		}
	}
}
// ../../work/main/packages/format/dist/views/json-value.js
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
/** Lower-case hex, two digits per byte, no separators. */
function toHex(bytes) {
	let s = "";
	for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]];
	return s;
}
/**
* A decoded value as plain JSON: integers as numbers (decimal strings beyond 2^53), byte arrays
* as lower-case hex strings, non-finite floats as strings.
*/
function toJsonValue(v) {
	if (v === null || v === void 0) return null;
	if (typeof v === "bigint") return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
	if (typeof v === "number") return Number.isFinite(v) ? v : String(v);
	if (typeof v === "string" || typeof v === "boolean") return v;
	if (v instanceof Uint8Array) return toHex(v);
	if (Array.isArray(v)) return v.map(toJsonValue);
	if (typeof v === "object") {
		const out = {};
		for (const [k, item] of Object.entries(v)) out[k] = toJsonValue(item);
		return out;
	}
	return String(v);
}
// ../../work/main/packages/format/dist/views/summary.js
function noPages() {
	return {
		zero: 0,
		uniform: 0,
		normal: 0,
		xbzrle: 0,
		compressed: 0,
		dedup: 0
	};
}
/**
* Builds a StreamSummary from records fed one at a time (so one pass can also do other work).
* It is a RamPageCounter too: `forEachRecord(reader, (rec) => builder.add(rec), { pages: builder })`
* counts most page records without a record object each.
*/
var StreamSummaryBuilder = class {
	s = {
		footers: false,
		sections: [],
		devices: [],
		commands: [],
		trailingBytes: 0,
		totalBytes: 0
	};
	open;
	pageSize = DEFAULT_PAGE_SIZE;
	blocks = /* @__PURE__ */ new Map();
	add(rec) {
		const s = this.s;
		if (rec.kind !== "ram" && rec.kind !== "footer") this.close(rec.offset);
		s.totalBytes = Math.max(s.totalBytes, rec.offset + encodedLength(rec, this.pageSize));
		switch (rec.kind) {
			case "header":
				s.header = { version: rec.version };
				break;
			case "configuration":
				s.configuration = {
					machineType: rec.machineType,
					capabilities: [...rec.capabilities]
				};
				if (rec.targetPageBits !== void 0) {
					s.configuration.targetPageBits = rec.targetPageBits;
					this.pageSize = 2 ** rec.targetPageBits;
				}
				if (rec.uuid) s.configuration.uuid = toHex(rec.uuid);
				break;
			case "section":
				this.open = {
					sectionId: rec.sectionId,
					idstr: rec.idstr,
					instanceId: rec.instanceId,
					version: rec.version,
					type: rec.type,
					offset: rec.offset,
					size: 0,
					...rec.bodyLayout ? { bodyLayout: rec.bodyLayout } : {}
				};
				s.sections.push(this.open);
				if (rec.idstr === "ram") this.ram().sections++;
				else if (rec.type === "full" || rec.type === "start") s.devices.push({
					idstr: rec.idstr,
					instanceId: rec.instanceId,
					sectionId: rec.sectionId,
					version: rec.version,
					...rec.vmsdName !== void 0 ? { vmsdName: rec.vmsdName } : {},
					offset: rec.offset,
					size: rec.body?.length ?? 0,
					...rec.bodyLayout ? { bodyLayout: rec.bodyLayout } : {}
				});
				break;
			case "footer":
				s.footers = true;
				break;
			case "ram":
				this.addRam(rec);
				break;
			case "command":
				s.commands.push({
					offset: rec.offset,
					command: rec.command,
					name: rec.name
				});
				for (const inner of rec.packaged ?? []) this.add(inner);
				break;
			case "eof":
				s.eofOffset = rec.offset;
				break;
			case "vmdesc":
				s.vmdesc = {
					offset: rec.offset,
					size: rec.json.length,
					shape: rec.description.configuration ? "8.2" : "7.2",
					devices: rec.description.devices.length
				};
				break;
			case "trailing": s.trailingBytes += rec.data.length;
		}
	}
	addRam(rec) {
		const ram = this.ram();
		if (rec.type === "mem-size") {
			for (const b of rec.blocks) {
				let block = this.blocks.get(b.idstr);
				if (!block) {
					block = {
						idstr: b.idstr,
						length: b.length,
						pages: noPages()
					};
					this.blocks.set(b.idstr, block);
					ram.blocks.push(block);
				}
			}
			return;
		}
		if (rec.type === "eos" || rec.type === "multifd-flush") return;
		const block = this.pagesOf(ram, rec.block);
		const kind = rec.type === "zero" ? rec.fill === 0 ? "zero" : "uniform" : rec.type === "page" ? "normal" : rec.type;
		block.pages[kind]++;
		ram.pages[kind]++;
	}
	countPages(idstr, zero, uniform, normal) {
		const ram = this.ram();
		const block = this.pagesOf(ram, idstr);
		block.pages.zero += zero;
		block.pages.uniform += uniform;
		block.pages.normal += normal;
		ram.pages.zero += zero;
		ram.pages.uniform += uniform;
		ram.pages.normal += normal;
	}
	ram() {
		return this.s.ram ??= {
			pageSize: this.pageSize,
			sections: 0,
			blocks: [],
			pages: noPages()
		};
	}
	/** The block's entry; a block no MEM_SIZE record announced gets one of length 0. */
	pagesOf(ram, idstr) {
		let block = this.blocks.get(idstr);
		if (!block) {
			block = {
				idstr,
				length: 0,
				pages: noPages()
			};
			this.blocks.set(idstr, block);
			ram.blocks.push(block);
		}
		return block;
	}
	close(end) {
		if (this.open) {
			this.open.size = end - this.open.offset;
			this.open = void 0;
		}
	}
	result() {
		this.close(this.s.totalBytes);
		return this.s;
	}
};
/**
* Header, configuration, a table of sections, RAM blocks with page counts, devices and commands,
* for `savevm inspect` and the like. Reads the whole stream once; RAM is never kept.
*/
async function summarizeStream(source, options) {
	const builder = new StreamSummaryBuilder();
	await forEachRecord(readMigrationStream(source, options), (rec) => builder.add(rec), { pages: builder });
	return builder.result();
}
// ../../work/main/packages/format/dist/views/device-json.js
/**
* The device state of a stream shaped like QEMU's `analyze-migration.py -d state`: one key per
* section, `"idstr (section_id)"`, structs as objects, arrays as lists, subsections under their
* vmsd name, RAM as `{"section sizes": {block: size}}`. Values are JSON numbers (decimal strings
* beyond 2^53), booleans, and lower-case hex strings for bytes. A body with no layout at all (no
* description, no vmdesc) appears as `{"data": hex}`.
*/
async function deviceStateToJson(source, options) {
	const out = new DeviceStateJsonBuilder();
	await forEachRecord(readMigrationStream(source, options), (rec) => out.add(rec));
	return out.result();
}
/** The same, fed record by record. */
var DeviceStateJsonBuilder = class {
	out = {};
	ramSizes = /* @__PURE__ */ new Map();
	ramSection;
	add(rec) {
		if (rec.kind === "section") {
			const key = `${rec.idstr} (${rec.sectionId})`;
			if (rec.idstr === "ram") {
				this.ramSection = rec.sectionId;
				if (!this.ramSizes.has(rec.sectionId)) {
					const sizes = {};
					this.ramSizes.set(rec.sectionId, sizes);
					this.out[key] = { "section sizes": sizes };
				}
			} else if (rec.type === "full" || rec.type === "start") this.out[key] = sectionStateToJson(rec);
		} else if (rec.kind === "ram" && rec.type === "mem-size") {
			const sizes = this.ramSizes.get(this.ramSection ?? rec.sectionId);
			if (sizes) for (const b of rec.blocks) sizes[b.idstr] = b.length;
		} else if (rec.kind === "command") for (const inner of rec.packaged ?? []) this.add(inner);
	}
	result() {
		return this.out;
	}
};
/** One device section's state as JSON (see deviceStateToJson). */
function sectionStateToJson(rec) {
	if (rec.state !== void 0) return toJsonValue(rec.state);
	return { data: toHex(rec.body ?? /* @__PURE__ */ new Uint8Array(0)) };
}
export { summarizeStream as a, encodedLength as c, StreamSummaryBuilder as i, deviceStateToJson as n, toHex as o, sectionStateToJson as r, toJsonValue as s, DeviceStateJsonBuilder as t };
