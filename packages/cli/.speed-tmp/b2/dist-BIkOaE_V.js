import { A as isBaseType, At as hex, B as writeConfiguration, C as decodeVMState, Ct as RAM_SAVE_FLAG_X_DEDUP, D as fieldPresent, E as fieldKeys, Et as SECTION_TYPE_BYTE, F as writeRamRecord, G as makeCommandRecord, H as commandDetails, I as SUBSECTION_CAPABILITIES, J as concatBytes, K as ByteWriter, L as SUBSECTION_TARGET_PAGE_BITS, M as parseVmdesc, N as checkRamRecord, O as BASE_CODECS, Ot as sectionTypeOf, P as compressBound, Q as DEFAULT_SUPPORTED_CAPABILITIES, R as SUBSECTION_UUID, S as countFrom, T as withFieldPath, U as commandName, V as MIG_CMD, W as commandPayload, X as DEDUP_CAPABILITY, Z as DEFAULT_PAGE_SIZE, _ as writeFooter, a as summarizeStream, b as writeVmdesc, c as encodedLength, d as decodeMigrationStream, et as MAX_PACKAGED_SIZE, f as forEachRecord, g as writeEof, h as pageSizeAfter, i as StreamSummaryBuilder, it as QEMU_VM_FILE_MAGIC, j as findVmdescTrailer, jt as isFormatError, k as describe, kt as FormatError, l as MigrationRecordReader, m as encodeRecord, n as deviceStateToJson, o as toHex, p as readMigrationStream, q as ByteReader, r as sectionStateToJson, s as toJsonValue, t as DeviceStateJsonBuilder, u as copyRecord, v as writeRecord, w as elementSize, x as descriptionFromVmdesc, y as writeSectionHeader, z as makeConfigurationRecord } from "./device-json-DOW67pXe.js";
import { _ as sniffLibvirtSaveImage, a as DEFAULT_MAX_XML_BYTES, b as zlibSync, c as DEFAULT_SAVE_IMAGE_PADDING, d as LIBVIRT_SAVE_MAGIC, g as saveImageFormatNumber, h as parseLibvirtHeader, i as writeSaveImage, m as encodeLibvirtHeader, n as rewriteSaveImageXml, o as readSaveImage, p as SAVE_IMAGE_FORMATS, t as MemorySaveImageSink, u as LIBVIRT_PARTIAL_MAGIC, v as SaveImageError, y as unzlibSync } from "./write-BeKy9oDR.js";
// \0rolldown/runtime.js
var __defProp = Object.defineProperty;
var __exportAll = (all, flags) => {
	let target = Object.setPrototypeOf({}, null);
	for (var name in all) __defProp(target, name, {
		get: all[name],
		enumerable: true
	});
	if (!(flags & 1)) __defProp(target, Symbol.toStringTag, { value: "Module" });
	return flags & 2 ? target : Object.preventExtensions(target);
};
// ../../work/main/packages/format/dist/sink/byte-sink.js
function toChunkWriter(sink) {
	if (Array.isArray(sink)) return {
		write(chunk) {
			sink.push(chunk);
		},
		close: () => Promise.resolve()
	};
	if (typeof sink === "function") return {
		write: sink,
		close: () => Promise.resolve()
	};
	const writer = sink.getWriter();
	return {
		async write(chunk) {
			await writer.ready;
			await writer.write(chunk);
		},
		async close() {
			await writer.close();
		}
	};
}
// ../../work/main/packages/format/dist/vmdesc/qemu-json.js
/**
* JSON text as QEMU's compact JSONWriter writes it: `{"a": 1, "b": [1, 2]}` (a space after every
* comma and colon), non-ASCII and control characters as upper-case `\uXXXX`. Keys whose value is
* undefined are left out.
*/
function formatQemuJson(value) {
	const out = [];
	write(value, out);
	return out.join("");
}
function write(v, out) {
	if (v === null) out.push("null");
	else if (typeof v === "string") out.push(quote(v));
	else if (typeof v === "number") {
		if (!Number.isFinite(v)) throw new TypeError(`cannot write ${v} as JSON`);
		out.push(String(v));
	} else if (typeof v === "bigint") out.push(v.toString());
	else if (typeof v === "boolean") out.push(v ? "true" : "false");
	else if (Array.isArray(v)) {
		out.push("[");
		v.forEach((item, i) => {
			if (i > 0) out.push(", ");
			write(item, out);
		});
		out.push("]");
	} else if (typeof v === "object") {
		out.push("{");
		let first = true;
		for (const [k, item] of Object.entries(v)) {
			if (item === void 0) continue;
			if (!first) out.push(", ");
			first = false;
			out.push(quote(k), ": ");
			write(item, out);
		}
		out.push("}");
	} else throw new TypeError(`cannot write ${typeof v} as JSON`);
}
function quote(s) {
	let r = "\"";
	for (const ch of s) {
		const cp = ch.codePointAt(0);
		switch (ch) {
			case "\"":
				r += "\\\"";
				break;
			case "\\":
				r += "\\\\";
				break;
			case "\b":
				r += "\\b";
				break;
			case "\f":
				r += "\\f";
				break;
			case "\n":
				r += "\\n";
				break;
			case "\r":
				r += "\\r";
				break;
			case "	":
				r += "\\t";
				break;
			default: if (cp < 32 || cp >= 127) {
				if (cp > 65535) {
					const hi = 55296 + (cp - 65536 >> 10);
					const lo = 56320 + (cp - 65536 & 1023);
					r += `\\u${u4(hi)}\\u${u4(lo)}`;
				} else r += `\\u${u4(cp)}`;
			} else r += ch;
		}
	}
	return r + "\"";
}
function u4(n) {
	return n.toString(16).toUpperCase().padStart(4, "0");
}
// ../../work/main/packages/format/dist/vmstate/encode.js
/**
* Encodes a value with a description, the way QEMU's vmstate_save_state does: fields in order at
* the description's own version, then the needed subsections. A subsection's fields are taken from
* `value[subsection.name]`, or from `value` itself when that key is absent but `needed()` said yes.
*
* With `writer`, the bytes are appended to it (and also returned as a view of what was added).
*/
function encodeVMState(desc, value, writer) {
	const w = writer ?? new ByteWriter(256);
	const start = w.pos;
	const vmdesc = newVmsd(desc, desc.version_id);
	saveState(w, desc, value, desc.version_id, vmdesc);
	return {
		bytes: w.peek().subarray(start),
		vmdesc
	};
}
function newVmsd(desc, version) {
	return {
		vmsd_name: desc.name,
		version,
		fields: []
	};
}
function saveState(w, desc, value, version, json) {
	if (value === null || typeof value !== "object") throw new FormatError("INVALID_VALUE", `'${desc.name}' needs an object, got ${describe(value)}`);
	const keys = fieldKeys(desc);
	const fieldsJson = json ? json.fields ??= [] : void 0;
	for (let i = 0; i < desc.fields.length; i++) {
		const field = desc.fields[i];
		if (!fieldPresent(field, value, version)) continue;
		const key = keys[i];
		try {
			saveField(w, field, key, value, fieldsJson);
		} catch (e) {
			throw withFieldPath(e, key);
		}
	}
	let subsJson;
	for (const sub of desc.subsections ?? []) {
		const own = value[sub.name];
		if (!(sub.needed ? sub.needed(value) : own !== void 0)) continue;
		w.u8(5).countedString(sub.name).u32(sub.version_id);
		const subJson = json ? newVmsd(sub, sub.version_id) : void 0;
		try {
			saveState(w, sub, own ?? value, sub.version_id, subJson);
		} catch (e) {
			throw withFieldPath(e, sub.name, ":");
		}
		if (json && subJson) (subsJson ??= []).push(subJson);
	}
	if (json && subsJson) json.subsections = subsJson;
}
function saveField(w, field, key, parent, fieldsJson) {
	const v = field.index === void 0 ? parent[key] : elementOf(parent[field.name], field.index);
	const isArray = field.count !== void 0 || field.countField !== void 0;
	const n = isArray ? field.count ?? countFrom(parent, field.countField) : 1;
	if (isArray && (!Array.isArray(v) || v.length !== n)) throw new FormatError("INVALID_VALUE", `expected an array of ${n} elements, got ${describe(v)}`);
	const compress = canCompress(field);
	let describeIt = fieldsJson !== void 0;
	for (let i = 0; i < n; i++) {
		const element = isArray ? v[i] : v;
		let entry;
		if (describeIt) {
			entry = { name: field.index === void 0 ? key : field.name };
			if (n > 1) {
				if (compress) entry.array_len = n;
				else entry.index = i;
			} else if (field.index !== void 0) entry.index = field.index;
			entry.type = typeName(field);
		}
		const start = w.pos;
		try {
			writeElement(w, field, element, parent, entry);
		} catch (e) {
			throw isArray ? withFieldPath(e, `[${i}]`) : e;
		}
		if (entry) {
			entry.size = w.pos - start;
			fieldsJson.push(entry);
			if (compress) describeIt = false;
		}
	}
}
function elementOf(list, index) {
	return Array.isArray(list) ? list[index] : index === 0 ? list : void 0;
}
function writeElement(w, field, element, parent, entry) {
	const type = field.type;
	if (type === "struct") {
		const sub = field.struct;
		if (!sub) throw new FormatError("INVALID_VALUE", `struct field '${field.name}' has no struct description`);
		const version = field.structVersion ?? sub.version_id;
		if (field.structVersion !== void 0) {
			if (entry) {
				entry.vmsd_name = sub.name;
				entry.version = version;
				entry.fields = [];
			}
			saveState(w, sub, element, version, entry);
		} else {
			const structJson = entry ? newVmsd(sub, version) : void 0;
			if (entry) entry.struct = structJson;
			saveState(w, sub, element, version, structJson);
		}
		return;
	}
	if (type === "qtailq") {
		const sub = field.struct;
		if (!sub) throw new FormatError("INVALID_VALUE", `queue field '${field.name}' has no struct description`);
		if (!Array.isArray(element)) throw new FormatError("INVALID_VALUE", `expected an array, got ${describe(element)}`);
		for (const item of element) {
			w.u8(1);
			saveState(w, sub, item, sub.version_id, void 0);
		}
		w.u8(0);
		return;
	}
	if (isBaseType(type)) {
		BASE_CODECS[type].write(w, element, elementSize(field, parent));
		return;
	}
	type.put(w, element, field);
}
function typeName(field) {
	if (field.vmdescType !== void 0) return field.vmdescType;
	const type = field.type;
	if (type === "struct") return field.structVersion !== void 0 ? "vstruct" : "struct";
	return typeof type === "string" ? type : type.name;
}
/** QEMU's vmsd_can_compress: arrays described once unless something in them may come and go. */
function canCompress(field) {
	if (field.exists) return false;
	if (field.type === "struct" && field.struct) {
		if (!field.struct.fields.every(canCompress)) return false;
		if ((field.struct.subsections?.length ?? 0) > 0) return false;
	}
	return true;
}
// ../../work/main/packages/format/dist/stream/writer.js
const NO_DATA = /* @__PURE__ */ new Uint8Array(0);
/** What every page record starts as; `pageRecord` fills in the section, address and block. */
const PAGE_RECORD_BASE = {
	kind: "ram",
	offset: 0,
	sectionId: 0,
	address: 0,
	continued: false,
	block: ""
};
/**
* Writes a migration stream. By default the output is what QEMU 7.2 writes: header, configuration
* record, sections with footers, EOF, and a vmdesc trailer built from the FULL sections written.
*
* Methods append to an internal buffer and return `this`; whenever `highWaterMark` bytes are
* buffered they go to the sink. With an asynchronous sink, `await writer.drain()` now and then
* to let it push back; `await writer.close()` at the end.
*/
var MigrationStreamWriter = class {
	options;
	out;
	w;
	hwm;
	footers;
	#pageSize;
	pending;
	started = false;
	ids = /* @__PURE__ */ new Map();
	nextId = 0;
	devices = [];
	ramSection;
	lastBlock;
	zeroPage;
	#page = {
		...PAGE_RECORD_BASE,
		type: "page",
		data: NO_DATA
	};
	#zero = {
		...PAGE_RECORD_BASE,
		type: "zero",
		fill: 0
	};
	#dedup = {
		...PAGE_RECORD_BASE,
		type: "dedup",
		source: 0
	};
	/** Bytes handed to the sink or buffered so far. */
	written = 0;
	constructor(sink, options = {}) {
		this.options = options;
		this.out = toChunkWriter(sink);
		this.hwm = options.highWaterMark ?? 262144;
		this.w = new ByteWriter(this.hwm + 8192);
		this.footers = options.footers ?? true;
		this.#pageSize = options.pageSize ?? 4096;
		this.zeroPage = new Uint8Array(this.#pageSize);
	}
	/** Bytes written so far (the offset the next record will have). */
	get offset() {
		return this.written + this.w.length;
	}
	/** Header and configuration record. Called by the first other method if not called before. */
	header() {
		if (this.started) throw new FormatError("INVALID_VALUE", "the stream header was already written");
		this.started = true;
		if (this.options.header !== false) this.w.u32(QEMU_VM_FILE_MAGIC).u32(3);
		const cfg = this.configurationInit();
		if (cfg) writeConfiguration(this.w, makeConfigurationRecord(cfg));
		return this.flushIfFull();
	}
	configurationInit() {
		const cfg = this.options.configuration;
		if (cfg === false) return void 0;
		return cfg ?? { machineType: "pc-i440fx-7.2" };
	}
	begin() {
		if (!this.started) this.header();
	}
	/** Section id for an idstr/instance pair (assigned on first use). */
	sectionId(section) {
		const { key, id } = this.resolveSectionId(section);
		this.commitSectionId(key, id);
		return id;
	}
	/** The id `sectionId` would give, without assigning it (a section that fails to write keeps none). */
	resolveSectionId(section) {
		const key = `${section.idstr}\u0000${section.instanceId ?? 0}`;
		return {
			key,
			id: section.sectionId ?? this.ids.get(key) ?? this.nextId
		};
	}
	commitSectionId(key, id) {
		this.ids.set(key, id);
		this.nextId = Math.max(this.nextId, id + 1);
	}
	/**
	* Runs `emit`; if it throws, what it wrote is dropped, so a caught error leaves no half record
	* behind (nothing is flushed in between: flushes happen only after a whole record).
	*/
	whole(emit) {
		const mark = this.w.length;
		try {
			emit();
		} catch (error) {
			this.w.truncate(mark);
			throw error;
		}
		return this.flushIfFull();
	}
	/** A non-iterative device: header, body, footer; described in the vmdesc trailer. */
	sectionFull(section, body) {
		return this.deviceSection("full", section, body);
	}
	sectionStart(section, body) {
		return this.deviceSection("start", section, body);
	}
	sectionPart(section, body) {
		return this.deviceSection("part", section, body);
	}
	sectionEnd(section, body) {
		return this.deviceSection("end", section, body);
	}
	deviceSection(type, section, body) {
		this.begin();
		if (this.ramSection) throw new FormatError("INVALID_VALUE", "finish the RAM section before writing another section");
		const { key, id: sectionId } = this.resolveSectionId(section);
		const instanceId = section.instanceId ?? 0;
		const raw = body instanceof Uint8Array;
		const version = section.version ?? (raw ? void 0 : body.description.version_id);
		if (version === void 0 && (type === "start" || type === "full")) throw new FormatError("INVALID_VALUE", `section '${section.idstr}' with a raw body needs a version`);
		if (!raw && version !== body.description.version_id) throw new FormatError("INVALID_VALUE", `'${section.idstr}' is saved at its description's version ${body.description.version_id}, not ${version}`);
		return this.whole(() => {
			writeSectionHeader(this.w, {
				type,
				sectionId,
				idstr: section.idstr,
				instanceId,
				version: version ?? 0
			});
			let vmsd;
			let size;
			if (raw) {
				this.w.bytes(body);
				size = body.length;
			} else {
				const encoded = encodeVMState(body.description, body.value, this.w);
				vmsd = encoded.vmdesc;
				size = encoded.bytes.length;
			}
			if (this.footers) writeFooter(this.w, { sectionId });
			this.commitSectionId(key, sectionId);
			if (type === "full") this.devices.push(vmsd ? {
				name: section.idstr,
				instance_id: instanceId,
				...vmsd
			} : {
				name: section.idstr,
				instance_id: instanceId,
				size,
				fields: [{
					name: "data",
					size,
					type: "buffer"
				}]
			});
		});
	}
	/** The RAM START section: the block list (MEM_SIZE) and EOS. */
	ramStart(blocks, section = {}) {
		let total = 0;
		for (const b of blocks) total += b.length;
		const memSize = {
			...PAGE_RECORD_BASE,
			type: "mem-size",
			address: total,
			blocks: [...blocks]
		};
		checkRamRecord(memSize, this.pageSize);
		this.beginRam("start", section);
		this.ram(memSize);
		return this.finishRamSection();
	}
	/** Opens a RAM PART (or END) section; follow with page records and `finishRamSection()`. */
	beginRamSection(type = "part", section = {}) {
		return this.beginRam(type, section);
	}
	beginRam(type, section) {
		this.begin();
		if (this.ramSection) throw new FormatError("INVALID_VALUE", "a RAM section is already open");
		const init = {
			idstr: "ram",
			instanceId: 0,
			version: 4,
			...section
		};
		const { key, id: sectionId } = this.resolveSectionId(init);
		return this.whole(() => {
			writeSectionHeader(this.w, {
				type,
				sectionId,
				idstr: init.idstr,
				instanceId: init.instanceId ?? 0,
				version: init.version ?? 4
			});
			this.commitSectionId(key, sectionId);
			this.ramSection = { sectionId };
		});
	}
	/** EOS and the footer of the open RAM section. */
	finishRamSection() {
		const open = this.needRam();
		this.ram({
			kind: "ram",
			type: "eos",
			offset: 0,
			sectionId: open.sectionId,
			address: 0,
			continued: false
		});
		if (this.footers) writeFooter(this.w, { sectionId: open.sectionId });
		this.ramSection = void 0;
		return this.flushIfFull();
	}
	needRam() {
		if (!this.ramSection) throw new FormatError("INVALID_VALUE", "no RAM section is open (call beginRamSection first)");
		return this.ramSection;
	}
	/** A page as QEMU sends it: a ZERO record if it is all zero, else PAGE. */
	ramPage(block, address, data) {
		if (isAllZero(data, this.zeroPage)) return this.ramZero(block, address, 0);
		const rec = this.#page;
		rec.data = data;
		try {
			return this.pageRecord(rec, block, address);
		} finally {
			rec.data = NO_DATA;
		}
	}
	/** A ZERO record (QEMU 7.2 only sends fill 0; its loader accepts any fill byte). */
	ramZero(block, address, fill = 0) {
		this.#zero.fill = fill;
		return this.pageRecord(this.#zero, block, address);
	}
	/**
	* A dedup reference (savevm's `x-dedup` extension): the page at `address` equals the page at
	* `source` of the same block as the stream has it so far. The configuration record must list
	* the `x-dedup` capability, so that readers without the extension refuse the stream.
	*/
	ramDedup(block, address, source) {
		this.needRam();
		if (!(this.configurationInit()?.capabilities ?? []).includes("x-dedup")) throw new FormatError("INVALID_VALUE", `a page reference needs the '${DEDUP_CAPABILITY}' capability in the configuration record`);
		if (this.pageSize <= 1024) throw new FormatError("INVALID_VALUE", `page references need pages larger than ${RAM_SAVE_FLAG_X_DEDUP} bytes (the flag would be an address bit)`);
		this.#dedup.source = source;
		return this.pageRecord(this.#dedup, block, address);
	}
	ramXbzrle(block, address, encoded) {
		return this.pageRecord({
			...PAGE_RECORD_BASE,
			type: "xbzrle",
			data: encoded
		}, block, address);
	}
	ramCompressed(block, address, zlibData) {
		return this.pageRecord({
			...PAGE_RECORD_BASE,
			type: "compressed",
			data: zlibData
		}, block, address);
	}
	/**
	* A record of one page of `block` in the open RAM section. Its name is left out when the
	* previous page record was of the same block (also across sections, as in QEMU); that block is
	* only remembered once the record is written, so a refused record changes nothing.
	*/
	pageRecord(rec, block, address) {
		rec.sectionId = this.needRam().sectionId;
		rec.address = address;
		rec.block = block;
		rec.continued = this.lastBlock === block;
		writeRamRecord(this.w, rec, this.pageSize);
		this.lastBlock = block;
		return this.flushIfFull();
	}
	ram(rec) {
		writeRamRecord(this.w, rec, this.pageSize);
		return this.flushIfFull();
	}
	/** EOF and, unless disabled, the vmdesc trailer. */
	eof() {
		this.begin();
		if (this.ramSection) throw new FormatError("INVALID_VALUE", "finish the RAM section before EOF");
		return this.whole(() => {
			writeEof(this.w);
			const shape = this.options.vmdesc ?? true;
			if (shape !== false) {
				const json = new TextEncoder().encode(formatQemuJson(this.vmdesc(shape === "8.2")));
				writeVmdesc(this.w, { json });
			}
		});
	}
	vmdesc(withConfiguration) {
		const doc = {};
		const cfg = this.configurationInit();
		if (withConfiguration && cfg) doc.configuration = configurationVmdesc(cfg);
		doc.page_size = this.pageSize;
		doc.devices = this.devices;
		return doc;
	}
	/** Target page size of the RAM records; a configuration record written with `write()` sets it. */
	get pageSize() {
		return this.#pageSize;
	}
	/** Writes any record as is (no vmdesc bookkeeping): for re-emitting decoded records. */
	write(record, options) {
		const pageSize = pageSizeAfter(record, this.#pageSize);
		return this.whole(() => {
			writeRecord(this.w, record, {
				pageSize,
				...options
			});
			this.started = true;
			if (pageSize !== this.#pageSize) {
				this.#pageSize = pageSize;
				this.zeroPage = new Uint8Array(pageSize);
			}
		});
	}
	flushIfFull() {
		if (this.w.length >= this.hwm) this.flush();
		return this;
	}
	/** Hands everything buffered to the sink now. */
	flush() {
		if (this.w.length === 0) return this;
		const chunk = this.w.finish();
		this.written += chunk.length;
		if (this.pending === void 0) {
			const result = this.out.write(chunk);
			if (result) this.track(result);
		} else this.track(this.pending.then(() => this.out.write(chunk)));
		return this;
	}
	track(p) {
		const tracked = p.then(() => {
			if (this.pending === tracked) this.pending = void 0;
		});
		tracked.catch(() => void 0);
		this.pending = tracked;
	}
	/** Flushes and waits until the sink has taken everything. */
	async drain() {
		this.flush();
		while (this.pending) await this.pending;
	}
	/** Flushes, waits, and closes the sink. */
	async close() {
		await this.drain();
		await this.out.close();
	}
};
/** The 8.2+ vmdesc entry for the configuration vmstate. */
function configurationVmdesc(cfg) {
	const fields = [{
		name: "len",
		type: "uint32",
		size: 4
	}, {
		name: "name",
		type: "buffer",
		size: cfg.machineType.length
	}];
	const subsections = [];
	if (cfg.targetPageBits !== void 0) subsections.push({
		vmsd_name: "configuration/target-page-bits",
		version: 1,
		fields: [{
			name: "target_page_bits",
			type: "uint32",
			size: 4
		}]
	});
	const caps = cfg.capabilities ?? [];
	if (caps.length > 0) {
		const first = {
			name: "capabilities",
			...caps.length > 1 ? { array_len: caps.length } : {},
			type: "capability",
			size: 1 + caps[0].length
		};
		subsections.push({
			vmsd_name: "configuration/capabilities",
			version: 1,
			fields: [{
				name: "caps_count",
				type: "uint32",
				size: 4
			}, first]
		});
	}
	if (cfg.uuid !== void 0) subsections.push({
		vmsd_name: "configuration/uuid",
		version: 1,
		fields: [{
			name: "uuid",
			type: "struct",
			struct: {
				vmsd_name: "UUID",
				version: 1,
				fields: [{
					name: "data",
					array_len: 16,
					type: "uint8",
					size: 1
				}]
			},
			size: 16
		}]
	});
	return {
		vmsd_name: "configuration",
		version: 1,
		fields,
		...subsections.length > 0 ? { subsections } : {}
	};
}
function isAllZero(data, zeroPage) {
	if (data.length !== zeroPage.length) return false;
	if (data.byteOffset % 4 === 0) {
		const words = new Uint32Array(data.buffer, data.byteOffset, data.length >>> 2);
		for (let i = 0; i < words.length; i++) if (words[i] !== 0) return false;
		for (let i = words.length << 2; i < data.length; i++) if (data[i] !== 0) return false;
		return true;
	}
	for (let i = 0; i < data.length; i++) if (data[i] !== 0) return false;
	return true;
}
/** Writes records back to bytes, byte for byte as they were decoded. */
async function writeMigrationStream(records, sink, options = {}) {
	const writer = new MigrationStreamWriter(sink, {
		highWaterMark: options.highWaterMark,
		pageSize: options.pageSize
	});
	let count = 0;
	for await (const rec of records) {
		writer.write(rec);
		if (++count % 1024 === 0) await writer.drain();
	}
	await writer.close();
}
/** Encodes records into one buffer. */
function encodeMigrationStream(records, options = {}) {
	const w = new ByteWriter(65536);
	let pageSize = options.pageSize ?? 4096;
	for (const rec of records) {
		pageSize = pageSizeAfter(rec, pageSize);
		writeRecord(w, rec, { pageSize });
	}
	return w.finish();
}
// ../../work/main/packages/format/dist/ram/compressed-page.js
/**
* Inflates a RAM_SAVE_FLAG_COMPRESS_PAGE payload (zlib, as QEMU's qemu_put_compression_data writes
* it) into `out`, which must be one page. Anything but a valid zlib stream of exactly one page,
* with a matching Adler-32, throws BAD_COMPRESSED_PAGE and leaves `out` untouched.
*/
function inflatePageInto(data, out, offset) {
	const pageSize = out.length;
	let page;
	try {
		page = unzlibSync(data, { out: new Uint8Array(pageSize + 1) });
	} catch (e) {
		throw new FormatError("BAD_COMPRESSED_PAGE", `decompress data failed: ${e.message}`, { offset });
	}
	if (page.length !== pageSize) throw new FormatError("BAD_COMPRESSED_PAGE", `compressed page inflates to ${page.length > pageSize ? "more than " + pageSize : page.length} bytes, not one page of ${pageSize}`, { offset });
	const n = data.length;
	if ((n >= 4 ? (data[n - 4] << 24 | data[n - 3] << 16 | data[n - 2] << 8 | data[n - 1]) >>> 0 : -1) !== adler32(page)) throw new FormatError("BAD_COMPRESSED_PAGE", "decompress data failed: Adler-32 checksum mismatch", { offset });
	out.set(page);
}
/** Inflates a compressed page payload into a new page. */
function inflatePage(data, pageSize, offset) {
	const out = new Uint8Array(pageSize);
	inflatePageInto(data, out, offset);
	return out;
}
/** zlib-compresses a page the way QEMU's compress threads do (level 1 by default). */
function deflatePage(page, level = 1) {
	return zlibSync(page, { level });
}
function adler32(data) {
	let a = 1;
	let b = 0;
	for (let i = 0; i < data.length;) {
		const end = Math.min(i + 3800, data.length);
		for (; i < end; i++) {
			a += data[i];
			b += a;
		}
		a %= 65521;
		b %= 65521;
	}
	return (b << 16 | a) >>> 0;
}
// ../../work/main/packages/format/dist/ram/xbzrle.js
/**
* XBZRLE as QEMU's migration/xbzrle.c defines it: repeated pairs of a ULEB128 count of unchanged
* bytes (zrun) and a ULEB128 count of new bytes followed by those bytes (nzrun). Counts are at most
* two ULEB128 bytes (< 16384); only the first zrun may be 0; an nzrun is never 0; at least two
* bytes must be left before reading each count. The encoding is applied to the page's current
* content.
*/
/** Checks `encoded` against a page of `pageSize` bytes; returns QEMU's reason when invalid. */
function check(encoded, pageSize) {
	const slen = encoded.length;
	let i = 0;
	let d = 0;
	while (i < slen) {
		if (slen - i < 2) return "decode error!";
		let n = uleb(encoded, i);
		if (n < 0) return "decode error!";
		const z = n & 32767;
		if (z === 0 && i !== 0) return "decode error!";
		i += n >>> 15;
		d += z;
		if (d > pageSize) return "decode error!";
		if (slen - i < 2) return "decode error!";
		n = uleb(encoded, i);
		if (n < 0) return "decode error!";
		const nz = n & 32767;
		i += n >>> 15;
		if (nz === 0) return "decode error!";
		if (d + nz > pageSize || i + nz > slen) return "decode error!";
		d += nz;
		i += nz;
	}
}
/**
* uleb128_decode_small: value in the low 15 bits, bytes used (1 or 2) above them, -1 when the
* value needs more than 14 bits.
*/
function uleb(buf, i) {
	const b0 = buf[i];
	if ((b0 & 128) === 0) return b0 | 32768;
	const b1 = buf[i + 1];
	if (b1 & 128) return -1;
	return b0 & 127 | b1 << 7 | 65536;
}
/**
* Applies an XBZRLE encoding to `page` in place. The whole encoding is checked first, so a bad one
* throws BAD_XBZRLE and leaves the page untouched.
*/
function applyXbzrle(page, encoded, offset) {
	const problem = check(encoded, page.length);
	if (problem) throw new FormatError("BAD_XBZRLE", `Failed to load XBZRLE page - ${problem}`, { offset });
	let i = 0;
	let d = 0;
	while (i < encoded.length) {
		let n = uleb(encoded, i);
		i += n >>> 15;
		d += n & 32767;
		n = uleb(encoded, i);
		i += n >>> 15;
		const nz = n & 32767;
		page.set(encoded.subarray(i, i + nz), d);
		d += nz;
		i += nz;
	}
}
/** Decodes `encoded` against the previous content of the page; returns the new page. */
function decodeXbzrle(previous, encoded) {
	const page = previous.slice();
	applyXbzrle(page, encoded);
	return page;
}
const MAX_RUN = 16383;
function putUleb(out, n) {
	if (n < 128) out.push(n);
	else out.push(n & 127 | 128, n >>> 7);
}
/**
* Encodes the change from `previous` to `next` (same length). Returns undefined when the encoding
* would not be smaller than a page, as QEMU then sends the page whole. Identical pages encode to
* zero bytes.
*/
function encodeXbzrle(previous, next) {
	if (previous.length !== next.length) throw new RangeError("XBZRLE pages must have the same length");
	const size = next.length;
	const out = [];
	let i = 0;
	while (i < size) {
		let z = 0;
		while (i + z < size && z < MAX_RUN && previous[i + z] === next[i + z]) z++;
		if (i + z === size) break;
		let nz = 1;
		while (i + z + nz < size && nz < MAX_RUN && previous[i + z + nz] !== next[i + z + nz]) nz++;
		putUleb(out, z);
		putUleb(out, nz);
		for (let k = 0; k < nz; k++) out.push(next[i + z + k]);
		i += z + nz;
		if (out.length >= size) return void 0;
	}
	return Uint8Array.from(out);
}
// ../../work/main/packages/format/dist/ram/ram-applier.js
var RamApplier = class {
	sink;
	targets = /* @__PURE__ */ new Map();
	states = /* @__PURE__ */ new Map();
	lastName;
	last;
	pageSize;
	scratch;
	constructor(sink, options = {}) {
		this.sink = sink;
		this.pageSize = options.pageSize ?? 4096;
		this.scratch = new Uint8Array(this.pageSize);
	}
	/** Blocks announced so far, by name. */
	get blocks() {
		return this.targets;
	}
	apply(record) {
		if (record.kind === "ram") this.applyRam(record);
		else if (record.kind === "configuration" && record.targetPageBits !== void 0) {
			this.pageSize = 2 ** record.targetPageBits;
			this.scratch = new Uint8Array(this.pageSize);
		}
	}
	applyRam(rec) {
		if (rec.type === "mem-size") {
			for (const b of rec.blocks) {
				const target = this.sink.block(b.idstr, b.length);
				this.targets.set(b.idstr, target);
				const zeroed = target.zeroed === true;
				this.states.set(b.idstr, {
					target,
					written: zeroed ? new Uint8Array(Math.ceil(b.length / this.pageSize / 8)) : void 0
				});
			}
			this.lastName = void 0;
			return;
		}
		if (rec.type === "eos" || rec.type === "multifd-flush") return;
		let state = this.last;
		if (rec.block !== this.lastName) {
			state = this.states.get(rec.block);
			if (!state) throw new FormatError("UNKNOWN_RAM_BLOCK", `Unknown ramblock "${rec.block}", cannot accept migration`, { offset: rec.offset });
			this.lastName = rec.block;
			this.last = state;
		}
		const target = state.target;
		const ps = this.pageSize;
		const a = rec.address;
		if (a + ps > target.length) throw new FormatError("BAD_RAM_OFFSET", `Illegal RAM offset ${hex(a)} (block ${rec.block} is ${hex(target.length)} bytes)`, { offset: rec.offset });
		if (rec.type === "dedup" && rec.source + ps > target.length) throw new FormatError("BAD_RAM_REFERENCE", `Bad page reference: ${hex(rec.source)} is past the end of block ${rec.block}`, { offset: rec.offset });
		const written = state.written;
		if (written !== void 0) {
			const page = Math.floor(a / ps);
			const bit = 1 << (page & 7);
			if (rec.type === "dedup") {
				const src = Math.floor(rec.source / ps);
				if ((written[src >>> 3] & 1 << (src & 7)) === 0) {
					if ((written[page >>> 3] & bit) === 0) return;
					written[page >>> 3] &= ~bit;
					this.writeZeroPage(target, a);
					return;
				}
				written[page >>> 3] |= bit;
			} else if (rec.type === "zero" && rec.fill === 0) {
				if ((written[page >>> 3] & bit) === 0) return;
				written[page >>> 3] &= ~bit;
			} else written[page >>> 3] |= bit;
		}
		if ("memory" in target) {
			const mem = target.memory;
			switch (rec.type) {
				case "zero":
					mem.fill(rec.fill, a, a + ps);
					return;
				case "page":
					mem.set(rec.data, a);
					return;
				case "xbzrle":
					applyXbzrle(mem.subarray(a, a + ps), rec.data, rec.offset);
					return;
				case "compressed":
					inflatePageInto(rec.data, mem.subarray(a, a + ps), rec.offset);
					return;
				case "dedup":
					mem.copyWithin(a, rec.source, rec.source + ps);
					return;
			}
		}
		const page = this.scratch;
		switch (rec.type) {
			case "zero":
				page.fill(rec.fill);
				target.write(a, page);
				return;
			case "page":
				target.write(a, rec.data);
				return;
			case "xbzrle":
				target.read(a, page);
				applyXbzrle(page, rec.data, rec.offset);
				target.write(a, page);
				return;
			case "compressed":
				inflatePageInto(rec.data, page, rec.offset);
				target.write(a, page);
				return;
			case "dedup":
				target.read(rec.source, page);
				target.write(a, page);
				return;
		}
	}
	writeZeroPage(target, at) {
		if ("memory" in target) target.memory.fill(0, at, at + this.pageSize);
		else target.write(at, this.scratch.fill(0));
	}
};
/**
* Keeps every block in a Uint8Array (zero-filled at first, as fresh guest RAM is). Block lengths
* come from the stream, so their total is capped by `maxBytes` (default 4 GiB).
*/
var MemoryRamSink = class {
	blocks = /* @__PURE__ */ new Map();
	total = 0;
	maxBytes;
	constructor(options = {}) {
		this.maxBytes = options.maxBytes ?? 4 * 1024 ** 3;
	}
	block(idstr, length) {
		let memory = this.blocks.get(idstr);
		const fresh = memory === void 0;
		if (memory === void 0) {
			if (this.total + length > this.maxBytes) throw new FormatError("LIMIT_EXCEEDED", `RAM block ${idstr} of ${hex(length)} bytes would take the total past ${hex(this.maxBytes)} (maxBytes)`);
			this.total += length;
			memory = new Uint8Array(length);
			this.blocks.set(idstr, memory);
		} else if (memory.length !== length) throw new FormatError("RAM_BLOCK_SIZE_MISMATCH", `Size mismatch: ${idstr}: ${hex(length)} != ${hex(memory.length)}: Invalid argument`);
		return {
			length,
			memory,
			zeroed: fresh
		};
	}
};
/** Applies every RAM record of a record stream to `sink`; resolves when the stream ends. */
async function applyRam(records, sink, options) {
	const applier = new RamApplier(sink, options);
	await forEachRecord(records, (rec) => applier.apply(rec));
	return applier;
}
// ../../work/main/packages/format/dist/libvirt/transform-codec.js
function unavailable(format, direction) {
	return new SaveImageError("COMPRESSOR_UNAVAILABLE", `no ${format} ${direction}or was given to saveImageCodec() for this ${format} save image`);
}
/**
* The caller's (de)compressor errors as SaveImageErrors: a decoder that fails has met damaged
* input as far as the reader is concerned (`DECOMPRESS_FAILED`), an encoder `COMPRESSOR_FAILED`.
*/
async function* withSaveImageErrors(code, what, output) {
	try {
		yield* output;
	} catch (error) {
		if (error instanceof SaveImageError) throw error;
		throw new SaveImageError(code, `${what}: ${error instanceof Error ? error.message : String(error)}`, void 0, { cause: error });
	}
}
/**
* A {@link SaveImageCodec} from the (de)compressors a caller has, for the formats libvirt hands to
* an external program (bzip2, xz, lzop, zstd). This is how the browser entry point reads such
* images: pass the result as `codec` to `readSaveImage` / `writeSaveImage`. A format or direction
* left out is `COMPRESSOR_UNAVAILABLE`; an error thrown by a decompressor becomes
* `DECOMPRESS_FAILED` (by a compressor, `COMPRESSOR_FAILED`), with the original as `cause`.
*/
function saveImageCodec(transforms) {
	return {
		decompress(format, input) {
			const decompress = transforms[format]?.decompress;
			if (!decompress) throw unavailable(format, "decompress");
			return withSaveImageErrors("DECOMPRESS_FAILED", `${format} payload is damaged`, decompress(input));
		},
		compress(format, input) {
			const compress = transforms[format]?.compress;
			if (!compress) throw unavailable(format, "compress");
			return withSaveImageErrors("COMPRESSOR_FAILED", `${format} compression failed`, compress(input));
		}
	};
}
// ../../work/main/packages/format/dist/libvirt/domain-xml.js
const NAMED_ENTITIES = {
	lt: "<",
	gt: ">",
	amp: "&",
	quot: "\"",
	apos: "'"
};
/** Replaces the five predefined entities and numeric character references; others stay as written. */
function decodeXmlEntities(text) {
	return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, body) => {
		if (body.startsWith("#")) {
			const code = body[1] === "x" || body[1] === "X" ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
			return code <= 1114111 && !(code >= 55296 && code <= 57343) ? String.fromCodePoint(code) : whole;
		}
		return NAMED_ENTITIES[body] ?? whole;
	});
}
/** Index just past the end of the markup that starts at `at` (a `<`), or -1 if it never ends. */
function markupEnd(xml, at) {
	const rest = (open, close) => {
		if (!xml.startsWith(open, at)) return -2;
		const end = xml.indexOf(close, at + open.length);
		return end < 0 ? -1 : end + close.length;
	};
	for (const [open, close] of [
		["<!--", "-->"],
		["<![CDATA[", "]]>"],
		["<?", "?>"]
	]) {
		const end = rest(open, close);
		if (end !== -2) return end;
	}
	let quote = "";
	for (let i = at + 1; i < xml.length; i++) {
		const c = xml[i];
		if (quote) {
			if (c === quote) quote = "";
		} else if (c === "\"" || c === "'") quote = c;
		else if (c === ">") return i + 1;
	}
	return -1;
}
/**
* Finds the `<name>` and `<uuid>` children of the root `<domain>` element. A small tolerant
* scanner, not a validating parser: elements deeper down (an interface's `<name>`, metadata) are
* ignored, comments/CDATA/processing instructions are skipped, malformed input gives what was
* found so far.
*/
function readDomainIdentity(xml) {
	const found = {};
	let depth = 0;
	let rootIsDomain = false;
	let capture;
	let textFrom = 0;
	let at = xml.indexOf("<");
	while (at >= 0) {
		const end = markupEnd(xml, at);
		if (end < 0) break;
		if (capture) capture.text += decodeXmlEntities(xml.slice(textFrom, at));
		const second = xml[at + 1];
		if (second === "/") {
			depth--;
			if (capture && depth === 1) {
				found[capture.field] ??= capture.text.trim();
				capture = void 0;
			}
			if (depth <= 0) break;
		} else if (xml.startsWith("<![CDATA[", at)) {
			if (capture) capture.text += xml.slice(at + 9, end - 3);
		} else if (second !== "!" && second !== "?") {
			const tagName = /^<\s*([^\s/>]+)/.exec(xml.slice(at, end))?.[1] ?? "";
			const selfClosing = xml[end - 2] === "/";
			if (depth === 0) {
				rootIsDomain = tagName === "domain";
				if (!rootIsDomain) break;
			} else if (depth === 1 && (tagName === "name" || tagName === "uuid") && !selfClosing) capture = {
				field: tagName,
				text: ""
			};
			if (!selfClosing) depth++;
		}
		textFrom = end;
		at = xml.indexOf("<", end);
	}
	return rootIsDomain ? found : {};
}
// ../../work/main/packages/format/dist/multifd/multifd-constants.js
/**
* Constants of QEMU 7.2's multifd channels (migration/multifd.h and multifd.c). Every multifd
* channel opens with an init packet; page data then travels in packets whose header has a fixed
* size (room for one full batch of page offsets), followed by the pages themselves.
*/
/** The magic at the start of the init packet and of every packet header (big-endian). */
const MULTIFD_MAGIC = 287454020;
/** magic, version, 16-byte uuid, u8 channel id, 7 reserved bytes, 4 reserved be64. */
const MULTIFD_INIT_PACKET_SIZE = 64;
/** The packet that ends a sync round: the sender waits for all channels to send one. */
const MULTIFD_FLAG_SYNC = 1;
/** Three bits name the compression method of a packet's data. */
const MULTIFD_FLAG_COMPRESSION_MASK = 14;
const MULTIFD_FLAG_NOCOMP = 0;
const MULTIFD_FLAG_ZLIB = 2;
/** Bytes of guest RAM one packet carries at most; a multiple of the target page size. */
const MULTIFD_PACKET_SIZE = 524288;
/**
* Most bytes of compressed data a packet may announce. QEMU's zlib receiver reads into a buffer
* of twice the packet size; compressed data larger than that is refused before it is read.
*/
const MULTIFD_MAX_COMPRESSED_SIZE = 2 * MULTIFD_PACKET_SIZE;
const MULTIFD_COMPRESSION_FLAGS = {
	none: 0,
	zlib: 2,
	zstd: 4
};
/** Offsets one packet can hold: QEMU's page_count (128 with 4 KiB pages). */
function multifdPagesPerPacket(pageSize) {
	return MULTIFD_PACKET_SIZE / pageSize;
}
/**
* The size of every packet header on the wire. QEMU always sends (and reads) the whole header
* with room for all offsets, whatever `normal_pages` says; the unused offsets carry stale data.
*/
function multifdHeaderSize(pageSize) {
	return 320 + 8 * multifdPagesPerPacket(pageSize);
}
// ../../work/main/packages/format/dist/multifd/multifd-reader.js
/** The error location for `offset` in the connection `ctx` names. */
function multifdLocation(ctx, offset) {
	return ctx.where === void 0 ? { offset } : {
		offset,
		section: ctx.where
	};
}
/** A reader over exactly `size` bytes of `bytes`; fewer is TRUNCATED, named like the other errors. */
function multifdReader(bytes, size, ctx) {
	const base = ctx.offset ?? 0;
	const r = new ByteReader(bytes.subarray(0, size), base);
	try {
		r.require(size);
	} catch (err) {
		throw err instanceof FormatError ? err.withContext(multifdLocation(ctx, base)) : err;
	}
	return r;
}
// ../../work/main/packages/format/dist/multifd/multifd-init.js
/** The 64-byte init packet. */
function encodeMultifdInit(init) {
	if (init.uuid.length !== 16) throw new FormatError("INVALID_VALUE", `multifd: a UUID has 16 bytes, not ${init.uuid.length}`);
	if (!Number.isInteger(init.channel) || init.channel < 0 || init.channel > 255) throw new FormatError("INVALID_VALUE", `multifd: channel id ${init.channel} is not a byte`);
	const w = new ByteWriter(64).u32(MULTIFD_MAGIC).u32(1).bytes(init.uuid).u8(init.channel);
	return w.fill(64 - w.length).finish();
}
/** Whether `bytes` (at least 4 of them) start like a multifd channel rather than a QEVM stream. */
function startsWithMultifdMagic(bytes) {
	return bytes.length >= 4 && (bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]) >>> 0 === 287454020;
}
/**
* Reads an init packet. Wrong magic and any version but 1 are refused with QEMU's words; a
* channel id of `channels` or more is refused too (QEMU 7.2 lets id == channels through, one
* past its array). The UUID is returned for the caller to compare with its own.
*/
function decodeMultifdInit(bytes, channels, ctx = {}) {
	const base = ctx.offset ?? 0;
	const r = multifdReader(bytes, 64, ctx);
	const magic = r.u32();
	if (magic !== 287454020) throw new FormatError("BAD_MAGIC", `multifd: received packet magic ${magic.toString(16)} expected ${MULTIFD_MAGIC.toString(16)}`, multifdLocation(ctx, base));
	const version = r.u32();
	if (version !== 1) throw new FormatError("VERSION_UNSUPPORTED", `multifd: received packet version ${version} expected 1`, multifdLocation(ctx, base + 4));
	const uuid = r.bytes(16).slice();
	const channel = r.u8();
	if (channel >= channels) throw new FormatError("LIMIT_EXCEEDED", `multifd: received channel id ${channel}, expected one below ${channels}`, multifdLocation(ctx, base + 24));
	return {
		uuid,
		channel
	};
}
// ../../work/main/packages/format/dist/multifd/multifd-packet.js
const encoder = new TextEncoder();
/**
* The header of `packet`, always the full size with room for every offset (what QEMU reads).
* A ramblock name that does not fit the 256-byte field (with its NUL) is refused.
*/
function encodeMultifdPacket(packet, pageSize) {
	const capacity = multifdPagesPerPacket(pageSize);
	if (packet.offsets.length > packet.pagesAlloc || packet.pagesAlloc > capacity) throw new FormatError("INVALID_VALUE", `multifd: ${packet.offsets.length} pages in a packet of ${packet.pagesAlloc} (at most ${capacity})`);
	const name = encoder.encode(packet.ramblock);
	if (name.length >= 256) throw new FormatError("INVALID_VALUE", `multifd: RAM block name "${packet.ramblock}" is too long`);
	const size = multifdHeaderSize(pageSize);
	const w = new ByteWriter(size).u32(MULTIFD_MAGIC).u32(1).u32(packet.flags).u32(packet.pagesAlloc).u32(packet.offsets.length).u32(packet.nextPacketSize).u64(packet.packetNum).fill(32).bytes(name).fill(256 - name.length);
	for (const offset of packet.offsets) w.u64(offset);
	return w.fill(size - w.length).finish();
}
/**
* Reads a packet header (`multifdHeaderSize(pageSize)` bytes) with QEMU 7.2's checks and words:
* magic, version, `pages_alloc` at most one batch, `normal_pages` at most `pages_alloc`. Beyond
* QEMU, every offset must be page-aligned, uncompressed data must be exactly the pages announced,
* and compressed data at most `MULTIFD_MAX_COMPRESSED_SIZE`; so nothing read later is sized by
* an unchecked count. Offsets against the block's size are the caller's check.
*/
function decodeMultifdPacket(bytes, pageSize, ctx = {}) {
	const base = ctx.offset ?? 0;
	const r = multifdReader(bytes, multifdHeaderSize(pageSize), ctx);
	const magic = r.u32();
	if (magic !== 287454020) throw new FormatError("BAD_MAGIC", `multifd: received packet magic ${magic.toString(16)} and expected magic ${MULTIFD_MAGIC.toString(16)}`, multifdLocation(ctx, base));
	const version = r.u32();
	if (version !== 1) throw new FormatError("VERSION_UNSUPPORTED", `multifd: received packet version ${version} and expected version 1`, multifdLocation(ctx, base + 4));
	const flags = r.u32();
	const pagesAlloc = r.u32();
	const capacity = multifdPagesPerPacket(pageSize);
	if (pagesAlloc > capacity) throw new FormatError("LIMIT_EXCEEDED", `multifd: received packet with size ${pagesAlloc} and expected a size of ${capacity}`, multifdLocation(ctx, base + 12));
	const normalPages = r.u32();
	if (normalPages > pagesAlloc) throw new FormatError("LIMIT_EXCEEDED", `multifd: received packet with ${normalPages} pages and expected maximum pages are ${pagesAlloc}`, multifdLocation(ctx, base + 16));
	const nextPacketSize = r.u32();
	const compressed = (flags & 14) !== 0;
	if (normalPages > 0 && (compressed ? nextPacketSize > 1048576 : nextPacketSize !== normalPages * pageSize)) throw new FormatError("LIMIT_EXCEEDED", compressed ? `multifd: received ${nextPacketSize} bytes of compressed data, more than ${MULTIFD_MAX_COMPRESSED_SIZE}` : `multifd: received packet of ${normalPages} pages announcing ${nextPacketSize} bytes of data`, multifdLocation(ctx, base + 20));
	const packetNum = r.u64();
	r.skip(32);
	const nameStart = r.pos;
	let nul = r.bytes(256).indexOf(0);
	if (nul < 0) nul = 255;
	const ramblock = normalPages === 0 ? "" : new TextDecoder().decode(bytes.subarray(nameStart, nameStart + nul));
	const offsets = [];
	for (let i = 0; i < normalPages; i++) {
		const at = r.offset;
		const offset = r.u64Number();
		if (offset % pageSize !== 0) throw new FormatError("BAD_RAM_OFFSET", `multifd: page offset 0x${offset.toString(16)} is not page-aligned`, multifdLocation(ctx, at));
		offsets.push(offset);
	}
	return {
		flags,
		pagesAlloc,
		nextPacketSize: normalPages === 0 ? 0 : nextPacketSize,
		packetNum,
		ramblock,
		offsets
	};
}
// ../../work/main/packages/format/dist/index.js
var dist_exports = /* @__PURE__ */ __exportAll({
	DEDUP_CAPABILITY: () => DEDUP_CAPABILITY,
	DEFAULT_MAX_XML_BYTES: () => DEFAULT_MAX_XML_BYTES,
	DEFAULT_PAGE_SIZE: () => DEFAULT_PAGE_SIZE,
	DEFAULT_SAVE_IMAGE_PADDING: () => DEFAULT_SAVE_IMAGE_PADDING,
	DEFAULT_SUPPORTED_CAPABILITIES: () => DEFAULT_SUPPORTED_CAPABILITIES,
	DeviceStateJsonBuilder: () => DeviceStateJsonBuilder,
	ENCODING_FLAG_XBZRLE: () => 1,
	FormatError: () => FormatError,
	LIBVIRT_HEADER_SIZE: () => 92,
	LIBVIRT_PARTIAL_MAGIC: () => LIBVIRT_PARTIAL_MAGIC,
	LIBVIRT_SAVE_MAGIC: () => LIBVIRT_SAVE_MAGIC,
	LIBVIRT_SAVE_VERSION: () => 2,
	MAX_PACKAGED_SIZE: () => MAX_PACKAGED_SIZE,
	MIG_CMD: () => MIG_CMD,
	MULTIFD_COMPRESSION_FLAGS: () => MULTIFD_COMPRESSION_FLAGS,
	MULTIFD_FLAG_COMPRESSION_MASK: () => 14,
	MULTIFD_FLAG_NOCOMP: () => 0,
	MULTIFD_FLAG_SYNC: () => 1,
	MULTIFD_FLAG_ZLIB: () => 2,
	MULTIFD_FLAG_ZSTD: () => 4,
	MULTIFD_HEADER_FIXED_SIZE: () => 320,
	MULTIFD_INIT_PACKET_SIZE: () => 64,
	MULTIFD_MAGIC: () => MULTIFD_MAGIC,
	MULTIFD_MAX_COMPRESSED_SIZE: () => MULTIFD_MAX_COMPRESSED_SIZE,
	MULTIFD_PACKET_SIZE: () => MULTIFD_PACKET_SIZE,
	MULTIFD_RAMBLOCK_FIELD: () => 256,
	MULTIFD_VERSION: () => 1,
	MemoryRamSink: () => MemoryRamSink,
	MemorySaveImageSink: () => MemorySaveImageSink,
	MigrationRecordReader: () => MigrationRecordReader,
	MigrationStreamWriter: () => MigrationStreamWriter,
	QEMU_VM_COMMAND: () => 8,
	QEMU_VM_CONFIGURATION: () => 7,
	QEMU_VM_EOF: () => 0,
	QEMU_VM_FILE_MAGIC: () => QEMU_VM_FILE_MAGIC,
	QEMU_VM_FILE_VERSION: () => 3,
	QEMU_VM_FILE_VERSION_COMPAT: () => 2,
	QEMU_VM_SECTION_END: () => 3,
	QEMU_VM_SECTION_FOOTER: () => 126,
	QEMU_VM_SECTION_FULL: () => 4,
	QEMU_VM_SECTION_PART: () => 2,
	QEMU_VM_SECTION_START: () => 1,
	QEMU_VM_SUBSECTION: () => 5,
	QEMU_VM_VMDESCRIPTION: () => 6,
	RAM_SAVE_FLAG_COMPRESS_PAGE: () => 256,
	RAM_SAVE_FLAG_CONTINUE: () => 32,
	RAM_SAVE_FLAG_EOS: () => 16,
	RAM_SAVE_FLAG_FULL: () => 1,
	RAM_SAVE_FLAG_HOOK: () => 128,
	RAM_SAVE_FLAG_MEM_SIZE: () => 4,
	RAM_SAVE_FLAG_MULTIFD_FLUSH: () => 512,
	RAM_SAVE_FLAG_PAGE: () => 8,
	RAM_SAVE_FLAG_XBZRLE: () => 64,
	RAM_SAVE_FLAG_X_DEDUP: () => RAM_SAVE_FLAG_X_DEDUP,
	RAM_SAVE_FLAG_ZERO: () => 2,
	RAM_SECTION_VERSION: () => 4,
	RamApplier: () => RamApplier,
	SAVE_IMAGE_FORMATS: () => SAVE_IMAGE_FORMATS,
	SECTION_TYPE_BYTE: () => SECTION_TYPE_BYTE,
	SUBSECTION_CAPABILITIES: () => SUBSECTION_CAPABILITIES,
	SUBSECTION_TARGET_PAGE_BITS: () => SUBSECTION_TARGET_PAGE_BITS,
	SUBSECTION_UUID: () => SUBSECTION_UUID,
	SaveImageError: () => SaveImageError,
	StreamSummaryBuilder: () => StreamSummaryBuilder,
	VMS_NULLPTR_MARKER: () => 48,
	applyRam: () => applyRam,
	applyXbzrle: () => applyXbzrle,
	commandDetails: () => commandDetails,
	commandName: () => commandName,
	commandPayload: () => commandPayload,
	compressBound: () => compressBound,
	concatBytes: () => concatBytes,
	copyRecord: () => copyRecord,
	decodeMigrationStream: () => decodeMigrationStream,
	decodeMultifdInit: () => decodeMultifdInit,
	decodeMultifdPacket: () => decodeMultifdPacket,
	decodeVMState: () => decodeVMState,
	decodeXbzrle: () => decodeXbzrle,
	decodeXmlEntities: () => decodeXmlEntities,
	deflatePage: () => deflatePage,
	descriptionFromVmdesc: () => descriptionFromVmdesc,
	deviceStateToJson: () => deviceStateToJson,
	encodeLibvirtHeader: () => encodeLibvirtHeader,
	encodeMigrationStream: () => encodeMigrationStream,
	encodeMultifdInit: () => encodeMultifdInit,
	encodeMultifdPacket: () => encodeMultifdPacket,
	encodeRecord: () => encodeRecord,
	encodeVMState: () => encodeVMState,
	encodeXbzrle: () => encodeXbzrle,
	encodedLength: () => encodedLength,
	findVmdescTrailer: () => findVmdescTrailer,
	forEachRecord: () => forEachRecord,
	formatQemuJson: () => formatQemuJson,
	inflatePage: () => inflatePage,
	inflatePageInto: () => inflatePageInto,
	isFormatError: () => isFormatError,
	makeCommandRecord: () => makeCommandRecord,
	makeConfigurationRecord: () => makeConfigurationRecord,
	multifdHeaderSize: () => multifdHeaderSize,
	multifdPagesPerPacket: () => multifdPagesPerPacket,
	parseLibvirtHeader: () => parseLibvirtHeader,
	parseVmdesc: () => parseVmdesc,
	readDomainIdentity: () => readDomainIdentity,
	readMigrationStream: () => readMigrationStream,
	readSaveImage: () => readSaveImage,
	rewriteSaveImageXml: () => rewriteSaveImageXml,
	saveImageCodec: () => saveImageCodec,
	saveImageFormatNumber: () => saveImageFormatNumber,
	sectionStateToJson: () => sectionStateToJson,
	sectionTypeOf: () => sectionTypeOf,
	sniffLibvirtSaveImage: () => sniffLibvirtSaveImage,
	startsWithMultifdMagic: () => startsWithMultifdMagic,
	summarizeStream: () => summarizeStream,
	toHex: () => toHex,
	toJsonValue: () => toJsonValue,
	writeMigrationStream: () => writeMigrationStream,
	writeSaveImage: () => writeSaveImage
});
export { encodeVMState as _, encodeMultifdInit as a, MULTIFD_FLAG_NOCOMP as c, MULTIFD_INIT_PACKET_SIZE as d, multifdHeaderSize as f, MigrationStreamWriter as g, RamApplier as h, decodeMultifdInit as i, MULTIFD_FLAG_SYNC as l, decodeXmlEntities as m, decodeMultifdPacket as n, startsWithMultifdMagic as o, multifdPagesPerPacket as p, encodeMultifdPacket as r, MULTIFD_FLAG_COMPRESSION_MASK as s, dist_exports as t, MULTIFD_FLAG_ZLIB as u, formatQemuJson as v };
