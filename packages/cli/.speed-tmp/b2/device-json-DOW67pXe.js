// ../../work/main/packages/format/dist/errors.js
/**
* Every error the codec throws for bad input or an unencodable value. `message` is meant for a
* person; `code` is for programs. The message already names the offset and section when known.
*/
var FormatError = class FormatError extends Error {
	name = "FormatError";
	code;
	offset;
	section;
	sectionId;
	field;
	/** The QEMU error text this corresponds to, without our location suffix. */
	detail;
	constructor(code, detail, context = {}) {
		super(detail + describeContext(context));
		this.code = code;
		this.detail = detail;
		this.offset = context.offset;
		this.section = context.section;
		this.sectionId = context.sectionId;
		this.field = context.field;
	}
	/** The same error with location facts the thrower did not know filled in. */
	withContext(context) {
		const merged = {
			offset: this.offset ?? context.offset,
			section: this.section ?? context.section,
			sectionId: this.sectionId ?? context.sectionId,
			field: this.field ?? context.field
		};
		if (merged.offset === this.offset && merged.section === this.section && merged.sectionId === this.sectionId && merged.field === this.field) return this;
		return new FormatError(this.code, this.detail, merged);
	}
};
/** `0x1a2b`: offsets in messages are hexadecimal, as in hexdump output. */
function hex(value) {
	return "0x" + value.toString(16);
}
function describeContext(context) {
	const parts = [];
	if (context.offset !== void 0) parts.push(`at byte ${hex(context.offset)}`);
	if (context.section !== void 0) parts.push(context.sectionId !== void 0 ? `in section '${context.section}' (id ${context.sectionId})` : `in section '${context.section}'`);
	else if (context.sectionId !== void 0) parts.push(`in section id ${context.sectionId}`);
	if (context.field !== void 0) parts.push(`field ${context.field}`);
	return parts.length === 0 ? "" : ` (${parts.join(", ")})`;
}
function isFormatError(error) {
	return error instanceof FormatError;
}
// ../../work/main/packages/format/dist/constants.js
/** Byte values of QEMU's migration stream v3 (migration/savevm.h, migration/ram.h). */
const QEMU_VM_FILE_MAGIC = 0x5145564d;
const QEMU_VM_FILE_VERSION_COMPAT = 2;
const QEMU_VM_FILE_VERSION = 3;
const QEMU_VM_EOF = 0;
const QEMU_VM_SECTION_START = 1;
const QEMU_VM_SECTION_PART = 2;
const QEMU_VM_SECTION_END = 3;
const QEMU_VM_SECTION_FULL = 4;
const QEMU_VM_SUBSECTION = 5;
const QEMU_VM_VMDESCRIPTION = 6;
const QEMU_VM_CONFIGURATION = 7;
const QEMU_VM_COMMAND = 8;
const QEMU_VM_SECTION_FOOTER = 126;
const RAM_SAVE_FLAG_FULL = 1;
const RAM_SAVE_FLAG_ZERO = 2;
const RAM_SAVE_FLAG_MEM_SIZE = 4;
const RAM_SAVE_FLAG_PAGE = 8;
const RAM_SAVE_FLAG_EOS = 16;
const RAM_SAVE_FLAG_CONTINUE = 32;
const RAM_SAVE_FLAG_XBZRLE = 64;
const RAM_SAVE_FLAG_HOOK = 128;
const RAM_SAVE_FLAG_COMPRESS_PAGE = 256;
const RAM_SAVE_FLAG_MULTIFD_FLUSH = 512;
/**
* savevm's dedup extension: the page repeats an earlier page of the same block (payload: be64
* offset of that page). QEMU's flags end at 0x200 and QEMU keeps 0x400 free so that 1 KiB
* target pages stay usable, so no QEMU flag can ever collide with it. Only valid in a stream
* whose configuration record lists {@link DEDUP_CAPABILITY}.
*/
const RAM_SAVE_FLAG_X_DEDUP = 1024;
/** The capability name the dedup extension is recorded under (`x-`: an experiment, as QMP reserves). */
const DEDUP_CAPABILITY = "x-dedup";
/** Capabilities a reader accepts unless told otherwise. */
const DEFAULT_SUPPORTED_CAPABILITIES = ["x-ignore-shared", DEDUP_CAPABILITY];
/** ENCODING_FLAG_XBZRLE: the byte after an XBZRLE record header. */
const ENCODING_FLAG_XBZRLE = 1;
/** The only `ram` section version QEMU has ever loaded (ram_load). */
const RAM_SECTION_VERSION = 4;
/** x86 TARGET_PAGE_SIZE; the default page size of the RAM section. */
const DEFAULT_PAGE_SIZE = 4096;
/** MAX_VM_CMD_PACKAGED_SIZE: QEMU refuses a larger CMD_PACKAGED blob. */
const MAX_PACKAGED_SIZE = 1 << 24;
/** VMS_NULLPTR_MARKER: one byte standing for a NULL entry in an array of pointers. */
const VMS_NULLPTR_MARKER = 48;
const SECTION_TYPE_BYTE = {
	start: 1,
	part: 2,
	end: 3,
	full: 4
};
function sectionTypeOf(byte) {
	switch (byte) {
		case 1: return "start";
		case 2: return "part";
		case 3: return "end";
		case 4: return "full";
		default: return;
	}
}
// ../../work/main/packages/format/dist/source/byte-source.js
function isReadIntoSource(source) {
	return typeof source === "object" && source !== null && typeof source.readInto === "function";
}
/** The chunk size of a ReadIntoSource read through pullChunks (each chunk is a fresh buffer). */
const READ_INTO_CHUNK = 1 << 20;
function pullChunks(source) {
	if (source instanceof Uint8Array) return fromArray([asBytes(source)]);
	if (source instanceof ArrayBuffer) return fromArray([new Uint8Array(source)]);
	if (isReadIntoSource(source)) return fromReadInto(source);
	if (isReadableStream(source)) return fromReadableStream(source);
	if (Symbol.asyncIterator in source) return fromAsyncIterator(source[Symbol.asyncIterator]());
	if (Symbol.iterator in source) return fromIterator(source[Symbol.iterator]());
	throw new TypeError("not a byte source: expected Uint8Array, (async) iterable of Uint8Array or ReadableStream");
}
function isReadableStream(source) {
	return typeof source.getReader === "function";
}
function fromArray(chunks) {
	let i = 0;
	return {
		next: () => Promise.resolve(chunks[i++]),
		close: () => Promise.resolve()
	};
}
function fromReadInto(source) {
	let finished = false;
	const finish = () => {
		if (finished) return;
		finished = true;
		source.close?.();
	};
	return {
		next() {
			if (finished) return Promise.resolve(void 0);
			try {
				const chunk = new Uint8Array(READ_INTO_CHUNK);
				const n = source.readInto(chunk);
				if (n > 0) return Promise.resolve(chunk.subarray(0, n));
				finish();
				return Promise.resolve(void 0);
			} catch (error) {
				finish();
				return Promise.reject(error);
			}
		},
		close() {
			finish();
			return Promise.resolve();
		}
	};
}
function fromIterator(it) {
	return {
		next() {
			const r = it.next();
			return Promise.resolve(r.done ? void 0 : asBytes(r.value));
		},
		close() {
			it.return?.();
			return Promise.resolve();
		}
	};
}
function fromAsyncIterator(it) {
	let finished = false;
	return {
		async next() {
			if (finished) return void 0;
			const r = await it.next();
			if (r.done) {
				finished = true;
				return;
			}
			return asBytes(r.value);
		},
		async close() {
			if (finished) return;
			finished = true;
			await it.return?.();
		}
	};
}
function fromReadableStream(stream) {
	const reader = stream.getReader();
	let finished = false;
	return {
		async next() {
			if (finished) return void 0;
			const r = await reader.read();
			if (r.done) {
				finished = true;
				reader.releaseLock();
				return;
			}
			return asBytes(r.value);
		},
		async close() {
			if (finished) return;
			finished = true;
			await reader.cancel();
		}
	};
}
function asBytes(chunk) {
	if (chunk instanceof Uint8Array) return chunk.constructor === Uint8Array ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
	if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
	throw new TypeError(`byte source yielded ${typeof chunk}, expected Uint8Array`);
}
/** Joins chunks into one array (no copy when there is exactly one). */
function concatBytes(chunks) {
	if (chunks.length === 1) return chunks[0];
	let total = 0;
	for (const c of chunks) total += c.length;
	const out = new Uint8Array(total);
	let pos = 0;
	for (const c of chunks) {
		out.set(c, pos);
		pos += c.length;
	}
	return out;
}
// ../../work/main/packages/format/dist/wire/byte-reader.js
/**
* Thrown (as one shared object, never an Error) by a reader in `partial` mode when it runs past
* the bytes it has. The streaming decoder catches it, pulls more input and parses the record
* again; it never reaches the caller of the public API.
*/
var NeedMoreInput = class {
	/** Absolute stream offset up to which bytes are needed. */
	wanted = 0;
};
const NEED_MORE = new NeedMoreInput();
const EMPTY = /* @__PURE__ */ new Uint8Array(0);
const TWO_POW_32$2 = 4294967296;
/**
* Bounds-checked big-endian reader over one buffer. `pos` is an index into `buf`; `base` is the
* absolute stream offset of `buf[0]`, so every error names the absolute offset.
*
* In `partial` mode (used by the streaming decoder) running past `end` means "the input has not
* arrived yet" rather than "the input is truncated".
*/
var ByteReader = class ByteReader {
	buf = EMPTY;
	pos = 0;
	end = 0;
	base = 0;
	partial;
	view = new DataView(EMPTY.buffer);
	constructor(buf = EMPTY, base = 0, partial = false) {
		this.partial = partial;
		this.reset(buf, base);
	}
	/** Points the reader at another buffer (position 0, end at the buffer's length). */
	reset(buf, base, pos = 0, end = buf.length) {
		this.buf = buf;
		this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
		this.base = base;
		this.pos = pos;
		this.end = end;
		return this;
	}
	/** Absolute stream offset of the next byte. */
	get offset() {
		return this.base + this.pos;
	}
	get remaining() {
		return this.end - this.pos;
	}
	/** The one bounds check: throws TRUNCATED (or asks for more input in partial mode). */
	need(n) {
		if (this.end - this.pos < n) this.short(n);
	}
	short(n) {
		if (this.partial) {
			NEED_MORE.wanted = this.base + this.pos + n;
			throw NEED_MORE;
		}
		throw new FormatError("TRUNCATED", `unexpected end of input: needed ${n} byte${n === 1 ? "" : "s"}, ${this.end - this.pos} left`, { offset: this.base + this.pos });
	}
	/** Makes sure `n` bytes are there without consuming them. */
	require(n) {
		this.need(n);
	}
	peekU8(ahead = 0) {
		this.need(ahead + 1);
		return this.buf[this.pos + ahead];
	}
	u8() {
		this.need(1);
		return this.buf[this.pos++];
	}
	i8() {
		this.need(1);
		return this.view.getInt8(this.pos++);
	}
	u16() {
		this.need(2);
		const v = this.view.getUint16(this.pos);
		this.pos += 2;
		return v;
	}
	i16() {
		this.need(2);
		const v = this.view.getInt16(this.pos);
		this.pos += 2;
		return v;
	}
	u32() {
		this.need(4);
		const v = this.view.getUint32(this.pos);
		this.pos += 4;
		return v;
	}
	i32() {
		this.need(4);
		const v = this.view.getInt32(this.pos);
		this.pos += 4;
		return v;
	}
	u64() {
		this.need(8);
		const v = this.view.getBigUint64(this.pos);
		this.pos += 8;
		return v;
	}
	i64() {
		this.need(8);
		const v = this.view.getBigInt64(this.pos);
		this.pos += 8;
		return v;
	}
	/** be64 as a number; values above 2^53 - 1 throw LIMIT_EXCEEDED instead of losing bits. */
	u64Number() {
		this.need(8);
		const hi = this.view.getUint32(this.pos);
		const lo = this.view.getUint32(this.pos + 4);
		if (hi > 2097151) throw new FormatError("LIMIT_EXCEEDED", `64-bit value 0x${hi.toString(16)}${lo.toString(16).padStart(8, "0")} does not fit in a JavaScript number`, { offset: this.base + this.pos });
		this.pos += 8;
		return hi * TWO_POW_32$2 + lo;
	}
	/** High and low 32-bit halves of a be64, for callers that split flags off the low bits. */
	u64Halves(into) {
		this.need(8);
		into.hi = this.view.getUint32(this.pos);
		into.lo = this.view.getUint32(this.pos + 4);
		this.pos += 8;
	}
	f64() {
		this.need(8);
		const v = this.view.getFloat64(this.pos);
		this.pos += 8;
		return v;
	}
	/** A view of the next `n` bytes (no copy: it shares memory with the input). */
	bytes(n) {
		this.need(n);
		const v = this.buf.subarray(this.pos, this.pos + n);
		this.pos += n;
		return v;
	}
	skip(n) {
		this.need(n);
		this.pos += n;
	}
	/** `n` bytes as a string, one character per byte (Latin-1), so re-encoding is exact. */
	latin1(n) {
		this.need(n);
		const s = bytesToLatin1(this.buf, this.pos, this.pos + n);
		this.pos += n;
		return s;
	}
	/** QEMU's counted string: u8 length, then that many bytes. */
	countedString() {
		const n = this.peekU8();
		this.need(1 + n);
		this.pos++;
		return this.latin1(n);
	}
	/** A reader over the next `n` bytes that cannot read past them; advances this reader. */
	sub(n) {
		this.need(n);
		const r = new ByteReader(this.buf.subarray(this.pos, this.pos + n), this.base + this.pos);
		this.pos += n;
		return r;
	}
	/** A TRUNCATED-style or other error at the current absolute offset. */
	errorAt(code, detail, at = this.offset) {
		return new FormatError(code, detail, { offset: at });
	}
};
function bytesToLatin1(buf, start, end) {
	let s = "";
	for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]);
	return s;
}
// ../../work/main/packages/format/dist/wire/byte-writer.js
const MAX_U64 = (1n << 64n) - 1n;
const MIN_I64 = -(1n << 63n);
const MAX_I64 = (1n << 63n) - 1n;
/**
* Big-endian writer with a buffer that doubles when it fills. Methods are named after the wire
* types and return `this`. `finish()` hands the bytes over and starts a fresh buffer, so the
* returned array is never written again.
*/
var ByteWriter = class {
	buf;
	view;
	/** Number of bytes written since the last `finish()`. */
	pos = 0;
	constructor(initialSize = 1024) {
		this.buf = new Uint8Array(Math.max(16, initialSize));
		this.view = new DataView(this.buf.buffer);
	}
	get length() {
		return this.pos;
	}
	grow(n) {
		const needed = this.pos + n;
		if (needed <= this.buf.length) return;
		let size = this.buf.length * 2;
		while (size < needed) size *= 2;
		const next = new Uint8Array(size);
		next.set(this.buf.subarray(0, this.pos));
		this.buf = next;
		this.view = new DataView(next.buffer);
	}
	u8(v) {
		checkInt(v, 0, 255, "u8");
		this.grow(1);
		this.buf[this.pos++] = v;
		return this;
	}
	i8(v) {
		checkInt(v, -128, 127, "i8");
		this.grow(1);
		this.view.setInt8(this.pos++, v);
		return this;
	}
	u16(v) {
		checkInt(v, 0, 65535, "u16");
		this.grow(2);
		this.view.setUint16(this.pos, v);
		this.pos += 2;
		return this;
	}
	i16(v) {
		checkInt(v, -32768, 32767, "i16");
		this.grow(2);
		this.view.setInt16(this.pos, v);
		this.pos += 2;
		return this;
	}
	u32(v) {
		checkInt(v, 0, 0xffffffff, "u32");
		this.grow(4);
		this.view.setUint32(this.pos, v);
		this.pos += 4;
		return this;
	}
	i32(v) {
		checkInt(v, -0x80000000, 0x7fffffff, "i32");
		this.grow(4);
		this.view.setInt32(this.pos, v);
		this.pos += 4;
		return this;
	}
	/** be64 from a bigint or a non-negative safe integer. */
	u64(v) {
		const b = typeof v === "bigint" ? v : toBigInt(v, "u64");
		if (b < 0n || b > MAX_U64) throw invalid$1(`u64 out of range: ${v}`);
		this.grow(8);
		this.view.setBigUint64(this.pos, b);
		this.pos += 8;
		return this;
	}
	i64(v) {
		const b = typeof v === "bigint" ? v : toBigInt(v, "i64");
		if (b < MIN_I64 || b > MAX_I64) throw invalid$1(`i64 out of range: ${v}`);
		this.grow(8);
		this.view.setBigInt64(this.pos, b);
		this.pos += 8;
		return this;
	}
	/** be64 made of two 32-bit halves (no bigint on hot paths). */
	u64Halves(hi, lo) {
		this.grow(8);
		this.view.setUint32(this.pos, hi);
		this.view.setUint32(this.pos + 4, lo);
		this.pos += 8;
		return this;
	}
	f64(v) {
		this.grow(8);
		this.view.setFloat64(this.pos, v);
		this.pos += 8;
		return this;
	}
	bytes(data) {
		this.grow(data.length);
		this.buf.set(data, this.pos);
		this.pos += data.length;
		return this;
	}
	fill(n, byte = 0) {
		this.grow(n);
		this.buf.fill(byte, this.pos, this.pos + n);
		this.pos += n;
		return this;
	}
	/** One byte per character; characters above U+00FF are refused. */
	latin1(s) {
		this.grow(s.length);
		for (let i = 0; i < s.length; i++) {
			const c = s.charCodeAt(i);
			if (c > 255) throw invalid$1(`character U+${c.toString(16).padStart(4, "0")} in ${JSON.stringify(s)} is not one byte`);
			this.buf[this.pos++] = c;
		}
		return this;
	}
	/** QEMU's counted string: u8 length + bytes. */
	countedString(s) {
		if (s.length > 255) throw invalid$1(`string longer than 255 bytes: ${JSON.stringify(s.slice(0, 40))}…`);
		return this.u8(s.length).latin1(s);
	}
	/** Drops what was written after the first `length` bytes (undoes a record that failed half way). */
	truncate(length) {
		checkInt(length, 0, this.pos, "truncate length");
		this.pos = length;
		return this;
	}
	/** A view of what has been written so far, without ending the buffer. */
	peek() {
		return this.buf.subarray(0, this.pos);
	}
	/** Hands over the written bytes and starts a fresh buffer of the same capacity. */
	finish() {
		const out = this.buf.subarray(0, this.pos);
		this.buf = new Uint8Array(this.buf.length);
		this.view = new DataView(this.buf.buffer);
		this.pos = 0;
		return out;
	}
};
function invalid$1(detail) {
	return new FormatError("INVALID_VALUE", detail);
}
function checkInt(v, min, max, what) {
	if (!Number.isInteger(v) || v < min || v > max) throw invalid$1(`${what} out of range: ${v}`);
}
function toBigInt(v, what) {
	if (!Number.isSafeInteger(v)) throw invalid$1(`${what} needs an integer, got ${v}`);
	return BigInt(v);
}
// ../../work/main/packages/format/dist/command.js
/** enum qemu_vm_cmd, by number (savevm.c). */
const MIG_CMD = {
	OPEN_RETURN_PATH: 1,
	PING: 2,
	POSTCOPY_ADVISE: 3,
	POSTCOPY_LISTEN: 4,
	POSTCOPY_RUN: 5,
	POSTCOPY_RAM_DISCARD: 6,
	PACKAGED: 7,
	ENABLE_COLO: 8,
	POSTCOPY_RESUME: 9,
	RECV_BITMAP: 10,
	SWITCHOVER_START: 11
};
const NAMES = ["INVALID", ...Object.keys(MIG_CMD)];
/** mig_cmd_args[].len: the payload length each command must have, -1 when it varies. */
const FIXED_LENGTH = [
	-1,
	0,
	4,
	-1,
	0,
	0,
	-1,
	4,
	0,
	0,
	-1,
	0
];
function commandName(command) {
	return NAMES[command] ?? `MIG_CMD ${hex(command)}`;
}
/** Reads `u8 0x08, be16 cmd, be16 len, data` and applies the loader's checks. */
function parseCommand(r) {
	const offset = r.offset;
	r.u8();
	const command = r.u16();
	const len = r.u16();
	const data = r.bytes(len).slice();
	checkCommand(command, data, offset);
	return {
		kind: "command",
		offset,
		command,
		name: commandName(command),
		data
	};
}
/** QEMU's loadvm_process_command checks, with its messages. */
function checkCommand(command, data, offset) {
	const len = data.length;
	if (command === 0 || command >= NAMES.length) throw new FormatError("UNKNOWN_COMMAND", `MIG_CMD ${hex(command)} unknown (len ${hex(len)})`, { offset });
	const fixed = FIXED_LENGTH[command];
	if (fixed !== -1 && fixed !== len) throw new FormatError("BAD_COMMAND", `${NAMES[command]} received with bad length - expecting ${fixed}, got ${len}`, { offset });
	const r = new ByteReader(data, offset + 5);
	switch (command) {
		case MIG_CMD.POSTCOPY_ADVISE:
			if (len !== 0 && len !== 16) throw new FormatError("BAD_COMMAND", `CMD_POSTCOPY_ADVISE invalid length (${len})`, { offset });
			break;
		case MIG_CMD.POSTCOPY_RAM_DISCARD: {
			if (len < 20) throw new FormatError("BAD_COMMAND", `CMD_POSTCOPY_RAM_DISCARD invalid length (${len})`, { offset });
			const version = r.u8();
			if (version !== 0) throw new FormatError("BAD_COMMAND", `CMD_POSTCOPY_RAM_DISCARD invalid version (${version})`, { offset });
			const nameLen = r.peekU8();
			if (nameLen === 0 || r.remaining < 1 + nameLen + 1) throw new FormatError("BAD_COMMAND", "CMD_POSTCOPY_RAM_DISCARD Failed to read RAMBlock ID", { offset });
			r.skip(1 + nameLen);
			const nil = r.u8();
			if (nil !== 0) throw new FormatError("BAD_COMMAND", `CMD_POSTCOPY_RAM_DISCARD missing nil (${nil})`, { offset });
			if ((len - 3 - nameLen) % 16 !== 0) throw new FormatError("BAD_COMMAND", `CMD_POSTCOPY_RAM_DISCARD invalid length (${len - 3 - nameLen})`, { offset });
			break;
		}
		case MIG_CMD.RECV_BITMAP:
			if (len < 1 || len !== 1 + data[0] || data[0] === 0) throw new FormatError("BAD_COMMAND", `loadvm_handle_recv_bitmap: invalid payload length (${len})`, { offset });
			break;
		case MIG_CMD.PACKAGED: {
			const size = r.u32();
			if (size > 16777216) throw new FormatError("BAD_COMMAND", `Unreasonably large packaged state: ${size}`, { offset });
			break;
		}
	}
}
/** Length of the nested stream announced by a PACKAGED command. */
function packagedLength(rec) {
	return new ByteReader(rec.data).u32();
}
function writeCommand(w, rec) {
	w.u8(8).u16(rec.command).u16(rec.data.length).bytes(rec.data);
}
function commandDetails(rec) {
	const r = new ByteReader(rec.data);
	switch (rec.command) {
		case MIG_CMD.PING: return {
			name: "PING",
			value: r.u32()
		};
		case MIG_CMD.POSTCOPY_ADVISE: return rec.data.length === 16 ? {
			name: "POSTCOPY_ADVISE",
			pageSizeSummary: r.u64(),
			targetPageSize: r.u64()
		} : { name: "POSTCOPY_ADVISE" };
		case MIG_CMD.POSTCOPY_RAM_DISCARD: {
			r.u8();
			const block = r.countedString();
			r.u8();
			const ranges = [];
			while (r.remaining >= 16) ranges.push({
				start: r.u64(),
				length: r.u64()
			});
			return {
				name: "POSTCOPY_RAM_DISCARD",
				block,
				ranges
			};
		}
		case MIG_CMD.PACKAGED: return {
			name: "PACKAGED",
			length: r.u32()
		};
		case MIG_CMD.RECV_BITMAP: return {
			name: "RECV_BITMAP",
			block: r.countedString()
		};
		default: return { name: rec.name };
	}
}
/** Builds a command record (`packaged` for PACKAGED: the nested records). */
function makeCommandRecord(name, data = /* @__PURE__ */ new Uint8Array(0), offset = 0) {
	const command = MIG_CMD[name];
	checkCommand(command, data, offset);
	return {
		kind: "command",
		offset,
		command,
		name,
		data
	};
}
/** Payload builders for the commands that have one. */
const commandPayload = {
	ping: (value) => new ByteWriter(4).u32(value).finish(),
	postcopyAdvise: (pageSizeSummary, targetPageSize) => new ByteWriter(16).u64(pageSizeSummary).u64(targetPageSize).finish(),
	ramDiscard(block, ranges) {
		const w = new ByteWriter(32).u8(0).countedString(block).u8(0);
		for (const range of ranges) w.u64(range.start).u64(range.length);
		return w.finish();
	},
	packaged: (length) => new ByteWriter(4).u32(length).finish(),
	recvBitmap: (block) => new ByteWriter(16).countedString(block).finish()
};
// ../../work/main/packages/format/dist/configuration.js
const SUBSECTION_TARGET_PAGE_BITS = "configuration/target-page-bits";
const SUBSECTION_CAPABILITIES = "configuration/capabilities";
const SUBSECTION_UUID = "configuration/uuid";
const PREFIX = "configuration";
/** How far the decoder looks for the end of a configuration subsection it does not know. */
const UNKNOWN_SUBSECTION_WINDOW = 65536;
const MAX_CAPABILITIES = 1024;
/** Builds a configuration record with the subsections QEMU would send for these settings. */
function makeConfigurationRecord(init, offset = 8) {
	const subsections = [];
	if (init.targetPageBits !== void 0) subsections.push({
		name: SUBSECTION_TARGET_PAGE_BITS,
		version: 1,
		payload: new ByteWriter(4).u32(init.targetPageBits).finish()
	});
	if (init.capabilities && init.capabilities.length > 0) {
		const w = new ByteWriter(64).u32(init.capabilities.length);
		for (const c of init.capabilities) w.countedString(c);
		subsections.push({
			name: SUBSECTION_CAPABILITIES,
			version: 1,
			payload: w.finish()
		});
	}
	if (init.uuid !== void 0) {
		if (init.uuid.length !== 16) throw new FormatError("INVALID_VALUE", `uuid must be 16 bytes, got ${init.uuid.length}`);
		subsections.push({
			name: SUBSECTION_UUID,
			version: 1,
			payload: init.uuid.slice()
		});
	}
	return configurationRecord(offset, init.machineType, subsections);
}
function configurationRecord(offset, machineType, subsections) {
	const rec = {
		kind: "configuration",
		offset,
		machineType,
		subsections,
		capabilities: []
	};
	for (const s of subsections) {
		const r = new ByteReader(s.payload);
		if (s.name === "configuration/target-page-bits") rec.targetPageBits = r.u32();
		else if (s.name === "configuration/uuid") rec.uuid = s.payload;
		else if (s.name === "configuration/capabilities") {
			const n = r.u32();
			for (let i = 0; i < n; i++) rec.capabilities.push(r.countedString());
		}
	}
	return rec;
}
/** Reads `u8 0x07` and the configuration vmstate that follows it. */
function parseConfiguration(r) {
	const offset = r.offset;
	r.u8();
	const lenAt = r.offset;
	const len = r.u32();
	if (len > 255) throw new FormatError("BAD_CONFIGURATION", `machine type name of ${len} bytes`, {
		offset: lenAt,
		section: PREFIX
	});
	const machineType = r.latin1(len);
	const subsections = [];
	while (startsSubsection(r)) {
		const at = r.offset;
		r.u8();
		const name = r.countedString();
		const version = r.u32();
		const payloadStart = r.pos;
		if (name === "configuration/target-page-bits" || name === "configuration/uuid" || name === "configuration/capabilities") {
			checkVersion(name, version, at);
			if (name === "configuration/target-page-bits") r.skip(4);
			else if (name === "configuration/uuid") r.skip(16);
			else {
				const countAt = r.offset;
				const n = r.u32();
				if (n > MAX_CAPABILITIES) throw new FormatError("LIMIT_EXCEEDED", `${n} capabilities in the configuration`, {
					offset: countAt,
					section: PREFIX
				});
				for (let i = 0; i < n; i++) r.skip(1 + r.peekU8());
			}
		} else r.pos = unknownSubsectionEnd(r, payloadStart);
		subsections.push({
			name,
			version,
			payload: r.buf.slice(payloadStart, r.pos)
		});
	}
	return configurationRecord(offset, machineType, subsections);
}
function checkVersion(name, version, offset) {
	const v = version & 255;
	if (v > 1) throw new FormatError("VMSTATE_VERSION_TOO_NEW", `${name}: incoming version_id ${v} is too new for local version_id 1`, { offset });
	if (v < 1) throw new FormatError("VMSTATE_VERSION_TOO_OLD", `${name}: incoming version_id ${v} is too old for local minimum version_id  1`, { offset });
}
/** A configuration subsection header: 0x05, a name that starts with "configuration". */
function startsSubsection(r) {
	if (!peekable(r, 2) || r.peekU8() !== 5) return false;
	const len = r.peekU8(1);
	if (len < 14 || !peekable(r, 2 + len)) return false;
	return bytesToLatin1(r.buf, r.pos + 2, r.pos + 2 + 13) === PREFIX;
}
function peekable(r, n) {
	if (r.remaining >= n) return true;
	if (r.partial) r.require(n);
	return false;
}
/**
* The body of a subsection this codec does not know has no length on the wire. It is taken to end
* where the next configuration subsection or a plausible top-level record starts.
*/
function unknownSubsectionEnd(r, from) {
	const limit = from + UNKNOWN_SUBSECTION_WINDOW;
	for (let p = from; p < limit; p++) {
		if (p + 1 > r.end) {
			if (r.partial) r.require(p + 1 - r.pos);
			return r.end;
		}
		const probe = new ByteReader(r.buf.subarray(0, r.end), r.base, r.partial);
		probe.pos = p;
		if (looksLikeBoundary(probe)) return p;
	}
	throw new FormatError("BAD_CONFIGURATION", "cannot find the end of an unknown configuration subsection", {
		offset: r.base + from,
		section: PREFIX
	});
}
function looksLikeBoundary(r) {
	const type = r.peekU8();
	if (type === 5) return startsSubsection(r);
	if (type !== 1 && type !== 4) return false;
	if (!peekable(r, 6)) return false;
	const idlen = r.peekU8(5);
	if (idlen === 0 || !peekable(r, 6 + idlen + 8)) return false;
	for (let i = 0; i < idlen; i++) {
		const c = r.buf[r.pos + 6 + i];
		if (c < 32 || c > 126) return false;
	}
	const view = new DataView(r.buf.buffer, r.buf.byteOffset + r.pos);
	return view.getUint32(1) < 65536 && view.getUint32(6 + idlen + 4) < 65536;
}
function writeConfiguration(w, rec) {
	w.u8(7).u32(rec.machineType.length).latin1(rec.machineType);
	for (const s of rec.subsections) w.u8(5).countedString(s.name).u32(s.version).bytes(s.payload);
}
// ../../work/main/packages/format/dist/ram/page-counting.js
const ZERO_CONTINUED = 34;
const PAGE_CONTINUED = 40;
/** The highest high half of a RAM offset RamRecordParser accepts. */
const MAX_OFFSET_HI = 2097151;
const TWO_POW_32$1 = 4294967296;
function be32(buf, at) {
	return (buf[at] << 24 | buf[at + 1] << 16 | buf[at + 2] << 8 | buf[at + 3]) >>> 0;
}
/**
* Steps over the ZERO and PAGE records at `r.pos` that continue the previous page's block, as far
* as they are buffered, and tells `counter` how many of each kind it passed; page bytes are never
* looked at. It stops before the first record that is anything else (another type, a block name,
* an offset the parser refuses, a record not wholly buffered): RamRecordParser reads that one, so
* every error comes from the one parser, at the same offset, whichever way the pages were read.
*/
function countPageRecords(r, st, counter) {
	const block = st.lastBlock;
	if (block === void 0) return;
	const length = st.blocks?.get(block) ?? 1e400;
	const buf = r.buf;
	const end = r.end;
	const flagMask = st.pageSize - 1;
	const pageRecord = 8 + st.pageSize;
	let pos = r.pos;
	let zero = 0;
	let uniform = 0;
	let normal = 0;
	while (end - pos >= 9) {
		const hi = be32(buf, pos);
		const lo = be32(buf, pos + 4);
		const flags = lo & flagMask;
		if (hi > MAX_OFFSET_HI || hi * TWO_POW_32$1 + (lo - flags) >= length) break;
		if (flags === ZERO_CONTINUED) {
			if (buf[pos + 8] === 0) zero++;
			else uniform++;
			pos += 9;
		} else if (flags === PAGE_CONTINUED && end - pos >= pageRecord) {
			normal++;
			pos += pageRecord;
		} else break;
	}
	r.pos = pos;
	if (zero + uniform + normal > 0) counter.countPages(block, zero, uniform, normal);
}
// ../../work/main/packages/format/dist/ram/ram-records.js
const TWO_POW_32 = 4294967296;
/** zlib's compressBound(): the largest compressed page QEMU accepts. */
function compressBound(n) {
	return n + (n >>> 12) + (n >>> 14) + (n >>> 25) + 13;
}
/**
* Parses RAM records. Zero, page, XBZRLE and compressed records are written into one reused
* object per type, and their `data` is a view of the input: both are valid until the next parse.
*/
var RamRecordParser = class {
	state;
	h = {
		hi: 0,
		lo: 0
	};
	zero = {
		kind: "ram",
		type: "zero",
		offset: 0,
		sectionId: 0,
		address: 0,
		continued: false,
		block: "",
		fill: 0
	};
	page = {
		kind: "ram",
		type: "page",
		offset: 0,
		sectionId: 0,
		address: 0,
		continued: false,
		block: "",
		data: /* @__PURE__ */ new Uint8Array(0)
	};
	xbzrle = {
		kind: "ram",
		type: "xbzrle",
		offset: 0,
		sectionId: 0,
		address: 0,
		continued: false,
		block: "",
		data: /* @__PURE__ */ new Uint8Array(0)
	};
	compressed = {
		kind: "ram",
		type: "compressed",
		offset: 0,
		sectionId: 0,
		address: 0,
		continued: false,
		block: "",
		data: /* @__PURE__ */ new Uint8Array(0)
	};
	dedup = {
		kind: "ram",
		type: "dedup",
		offset: 0,
		sectionId: 0,
		address: 0,
		continued: false,
		block: "",
		source: 0
	};
	constructor(state) {
		this.state = state;
	}
	parse(r, sectionId) {
		const st = this.state;
		const offset = r.base + r.pos;
		const h = this.h;
		r.u64Halves(h);
		const flags = h.lo & st.pageSize - 1;
		if (h.hi > 2097151) throw new FormatError("BAD_RAM_OFFSET", `Illegal RAM offset ${hex(BigInt(h.hi) << 32n)}`, { offset });
		const address = h.hi * TWO_POW_32 + (h.lo - flags);
		const continued = (flags & 32) !== 0;
		const base = flags & -33;
		let rec;
		switch (base) {
			case 2:
				rec = this.zero;
				break;
			case 8:
				rec = this.page;
				break;
			case 64:
				rec = this.xbzrle;
				break;
			case 256:
				rec = this.compressed;
				break;
			case RAM_SAVE_FLAG_X_DEDUP:
				if (!st.dedup || st.pageSize <= 1024) throw new FormatError("UNKNOWN_RAM_FLAGS", `Unknown combination of migration flags: ${hex(flags)} (x-dedup was not announced in the configuration)`, { offset });
				rec = this.dedup;
				break;
			case 16: return {
				kind: "ram",
				type: "eos",
				offset,
				sectionId,
				address,
				continued
			};
			case 512: return {
				kind: "ram",
				type: "multifd-flush",
				offset,
				sectionId,
				address,
				continued
			};
			case 4: return {
				kind: "ram",
				type: "mem-size",
				offset,
				sectionId,
				address,
				continued,
				blocks: this.memSize(r, address, offset)
			};
			default:
				if (base & 128) throw new FormatError("RAM_HOOK_UNSUPPORTED", `RAM hook record (flags ${hex(flags)}): RDMA control data cannot be loaded from a stream`, { offset });
				throw new FormatError("UNKNOWN_RAM_FLAGS", `Unknown combination of migration flags: ${hex(flags)}`, { offset });
		}
		let block;
		if (continued) {
			if (st.lastBlock === void 0) throw new FormatError("BAD_RAM_CONTINUE", "Ack, bad migration stream! (RAM_SAVE_FLAG_CONTINUE with no previous block)", { offset });
			block = st.lastBlock;
		} else {
			block = r.countedString();
			if (st.blocks && !st.blocks.has(block)) throw new FormatError("UNKNOWN_RAM_BLOCK", `Can't find block ${block}`, { offset });
			st.lastBlock = block;
		}
		if (st.blocks) {
			const length = st.blocks.get(block);
			if (address >= length) throw new FormatError("BAD_RAM_OFFSET", `Illegal RAM offset ${hex(address)} (block ${block} is ${hex(length)} bytes)`, { offset });
		}
		rec.offset = offset;
		rec.sectionId = sectionId;
		rec.address = address;
		rec.continued = continued;
		rec.block = block;
		if (rec.type === "zero") rec.fill = r.u8();
		else if (rec.type === "page") rec.data = r.bytes(st.pageSize);
		else if (rec.type === "dedup") {
			const at = r.offset;
			const source = r.u64Number();
			const length = st.blocks?.get(block);
			if (source % st.pageSize !== 0 || source === address || length !== void 0 && source >= length) throw new FormatError("BAD_RAM_REFERENCE", `Bad page reference: page ${hex(address)} of ${block} refers to ${hex(source)}, which is ${source === address ? "the page itself" : "not a page of the block"}`, { offset: at });
			rec.source = source;
		} else if (rec.type === "xbzrle") {
			const at = r.offset;
			if (r.u8() !== 1) throw new FormatError("BAD_XBZRLE", "Failed to load XBZRLE page - wrong compression!", { offset: at });
			const len = r.u16();
			if (len > st.pageSize) throw new FormatError("BAD_XBZRLE", `Failed to load XBZRLE page - len overflow! (${len} > ${st.pageSize})`, { offset: at });
			rec.data = r.bytes(len);
		} else {
			const at = r.offset;
			const len = r.u32();
			if (len === 0 || len > compressBound(st.pageSize)) throw new FormatError("BAD_COMPRESSED_PAGE", `Invalid compressed data length: ${len | 0}`, { offset: at });
			rec.data = r.bytes(len);
		}
		return rec;
	}
	memSize(r, total, offset) {
		const st = this.state;
		const blocks = [];
		let left = total;
		while (left > 0) {
			if (blocks.length >= st.maxBlocks) throw new FormatError("LIMIT_EXCEEDED", `more than ${st.maxBlocks} RAM blocks in MEM_SIZE`, { offset });
			const at = r.offset;
			const idstr = r.countedString();
			if (idstr.length === 0) throw new FormatError("BAD_MEM_SIZE", `Unknown ramblock "", cannot accept migration`, { offset: at });
			const info = {
				idstr,
				length: r.u64Number()
			};
			if (st.postcopyPageSize(idstr)) info.pageSize = r.u64Number();
			if (st.ignoreShared) info.addr = r.u64Number();
			if (info.length > left) throw new FormatError("BAD_MEM_SIZE", `RAM block ${idstr} of ${hex(info.length)} bytes is larger than the ${hex(left)} bytes left of the announced total ${hex(total)}`, { offset: at });
			left -= info.length;
			blocks.push(info);
		}
		st.blocks = new Map(blocks.map((b) => [b.idstr, b.length]));
		return blocks;
	}
};
const TYPE_FLAG = {
	"mem-size": 4,
	zero: 2,
	page: 8,
	xbzrle: 64,
	compressed: 256,
	eos: 16,
	"multifd-flush": 512,
	dedup: RAM_SAVE_FLAG_X_DEDUP
};
/**
* Writes a RAM record exactly as described (the block name is left out when `continued`). Every
* field is checked before the first byte goes out, so a refused record leaves nothing behind.
*/
function writeRamRecord(w, rec, pageSize) {
	checkRamRecord(rec, pageSize);
	const flags = TYPE_FLAG[rec.type] | (rec.continued ? 32 : 0);
	const a = rec.address;
	w.u64Halves(Math.floor(a / TWO_POW_32), (a % TWO_POW_32 | flags) >>> 0);
	switch (rec.type) {
		case "mem-size":
			for (const b of rec.blocks) {
				w.countedString(b.idstr).u64(b.length);
				if (b.pageSize !== void 0) w.u64(b.pageSize);
				if (b.addr !== void 0) w.u64(b.addr);
			}
			return;
		case "eos":
		case "multifd-flush": return;
	}
	if (!rec.continued) w.countedString(rec.block);
	switch (rec.type) {
		case "zero":
			w.u8(rec.fill);
			return;
		case "page":
			w.bytes(rec.data);
			return;
		case "xbzrle":
			w.u8(1).u16(rec.data.length).bytes(rec.data);
			return;
		case "compressed":
			w.u32(rec.data.length).bytes(rec.data);
			return;
		case "dedup":
			w.u64(rec.source);
			return;
	}
}
/** Refuses what writeRamRecord cannot write whole, or what QEMU's loader would refuse to read. */
function checkRamRecord(rec, pageSize) {
	const a = rec.address;
	if (!Number.isSafeInteger(a) || a < 0 || a % pageSize !== 0) throw new FormatError("INVALID_VALUE", `RAM record address ${a} is not a multiple of the page size ${pageSize}`);
	switch (rec.type) {
		case "mem-size": {
			let total = 0;
			for (const b of rec.blocks) {
				checkBlockName(b.idstr);
				for (const [what, n] of [
					["length", b.length],
					["page size", b.pageSize ?? 0],
					["address", b.addr ?? 0]
				]) if (!Number.isSafeInteger(n) || n < 0) throw new FormatError("INVALID_VALUE", `RAM block ${b.idstr}: ${what} ${n} is not a byte count`);
				total += b.length;
			}
			if (total !== a) throw new FormatError("INVALID_VALUE", `MEM_SIZE total ${a} is not the sum of its block lengths (${total})`);
			return;
		}
		case "eos":
		case "multifd-flush": return;
	}
	if (!rec.continued) checkBlockName(rec.block);
	switch (rec.type) {
		case "zero":
			if (!Number.isInteger(rec.fill) || rec.fill < 0 || rec.fill > 255) throw new FormatError("INVALID_VALUE", `zero page fill ${rec.fill} is not a byte`);
			return;
		case "page":
			if (rec.data.length !== pageSize) throw new FormatError("INVALID_VALUE", `page of ${rec.data.length} bytes, the page size is ${pageSize}`);
			return;
		case "xbzrle":
			if (rec.data.length > pageSize) throw new FormatError("INVALID_VALUE", `XBZRLE data of ${rec.data.length} bytes is longer than a page (${pageSize})`);
			return;
		case "compressed":
			if (rec.data.length === 0 || rec.data.length > compressBound(pageSize)) throw new FormatError("INVALID_VALUE", `compressed page of ${rec.data.length} bytes: expected 1 to ${compressBound(pageSize)}`);
			return;
		case "dedup":
			if (!Number.isSafeInteger(rec.source) || rec.source < 0 || rec.source % pageSize !== 0 || rec.source === a) throw new FormatError("INVALID_VALUE", `page reference source ${rec.source} must be another page of the block`);
			return;
	}
}
/** The last name checkBlockName passed: a stream names the same few blocks again and again. */
let validName = "";
/** A RAM block idstr as a counted string holds it: 1 to 255 one-byte characters. */
function checkBlockName(name) {
	if (name === validName) return;
	if (name.length === 0 || name.length > 255) throw new FormatError("INVALID_VALUE", `RAM block name ${JSON.stringify(name.slice(0, 40))} must be 1 to 255 bytes`);
	for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) > 255) throw new FormatError("INVALID_VALUE", `RAM block name ${JSON.stringify(name)} has a character that is not one byte`);
	validName = name;
}
// ../../work/main/packages/format/dist/source/stream-input.js
/** Below this many surplus bytes a chunk is copied whole rather than split. */
const SPLIT_THRESHOLD = 16384;
/**
* The buffer a ReadIntoSource is read through. 1 MiB stays in the CPU's caches, and larger reads
* are no faster (measured with `npm run bench -w @savevm/cli`).
*/
const WINDOW_BYTES = 1 << 20;
/**
* Forward-only buffered input over a ByteSource, for parsers that never seek. `reader` is a
* partial-mode ByteReader over the bytes received so far; parse with it synchronously, and when it
* signals that more input is needed, call `fill()` and parse the record again from its start.
*
* Only the unread tail is kept: when a record straddles two chunks, just that record's bytes are
* copied together, the rest of the chunk is used in place. A ReadIntoSource is read into one
* window that is reused: the unread tail moves to its front and the source fills the rest.
*/
var StreamInput = class {
	reader;
	puller;
	direct;
	window;
	pushedBack;
	exhausted = false;
	/** `baseOffset`: absolute offset of the first byte of `source` (for error messages). */
	constructor(source, baseOffset = 0) {
		this.direct = isReadIntoSource(source) ? source : void 0;
		this.puller = isPuller(source) ? source : pullChunks(source);
		this.reader = new ByteReader(/* @__PURE__ */ new Uint8Array(0), baseOffset, true);
	}
	/** True once the source has no more chunks (everything left is in `reader`). */
	get done() {
		return this.exhausted;
	}
	/** Absolute offset one past the last byte received. */
	get receivedEnd() {
		return this.reader.base + this.reader.end;
	}
	async nextChunk() {
		if (this.pushedBack) {
			const c = this.pushedBack;
			this.pushedBack = void 0;
			return c;
		}
		for (;;) {
			const c = await this.puller.next();
			if (c === void 0) return void 0;
			if (c.length > 0) return c;
		}
	}
	/**
	* The unread bytes plus further chunks until there are `need` of them, the source ends, or
	* (when `limit` is given) more than `limit` would be held.
	*/
	async gather(need, limit, why) {
		const r = this.reader;
		const parts = [];
		const leftover = r.buf.subarray(r.pos, r.end);
		if (leftover.length > 0) parts.push(leftover);
		let have = leftover.length;
		for (;;) {
			if (limit !== void 0 && have > limit) throw new FormatError("LIMIT_EXCEEDED", `${why} needs more than ${limit} bytes (maxBufferedBytes); pass the device descriptions or raise the limit`, { offset: r.base + r.pos });
			if (have >= need || this.exhausted) return {
				parts,
				have
			};
			const c = await this.nextChunk();
			if (c === void 0) this.exhausted = true;
			else {
				parts.push(c);
				have += c.length;
			}
		}
	}
	/**
	* Receives input until the absolute offset `wanted` is covered. Bytes before `reader.pos` are
	* dropped. Returns false when the source ended first (then the reader stops asking for more and
	* throws TRUNCATED instead).
	*/
	async fill(wanted) {
		const r = this.reader;
		if (r.base + r.end >= wanted) return true;
		if (this.exhausted) {
			r.partial = false;
			return false;
		}
		if (this.direct) return this.fillWindow(this.direct, wanted);
		const start = r.base + r.pos;
		const need = wanted - start;
		const { parts, have: got } = await this.gather(need);
		let have = got;
		if (have > need && parts.length > 1) {
			const surplus = have - need;
			const last = parts[parts.length - 1];
			if (surplus >= SPLIT_THRESHOLD && surplus < last.length) {
				parts[parts.length - 1] = last.subarray(0, last.length - surplus);
				this.pushedBack = last.subarray(last.length - surplus);
				have = need;
			}
		}
		r.reset(concatBytes(parts), start);
		if (this.exhausted) r.partial = false;
		return have >= need;
	}
	/**
	* fill() from a ReadIntoSource. The window doubles only while the bytes read fill it, so a
	* length read from the stream never sizes an allocation by itself.
	*/
	fillWindow(source, wanted) {
		const r = this.reader;
		const start = r.base + r.pos;
		const need = wanted - start;
		let have = r.end - r.pos;
		const current = this.window;
		let window = current !== void 0 && current.length >= have ? current : new Uint8Array(Math.max(WINDOW_BYTES, 2 * have));
		if (r.buf === window) window.copyWithin(0, r.pos, r.end);
		else window.set(r.buf.subarray(r.pos, r.end));
		while (have < need) {
			if (have === window.length) {
				const bigger = new Uint8Array(2 * window.length);
				bigger.set(window);
				window = bigger;
			}
			const n = source.readInto(window.subarray(have));
			if (n <= 0) {
				this.exhausted = true;
				break;
			}
			have += n;
		}
		this.window = window;
		r.reset(window, start, 0, have);
		if (this.exhausted) r.partial = false;
		return have >= need;
	}
	/** Makes `n` bytes after `reader.pos` available; false if the input ends first. */
	ensure(n) {
		return this.fill(this.reader.base + this.reader.pos + n);
	}
	/** True when no byte is left at `reader.pos`. */
	async atEnd() {
		return !await this.ensure(1);
	}
	/**
	* Receives everything that is left into the reader's buffer. More than `limit` unread bytes throws
	* LIMIT_EXCEEDED (the decoder's `maxBufferedBytes`).
	*/
	async readAll(limit, why = "buffering the rest of the stream") {
		const r = this.reader;
		const start = r.base + r.pos;
		const { parts } = await this.gather(1e400, limit, why);
		r.reset(concatBytes(parts), start);
		r.partial = false;
	}
	/**
	* Runs a synchronous parse against `reader`; when it runs out of input, receives more and parses
	* again from the same start, so `parse` never sees a partial record. `limit` bounds how many bytes
	* one record may need (LIMIT_EXCEEDED beyond).
	*/
	async parse(parse, limit) {
		const r = this.reader;
		for (;;) {
			const start = r.pos;
			try {
				return parse(r);
			} catch (e) {
				if (e !== NEED_MORE) throw e;
				r.pos = start;
				const begin = r.base + start;
				const wanted = NEED_MORE.wanted;
				if (limit !== void 0 && wanted - begin > limit) throw new FormatError("LIMIT_EXCEEDED", `a record needs more than ${limit} bytes (maxBufferedBytes)`, { offset: begin });
				const grown = Math.max(wanted, begin + 2 * (r.end - start));
				await this.fill(limit === void 0 ? grown : Math.min(grown, begin + limit + 1));
			}
		}
	}
	/** Reads exactly `n` bytes (a view; TRUNCATED if the input ends first). */
	async read(n) {
		await this.ensure(n);
		return this.reader.bytes(n);
	}
	/** The unread input as chunks: what is buffered, then the rest of the source as it arrives. */
	async *rest() {
		const r = this.reader;
		let offset = r.base + r.end;
		const buffered = r.buf.subarray(r.pos, r.end);
		r.reset(/* @__PURE__ */ new Uint8Array(0), offset);
		if (buffered.length > 0) yield buffered;
		for (;;) {
			const c = await this.nextChunk();
			if (c === void 0) break;
			offset += c.length;
			r.reset(/* @__PURE__ */ new Uint8Array(0), offset);
			yield c;
		}
		this.exhausted = true;
		r.partial = false;
	}
	/** Stops reading the source (cancels a ReadableStream, returns an iterator). */
	close() {
		this.exhausted = true;
		return this.puller.close();
	}
};
function isPuller(source) {
	return typeof source.next === "function" && typeof source.close === "function" && !(Symbol.asyncIterator in source) && !(Symbol.iterator in source);
}
// ../../work/main/packages/format/dist/vmdesc/vmdesc.js
const MAX_DEPTH = 64;
/** Parses and checks the JSON of a vmdesc trailer; `offset` is where the JSON starts, for errors. */
function parseVmdesc(json, offset = 0) {
	let value;
	try {
		value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(json));
	} catch (e) {
		throw new FormatError("BAD_VMDESC", `vmdesc trailer is not valid JSON: ${e.message}`, { offset });
	}
	const problem = checkVmdesc(value);
	if (problem) throw new FormatError("BAD_VMDESC", `vmdesc trailer: ${problem}`, { offset });
	return value;
}
function isObject(v) {
	return typeof v === "object" && v !== null && !Array.isArray(v);
}
function isCount(v) {
	return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}
function checkVmdesc(v) {
	if (!isObject(v)) return "not a JSON object";
	if (!isCount(v.page_size)) return "page_size is missing or not a number";
	if (!Array.isArray(v.devices)) return "devices is missing or not an array";
	if (v.configuration !== void 0) {
		const p = checkVmsd(v.configuration, 0);
		if (p) return `configuration: ${p}`;
	}
	for (let i = 0; i < v.devices.length; i++) {
		const d = v.devices[i];
		if (!isObject(d)) return `devices[${i}] is not an object`;
		if (typeof d.name !== "string") return `devices[${i}] has no name`;
		if (!isCount(d.instance_id)) return `devices[${i}] (${d.name}) has no instance_id`;
		const p = checkFieldsAndSubsections(d, 0);
		if (p) return `devices[${i}] (${d.name}): ${p}`;
	}
}
function checkVmsd(v, depth) {
	if (!isObject(v)) return "not an object";
	if (typeof v.vmsd_name !== "string") return "no vmsd_name";
	if (!isCount(v.version)) return `${v.vmsd_name}: no version`;
	return checkFieldsAndSubsections(v, depth);
}
function checkFieldsAndSubsections(v, depth) {
	if (depth > MAX_DEPTH) return "nested too deeply";
	if (!Array.isArray(v.fields)) return "fields is not an array";
	for (const f of v.fields) {
		const p = checkField(f, depth + 1);
		if (p) return p;
	}
	if (v.subsections !== void 0) {
		if (!Array.isArray(v.subsections)) return "subsections is not an array";
		for (const s of v.subsections) {
			const p = checkVmsd(s, depth + 1);
			if (p) return `subsection ${p}`;
		}
	}
}
function checkField(f, depth) {
	if (!isObject(f)) return "a field is not an object";
	if (typeof f.name !== "string") return "a field has no name";
	if (typeof f.type !== "string") return `field ${f.name} has no type`;
	if (!isCount(f.size)) return `field ${f.name} has no size`;
	if (f.array_len !== void 0 && !isCount(f.array_len)) return `field ${f.name} has a bad array_len`;
	if (f.index !== void 0 && !isCount(f.index)) return `field ${f.name} has a bad index`;
	if (f.struct !== void 0) {
		const p = checkVmsd(f.struct, depth);
		if (p) return `field ${f.name}: ${p}`;
	}
	if (f.fields !== void 0) {
		const p = checkFieldsAndSubsections(f, depth);
		if (p) return `field ${f.name}: ${p}`;
	}
}
// ../../work/main/packages/format/dist/vmdesc/find-trailer.js
const OPEN_BRACE = 123;
/**
* Finds the vmdesc trailer in a buffer holding the end of a stream: the last `0x00 0x06 be32 len
* {…}` whose JSON fits in the buffer and parses as a vmdesc. This is what lets the decoder walk
* device bodies whose layout it does not know, without seeking.
*/
function findVmdescTrailer(buf, start = 0, end = buf.length) {
	const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
	const from = end - 6;
	for (let i = from > start ? buf.lastIndexOf(6, from) : -1; i > start; i = buf.lastIndexOf(6, i - 1)) {
		if (buf[i - 1] !== 0 || buf[i + 5] !== OPEN_BRACE) continue;
		const len = view.getUint32(i + 1);
		if (i + 5 + len > end) continue;
		try {
			return {
				index: i,
				end: i + 5 + len,
				vmdesc: parseVmdesc(buf.subarray(i + 5, i + 5 + len))
			};
		} catch {}
	}
}
// ../../work/main/packages/format/dist/vmstate/base-types.js
function numberCodec(read, write) {
	return {
		read,
		write(w, v) {
			if (typeof v !== "number") throw invalid(`expected a number, got ${describe(v)}`);
			write(w, v);
		}
	};
}
function bigCodec(read, write) {
	return {
		read,
		write(w, v) {
			if (typeof v !== "bigint" && typeof v !== "number") throw invalid(`expected a bigint, got ${describe(v)}`);
			write(w, v);
		}
	};
}
const u8 = numberCodec((r) => r.u8(), (w, v) => w.u8(v));
const i8 = numberCodec((r) => r.i8(), (w, v) => w.i8(v));
const u16 = numberCodec((r) => r.u16(), (w, v) => w.u16(v));
const i16 = numberCodec((r) => r.i16(), (w, v) => w.i16(v));
const u32 = numberCodec((r) => r.u32(), (w, v) => w.u32(v));
const i32 = numberCodec((r) => r.i32(), (w, v) => w.i32(v));
const u64 = bigCodec((r) => r.u64(), (w, v) => w.u64(v));
const i64 = bigCodec((r) => r.i64(), (w, v) => w.i64(v));
const f64 = numberCodec((r) => r.f64(), (w, v) => w.f64(v));
const bool = {
	read: (r) => r.u8() !== 0,
	write(w, v) {
		if (typeof v !== "boolean") throw invalid(`expected a boolean, got ${describe(v)}`);
		w.u8(v ? 1 : 0);
	}
};
const buffer = {
	read: (r, size) => r.bytes(size).slice(),
	write(w, v, size) {
		if (!(v instanceof Uint8Array)) throw invalid(`expected a Uint8Array, got ${describe(v)}`);
		if (v.length !== size) throw invalid(`expected ${size} bytes, got ${v.length}`);
		w.bytes(v);
	}
};
const BASE_CODECS = {
	bool,
	int8: i8,
	int16: i16,
	int32: i32,
	int64: i64,
	uint8: u8,
	uint16: u16,
	uint32: u32,
	uint64: u64,
	"int32 equal": i32,
	"int32 le": i32,
	"int64 equal": i64,
	"uint8 equal": u8,
	"uint16 equal": u16,
	"uint32 equal": u32,
	timer: i64,
	CPU_Double_U: f64,
	float64: f64,
	buffer,
	unused_buffer: {
		read: (r, size) => r.bytes(size).slice(),
		write(w, v, size) {
			if (v === void 0) w.fill(size, 0);
			else buffer.write(w, v, size);
		}
	},
	bitmap: {
		read(r, bits) {
			const words = [];
			for (let i = 0; i < Math.ceil(bits / 64); i++) words.push(r.u64());
			return words;
		},
		write(w, v, bits) {
			const n = Math.ceil(bits / 64);
			if (!Array.isArray(v) || v.length !== n) throw invalid(`expected ${n} bitmap words, got ${describe(v)}`);
			for (const word of v) w.u64(word);
		}
	},
	capability: {
		read: (r) => r.countedString(),
		write(w, v) {
			if (typeof v !== "string") throw invalid(`expected a string, got ${describe(v)}`);
			w.countedString(v);
		}
	},
	nullptr: {
		read(r) {
			const at = r.offset;
			if (r.u8() !== 48) throw new FormatError("VMSTATE_CHECK_FAILED", "vmstate: get_nullptr expected VMS_NULLPTR_MARKER", { offset: at });
			return null;
		},
		write(w, v) {
			if (v !== null && v !== void 0) throw invalid(`expected null, got ${describe(v)}`);
			w.u8(48);
		}
	}
};
function isBaseType(type) {
	return typeof type === "string" && Object.hasOwn(BASE_CODECS, type);
}
/** QEMU's load-time checks of the "equal" and "int32 le" types; returns QEMU's message or undefined. */
function checkLoadedValue(type, loaded, expected) {
	if (expected === void 0) return void 0;
	if (type === "int32 le") {
		const max = Number(expected);
		const v = loaded;
		return v >= 0 && v <= max ? void 0 : `Invalid value ${v} expecting positive value <= ${max}`;
	}
	if (!type.endsWith(" equal")) return void 0;
	if (typeof loaded === "bigint") {
		const want = BigInt(expected);
		return loaded === want ? void 0 : `${BigInt.asUintN(64, loaded).toString(16)} != ${BigInt.asUintN(64, want).toString(16)}`;
	}
	const want = Number(expected);
	return loaded === want ? void 0 : `${(loaded >>> 0).toString(16)} != ${(want >>> 0).toString(16)}`;
}
function invalid(detail) {
	return new FormatError("INVALID_VALUE", detail);
}
function describe(v) {
	if (v === null) return "null";
	if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
	if (Array.isArray(v)) return `array(${v.length})`;
	if (typeof v === "bigint") return `${v}n`;
	if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v);
	return typeof v === "object" ? "object" : `${typeof v} ${String(v)}`;
}
// ../../work/main/packages/format/dist/vmstate/field-keys.js
/** Whether a field is on the wire at `version` (QEMU's vmstate_field_exists). */
function fieldPresent(field, value, version) {
	return field.exists ? field.exists(value, version) : (field.version_id ?? 0) <= version;
}
const cache = /* @__PURE__ */ new WeakMap();
/**
* The value-object key of each field: its name, or `name[k]` when several fields share the name
* (k counts them from 0), which is also how QEMU names them in the vmdesc.
*/
function fieldKeys(desc) {
	let keys = cache.get(desc);
	if (keys) return keys;
	const counts = /* @__PURE__ */ new Map();
	for (const f of desc.fields) if (f.index === void 0) counts.set(f.name, (counts.get(f.name) ?? 0) + 1);
	const seen = /* @__PURE__ */ new Map();
	keys = desc.fields.map((f) => {
		if (f.index !== void 0 || (counts.get(f.name) ?? 0) < 2) return f.name;
		const k = seen.get(f.name) ?? 0;
		seen.set(f.name, k + 1);
		return `${f.name}[${k}]`;
	});
	cache.set(desc, keys);
	return keys;
}
// ../../work/main/packages/format/dist/vmstate/decode.js
const DEFAULT_MAX_ARRAY = 4194304;
/**
* Decodes one vmstate body with QEMU's rules: version checks with QEMU's wording, field version
* gating, nested structs at their local version, subsections with the loader's early exits and
* the u8 truncation of their version.
*
* Given a Uint8Array, the whole array must be consumed. Given a ByteReader, decoding starts at its
* position and leaves it after the body.
*/
function decodeVMState(desc, input, options = {}) {
	const whole = input instanceof Uint8Array;
	const r = whole ? new ByteReader(input) : input;
	const value = new Loader(r, options.maxArrayLength ?? DEFAULT_MAX_ARRAY).load(desc, options.version ?? desc.version_id, options.current);
	if (whole && r.remaining > 0) throw new FormatError("BAD_BODY", `${r.remaining} bytes left after the fields of '${desc.name}'`, { offset: r.offset });
	return value;
}
var Loader = class {
	r;
	maxArray;
	constructor(r, maxArray) {
		this.r = r;
		this.maxArray = maxArray;
	}
	load(desc, version, current) {
		const r = this.r;
		if (version > desc.version_id) throw new FormatError("VMSTATE_VERSION_TOO_NEW", `${desc.name}: incoming version_id ${version} is too new for local version_id ${desc.version_id}`, { offset: r.offset });
		const min = desc.minimum_version_id ?? 0;
		if (version < min) throw new FormatError("VMSTATE_VERSION_TOO_OLD", `${desc.name}: incoming version_id ${version} is too old for local minimum version_id  ${min}`, { offset: r.offset });
		const value = {};
		const keys = fieldKeys(desc);
		for (let i = 0; i < desc.fields.length; i++) {
			const field = desc.fields[i];
			if (!fieldPresent(field, value, version)) continue;
			const key = keys[i];
			try {
				this.loadField(field, key, value, current);
			} catch (e) {
				throw withFieldPath(e, key);
			}
		}
		this.loadSubsections(desc, value, current);
		return value;
	}
	loadField(field, key, value, current) {
		const cur = current?.[key];
		if (field.count === void 0 && field.countField === void 0) {
			const v = this.loadElement(field, value, cur);
			if (field.index === void 0) value[key] = v;
			else {
				const list = value[key];
				if (Array.isArray(list)) list.push(v);
				else value[key] = [v];
			}
			return;
		}
		const n = field.count ?? countFrom(value, field.countField);
		if (n > this.maxArray) throw new FormatError("LIMIT_EXCEEDED", `array of ${n} elements is longer than the limit ${this.maxArray}`, { offset: this.r.offset });
		const out = [];
		for (let i = 0; i < n; i++) try {
			out.push(this.loadElement(field, value, Array.isArray(cur) ? cur[i] : void 0, i));
		} catch (e) {
			throw withFieldPath(e, `[${i}]`);
		}
		value[key] = out;
	}
	loadElement(field, parent, cur, index = 0) {
		const r = this.r;
		const type = field.type;
		if (type === "struct") {
			const sub = needStruct(field);
			const start = r.pos;
			const v = this.load(sub, field.structVersion ?? sub.version_id, asValue(cur));
			if (field.size !== void 0 && index === 0 && r.pos - start !== field.size) throw new FormatError("BAD_VMDESC", `struct '${sub.name}' took ${r.pos - start} bytes where the vmdesc says ${field.size}`, { offset: r.base + start });
			return v;
		}
		if (type === "qtailq") {
			const sub = needStruct(field);
			const items = [];
			for (;;) {
				const at = r.offset;
				const marker = r.u8();
				if (marker === 0) return items;
				if (marker !== 1) throw new FormatError("VMSTATE_CHECK_FAILED", `queue element marker is ${marker}, expected 0 or 1`, { offset: at });
				if (items.length >= this.maxArray) throw new FormatError("LIMIT_EXCEEDED", `queue longer than the limit ${this.maxArray}`, { offset: at });
				items.push(this.load(sub, field.version_id ?? sub.version_id, void 0));
			}
		}
		if (isBaseType(type)) {
			const at = r.offset;
			const v = BASE_CODECS[type].read(r, elementSize(field, parent));
			const problem = checkLoadedValue(type, v, field.expect ?? cur);
			if (problem) throw new FormatError("VMSTATE_CHECK_FAILED", problem, { offset: at });
			return v;
		}
		return type.get(r, field);
	}
	loadSubsections(desc, value, current) {
		const r = this.r;
		for (;;) {
			if (!this.canPeek(1) || r.peekU8() !== 5) return;
			if (!this.canPeek(2)) return;
			const len = r.peekU8(1);
			if (len < desc.name.length + 1) return;
			if (!this.canPeek(2 + len)) return;
			const name = bytesToLatin1(r.buf, r.pos + 2, r.pos + 2 + len);
			if (!name.startsWith(desc.name)) return;
			const sub = desc.subsections?.find((s) => s.name === name);
			if (!sub) throw new FormatError("UNKNOWN_SUBSECTION", `${desc.name}: unknown subsection '${name}'`, { offset: r.offset });
			r.skip(2 + len);
			const version = r.u32() & 255;
			try {
				value[name] = this.load(sub, version, asValue(current?.[name]));
			} catch (e) {
				throw withFieldPath(e, name, ":");
			}
		}
	}
	/** True if `n` bytes can be looked at; in partial mode asks for more input instead of saying no. */
	canPeek(n) {
		const r = this.r;
		if (r.remaining >= n) return true;
		if (r.partial) r.require(n);
		return false;
	}
};
function needStruct(field) {
	if (!field.struct) throw new FormatError("INVALID_VALUE", `field '${field.name}' of type ${String(field.type)} has no struct`);
	return field.struct;
}
function asValue(v) {
	return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Uint8Array) ? v : void 0;
}
/** The element count or buffer size stored in an earlier field. */
function countFrom(value, field) {
	const v = value[field];
	const n = typeof v === "bigint" ? Number(v) : v;
	if (typeof n !== "number" || !Number.isInteger(n) || n < 0) throw new FormatError("INVALID_VALUE", `size field '${field}' holds ${String(v)}, not a count`);
	return n;
}
/** Byte length of a buffer (bit count of a bitmap) element. */
function elementSize(field, parent) {
	if (field.sizeField !== void 0) return countFrom(parent, field.sizeField) * (field.multiply ?? 1);
	return field.size ?? 0;
}
/** Adds a field path (`env.segs[2].selector`) to an error thrown deeper down. */
function withFieldPath(e, segment, separator = ".") {
	if (!(e instanceof FormatError)) return e;
	const inner = e.field;
	const field = inner === void 0 ? segment : inner.startsWith("[") ? segment + inner : segment + separator + inner;
	return new FormatError(e.code, e.detail, {
		offset: e.offset,
		section: e.section,
		sectionId: e.sectionId,
		field
	});
}
// ../../work/main/packages/format/dist/vmstate/from-vmdesc.js
const INT_WIDTH = {
	int8: 1,
	uint8: 1,
	"uint8 equal": 1,
	int16: 2,
	uint16: 2,
	"uint16 equal": 2,
	int32: 4,
	uint32: 4,
	"int32 equal": 4,
	"int32 le": 4,
	"uint32 equal": 4,
	int64: 8,
	uint64: 8,
	"int64 equal": 8,
	timer: 8
};
/**
* A description that reads a body the way analyze-migration.py does from the vmdesc trailer: each
* field as exactly `size` bytes (integers and bools decoded, anything else kept as bytes), structs
* recursed, the listed subsections in order. Lets any device in a stream with a trailer be decoded.
*/
function descriptionFromVmdesc(entry) {
	return {
		name: entry.vmsd_name ?? entry.name,
		version_id: entry.version ?? 0,
		fields: entry.fields.map(fieldFromVmdesc),
		subsections: entry.subsections?.map((s) => descriptionFromVmdesc(s))
	};
}
function fieldFromVmdesc(f) {
	const field = {
		name: f.name,
		...typeOf(f)
	};
	if (f.array_len !== void 0) field.count = f.array_len;
	if (f.index !== void 0) field.index = f.index;
	return field;
}
function typeOf(f) {
	if (f.type === "struct" && f.struct) return {
		type: "struct",
		struct: descriptionFromVmdesc(f.struct),
		size: f.size
	};
	if (f.type === "bool" && f.size === 1) return { type: "bool" };
	if (f.type === "nullptr" && f.size === 1) return { type: "nullptr" };
	if (f.type === "capability" && f.size >= 1) return { type: "capability" };
	if (f.type === "unused_buffer") return {
		type: "unused_buffer",
		size: f.size
	};
	if (INT_WIDTH[f.type] === f.size) return { type: f.type };
	return {
		type: "buffer",
		size: f.size,
		vmdescType: f.type
	};
}
// ../../work/main/packages/format/dist/stream/record-codec.js
/** Magic and version, with QEMU's refusals. */
function parseHeader(r) {
	const offset = r.offset;
	const magic = r.u32();
	if (magic !== 0x5145564d) throw new FormatError("BAD_MAGIC", `Not a migration stream (magic ${hex(magic)}, expected ${hex(QEMU_VM_FILE_MAGIC)} "QEVM")`, { offset });
	const versionAt = r.offset;
	const version = r.u32();
	if (version === 2) throw new FormatError("VERSION_OBSOLETE", "SaveVM v2 format is obsolete and don't work anymore", { offset: versionAt });
	if (version !== 3) throw new FormatError("VERSION_UNSUPPORTED", `Unsupported migration stream version ${version}`, { offset: versionAt });
	return {
		kind: "header",
		offset,
		version
	};
}
/** A section header; part/end take idstr, instance and version from the section's start. */
function parseSectionHeader(r, sections) {
	const offset = r.offset;
	const type = sectionTypeOf(r.u8());
	const sectionId = r.u32();
	if (type === "start" || type === "full") {
		if (r.peekU8() === 0) throw new FormatError("EMPTY_IDSTR", `Unable to read ID string for section ${sectionId}`, {
			offset: r.offset,
			sectionId
		});
		return {
			kind: "section",
			offset,
			type,
			sectionId,
			idstr: r.countedString(),
			instanceId: r.u32(),
			version: r.u32()
		};
	}
	const info = sections.get(sectionId);
	if (!info) throw new FormatError("UNKNOWN_SECTION", `Unknown savevm section ${sectionId}`, { offset });
	return {
		kind: "section",
		offset,
		type,
		sectionId,
		idstr: info.idstr,
		instanceId: info.instanceId,
		version: info.version
	};
}
/** `0x06, be32 len, JSON`; the JSON is parsed by the caller. */
function parseVmdescHeader(r, maxBytes) {
	const offset = r.offset;
	r.u8();
	const len = r.u32();
	if (len > maxBytes) throw new FormatError("LIMIT_EXCEEDED", `vmdesc trailer of ${len} bytes is larger than maxBufferedBytes (${maxBytes})`, { offset });
	return {
		offset,
		json: r.bytes(len).slice()
	};
}
/** The page size of the RAM records after `rec`: a configuration record's target-page-bits sets it. */
function pageSizeAfter(rec, current) {
	return rec.kind === "configuration" && rec.targetPageBits !== void 0 ? 2 ** rec.targetPageBits : current;
}
/** Writes one record's bytes (a PACKAGED command includes its nested stream). */
function writeRecord(w, rec, options = {}) {
	switch (rec.kind) {
		case "header":
			w.u32(QEMU_VM_FILE_MAGIC).u32(rec.version);
			return;
		case "configuration":
			writeConfiguration(w, rec);
			return;
		case "section":
			writeSectionHeader(w, rec);
			if (rec.body) w.bytes(rec.body);
			return;
		case "footer":
			writeFooter(w, rec);
			return;
		case "ram":
			writeRamRecord(w, rec, options.pageSize ?? 4096);
			return;
		case "command":
			writeCommandWithPackage(w, rec, options);
			return;
		case "eof":
			writeEof(w, rec);
			return;
		case "vmdesc":
			writeVmdesc(w, rec);
			return;
		case "trailing":
			w.bytes(rec.data);
			return;
	}
}
/** The bytes of one record. */
function encodeRecord(rec, options) {
	const w = new ByteWriter(rec.kind === "section" && rec.body ? rec.body.length + 64 : 256);
	writeRecord(w, rec, options);
	return w.finish();
}
function writeSectionHeader(w, rec) {
	w.u8(SECTION_TYPE_BYTE[rec.type]).u32(rec.sectionId);
	if (rec.type === "start" || rec.type === "full") {
		if (rec.idstr.length === 0) throw new FormatError("EMPTY_IDSTR", "a section idstr cannot be empty");
		w.countedString(rec.idstr).u32(rec.instanceId).u32(rec.version);
	}
}
function writeFooter(w, rec) {
	w.u8(126).u32(rec.sectionId);
}
function writeEof(w, _rec) {
	w.u8(0);
}
function writeVmdesc(w, rec) {
	w.u8(6).u32(rec.json.length).bytes(rec.json);
}
function writeCommandWithPackage(w, rec, options) {
	writeCommand(w, rec);
	if (!rec.packaged) return;
	const start = w.pos;
	for (const nested of rec.packaged) writeRecord(w, nested, options);
	const written = w.pos - start;
	if (written !== packagedLength(rec)) throw new FormatError("INVALID_VALUE", `PACKAGED announces ${packagedLength(rec)} bytes but its records encode to ${written}`);
}
function deviceLookup(devices) {
	if (devices === void 0) return () => void 0;
	if (typeof devices === "function") return devices;
	if (Array.isArray(devices)) {
		const list = devices;
		return (idstr) => list.find((d) => d.name === idstr) ?? list.find((d) => idstr.endsWith("/" + d.name));
	}
	if (devices instanceof Map) {
		const map = devices;
		return (idstr) => map.get(idstr);
	}
	const record = devices;
	return (idstr) => Object.hasOwn(record, idstr) ? record[idstr] : void 0;
}
// ../../work/main/packages/format/dist/stream/decoder.js
/** Most footer positions tried for one body before giving up. */
const MAX_FOOTER_CANDIDATES = 256;
/**
* Decodes a migration stream record by record, reading the source forward only.
*
* RAM page records (zero, page, xbzrle, compressed) are streamed and never accumulated: for speed
* the decoder reuses one record object per type and `data` is a view of the input, so both are
* valid only until the iterator moves on. Keep one with `copyRecord()`. All other records are
* fresh objects that own their bytes.
*
* Device bodies carry no length. A body whose layout is in `options.devices` is parsed directly.
* Otherwise the rest of the input is buffered (up to `maxBufferedBytes`) and the body is walked
* with the vmdesc trailer's field sizes; without a trailer it is cut at a section footer after
* checking that the rest of the stream parses; without footers it becomes one record that runs
* to the end of the input. Encoding the records gives back the input bytes in every case.
*/
function readMigrationStream(source, options = {}) {
	return new MigrationRecordReader(new StreamInput(source, options.baseOffset ?? 0), new DecodeContext(options), TOP);
}
/** Tells the reader that the RAM records of the section just yielded follow. */
const RAM_BODY = Symbol("ram body");
/**
* The records of a stream, as an async iterator. RAM bodies take a fast path: while their records
* are already buffered, `nextSync()` hands them out without a promise each (what `forEachRecord`
* and the RAM applier use); `next()` works everywhere.
*/
var MigrationRecordReader = class {
	input;
	ctx;
	steps;
	parser;
	/** section_id of the RAM section whose records are being read, if any. */
	ramSection;
	/** @internal */
	constructor(input, ctx, mode) {
		this.input = input;
		this.ctx = ctx;
		this.steps = decodeRecords(input, ctx, mode);
		this.parser = ctx.ramParser;
	}
	[Symbol.asyncIterator]() {
		return this;
	}
	/**
	* The next record if it is a RAM record that is already buffered; otherwise undefined, and
	* `next()` is the way on.
	*/
	nextSync() {
		const sectionId = this.ramSection;
		if (sectionId === void 0) return void 0;
		const r = this.input.reader;
		const start = r.pos;
		try {
			const rec = this.parser.parse(r, sectionId);
			if (rec.type === "eos") this.ramSection = void 0;
			return rec;
		} catch (e) {
			if (e === NEED_MORE) {
				r.pos = start;
				return;
			}
			throw e instanceof FormatError ? e.withContext({
				section: "ram",
				sectionId
			}) : e;
		}
	}
	/**
	* Steps over the buffered ZERO and PAGE records that continue the current block and tells
	* `counter` how many went by, without a record object each and without reading page bytes.
	* The records it does not step over (a block name, another type, a bad offset, the end of the
	* buffered input) are left to `nextSync()` and `next()`, which report any error as usual.
	*/
	skipPages(counter) {
		if (this.ramSection !== void 0) countPageRecords(this.input.reader, this.parser.state, counter);
	}
	async next() {
		for (;;) {
			if (this.ramSection !== void 0) {
				const rec = this.nextSync();
				if (rec) return {
					done: false,
					value: rec
				};
				await this.input.fill(NEED_MORE.wanted);
				continue;
			}
			const step = await this.steps.next();
			if (step.done) return {
				done: true,
				value: void 0
			};
			if (step.value !== RAM_BODY) return {
				done: false,
				value: step.value
			};
			this.ramSection = this.ctx.currentRamSection;
		}
	}
	async return() {
		this.ramSection = void 0;
		await this.steps.return(void 0);
		return {
			done: true,
			value: void 0
		};
	}
};
/**
* Calls `fn` for every record, synchronously for as long as records are already buffered (no
* promise per RAM page), and resolves at the end of the stream.
*/
async function forEachRecord(records, fn, options = {}) {
	if (!(records instanceof MigrationRecordReader)) {
		for await (const rec of records) fn(rec);
		return;
	}
	const pages = options.pages;
	for (;;) {
		if (pages) records.skipPages(pages);
		let rec = records.nextSync();
		while (rec !== void 0) {
			fn(rec);
			if (pages) records.skipPages(pages);
			rec = records.nextSync();
		}
		const step = await records.next();
		if (step.done) return;
		fn(step.value);
	}
}
/** Decodes a whole stream held in memory (or any small source) into an array of records. */
async function decodeMigrationStream(source, options) {
	const records = [];
	await forEachRecord(readMigrationStream(source, options), (rec) => records.push(copyRecord(rec)));
	return records;
}
/** A copy of a record that stays valid after the decoder moves on (RAM data is copied). */
function copyRecord(rec) {
	if (rec.kind !== "ram") return rec;
	switch (rec.type) {
		case "page":
		case "xbzrle":
		case "compressed": return {
			...rec,
			data: rec.data.slice()
		};
		case "zero":
		case "dedup": return { ...rec };
		default: return rec;
	}
}
const TOP = {
	top: true,
	dry: false
};
var DecodeContext = class DecodeContext {
	options;
	lookup;
	maxBuffered;
	maxArrayLength;
	footers;
	sections = /* @__PURE__ */ new Map();
	/** The RAM section whose records come next (set before RAM_BODY is yielded). */
	currentRamSection = 0;
	ram;
	ramParser;
	/** undefined: not searched yet; null: the input has none. Absolute index in `trailerBase`. */
	trailer;
	vmdescCursor = 0;
	derived;
	/** Footer candidates already checked: absolute offset → the rest parses from there. */
	verified;
	/** ignoreShared explicitly given (otherwise taken from the configuration). */
	ignoreSharedGiven;
	constructor(options, from) {
		this.options = options;
		this.lookup = from?.lookup ?? deviceLookup(options.devices);
		this.maxBuffered = options.maxBufferedBytes ?? 67108864;
		this.maxArrayLength = options.maxArrayLength;
		this.ignoreSharedGiven = options.ignoreShared !== void 0;
		this.footers = options.footers === void 0 || options.footers === "auto" ? void 0 : options.footers;
		const pcs = options.postcopyPageSizes;
		this.ram = {
			pageSize: options.pageSize ?? 4096,
			lastBlock: void 0,
			blocks: void 0,
			ignoreShared: options.ignoreShared ?? false,
			dedup: false,
			postcopyPageSize: typeof pcs === "function" ? pcs : () => pcs === true,
			maxBlocks: options.maxRamBlocks ?? 4096
		};
		this.ramParser = new RamRecordParser(this.ram);
		this.derived = from?.derived ?? /* @__PURE__ */ new Map();
		this.verified = from?.verified ?? /* @__PURE__ */ new Map();
		if (from) {
			this.footers = from.footers;
			this.sections = new Map(from.sections);
			Object.assign(this.ram, {
				...from.ram,
				blocks: from.ram.blocks && new Map(from.ram.blocks)
			});
			this.trailer = from.trailer;
			this.vmdescCursor = from.vmdescCursor;
		}
	}
	/** For checking a guess about the rest of the stream without disturbing this context. */
	fork() {
		return new DecodeContext(this.options, this);
	}
	applyConfiguration(rec) {
		const expected = this.options.machineType;
		if (expected !== void 0 && !expected.startsWith(rec.machineType)) throw new FormatError("MACHINE_TYPE_MISMATCH", `Machine type received is '${rec.machineType}' and local is '${expected}'`, { offset: rec.offset });
		const supported = this.options.supportedCapabilities ?? DEFAULT_SUPPORTED_CAPABILITIES;
		for (const cap of rec.capabilities) if (!supported.includes(cap)) throw new FormatError("EXTENSION_UNSUPPORTED", `Received unknown capability ${cap}: this reader does not support it (supported: ${supported.join(", ") || "none"})`, {
			offset: rec.offset,
			section: "configuration"
		});
		if (!this.ignoreSharedGiven) this.ram.ignoreShared = rec.capabilities.includes("x-ignore-shared");
		this.ram.dedup = rec.capabilities.includes(DEDUP_CAPABILITY);
		if (rec.targetPageBits !== void 0) {
			if (rec.targetPageBits < 9 || rec.targetPageBits > 30) throw new FormatError("BAD_CONFIGURATION", `target page bits ${rec.targetPageBits}`, {
				offset: rec.offset,
				section: "configuration"
			});
			this.ram.pageSize = 2 ** rec.targetPageBits;
		}
	}
	/** The vmdesc entry of a FULL section: the next unused one with its idstr and instance id. */
	vmdescEntry(idstr, instanceId) {
		const devices = this.trailer?.vmdesc.devices;
		if (!devices) return void 0;
		for (let i = this.vmdescCursor; i < devices.length; i++) {
			const d = devices[i];
			if (d.name === idstr && d.instance_id === instanceId) {
				this.vmdescCursor = i + 1;
				return d;
			}
		}
		return devices.find((d) => d.name === idstr && d.instance_id === instanceId);
	}
	derivedDescription(entry) {
		let desc = this.derived.get(entry);
		if (!desc) {
			desc = descriptionFromVmdesc(entry);
			this.derived.set(entry, desc);
		}
		return desc;
	}
};
async function* decodeRecords(input, ctx, mode) {
	try {
		if (mode.top && !mode.dry) {
			if (ctx.options.header !== false) yield await input.parse(parseHeader);
			const config = await configurationStep(input, ctx);
			if (config) yield config;
		}
		const r = input.reader;
		for (;;) {
			if (await input.atEnd()) {
				if (!mode.top) return;
				throw new FormatError("TRUNCATED", "the stream ends before its EOF record", { offset: r.offset });
			}
			const type = r.peekU8();
			switch (type) {
				case 0: {
					const offset = r.offset;
					r.u8();
					yield {
						kind: "eof",
						offset
					};
					if (!mode.top) break;
					yield* afterEof(input, ctx, mode);
					return;
				}
				case 1:
				case 2:
				case 3:
				case 4:
					if (yield* section(input, ctx, mode)) return;
					break;
				case 8:
					yield await command(input, ctx, mode);
					break;
				default: throw new FormatError("UNKNOWN_SECTION_TYPE", `Unknown savevm section type ${type}`, { offset: r.offset });
			}
		}
	} finally {
		if (mode.top && !mode.dry) await input.close();
	}
}
async function configurationStep(input, ctx) {
	const wanted = ctx.options.configuration ?? "auto";
	const r = input.reader;
	if (!(await input.ensure(1) && r.peekU8() === 7)) {
		if (wanted === true) throw new FormatError("CONFIGURATION_MISSING", "Configuration section missing", { offset: r.offset });
		return;
	}
	if (wanted === false) throw new FormatError("UNKNOWN_SECTION_TYPE", `Unknown savevm section type 7`, { offset: r.offset });
	const rec = await input.parse(parseConfiguration, ctx.maxBuffered);
	ctx.applyConfiguration(rec);
	return rec;
}
/** One section with its body (or RAM records) and footer. Returns true when nothing follows. */
async function* section(input, ctx, mode) {
	const rec = await input.parse((r) => parseSectionHeader(r, ctx.sections));
	try {
		if (rec.type === "start" || rec.type === "full") ctx.sections.set(rec.sectionId, {
			idstr: rec.idstr,
			instanceId: rec.instanceId,
			version: rec.version
		});
		if (rec.idstr === "ram") {
			if (rec.type === "start" || rec.type === "full") checkRamVersion(rec);
			yield rec;
			ctx.currentRamSection = rec.sectionId;
			yield RAM_BODY;
		} else {
			const layout = await deviceBody(input, ctx, rec, mode);
			yield rec;
			if (layout === "remainder") return true;
		}
		const footer = await footerStep(input, ctx, rec);
		if (footer) {
			yield footer;
			if (mode.dry && ctx.verified.get(footer.offset) === true) return true;
		}
		return false;
	} catch (e) {
		throw e instanceof FormatError ? e.withContext({
			section: rec.idstr,
			sectionId: rec.sectionId
		}) : e;
	}
}
function checkRamVersion(rec) {
	if (rec.version > 4) throw new FormatError("SECTION_VERSION_TOO_NEW", `savevm: unsupported version ${rec.version} for 'ram' v4`, { offset: rec.offset });
	if (rec.version !== 4) throw new FormatError("SECTION_VERSION_UNSUPPORTED", `ram: section version ${rec.version} cannot be loaded, only version 4`, { offset: rec.offset });
}
async function footerStep(input, ctx, rec) {
	if (ctx.footers === false) return void 0;
	const r = input.reader;
	if (!(await input.ensure(1) && r.peekU8() === 126)) {
		if (ctx.footers === true) throw new FormatError("MISSING_FOOTER", `Missing section footer for ${rec.idstr}`, { offset: r.offset });
		ctx.footers = false;
		return;
	}
	const offset = r.offset;
	const id = await input.parse((rr) => {
		rr.u8();
		return rr.u32();
	});
	if (id !== rec.sectionId) throw new FormatError("FOOTER_MISMATCH", `Mismatched section id in footer for ${rec.idstr} - read ${hex(id)} expected ${hex(rec.sectionId)}`, { offset });
	ctx.footers = true;
	return {
		kind: "footer",
		offset,
		sectionId: id
	};
}
/** Finds the end of a device body, fills in `rec.body` and friends, leaves the reader after it. */
async function deviceBody(input, ctx, rec, mode) {
	const r = input.reader;
	const desc = rec.type === "start" || rec.type === "full" ? ctx.lookup(rec.idstr, rec.instanceId) : void 0;
	if (desc) {
		if (rec.version > desc.version_id) throw new FormatError("SECTION_VERSION_TOO_NEW", `savevm: unsupported version ${rec.version} for '${rec.idstr}' v${desc.version_id}`, { offset: rec.offset });
		let start = r.pos;
		const state = await input.parse((rr) => {
			start = rr.pos;
			return decodeVMState(desc, rr, {
				version: rec.version,
				maxArrayLength: ctx.maxArrayLength
			});
		}, ctx.maxBuffered);
		setBody(rec, r.buf.slice(start, r.pos), "description", state, desc.name);
		return "description";
	}
	if (!input.done || ctx.trailer === void 0) {
		await input.readAll(ctx.maxBuffered, `section '${rec.idstr}' has no known layout; buffering the rest of the stream`);
		if (mode.top && ctx.trailer === void 0) ctx.trailer = findVmdescTrailer(r.buf, r.pos, r.end) ?? null;
	}
	const bodyStart = r.pos;
	if (rec.type === "full" && mode.top && ctx.trailer) {
		const entry = ctx.vmdescEntry(rec.idstr, rec.instanceId);
		if (entry && entry.version !== void 0 && rec.version > entry.version) throw new FormatError("SECTION_VERSION_TOO_NEW", `savevm: unsupported version ${rec.version} for '${rec.idstr}' v${entry.version}`, {
			offset: rec.offset,
			section: rec.idstr,
			sectionId: rec.sectionId
		});
		if (entry) {
			const walked = walkWithVmdesc(r, bodyStart, ctx, entry, rec);
			if (walked) {
				setBody(rec, r.buf.slice(bodyStart, walked.end), "vmdesc", walked.state, entry.vmsd_name);
				r.pos = walked.end;
				return "vmdesc";
			}
		}
	}
	if (ctx.footers !== false) {
		const end = await footerScan(r, ctx, bodyStart, rec.sectionId, mode);
		if (end !== void 0) {
			setBody(rec, r.buf.slice(bodyStart, end), "footer-scan");
			r.pos = end;
			return "footer-scan";
		}
		if (ctx.footers === true || mode.dry) throw new FormatError("BAD_BODY", `cannot find where the body of '${rec.idstr}' ends: no section footer after it leads to a stream that parses`, { offset: r.base + bodyStart });
	}
	if (mode.dry) throw new FormatError("BAD_BODY", `cannot find where the body of '${rec.idstr}' ends`, { offset: r.base + bodyStart });
	setBody(rec, r.buf.slice(bodyStart, r.end), "remainder");
	r.pos = r.end;
	return "remainder";
}
function setBody(rec, body, layout, state, vmsdName) {
	rec.body = body;
	rec.bodyLayout = layout;
	if (state !== void 0) rec.state = state;
	if (vmsdName !== void 0) rec.vmsdName = vmsdName;
}
/** Decodes a body with the sizes of its vmdesc entry; undefined if the entry does not fit the bytes. */
function walkWithVmdesc(r, bodyStart, ctx, entry, rec) {
	const probe = new ByteReader(r.buf.subarray(0, r.end), r.base);
	probe.pos = bodyStart;
	let state;
	try {
		const version = entry.version === void 0 ? 0 : rec.version;
		state = decodeVMState(ctx.derivedDescription(entry), probe, {
			version,
			maxArrayLength: ctx.maxArrayLength
		});
	} catch (e) {
		if (e instanceof FormatError) return void 0;
		throw e;
	}
	const end = probe.pos;
	if (end >= r.end) return void 0;
	const next = r.buf[end];
	const footerOk = ctx.footers !== false && next === 126;
	const recordOk = ctx.footers !== true && (next === 0 || next === 8 || next >= 1 && next <= 4);
	return footerOk || recordOk ? {
		end,
		state
	} : void 0;
}
/** The first `0x7e be32 id` from which the rest of the stream parses; its index, or undefined. */
async function footerScan(r, ctx, bodyStart, sectionId, mode) {
	const buf = r.buf;
	const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
	let tried = 0;
	for (let p = buf.indexOf(126, bodyStart); p !== -1 && p + 5 <= r.end; p = buf.indexOf(126, p + 1)) {
		if (view.getUint32(p + 1) !== sectionId) continue;
		if (++tried > MAX_FOOTER_CANDIDATES) return void 0;
		if (await restParses(r, ctx, p, mode)) return p;
	}
}
/** Whether the stream parses from the footer at `index` to its end (remembered per offset). */
async function restParses(r, ctx, index, mode) {
	const at = r.base + index;
	const known = ctx.verified.get(at);
	if (known !== void 0) return known;
	const dry = ctx.fork();
	dry.footers = true;
	const rest = new StreamInput(r.buf.subarray(index + 5, r.end), at + 5);
	let ok = true;
	try {
		await forEachRecord(new MigrationRecordReader(rest, dry, {
			top: mode.top,
			dry: true
		}), () => void 0);
	} catch (e) {
		if (!(e instanceof FormatError)) throw e;
		ok = e.code === "TRUNCATED";
	}
	ctx.verified.set(at, ok);
	return ok;
}
async function command(input, ctx, mode) {
	const rec = await input.parse(parseCommand);
	if (rec.command !== MIG_CMD.PACKAGED) return rec;
	const length = packagedLength(rec);
	const start = input.reader.offset;
	const nested = new StreamInput(await input.parse((r) => r.bytes(length)), start);
	const records = [];
	try {
		await forEachRecord(new MigrationRecordReader(nested, ctx, {
			top: false,
			dry: mode.dry
		}), (inner) => records.push(copyRecord(inner)));
	} catch (e) {
		throw e instanceof FormatError ? e.withContext({ section: "PACKAGED" }) : e;
	}
	rec.packaged = records;
	return rec;
}
async function* afterEof(input, ctx, mode) {
	const r = input.reader;
	if (await input.atEnd()) return;
	if (r.peekU8() === 6) {
		if (mode.dry) {
			await input.parse((rr) => parseVmdescHeader(rr, ctx.maxBuffered));
			return;
		}
		const { offset, json } = await input.parse((rr) => parseVmdescHeader(rr, ctx.maxBuffered));
		yield {
			kind: "vmdesc",
			offset,
			json,
			description: parseVmdesc(json, offset + 5)
		};
		if (await input.atEnd()) return;
	}
	if (mode.dry) throw new FormatError("BAD_BODY", "bytes after the end of the stream", { offset: r.offset });
	let offset = r.offset;
	for await (const chunk of input.rest()) {
		yield {
			kind: "trailing",
			offset,
			data: chunk.slice()
		};
		offset += chunk.length;
	}
}
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
export { ENCODING_FLAG_XBZRLE as $, isBaseType as A, hex as At, writeConfiguration as B, decodeVMState as C, RAM_SAVE_FLAG_X_DEDUP as Ct, fieldPresent as D, VMS_NULLPTR_MARKER as Dt, fieldKeys as E, SECTION_TYPE_BYTE as Et, writeRamRecord as F, makeCommandRecord as G, commandDetails as H, SUBSECTION_CAPABILITIES as I, concatBytes as J, ByteWriter as K, SUBSECTION_TARGET_PAGE_BITS as L, parseVmdesc as M, checkRamRecord as N, BASE_CODECS as O, sectionTypeOf as Ot, compressBound as P, DEFAULT_SUPPORTED_CAPABILITIES as Q, SUBSECTION_UUID as R, countFrom as S, RAM_SAVE_FLAG_XBZRLE as St, withFieldPath as T, RAM_SECTION_VERSION as Tt, commandName as U, MIG_CMD as V, commandPayload as W, DEDUP_CAPABILITY as X, pullChunks as Y, DEFAULT_PAGE_SIZE as Z, writeFooter as _, RAM_SAVE_FLAG_FULL as _t, summarizeStream as a, QEMU_VM_FILE_VERSION as at, writeVmdesc as b, RAM_SAVE_FLAG_MULTIFD_FLUSH as bt, encodedLength as c, QEMU_VM_SECTION_FOOTER as ct, decodeMigrationStream as d, QEMU_VM_SECTION_START as dt, MAX_PACKAGED_SIZE as et, forEachRecord as f, QEMU_VM_SUBSECTION as ft, writeEof as g, RAM_SAVE_FLAG_EOS as gt, pageSizeAfter as h, RAM_SAVE_FLAG_CONTINUE as ht, StreamSummaryBuilder as i, QEMU_VM_FILE_MAGIC as it, findVmdescTrailer as j, isFormatError as jt, describe as k, FormatError as kt, MigrationRecordReader as l, QEMU_VM_SECTION_FULL as lt, encodeRecord as m, RAM_SAVE_FLAG_COMPRESS_PAGE as mt, deviceStateToJson as n, QEMU_VM_CONFIGURATION as nt, toHex as o, QEMU_VM_FILE_VERSION_COMPAT as ot, readMigrationStream as p, QEMU_VM_VMDESCRIPTION as pt, ByteReader as q, sectionStateToJson as r, QEMU_VM_EOF as rt, toJsonValue as s, QEMU_VM_SECTION_END as st, DeviceStateJsonBuilder as t, QEMU_VM_COMMAND as tt, copyRecord as u, QEMU_VM_SECTION_PART as ut, writeRecord as v, RAM_SAVE_FLAG_HOOK as vt, elementSize as w, RAM_SAVE_FLAG_ZERO as wt, descriptionFromVmdesc as x, RAM_SAVE_FLAG_PAGE as xt, writeSectionHeader as y, RAM_SAVE_FLAG_MEM_SIZE as yt, makeConfigurationRecord as z };
