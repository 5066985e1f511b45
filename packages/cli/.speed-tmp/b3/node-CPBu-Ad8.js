import { chmodSync, closeSync, lstatSync, unlinkSync } from "node:fs";
import { dirname } from "node:path";
import { spawn } from "node:child_process";
import * as net from "node:net";
// ../../work/main/packages/qmp/dist/address.js
const SWITCHES = {
	server: "server",
	wait: "wait"
};
/** Accepted and without effect here: socket tuning QEMU takes on the same string. */
const IGNORED = /* @__PURE__ */ new Set([
	"nodelay",
	"ipv4",
	"ipv6"
]);
function onOff(value, name, address) {
	if (value === "on" || value === "yes" || value === "true") return true;
	if (value === "off" || value === "no" || value === "false") return false;
	throw new AddressError(`'${name}=${value}' in '${address}': expected on or off`, address);
}
/** Splits QEMU's `,`-separated options off (`,,` is a literal comma in the path). */
function splitOptions(text) {
	const parts = [];
	let current = "";
	for (let i = 0; i < text.length; i++) {
		const ch = text[i];
		if (ch === "," && text[i + 1] === ",") {
			current += ",";
			i++;
		} else if (ch === ",") {
			parts.push(current);
			current = "";
		} else current += ch;
	}
	parts.push(current);
	return {
		main: parts[0],
		options: parts.slice(1)
	};
}
function parseRole(options, address) {
	const role = {};
	for (const option of options) {
		const eq = option.indexOf("=");
		const name = eq < 0 ? option : option.slice(0, eq);
		const value = eq < 0 ? void 0 : option.slice(eq + 1);
		if (name === "nowait" && value === void 0) role.wait = false;
		else if (SWITCHES[name]) role[SWITCHES[name]] = value === void 0 ? true : onOff(value, name, address);
		else if (IGNORED.has(name)) continue;
		else throw new AddressError(`option '${option}' in '${address}' is not supported: savevm takes unix:PATH or tcp:HOST:PORT, optionally with server=on|off and wait=on|off (or server,nowait); write a comma in a path as ',,'`, address);
	}
	return role;
}
/** Whether `text` is a QEMU chardev option list that a bare path must not swallow. */
function looksLikeOptions(options) {
	return options.length > 0 && options.every((o) => /^(server|wait|nowait|nodelay|ipv4|ipv6)(=|$)/.test(o));
}
var AddressError = class extends Error {
	address;
	code = "BAD_ADDRESS";
	constructor(message, address) {
		super(message);
		this.address = address;
		this.name = "AddressError";
	}
};
function parsePort(text, address) {
	if (!/^[0-9]+$/.test(text)) throw new AddressError(`port '${text}' in '${address}' is not a number`, address);
	const port = Number(text);
	if (port > 65535) throw new AddressError(`port ${port} in '${address}' is out of range`, address);
	return port;
}
function parseHostPort(rest, address) {
	let host;
	let port;
	if (rest.startsWith("[")) {
		const close = rest.indexOf("]");
		if (close < 0 || rest[close + 1] !== ":") throw new AddressError(`expected [HOST]:PORT in '${address}'`, address);
		host = rest.slice(1, close);
		port = rest.slice(close + 2);
	} else {
		const colon = rest.lastIndexOf(":");
		if (colon < 0) throw new AddressError(`expected HOST:PORT in '${address}'`, address);
		host = rest.slice(0, colon);
		port = rest.slice(colon + 1);
	}
	return {
		kind: "tcp",
		host,
		port: parsePort(port, address)
	};
}
/**
* Parses an address; a TCP address with an empty host (`tcp::4444`) keeps `host` empty. QEMU's
* `,server=on,wait=off` (or `,server,nowait`) after a unix or tcp address is read into
* {@link SocketRole}; any other option is refused, never taken as part of a file name.
*/
function parseAddress(address) {
	if (address === "stdio" || address === "-") return { kind: "stdio" };
	if (address.startsWith("unix:")) {
		const { main, options } = splitOptions(address.slice(5));
		if (!main) throw new AddressError(`'${address}' has no path`, address);
		return {
			kind: "unix",
			path: main,
			...parseRole(options, address)
		};
	}
	if (address.startsWith("tcp:")) {
		const { main, options } = splitOptions(address.slice(4));
		return {
			...parseHostPort(main, address),
			...parseRole(options, address)
		};
	}
	if (address.startsWith("fd:")) {
		const text = address.slice(3);
		if (!/^[0-9]+$/.test(text)) throw new AddressError(`'${address}' needs a descriptor number`, address);
		return {
			kind: "fd",
			fd: Number(text)
		};
	}
	const { main, options } = splitOptions(address);
	const bare = looksLikeOptions(options) ? main : address;
	const role = bare === address ? {} : parseRole(options, address);
	if (/^(\[[^\]]*\]|[^/:]*):[0-9]+$/.test(bare)) return {
		...parseHostPort(bare, address),
		...role
	};
	if (!bare) throw new AddressError("empty address", address);
	return {
		kind: "unix",
		path: bare,
		...role
	};
}
function formatAddress(address) {
	switch (address.kind) {
		case "unix": return `unix:${address.path}`;
		case "tcp": return address.host.includes(":") ? `tcp:[${address.host}]:${address.port}` : `tcp:${address.host}:${address.port}`;
		case "fd": return `fd:${address.fd}`;
		case "stdio": return "stdio";
	}
}
// ../../work/main/packages/qmp/dist/emitter.js
var Emitter = class {
	handlers = /* @__PURE__ */ new Map();
	/** Adds a listener; returns a function that removes it. */
	on(event, listener) {
		let set = this.handlers.get(event);
		if (!set) {
			set = /* @__PURE__ */ new Set();
			this.handlers.set(event, set);
		}
		set.add(listener);
		return () => this.off(event, listener);
	}
	once(event, listener) {
		const off = this.on(event, (...args) => {
			off();
			listener(...args);
		});
		return off;
	}
	off(event, listener) {
		this.handlers.get(event)?.delete(listener);
	}
	emit(event, ...args) {
		const set = this.handlers.get(event);
		if (!set) return;
		for (const listener of [...set]) listener(...args);
	}
};
// ../../work/main/packages/qmp/dist/errors.js
/**
* An error reply `{"error": {"class", "desc"}}`. Command handlers throw it to choose the class;
* the client rejects with it when the server answers with an error.
*/
var QmpError = class extends Error {
	code = "QMP_ERROR";
	errorClass;
	desc;
	command;
	id;
	constructor(desc, options = {}) {
		super(desc);
		this.name = "QmpError";
		this.desc = desc;
		this.errorClass = options.errorClass ?? "GenericError";
		this.command = options.command;
		this.id = options.id;
	}
	toJSON() {
		return {
			class: this.errorClass,
			desc: this.desc
		};
	}
};
/**
* What a thrown value becomes on the wire: a {@link QmpError} keeps its class; anything else
* (for example the coded errors of other savevm packages) is a `GenericError` whose desc is the
* error's message.
*/
function toQmpError(err) {
	if (err instanceof QmpError) return err;
	if (err instanceof Error) return new QmpError(err.message);
	if (typeof err === "object" && err !== null && typeof err.message === "string") return new QmpError(err.message);
	return new QmpError(String(err));
}
/** Client failures other than an error reply; `code` says which. */
var QmpClientError = class extends Error {
	code;
	constructor(code, message, options) {
		super(message, options);
		this.code = code;
		this.name = "QmpClientError";
	}
};
/** The server's first message was missing, late, or not a QMP greeting. */
var QmpGreetingError = class extends QmpClientError {
	constructor(message, options) {
		super("GREETING", message, options);
		this.name = "QmpGreetingError";
	}
};
/** `qmp_capabilities` failed. */
var QmpNegotiationError = class extends QmpClientError {
	constructor(message, options) {
		super("NEGOTIATION", message, options);
		this.name = "QmpNegotiationError";
	}
};
/**
* The connection could not be made or was lost. Codes: `CONNECT_FAILED`, `DISCONNECTED`
* (a call was pending when the connection closed), `CLOSED` (used after close), `TIMEOUT`.
*/
var QmpConnectionError = class extends QmpClientError {
	constructor(code, message, options) {
		super(code, message, options);
		this.name = "QmpConnectionError";
	}
};
/** The server sent something that is not valid QMP (bad JSON, an id-less error nobody awaits). */
var QmpProtocolError = class extends QmpClientError {
	constructor(message, options) {
		super("BAD_REPLY", message, options);
		this.name = "QmpProtocolError";
	}
};
/** An HMP command printed an error (`Error: …`, `unknown command: …`). */
var HmpError = class extends Error {
	output;
	commandLine;
	code = "HMP_ERROR";
	constructor(message, output, commandLine) {
		super(message);
		this.output = output;
		this.commandLine = commandLine;
		this.name = "HmpError";
	}
};
/** Finds an error in HMP output the way libvirt did: the text QEMU prints for failures. */
function hmpErrorIn(output) {
	const firstLine = output.split(/\r?\n/, 1)[0] ?? "";
	if (firstLine.startsWith("Error: ")) return firstLine.slice(7);
	if (firstLine.startsWith("unknown command: ")) return firstLine;
	if (/\r?\nTry "help [^"]*" for more information/.test(output)) return firstLine;
}
// ../../work/main/packages/qmp/dist/events.js
/**
* A queue of the events one consumer wants, as in python's `qemu.qmp` EventListener: every
* listener gets its own copy of each event it accepts (by name and optional filter). Read with
* {@link get}, or `for await (const ev of listener)`.
*/
var EventListener = class {
	filter;
	/** Event names accepted; undefined accepts all. */
	names;
	/** Accepted events, oldest first, up to `historySize`. */
	history = [];
	queue = [];
	waiters = [];
	historySize;
	maxQueue;
	droppedCount = 0;
	closedWith;
	/** Set by the client that holds this listener, so {@link close} can unregister it. */
	onClose;
	constructor(names, filter, options = {}) {
		this.filter = filter;
		this.names = names === void 0 || names === null ? void 0 : new Set(typeof names === "string" ? [names] : names);
		this.historySize = options.historySize ?? 1e3;
		this.maxQueue = options.maxQueue ?? 1e4;
	}
	/** Events dropped because the queue was full. */
	get dropped() {
		return this.droppedCount;
	}
	get closed() {
		return this.closedWith !== void 0;
	}
	/** Whether this listener wants `event`; subclasses may refine it. */
	accept(event) {
		if (this.names && !this.names.has(event.event)) return false;
		return this.filter ? this.filter(event) : true;
	}
	/** Offers an event; returns true if it was taken. */
	deliver(event) {
		if (this.closedWith || !this.accept(event)) return false;
		this.history.push(event);
		if (this.history.length > this.historySize) this.history.shift();
		const waiter = this.waiters.shift();
		if (waiter) waiter.resolve(event);
		else {
			this.queue.push(event);
			if (this.queue.length > this.maxQueue) {
				this.queue.shift();
				this.droppedCount++;
			}
		}
		return true;
	}
	/** True when no event is waiting to be read. */
	empty() {
		return this.queue.length === 0;
	}
	/** Removes and returns the unread events. */
	clear() {
		return this.queue.splice(0, this.queue.length);
	}
	/** The next event (waits for one). */
	get(options = {}) {
		const queued = this.queue.shift();
		if (queued) return Promise.resolve(queued);
		if (this.closedWith) return Promise.reject(this.closedWith);
		return new Promise((resolve, reject) => {
			let timer;
			const cleanup = () => {
				if (timer) clearTimeout(timer);
				options.signal?.removeEventListener("abort", onAbort);
				const i = this.waiters.indexOf(waiter);
				if (i >= 0) this.waiters.splice(i, 1);
			};
			const waiter = {
				resolve: (e) => {
					cleanup();
					resolve(e);
				},
				reject: (e) => {
					cleanup();
					reject(e);
				}
			};
			const onAbort = () => waiter.reject(options.signal?.reason instanceof Error ? options.signal.reason : /* @__PURE__ */ new Error("aborted"));
			if (options.signal?.aborted) {
				onAbort();
				return;
			}
			options.signal?.addEventListener("abort", onAbort, { once: true });
			if (options.timeoutMs !== void 0) timer = setTimeout(() => {
				const wanted = this.names ? [...this.names].join(", ") : "any event";
				waiter.reject(new QmpConnectionError("TIMEOUT", `no ${wanted} within ${options.timeoutMs} ms`));
			}, options.timeoutMs);
			this.waiters.push(waiter);
		});
	}
	/** Stops the listener: pending and later {@link get} calls fail, iteration ends. */
	close(reason = new QmpConnectionError("CLOSED", "event listener closed")) {
		if (this.closedWith) return;
		this.closedWith = reason;
		for (const waiter of this.waiters.splice(0)) waiter.reject(reason);
		this.onClose?.();
	}
	async *[Symbol.asyncIterator]() {
		for (;;) {
			if (this.queue.length === 0 && this.closedWith) return;
			try {
				yield await this.get();
			} catch (err) {
				if (this.closedWith && err === this.closedWith) return;
				throw err;
			}
		}
	}
};
// ../../work/main/packages/qmp/dist/json-lexer.js
/**
* Streaming JSON lexer with QEMU's token rules: single-quoted strings, keywords as [a-z]+ left to
* the parser, strict numbers (no leading zeros, no exponent after a bare 0), and a recovery state
* after a bad byte that skips input until a structural character, a control character other
* than TAB, or a 0xFE/0xFF byte. Bytes in, tokens out; the lexer never decodes text.
*/
const Token = {
	LCurly: 1,
	RCurly: 2,
	LSquare: 3,
	RSquare: 4,
	Colon: 5,
	Comma: 6,
	Integer: 7,
	Float: 8,
	Keyword: 9,
	String: 10,
	/** A byte sequence that is no token; carries the bytes QEMU quotes in "stray '…'". */
	Error: 11,
	/** A single token grew beyond the size limit and was cut. */
	Oversize: 12
};
const START = 0;
const DQ_STRING = 1;
const DQ_ESCAPE = 2;
const SQ_STRING = 3;
const SQ_ESCAPE = 4;
const ZERO = 5;
const BAD_ZERO = 6;
const SIGN = 7;
const DIGITS = 8;
const MANTISSA = 9;
const MANTISSA_DIGITS = 10;
const EXP_E = 11;
const EXP_SIGN = 12;
const EXP_DIGITS = 13;
const KEYWORD = 14;
const RECOVERY = 15;
const STATE_COUNT = 16;
const EMIT = 64;
const LOOKAHEAD = 128;
const ERROR = EMIT | Token.Error;
function buildTable() {
	const t = new Uint8Array(STATE_COUNT * 256).fill(ERROR);
	const set = (state, from, to, value) => {
		for (let b = from; b <= to; b++) t[state * 256 + b] = value;
	};
	const ch = (c) => c.charCodeAt(0);
	const one = (state, c, value) => set(state, ch(c), ch(c), value);
	const digits = (state, value) => set(state, 48, 57, value);
	for (const [str, esc, quote] of [[
		DQ_STRING,
		DQ_ESCAPE,
		"\""
	], [
		SQ_STRING,
		SQ_ESCAPE,
		"'"
	]]) {
		set(str, 32, 253, str);
		one(str, "\\", esc);
		one(str, quote, EMIT | Token.String);
		set(esc, 32, 253, str);
	}
	set(ZERO, 0, 255, 192 | Token.Integer);
	digits(ZERO, BAD_ZERO);
	one(ZERO, ".", MANTISSA);
	set(BAD_ZERO, 0, 255, LOOKAHEAD | ERROR);
	one(SIGN, "0", ZERO);
	set(SIGN, ch("1"), ch("9"), DIGITS);
	set(DIGITS, 0, 255, 192 | Token.Integer);
	digits(DIGITS, DIGITS);
	one(DIGITS, ".", MANTISSA);
	one(DIGITS, "e", EXP_E);
	one(DIGITS, "E", EXP_E);
	digits(MANTISSA, MANTISSA_DIGITS);
	set(MANTISSA_DIGITS, 0, 255, 192 | Token.Float);
	digits(MANTISSA_DIGITS, MANTISSA_DIGITS);
	one(MANTISSA_DIGITS, "e", EXP_E);
	one(MANTISSA_DIGITS, "E", EXP_E);
	one(EXP_E, "+", EXP_SIGN);
	one(EXP_E, "-", EXP_SIGN);
	digits(EXP_E, EXP_DIGITS);
	digits(EXP_SIGN, EXP_DIGITS);
	set(EXP_DIGITS, 0, 255, 192 | Token.Float);
	digits(EXP_DIGITS, EXP_DIGITS);
	set(KEYWORD, 0, 255, 192 | Token.Keyword);
	set(KEYWORD, ch("a"), ch("z"), KEYWORD);
	one(START, "\"", DQ_STRING);
	one(START, "'", SQ_STRING);
	one(START, "0", ZERO);
	set(START, ch("1"), ch("9"), DIGITS);
	one(START, "-", SIGN);
	one(START, "{", EMIT | Token.LCurly);
	one(START, "}", EMIT | Token.RCurly);
	one(START, "[", EMIT | Token.LSquare);
	one(START, "]", EMIT | Token.RSquare);
	one(START, ":", EMIT | Token.Colon);
	one(START, ",", EMIT | Token.Comma);
	set(START, ch("a"), ch("z"), KEYWORD);
	for (const ws of " 	\r\n") one(START, ws, START);
	set(RECOVERY, 0, 255, RECOVERY);
	set(RECOVERY, 0, 31, 128);
	one(RECOVERY, "	", RECOVERY);
	set(RECOVERY, 254, 255, 128);
	for (const s of "{}[]:,") one(RECOVERY, s, 128);
	return t;
}
const TABLE = buildTable();
var JsonLexer = class {
	sink;
	maxTokenBytes;
	state = START;
	/** Bytes of a token that began in an earlier chunk. */
	carry = /* @__PURE__ */ new Uint8Array(64);
	carryLength = 0;
	stopRequested = false;
	/** Index in the chunk of the byte being read when the last token was emitted. */
	byteIndex = 0;
	constructor(sink, maxTokenBytes = 67108864) {
		this.sink = sink;
		this.maxTokenBytes = maxTokenBytes;
	}
	/** Makes the running {@link feed} return after the byte it is on; used for read back-pressure. */
	stop() {
		this.stopRequested = true;
	}
	/** Forgets any partial token, as after a connection reset. */
	reset() {
		this.state = START;
		this.carryLength = 0;
	}
	/** True when a token has been started but not finished. */
	get midToken() {
		return this.state !== START && this.state !== RECOVERY;
	}
	/**
	* Lexes `chunk[start, end)`. Returns the index of the first byte not consumed: `end`, or
	* earlier when {@link stop} was called from the sink (the byte that finished the message is
	* always processed completely first, as QEMU reads byte by byte).
	*/
	feed(chunk, start = 0, end = chunk.length) {
		this.stopRequested = false;
		let state = this.state;
		let tokenStart = state !== START && state !== RECOVERY ? start : -1;
		let i = start;
		while (i < end) {
			const entry = TABLE[state << 8 | chunk[i]];
			const lookahead = (entry & LOOKAHEAD) !== 0;
			if ((entry & EMIT) === 0) {
				const next = entry & 63;
				if (lookahead) {
					state = next;
					continue;
				}
				if (state === START && next !== START) tokenStart = i;
				state = next;
				i++;
				if (this.stopRequested) break;
				continue;
			}
			const type = entry & 63;
			if (state === START) tokenStart = i;
			this.byteIndex = i;
			this.emit(type, chunk, tokenStart, lookahead ? i : i + 1);
			tokenStart = -1;
			state = type === Token.Error ? RECOVERY : START;
			if (!lookahead) {
				i++;
				if (this.stopRequested) break;
			}
		}
		this.state = state;
		if (state === START || state === RECOVERY) this.carryLength = 0;
		else this.saveCarry(chunk, tokenStart, i);
		return i;
	}
	emit(type, chunk, start, end) {
		if (this.carryLength > 0) {
			this.appendCarry(chunk, start, end);
			const len = this.carryLength;
			this.carryLength = 0;
			this.sink(type, this.carry, 0, len);
		} else this.sink(type, chunk, start, end);
	}
	saveCarry(chunk, start, end) {
		this.appendCarry(chunk, start, end);
		if (this.carryLength > this.maxTokenBytes) {
			const len = this.carryLength;
			this.carryLength = 0;
			this.state = START;
			this.sink(Token.Oversize, this.carry, 0, len);
			if (this.carry.length > 1 << 20) this.carry = /* @__PURE__ */ new Uint8Array(64);
		}
	}
	appendCarry(chunk, start, end) {
		const need = this.carryLength + (end - start);
		if (need > this.carry.length) {
			let size = this.carry.length * 2;
			while (size < need) size *= 2;
			const grown = new Uint8Array(size);
			grown.set(this.carry.subarray(0, this.carryLength));
			this.carry = grown;
		}
		this.carry.set(chunk.subarray(start, end), this.carryLength);
		this.carryLength = need;
	}
};
// ../../work/main/packages/qmp/dist/json-value.js
function isJsonObject(value) {
	return typeof value === "object" && value !== null && !Array.isArray(value);
}
/** Sets `key` as an own property even when it is `__proto__`. */
function setMember(obj, key, value) {
	if (key.length === 9 && key === "__proto__") Object.defineProperty(obj, key, {
		value,
		enumerable: true,
		writable: true,
		configurable: true
	});
	else obj[key] = value;
}
function hasMember(obj, key) {
	return Object.prototype.hasOwnProperty.call(obj, key);
}
// ../../work/main/packages/qmp/dist/utf8.js
/**
* QEMU reads strings as "modified UTF-8": `C0 80` stands for U+0000, and surrogates,
* noncharacters, overlong forms and code points above U+10FFFF are all invalid.
* These helpers reproduce that reading so error texts and echoed strings match QEMU.
*/
const MIN_CODE_POINT = [
	128,
	2048,
	65536,
	2097152,
	67108864
];
function isValidCodePoint(cp) {
	if (cp < 0 || cp > 1114111) return false;
	if (cp >= 64976 && cp <= 65007 || (cp & 65534) === 65534) return false;
	return !(cp >= 55296 && cp <= 57343);
}
/**
* Reads one code point at `pos` (bytes before `end`). Returns -1 for an invalid sequence and
* sets `out.next` past the bytes QEMU would skip: one byte for a stray byte, or the bytes up to
* the first missing continuation byte.
*/
function readCodePoint(bytes, pos, end, out) {
	const first = bytes[pos] ?? 0;
	if (first < 128) {
		out.next = pos + 1;
		return first;
	}
	if (first >= 254 || (first & 64) === 0) {
		out.next = pos + 1;
		return -1;
	}
	let len = 0;
	let mask = 128;
	while (first & mask) {
		len++;
		mask >>= 1;
	}
	let cp = first & mask - 1;
	let p = pos + 1;
	for (let i = 1; i < len; i++) {
		const byte = p < end ? bytes[p] ?? 0 : 0;
		if ((byte & 192) !== 128) {
			out.next = p;
			return -1;
		}
		p++;
		cp = cp * 64 + (byte & 63);
	}
	out.next = p;
	if (cp > 1114111) return -1;
	if (cp >= 64976 && cp <= 65007 || (cp & 65534) === 65534) return -1;
	if (cp >= 55296 && cp <= 57343) return -1;
	if (cp < (MIN_CODE_POINT[len - 2] ?? 0) && !(cp === 0 && len === 2)) return -1;
	return cp;
}
/**
* Turns bytes QEMU would print through `%s` into text: stops at the first NUL (C string) and
* replaces every invalid sequence with U+FFFD, as QEMU's JSON writer does.
*/
function decodeLikeQemu(bytes, start = 0, end = bytes.length) {
	let out = "";
	const pos = { next: 0 };
	let i = start;
	while (i < end) {
		const b = bytes[i] ?? 0;
		if (b === 0) break;
		if (b < 128) {
			out += String.fromCharCode(b);
			i++;
			continue;
		}
		const cp = readCodePoint(bytes, i, end, pos);
		out += cp < 0 ? "�" : String.fromCodePoint(cp);
		i = pos.next;
	}
	return out;
}
/**
* Encodes text as QEMU's modified UTF-8 (U+0000 as `C0 80`). Used where QEMU hashes or
* compares the bytes of a key.
*/
function encodeModifiedUtf8(text) {
	const out = [];
	for (const ch of text) {
		const cp = ch.codePointAt(0) ?? 0;
		if (cp === 0) out.push(192, 128);
		else if (cp < 128) out.push(cp);
		else if (cp < 2048) out.push(192 | cp >> 6, 128 | cp & 63);
		else if (cp < 65536) out.push(224 | cp >> 12, 128 | cp >> 6 & 63, 128 | cp & 63);
		else out.push(240 | cp >> 18, 128 | cp >> 12 & 63, 128 | cp >> 6 & 63, 128 | cp & 63);
	}
	return Uint8Array.from(out);
}
// ../../work/main/packages/qmp/dist/json-parser.js
/**
* Builds a value from tokens as they arrive. It reports the same first error QEMU's
* recursive-descent parser reports for the whole token list, without keeping the list.
*/
const SLOT_TOP = 0;
const SLOT_KEY = 1;
const SLOT_MEMBER = 2;
const SLOT_ELEMENT = 3;
const EXPECT_VALUE = 0;
const OBJECT_OPEN = 1;
const OBJECT_COLON = 2;
const OBJECT_NEXT = 3;
const ARRAY_OPEN = 4;
const ARRAY_NEXT = 5;
const DONE = 6;
const FAILED = 7;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
var JsonParser = class {
	state = EXPECT_VALUE;
	slot = SLOT_TOP;
	stack = [];
	result = null;
	errorText;
	pos = { next: 0 };
	reset() {
		this.state = EXPECT_VALUE;
		this.slot = SLOT_TOP;
		this.stack = [];
		this.result = null;
		this.errorText = void 0;
	}
	/** Feeds one token. Tokens after the first error are ignored, as QEMU stops at it. */
	push(type, bytes, start, end) {
		switch (this.state) {
			case FAILED:
			case DONE: return;
			case EXPECT_VALUE:
				this.value(type, bytes, start, end);
				return;
			case OBJECT_OPEN:
				if (type === Token.RCurly) this.close();
				else {
					this.slot = SLOT_KEY;
					this.value(type, bytes, start, end);
				}
				return;
			case OBJECT_COLON:
				if (type === Token.Colon) this.expect(SLOT_MEMBER);
				else this.fail("missing : in object pair");
				return;
			case OBJECT_NEXT:
				if (type === Token.RCurly) this.close();
				else if (type === Token.Comma) this.expect(SLOT_KEY);
				else this.fail("expected separator in dict");
				return;
			case ARRAY_OPEN:
				if (type === Token.RSquare) this.close();
				else {
					this.slot = SLOT_ELEMENT;
					this.value(type, bytes, start, end);
				}
				return;
			case ARRAY_NEXT:
				if (type === Token.RSquare) this.close();
				else if (type === Token.Comma) this.expect(SLOT_ELEMENT);
				else this.fail("expected separator in list");
				return;
		}
	}
	/**
	* Ends the message (the streamer saw the brackets balance). Returns the value, or throws
	* nothing and reports the error text through {@link error}.
	*/
	finish() {
		let out;
		if (this.errorText !== void 0) out = { error: this.errorText };
		else if (this.state === DONE) out = { value: this.result };
		else out = { error: "premature EOI" };
		this.reset();
		return out;
	}
	expect(slot) {
		this.state = EXPECT_VALUE;
		this.slot = slot;
	}
	fail(text) {
		if (this.errorText === void 0) this.errorText = text;
		this.state = FAILED;
		this.stack = [];
	}
	value(type, bytes, start, end) {
		switch (type) {
			case Token.LCurly:
				this.stack.push({
					container: {},
					slot: this.slot,
					key: ""
				});
				this.state = OBJECT_OPEN;
				return;
			case Token.LSquare:
				this.stack.push({
					container: [],
					slot: this.slot,
					key: ""
				});
				this.state = ARRAY_OPEN;
				return;
			case Token.String: {
				const text = this.parseString(bytes, start, end);
				if (text !== void 0) this.complete(text, this.slot);
				return;
			}
			case Token.Integer:
				this.complete(parseInteger(bytes, start, end), this.slot);
				return;
			case Token.Float:
				this.complete(Number(latin1(bytes, start, end)), this.slot);
				return;
			case Token.Keyword: {
				const word = latin1(bytes, start, end);
				if (word === "true") this.complete(true, this.slot);
				else if (word === "false") this.complete(false, this.slot);
				else if (word === "null") this.complete(null, this.slot);
				else this.fail(`invalid keyword '${word}'`);
				return;
			}
			default: this.fail("expecting value");
		}
	}
	close() {
		const frame = this.stack.pop();
		this.complete(frame.container, frame.slot);
	}
	complete(value, slot) {
		const frame = this.stack[this.stack.length - 1];
		switch (slot) {
			case SLOT_TOP:
				this.result = value;
				this.state = DONE;
				return;
			case SLOT_KEY:
				if (typeof value !== "string") {
					this.fail("key is not a string in object");
					return;
				}
				frame.key = value;
				this.state = OBJECT_COLON;
				return;
			case SLOT_MEMBER: {
				const obj = frame.container;
				if (obj[frame.key] !== void 0 && hasMember(obj, frame.key)) {
					this.fail("duplicate key");
					return;
				}
				setMember(obj, frame.key, value);
				this.state = OBJECT_NEXT;
				return;
			}
			case SLOT_ELEMENT:
				frame.container.push(value);
				this.state = ARRAY_NEXT;
				return;
		}
	}
	/** Decodes a string token (quotes included) or fails with QEMU's message. */
	parseString(bytes, start, end) {
		const last = end - 1;
		let out = "";
		let i = start + 1;
		while (i < last) {
			const b = bytes[i];
			if (b === 92 || b >= 128) break;
			out += String.fromCharCode(b);
			i++;
		}
		if (i === last) return out;
		while (i < last) {
			const b = bytes[i];
			if (b === 92) {
				const escStart = i;
				const c = bytes[i + 1];
				i += 2;
				switch (c) {
					case 34:
						out += "\"";
						break;
					case 39:
						out += "'";
						break;
					case 92:
						out += "\\";
						break;
					case 47:
						out += "/";
						break;
					case 98:
						out += "\b";
						break;
					case 102:
						out += "\f";
						break;
					case 110:
						out += "\n";
						break;
					case 114:
						out += "\r";
						break;
					case 116:
						out += "	";
						break;
					case 117: {
						let cp = hex4$1(bytes, i, end);
						i += 4;
						if (cp >= 55296 && cp <= 56319 && i + 1 < last && bytes[i] === 92 && bytes[i + 1] === 117) {
							const trailing = hex4$1(bytes, i + 2, end);
							if (trailing >= 56320 && trailing <= 57343) {
								cp = 65536 + ((cp & 1023) << 10) + (trailing & 1023);
								i += 6;
							} else cp = -1;
						}
						if (!isValidCodePoint(cp)) {
							this.fail(`${decodeLikeQemu(bytes, escStart, Math.min(i, end))} is not a valid Unicode character`);
							return;
						}
						out += String.fromCodePoint(cp);
						break;
					}
					default:
						this.fail("invalid escape sequence in string");
						return;
				}
				continue;
			}
			if (b < 128) {
				out += String.fromCharCode(b);
				i++;
				continue;
			}
			const cp = readCodePoint(bytes, i, last, this.pos);
			if (cp < 0) {
				this.fail("invalid UTF-8 sequence in string");
				return;
			}
			out += String.fromCodePoint(cp);
			i = this.pos.next;
		}
		return out;
	}
};
function hex4$1(bytes, pos, end) {
	let v = 0;
	for (let k = 0; k < 4; k++) {
		const c = pos + k < end ? bytes[pos + k] : 0;
		let d;
		if (c >= 48 && c <= 57) d = c - 48;
		else if (c >= 97 && c <= 102) d = c - 87;
		else if (c >= 65 && c <= 70) d = c - 55;
		else return -1;
		v = v * 16 + d;
	}
	return v;
}
const asciiDecoder = new TextDecoder();
/** Text of bytes known to be ASCII (plain strings, numbers, keywords). */
function latin1(bytes, start, end) {
	if (end - start < 48) {
		let s = "";
		for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]);
		return s;
	}
	return asciiDecoder.decode(bytes.subarray(start, end));
}
/** QEMU keeps an integer as int64 if it fits, else uint64, else a double. */
function parseInteger(bytes, start, end) {
	const text = latin1(bytes, start, end);
	const len = end - start;
	if (len <= 15) return Number(text) || 0;
	if (len > 21) return Number(text);
	const big = BigInt(text);
	if (big >= INT64_MIN && big <= UINT64_MAX) return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
	return Number(text);
}
// ../../work/main/packages/qmp/dist/json-stream.js
const QEMU_JSON_LIMITS = {
	maxMessageBytes: 67108864,
	maxTokens: 2097152,
	maxNesting: 1024
};
/** A message that could not be read; `message` is QEMU's desc, e.g. "JSON parse error, expecting value". */
var JsonParseError = class extends Error {
	offset;
	code = "JSON_PARSE";
	constructor(message, offset) {
		super(message);
		this.offset = offset;
		this.name = "JsonParseError";
	}
};
/**
* Splits a byte stream into JSON messages the way QEMU's JSON streamer does: a message ends when
* its brackets balance (or a closer has no opener), newlines mean nothing, and every bad token
* produces its own error, after which reading goes on.
*/
var JsonMessageStream = class {
	sink;
	lexer;
	parser = new JsonParser();
	limits;
	braces = 0;
	brackets = 0;
	tokenBytes = 0;
	tokenCount = 0;
	consumed = 0;
	chunkBase = 0;
	constructor(sink, limits = {}) {
		this.sink = sink;
		this.limits = {
			...QEMU_JSON_LIMITS,
			...limits
		};
		this.lexer = new JsonLexer((type, bytes, start, end) => this.token(type, bytes, start, end), this.limits.maxMessageBytes);
	}
	/** Bytes of the message read so far (held inside the parser), for accounting. */
	get partialBytes() {
		return this.tokenBytes;
	}
	/** True while a message has started but not finished. */
	get inMessage() {
		return this.tokenCount > 0 || this.lexer.midToken;
	}
	/** Makes the running {@link feed} return right after the current byte. */
	stop() {
		this.lexer.stop();
	}
	/** Total bytes fed so far. */
	get offset() {
		return this.consumed;
	}
	/** Reads `chunk[start, end)`; returns where it stopped (`end` unless {@link stop} was called). */
	feed(chunk, start = 0, end = chunk.length) {
		this.chunkBase = this.consumed - start;
		const stopped = this.lexer.feed(chunk, start, end);
		this.consumed += stopped - start;
		return stopped;
	}
	token(type, bytes, start, end) {
		switch (type) {
			case Token.LCurly:
				this.braces++;
				break;
			case Token.RCurly:
				this.braces--;
				break;
			case Token.LSquare:
				this.brackets++;
				break;
			case Token.RSquare:
				this.brackets--;
				break;
			case Token.Error:
				this.fail(`JSON parse error, stray '${decodeLikeQemu(bytes, start, end)}'`);
				return;
			case Token.Oversize:
				this.fail("JSON token size limit exceeded");
				return;
		}
		const len = end - start;
		if (this.tokenBytes + len + 1 > this.limits.maxMessageBytes) {
			this.fail("JSON token size limit exceeded");
			return;
		}
		if (this.tokenCount + 1 > this.limits.maxTokens) {
			this.fail("JSON token count limit exceeded");
			return;
		}
		if (this.braces + this.brackets > this.limits.maxNesting) {
			this.fail("JSON nesting depth limit exceeded");
			return;
		}
		this.tokenBytes += len;
		this.tokenCount++;
		this.parser.push(type, bytes, start, end);
		if ((this.braces > 0 || this.brackets > 0) && this.braces >= 0 && this.brackets >= 0) return;
		const result = this.parser.finish();
		this.resetMessage();
		if ("error" in result) this.sink({ error: new JsonParseError(`JSON parse error, ${result.error}`, this.position()) });
		else this.sink(result);
	}
	fail(message) {
		this.parser.reset();
		this.resetMessage();
		this.sink({ error: new JsonParseError(message, this.position()) });
	}
	resetMessage() {
		this.braces = 0;
		this.brackets = 0;
		this.tokenBytes = 0;
		this.tokenCount = 0;
	}
	position() {
		return this.chunkBase + this.lexer.byteIndex;
	}
};
// ../../work/main/packages/qmp/dist/qemu-order.js
/**
* QEMU prints and walks objects in the order of its QDict hash table (512 buckets, newest entry
* first within a bucket), not in insertion order. That is why a reply reads
* `{"return": …, "id": …}` but an error reads `{"id": …, "error": …}`. Reproducing the order
* makes our output byte-identical to QEMU's and makes "which member is reported first"
* come out the same.
*/
const QDICT_BUCKETS = 512;
const bucketCache = /* @__PURE__ */ new Map();
function keyBytes(key) {
	for (let i = 0; i < key.length; i++) {
		const c = key.charCodeAt(i);
		if (c === 0 || c >= 128) return encodeModifiedUtf8(key);
	}
	const out = new Uint8Array(key.length);
	for (let i = 0; i < key.length; i++) out[i] = key.charCodeAt(i);
	return out;
}
/** QDict bucket of `key` (QEMU's tdb-style hash of the modified UTF-8 bytes, modulo 512). */
function qdictBucket(key) {
	const cached = bucketCache.get(key);
	if (cached !== void 0) return cached;
	const bytes = keyBytes(key);
	let value = Math.imul(596579247, bytes.length) >>> 0;
	for (let i = 0; i < bytes.length; i++) value = value + (bytes[i] << i * 5 % 24 >>> 0) >>> 0;
	const bucket = (Math.imul(0x41c64e6b, value) + 12345 >>> 0) % QDICT_BUCKETS;
	if (bucketCache.size > 4096) bucketCache.clear();
	bucketCache.set(key, bucket);
	return bucket;
}
/** The order in which QEMU iterates a QDict whose keys were inserted in `keys` order. */
function qdictOrder(keys) {
	const n = keys.length;
	if (n < 2) return keys.slice();
	const buckets = new Array(n);
	let sorted = true;
	for (let i = 0; i < n; i++) {
		buckets[i] = qdictBucket(keys[i]);
		if (i > 0 && buckets[i] <= buckets[i - 1]) sorted = false;
	}
	if (sorted) return keys.slice();
	const index = Array.from({ length: n }, (_, i) => i);
	index.sort((a, b) => buckets[a] - buckets[b] || b - a);
	return index.map((i) => keys[i]);
}
const PRIME_MOD = [
	1,
	2,
	3,
	7,
	13,
	31,
	61,
	127,
	251,
	509,
	1021,
	2039,
	4093,
	8191,
	16381,
	32749,
	65521,
	131071,
	262139,
	524287,
	0xffffd,
	2097143,
	4194301,
	8388593,
	0xfffffd,
	33554393,
	67108859,
	0x7ffffd9,
	0xfffffc7,
	536870909,
	0x3fffffdd,
	0x7fffffff
];
const MIN_SHIFT = 3;
const UNUSED = 0;
const TOMBSTONE = 1;
function gStrHash(key) {
	const bytes = keyBytes(key);
	let h = 5381;
	for (let i = 0; i < bytes.length; i++) {
		const b = bytes[i];
		h = Math.imul(h, 33) + (b > 127 ? b - 256 : b) >>> 0;
	}
	return h < 2 ? 2 : h;
}
/**
* A model of a glib string-keyed hash table, enough to know which key `g_hash_table_iter_next`
* returns first after a series of inserts and removes (open addressing with quadratic probing,
* tombstones, in-place resizing).
*/
var GHashTableModel = class GHashTableModel {
	size = 8;
	mod = PRIME_MOD[MIN_SHIFT];
	mask = this.size - 1;
	hashes = new Array(this.size).fill(UNUSED);
	keys = new Array(this.size).fill(void 0);
	nnodes = 0;
	noccupied = 0;
	/** Builds the table the way QEMU's visitor does: keys inserted in QDict order. */
	static fromKeys(keys) {
		const table = new GHashTableModel();
		for (const key of keys) table.insert(key);
		return table;
	}
	insert(key) {
		const hash = gStrHash(key);
		const index = this.lookup(key, hash);
		if (this.hashes[index] >= 2) return;
		const wasUnused = this.hashes[index] === UNUSED;
		this.hashes[index] = hash;
		this.keys[index] = key;
		this.nnodes++;
		if (wasUnused) {
			this.noccupied++;
			this.maybeResize();
		}
	}
	remove(key) {
		const index = this.lookup(key, gStrHash(key));
		if (this.hashes[index] < 2) return;
		this.hashes[index] = TOMBSTONE;
		this.keys[index] = void 0;
		this.nnodes--;
		this.maybeResize();
	}
	/** The key iteration yields first, or undefined when the table is empty. */
	first() {
		for (let i = 0; i < this.size; i++) if (this.hashes[i] >= 2) return this.keys[i];
	}
	toIndex(hash) {
		return (Math.imul(hash, 11) >>> 0) % this.mod;
	}
	lookup(key, hash) {
		let index = this.toIndex(hash);
		let step = 0;
		let tombstone = -1;
		let nodeHash = this.hashes[index];
		while (nodeHash !== UNUSED) {
			if (nodeHash === hash && this.keys[index] === key) return index;
			if (nodeHash === TOMBSTONE && tombstone < 0) tombstone = index;
			step++;
			index = index + step & this.mask;
			nodeHash = this.hashes[index];
		}
		return tombstone >= 0 ? tombstone : index;
	}
	maybeResize() {
		const size = this.size;
		const occupied = this.noccupied;
		if (size > this.nnodes * 4 && size > 8 || size <= occupied + Math.floor(occupied / 16)) this.resize();
	}
	resize() {
		const oldSize = this.size;
		let want = Math.trunc(this.nnodes * 1.333);
		let shift = 0;
		while (want) {
			want >>= 1;
			shift++;
		}
		shift = Math.max(shift, MIN_SHIFT);
		this.size = 1 << shift;
		this.mod = PRIME_MOD[shift];
		this.mask = this.size - 1;
		for (let i = oldSize; i < this.size; i++) {
			this.hashes[i] = UNUSED;
			this.keys[i] = void 0;
		}
		const placed = new Array(Math.max(oldSize, this.size)).fill(false);
		for (let i = 0; i < oldSize; i++) {
			let nodeHash = this.hashes[i];
			if (nodeHash < 2) {
				this.hashes[i] = UNUSED;
				continue;
			}
			if (placed[i]) continue;
			this.hashes[i] = UNUSED;
			let key = this.keys[i];
			this.keys[i] = void 0;
			for (;;) {
				let index = this.toIndex(nodeHash);
				let step = 0;
				while (placed[index]) {
					step++;
					index = index + step & this.mask;
				}
				placed[index] = true;
				const replaced = this.hashes[index];
				this.hashes[index] = nodeHash;
				const evicted = this.keys[index];
				this.keys[index] = key;
				if (replaced < 2) break;
				nodeHash = replaced;
				key = evicted;
			}
		}
		this.hashes.length = this.size;
		this.keys.length = this.size;
		this.noccupied = this.nnodes;
	}
};
// ../../work/main/packages/qmp/dist/json-writer.js
const HEX = "0123456789ABCDEF";
function hex4(code) {
	return "\\u" + HEX[code >> 12 & 15] + HEX[code >> 8 & 15] + HEX[code >> 4 & 15] + HEX[code & 15];
}
function isNoncharacter(cp) {
	return cp >= 64976 && cp <= 65007 || (cp & 65534) === 65534;
}
/** Quotes a string. `qemu` also escapes all non-ASCII and turns noncharacters into U+FFFD. */
function quoteJsonString(text, ascii, qemu = false) {
	let clean = true;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c < 32 || c === 34 || c === 92 || c >= 127 && (ascii || c >= 55296 && c <= 57343)) {
			clean = false;
			break;
		}
	}
	if (clean) return "\"" + text + "\"";
	let out = "\"";
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		switch (c) {
			case 34:
				out += "\\\"";
				continue;
			case 92:
				out += "\\\\";
				continue;
			case 8:
				out += "\\b";
				continue;
			case 12:
				out += "\\f";
				continue;
			case 10:
				out += "\\n";
				continue;
			case 13:
				out += "\\r";
				continue;
			case 9:
				out += "\\t";
				continue;
		}
		if (c < 32) out += hex4(c);
		else if (c < 127) out += text[i];
		else if (c >= 55296 && c <= 56319 && i + 1 < text.length) {
			const d = text.charCodeAt(i + 1);
			if (d >= 56320 && d <= 57343) {
				const cp = 65536 + (c - 55296 << 10) + (d - 56320);
				if (qemu && isNoncharacter(cp)) out += "\\uFFFD";
				else if (ascii) out += hex4(c) + hex4(d);
				else out += text[i] + text[i + 1];
				i++;
			} else out += qemu ? "\\uFFFD" : hex4(c);
		} else if (c >= 55296 && c <= 57343) out += qemu ? "\\uFFFD" : hex4(c);
		else if (qemu && isNoncharacter(c)) out += "\\uFFFD";
		else out += ascii ? hex4(c) : text[i];
	}
	return out + "\"";
}
/** A double as C's `printf("%.17g")` prints it (QEMU's format for non-integer numbers). */
function formatDouble17g(x) {
	if (Number.isNaN(x)) return "nan";
	if (x === 1e400) return "inf";
	if (x === -1e400) return "-inf";
	if (x === 0) return Object.is(x, -0) ? "-0" : "0";
	const exp = x.toExponential(16);
	const ePos = exp.indexOf("e");
	const negative = exp[0] === "-";
	const digits = exp.slice(negative ? 1 : 0, ePos).replace(".", "");
	const e = Number(exp.slice(ePos + 1));
	let body;
	if (e < -4 || e >= 17) {
		let mantissa = digits[0] + "." + digits.slice(1);
		mantissa = mantissa.replace(/\.?0+$/, "");
		const absE = Math.abs(e);
		body = mantissa + "e" + (e < 0 ? "-" : "+") + (absE < 10 ? "0" : "") + absE;
	} else if (e >= 0) {
		const intPart = digits.slice(0, e + 1);
		const frac = digits.slice(e + 1).replace(/0+$/, "");
		body = frac ? intPart + "." + frac : intPart;
	} else body = ("0." + "0".repeat(-e - 1) + digits).replace(/0+$/, "");
	return negative ? "-" + body : body;
}
function qemuNumber(x) {
	if (Number.isSafeInteger(x)) return Object.is(x, -0) ? "-0" : String(x);
	return formatDouble17g(x);
}
function shortestNumber(x) {
	if (!Number.isFinite(x)) throw new RangeError(`${x} cannot be written as JSON`);
	return String(x);
}
/** Text of a non-container value, or undefined for arrays and objects. */
function scalarText(v, number, string) {
	switch (typeof v) {
		case "string": return string(v);
		case "number": return number(v);
		case "bigint": return v.toString();
		case "boolean": return v ? "true" : "false";
		case "undefined": return "null";
	}
	return v === null ? "null" : void 0;
}
function formatQemuJson(value, options = {}) {
	const pretty = options.pretty === true;
	const newline = options.newline ?? "\n";
	const parts = [];
	const indent = (depth) => newline + " ".repeat(depth * 4);
	const quote = (text) => quoteJsonString(text, true, true);
	const write = (v, depth) => {
		const scalar = scalarText(v, qemuNumber, quote);
		if (scalar !== void 0) {
			parts.push(scalar);
			return;
		}
		if (Array.isArray(v)) {
			parts.push("[");
			for (let i = 0; i < v.length; i++) {
				if (i > 0) parts.push(",");
				if (pretty) parts.push(indent(depth + 1));
				else if (i > 0) parts.push(" ");
				write(v[i], depth + 1);
			}
			if (pretty) parts.push(indent(depth));
			parts.push("]");
			return;
		}
		const obj = v;
		const keys = [];
		for (const key of Object.keys(obj)) if (obj[key] !== void 0) keys.push(key);
		parts.push("{");
		const ordered = qdictOrder(keys);
		for (let i = 0; i < ordered.length; i++) {
			const key = ordered[i];
			if (i > 0) parts.push(",");
			if (pretty) parts.push(indent(depth + 1));
			else if (i > 0) parts.push(" ");
			parts.push(quote(key), ": ");
			write(obj[key], depth + 1);
		}
		if (pretty) parts.push(indent(depth));
		parts.push("}");
	};
	write(value, 0);
	return parts.join("");
}
function formatJson(value, options = {}) {
	const step = options.indent ?? 0;
	const ascii = options.ascii === true;
	const parts = [];
	const quote = (text) => quoteJsonString(text, ascii);
	const write = (v, depth) => {
		const scalar = scalarText(v, shortestNumber, quote);
		if (scalar !== void 0) {
			parts.push(scalar);
			return;
		}
		const pad = step > 0 ? "\n" + " ".repeat((depth + 1) * step) : "";
		const end = step > 0 ? "\n" + " ".repeat(depth * step) : "";
		if (Array.isArray(v)) {
			if (v.length === 0) {
				parts.push("[]");
				return;
			}
			parts.push("[");
			v.forEach((item, i) => {
				if (i > 0) parts.push(",");
				parts.push(pad);
				write(item, depth + 1);
			});
			parts.push(end, "]");
			return;
		}
		if (!isJsonObject(v)) throw new TypeError("not a JSON value");
		const keys = Object.keys(v).filter((k) => v[k] !== void 0);
		if (keys.length === 0) {
			parts.push("{}");
			return;
		}
		parts.push("{");
		keys.forEach((key, i) => {
			if (i > 0) parts.push(",");
			parts.push(pad, quote(key), step > 0 ? ": " : ":");
			write(v[key], depth + 1);
		});
		parts.push(end, "}");
	};
	write(value, 0);
	return parts.join("");
}
// ../../work/main/packages/qmp/dist/client.js
const encoder = new TextEncoder();
function describe(command) {
	const name = command.execute ?? command["exec-oob"];
	return typeof name === "string" ? `'${name}'` : "a command";
}
/**
* A QMP client in the style of python's `qemu.qmp`: it waits for the greeting, negotiates
* (enabling OOB when offered), routes replies by id so many calls can be in flight, and hands
* events to listeners. Works against QEMU and against {@link QmpServer}.
*/
var QmpClient$1 = class extends Emitter {
	options;
	/** Every event, in a bounded queue, like python's `qmp.events`. */
	events;
	greetingValue;
	oob = false;
	stateValue = "connecting";
	stream;
	detach;
	pending = /* @__PURE__ */ new Map();
	idless = [];
	listeners = /* @__PURE__ */ new Set();
	nextId = 0;
	connector;
	readyWaiters = [];
	closeError;
	greetingWaiter;
	failGreeting;
	closedPromise;
	resolveClosed;
	constructor(options = {}) {
		super();
		this.options = options;
		this.events = new EventListener(void 0, void 0, options.events);
		this.listeners.add(this.events);
		this.closedPromise = new Promise((resolve) => this.resolveClosed = resolve);
	}
	/** Connects over a stream (or a connector, which also allows reconnecting) and negotiates. */
	static async connect(target, options = {}) {
		const client = new this(options);
		await client.open(target);
		return client;
	}
	/** Opens the connection: greeting, then negotiation. */
	async open(target) {
		if (typeof target === "function") {
			this.connector = target;
			target = await target();
		}
		try {
			await this.establish(target);
		} catch (err) {
			this.finish(err);
			throw err;
		}
	}
	get greeting() {
		if (!this.greetingValue) throw new QmpClientError("NOT_CONNECTED", "no greeting received yet");
		return this.greetingValue;
	}
	get oobEnabled() {
		return this.oob;
	}
	get state() {
		return this.stateValue;
	}
	/** Resolves once the client is closed for good. */
	get closed() {
		return this.closedPromise;
	}
	/**
	* Runs a command and resolves to its `return` value; rejects with {@link QmpError} (class,
	* desc, the sent command) when the server answers with an error.
	*/
	async execute(command, args, options = {}) {
		if (options.oob && !this.oob) throw new QmpClientError("OOB_NOT_ENABLED", `cannot send '${command}' out-of-band: OOB was not negotiated`);
		const message = options.oob ? { "exec-oob": command } : { execute: command };
		if (args !== void 0) message.arguments = args;
		return (await this.executeMessage(message, options)).return;
	}
	/**
	* Sends a complete command message and resolves to the whole reply. An `id` is added when
	* missing; error replies reject with {@link QmpError}.
	*/
	async executeMessage(message, options = {}) {
		await this.whenRunning();
		return this.request(message, options);
	}
	async request(message, options = {}) {
		const command = { ...message };
		if (command.id === void 0) command.id = `__qmp#${String(this.nextId++).padStart(5, "0")}`;
		const reply = await this.roundTrip(command, options);
		if (isJsonObject(reply.error)) {
			const err = reply.error;
			throw new QmpError(typeof err.desc === "string" ? err.desc : "", {
				errorClass: typeof err.class === "string" ? err.class : "GenericError",
				command,
				id: command.id
			});
		}
		return reply;
	}
	/** Writes raw bytes (for tools and tests); replies without a known id are dropped. */
	sendRaw(data) {
		if (!this.stream || this.stateValue !== "running") throw new QmpConnectionError("CLOSED", "not connected");
		this.stream.write(typeof data === "string" ? encoder.encode(data) : data);
	}
	/** Creates and registers a listener for `names` (all events when omitted). */
	listen(names, filter, options) {
		return this.addEventListener(new EventListener(names, filter, options));
	}
	/** Registers a listener (python's `register_listener`). */
	addEventListener(listener) {
		this.listeners.add(listener);
		listener.onClose = () => this.listeners.delete(listener);
		if (this.stateValue === "closed") listener.close(this.closeError);
		return listener;
	}
	removeEventListener(listener) {
		this.listeners.delete(listener);
	}
	/** Calls `callback` for each event named `name` (or any event for `"*"`); returns an unsubscribe function. */
	onEvent(name, callback) {
		const names = typeof name === "string" ? name === "*" ? void 0 : [name] : name;
		return this.on("event", (event) => {
			if (!names || names.includes(event.event)) callback(event);
		});
	}
	/**
	* Waits for the next event named `names` that passes `filter`. Register before causing the
	* event (or use a listener) when the event may come quickly.
	*/
	async waitEvent(names, options = {}) {
		const listener = this.listen(names, options.filter, { historySize: 0 });
		try {
			return await listener.get(options);
		} finally {
			listener.close();
		}
	}
	/** Closes the connection. Pending calls fail with `CLOSED`. */
	async close() {
		if (this.stateValue === "closed") return this.closedPromise;
		const stream = this.stream;
		this.detach?.();
		this.detach = void 0;
		this.stream = void 0;
		this.finish(new QmpConnectionError("CLOSED", "client closed"));
		if (stream) await new Promise((resolve) => {
			let done = false;
			const end = () => {
				if (!done) {
					done = true;
					resolve();
				}
			};
			stream.on("close", end);
			stream.end();
			setTimeout(() => {
				stream.destroy();
				end();
			}, 1e3).unref?.();
		});
		return this.closedPromise;
	}
	setState(state) {
		if (this.stateValue === state) return;
		this.stateValue = state;
		this.emit("state", state);
	}
	whenRunning() {
		if (this.stateValue === "running") return Promise.resolve();
		if (this.stateValue === "closed") return Promise.reject(this.closeError ?? new QmpConnectionError("CLOSED", "client closed"));
		return new Promise((resolve, reject) => this.readyWaiters.push({
			resolve,
			reject
		}));
	}
	roundTrip(command, options) {
		const stream = this.stream;
		const id = command.id;
		const key = id === void 0 ? void 0 : typeof id === "string" ? id : formatJson(id);
		if (key !== void 0 && this.pending.has(key)) return Promise.reject(new QmpClientError("DUPLICATE_ID", `id ${key} is already in use`));
		return new Promise((resolve, reject) => {
			let timer;
			const timeoutMs = options.timeoutMs ?? this.options.commandTimeoutMs;
			const entry = {
				command,
				resolve: (reply) => {
					cleanup();
					resolve(reply);
				},
				reject: (err) => {
					cleanup();
					reject(err);
				}
			};
			const cleanup = () => {
				if (timer) clearTimeout(timer);
				options.signal?.removeEventListener("abort", onAbort);
				if (key !== void 0) {
					if (this.pending.get(key) === entry) this.pending.delete(key);
				} else {
					const i = this.idless.indexOf(entry);
					if (i >= 0) this.idless.splice(i, 1);
				}
			};
			const onAbort = () => entry.reject(options.signal?.reason instanceof Error ? options.signal.reason : /* @__PURE__ */ new Error("aborted"));
			if (options.signal?.aborted) return onAbort();
			options.signal?.addEventListener("abort", onAbort, { once: true });
			if (timeoutMs !== void 0) timer = setTimeout(() => entry.reject(new QmpConnectionError("TIMEOUT", `no reply to ${describe(command)} within ${timeoutMs} ms`)), timeoutMs);
			if (key !== void 0) this.pending.set(key, entry);
			else this.idless.push(entry);
			const bytes = encoder.encode(formatJson(command) + "\n");
			if (options.fd === void 0) stream.write(bytes);
			else if (!stream.writeWithFd) entry.reject(new QmpClientError("FD_PASSING_UNAVAILABLE", `cannot send a file descriptor with ${describe(command)} over this connection`));
			else stream.writeWithFd(bytes, options.fd).catch((err) => entry.reject(err));
		});
	}
	async establish(stream) {
		this.attach(stream);
		const greeting = await this.readGreeting();
		this.greetingValue = greeting;
		this.oob = false;
		if (this.options.negotiate !== false) {
			const offered = greeting.capabilities.includes("oob");
			if (this.options.oob === true && !offered) throw new QmpNegotiationError("the server does not offer the 'oob' capability");
			const enable = offered && this.options.oob !== false;
			try {
				await this.request(enable ? {
					execute: "qmp_capabilities",
					arguments: { enable: ["oob"] }
				} : { execute: "qmp_capabilities" });
			} catch (err) {
				throw new QmpNegotiationError(`capabilities negotiation failed: ${err.message}`, { cause: err });
			}
			this.oob = enable;
		}
		this.setState("running");
		for (const waiter of this.readyWaiters.splice(0)) waiter.resolve();
	}
	readGreeting() {
		return new Promise((resolve, reject) => {
			let timer;
			const fail = (err) => {
				if (timer) clearTimeout(timer);
				this.greetingWaiter = void 0;
				this.failGreeting = void 0;
				reject(err);
			};
			this.failGreeting = fail;
			if (this.options.greetingTimeoutMs !== void 0) timer = setTimeout(() => fail(new QmpGreetingError(`no greeting within ${this.options.greetingTimeoutMs} ms`)), this.options.greetingTimeoutMs);
			this.greetingWaiter = (value) => {
				if (timer) clearTimeout(timer);
				this.greetingWaiter = void 0;
				this.failGreeting = void 0;
				const greeting = parseGreeting(value);
				if (greeting) resolve(greeting);
				else reject(new QmpGreetingError(`expected a QMP greeting, got ${formatJson(value).slice(0, 200)}`));
			};
		});
	}
	attach(stream) {
		this.stream = stream;
		const reader = new JsonMessageStream((m) => {
			if ("error" in m) this.protocolFailure(new QmpProtocolError(`unreadable message from the server: ${m.error.message}`, { cause: m.error }));
			else this.receive(m.value);
		}, {
			maxMessageBytes: 0xa00000,
			...this.options.limits
		});
		const onData = (chunk) => {
			reader.feed(chunk);
		};
		const onGone = (err) => this.connectionLost(stream, err instanceof Error ? err : void 0);
		const onEnd = () => onGone();
		stream.on("data", onData);
		stream.on("close", onEnd);
		stream.on("end", onEnd);
		stream.on("error", onGone);
		stream.resume();
		this.detach = () => {
			stream.removeListener("data", onData);
			stream.removeListener("close", onEnd);
			stream.removeListener("end", onEnd);
			stream.removeListener("error", onGone);
		};
	}
	receive(value) {
		if (this.greetingWaiter) {
			this.greetingWaiter(value);
			return;
		}
		if (!isJsonObject(value)) {
			this.protocolFailure(new QmpProtocolError(`the server sent a non-object: ${formatJson(value).slice(0, 200)}`));
			return;
		}
		if (typeof value.event === "string") {
			const event = value;
			for (const listener of [...this.listeners]) listener.deliver(event);
			this.emit("event", event);
			return;
		}
		if (!("return" in value) && !("error" in value)) {
			this.protocolFailure(new QmpProtocolError(`unexpected message from the server: ${formatJson(value).slice(0, 200)}`));
			return;
		}
		if (value.id === void 0) {
			const waiter = this.idless.shift();
			if (waiter) waiter.resolve(value);
			else if ("error" in value) {
				const desc = isJsonObject(value.error) ? String(value.error.desc) : "";
				this.protocolFailure(new QmpProtocolError(`the server could not parse our input: ${desc}`));
			} else this.emit("unexpected", value);
			return;
		}
		const key = typeof value.id === "string" ? value.id : formatJson(value.id);
		const waiter = this.pending.get(key);
		if (waiter) waiter.resolve(value);
		else this.emit("unexpected", value);
	}
	protocolFailure(err) {
		if (this.failGreeting) {
			this.failGreeting(err);
			return;
		}
		const stream = this.stream;
		stream?.destroy();
		if (stream) this.connectionLost(stream, err);
	}
	connectionLost(stream, err) {
		if (stream !== this.stream || this.stateValue === "closed") return;
		this.detach?.();
		this.detach = void 0;
		this.stream = void 0;
		const lost = new QmpConnectionError("DISCONNECTED", err ? `connection lost: ${err.message}` : "connection closed by the server", { cause: err });
		if (this.failGreeting) this.failGreeting(new QmpGreetingError(`connection closed before the greeting${err ? `: ${err.message}` : ""}`, { cause: err }));
		this.failPending((p) => new QmpConnectionError("DISCONNECTED", `connection closed while waiting for the reply to ${describe(p.command)}`, { cause: err }));
		this.emit("disconnect", err);
		const retry = this.options.reconnect;
		if (retry && this.connector && this.stateValue === "running") this.reconnect(retry.retries, retry.delayMs ?? 2e3, lost);
		else if (this.stateValue !== "connecting") this.finish(lost);
	}
	async reconnect(retries, delayMs, lastError) {
		this.setState("reconnecting");
		for (let attempt = 0; attempt < retries; attempt++) {
			await new Promise((resolve) => setTimeout(resolve, delayMs));
			if (this.stateValue !== "reconnecting") return;
			try {
				const stream = await this.connector();
				this.setState("connecting");
				await this.establish(stream);
				this.emit("reconnect");
				return;
			} catch (err) {
				this.detach?.();
				this.stream?.destroy();
				this.stream = void 0;
				lastError = err;
				if (this.stateValue === "closed") return;
				this.setState("reconnecting");
			}
		}
		this.finish(new QmpConnectionError("DISCONNECTED", `reconnecting failed after ${retries} attempts: ${lastError.message}`, { cause: lastError }));
	}
	failPending(errorFor) {
		const all = [...this.pending.values(), ...this.idless];
		this.pending.clear();
		this.idless.length = 0;
		for (const p of all) p.reject(errorFor(p));
	}
	/** Ends the client for good. */
	finish(err) {
		if (this.stateValue === "closed") return;
		this.closeError = err;
		this.setState("closed");
		this.detach?.();
		this.detach = void 0;
		this.stream?.destroy();
		this.stream = void 0;
		this.failPending(() => err);
		for (const waiter of this.readyWaiters.splice(0)) waiter.reject(err);
		for (const listener of [...this.listeners]) listener.close(err);
		this.resolveClosed();
	}
};
function parseGreeting(value) {
	if (!isJsonObject(value) || !isJsonObject(value.QMP)) return void 0;
	const qmp = value.QMP;
	if (!isJsonObject(qmp.version) || !Array.isArray(qmp.capabilities)) return void 0;
	const qemu = isJsonObject(qmp.version.qemu) ? qmp.version.qemu : {};
	const num = (v) => typeof v === "number" ? v : Number(v ?? 0);
	return {
		version: {
			qemu: {
				major: num(qemu.major),
				minor: num(qemu.minor),
				micro: num(qemu.micro)
			},
			package: typeof qmp.version.package === "string" ? qmp.version.package : ""
		},
		capabilities: qmp.capabilities.filter((c) => typeof c === "string")
	};
}
// ../../work/main/packages/qmp/dist/hmp-text-client.js
/**
* A client for the human monitor's text protocol (`-monitor unix:…,server=on`). QEMU echoes
* every typed character with cursor-movement redraws, so the reply to `cmd\r` starts with
* echo "junk" (libvirt's word). The client replays that echo as a terminal would and checks it
* spells the command, then takes the text up to the next `(qemu) ` prompt as the output.
*/
const PROMPT = "(qemu) ";
/** The line a terminal would show after `text` (cursor moves, erase-to-end, overwrite). */
function renderTerminalLine(text) {
	let line = "";
	let cursor = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (c === "\x1B" && text[i + 1] === "[") {
			let j = i + 2;
			while (j < text.length && /[0-9;]/.test(text[j])) j++;
			const n = Number(text.slice(i + 2, j)) || 1;
			switch (text[j]) {
				case "D":
					cursor = Math.max(0, cursor - n);
					break;
				case "C":
					cursor = Math.min(line.length, cursor + n);
					break;
				case "K": line = line.slice(0, cursor);
			}
			i = j;
			continue;
		}
		if (c === "\r") {
			cursor = 0;
			continue;
		}
		line = line.slice(0, cursor) + c + line.slice(cursor + 1);
		cursor++;
	}
	return line;
}
var HmpTextClient = class HmpTextClient {
	stream;
	text = "";
	decoder = new TextDecoder();
	queue = [];
	current;
	timer;
	closed = false;
	bannerValue = "";
	onBanner;
	onBannerFail;
	constructor(stream) {
		this.stream = stream;
		stream.on("data", (chunk) => {
			this.text += this.decoder.decode(chunk, { stream: true });
			this.check();
		});
		const gone = () => this.lost();
		stream.on("close", gone);
		stream.on("end", gone);
		stream.on("error", gone);
	}
	/** Waits for the banner and first prompt. */
	static async connect(stream, options = {}) {
		const client = new HmpTextClient(stream);
		await new Promise((resolve, reject) => {
			const timer = options.bannerTimeoutMs === void 0 ? void 0 : setTimeout(() => reject(new QmpGreetingError(`no monitor banner within ${options.bannerTimeoutMs} ms`)), options.bannerTimeoutMs);
			client.onBanner = (banner) => {
				if (timer) clearTimeout(timer);
				client.bannerValue = banner;
				resolve();
			};
			client.onBannerFail = (err) => {
				if (timer) clearTimeout(timer);
				reject(err);
			};
			client.check();
		});
		return client;
	}
	/** The banner line, e.g. `QEMU 7.2.22 monitor - type 'help' for more information`. */
	get banner() {
		return this.bannerValue;
	}
	/** Runs one command; resolves to its output with "\n" line ends. */
	run(command, options = {}) {
		if (/[\x00-\x1f\x7f]/.test(command)) return Promise.reject(/* @__PURE__ */ new TypeError("an HMP command line cannot contain control characters"));
		if (this.closed) return Promise.reject(new QmpConnectionError("CLOSED", "monitor connection is closed"));
		return new Promise((resolve, reject) => {
			this.queue.push({
				command,
				options,
				resolve,
				reject
			});
			this.next();
		});
	}
	close() {
		if (this.closed) return;
		this.stream.end();
		this.lost();
	}
	next() {
		if (this.current || this.closed) return;
		const job = this.queue.shift();
		if (!job) return;
		this.current = job;
		this.text = "";
		if (job.options.timeoutMs !== void 0) this.timer = setTimeout(() => {
			this.current = void 0;
			job.reject(new QmpConnectionError("TIMEOUT", `no reply to '${job.command}' within ${job.options.timeoutMs} ms`));
			this.close();
		}, job.options.timeoutMs);
		this.stream.write(new TextEncoder().encode(`${job.command}\r`));
	}
	check() {
		if (this.onBanner) {
			if (!this.text.endsWith(PROMPT)) return;
			const banner = this.text.slice(0, -7).replace(/\r?\n$/, "");
			this.text = "";
			const done = this.onBanner;
			this.onBanner = void 0;
			this.onBannerFail = void 0;
			done(banner);
			return;
		}
		const job = this.current;
		if (!job || !this.text.endsWith(`\n${PROMPT}`)) return;
		this.finish(job, this.extract(job.command, this.text.slice(0, -7)));
	}
	extract(command, body) {
		const firstBreak = body.indexOf("\r\n");
		if (firstBreak < 0) return body;
		const echo = body.slice(0, firstBreak);
		return (renderTerminalLine(echo).trimEnd() === command.trimEnd() || echo === "" ? body.slice(firstBreak + 2) : body).replace(/\r\n/g, "\n");
	}
	finish(job, output) {
		if (this.timer) clearTimeout(this.timer);
		this.timer = void 0;
		this.current = void 0;
		this.text = "";
		const error = job.options.throwOnError ? hmpErrorIn(output) : void 0;
		if (error !== void 0) job.reject(new HmpError(error, output, job.command));
		else job.resolve(output);
		this.next();
	}
	lost() {
		if (this.closed) return;
		this.closed = true;
		if (this.timer) clearTimeout(this.timer);
		this.onBannerFail?.(new QmpGreetingError("monitor closed before its banner"));
		const job = this.current;
		this.current = void 0;
		if (job) {
			if (/^\s*(quit|q)\s*$/.test(job.command)) job.resolve("");
			else job.reject(new QmpConnectionError("DISCONNECTED", `monitor closed while running '${job.command}'`));
		}
		for (const queued of this.queue.splice(0)) queued.reject(new QmpConnectionError("DISCONNECTED", "monitor connection closed"));
	}
};
// ../../work/main/packages/qmp/dist/fd-passing.js
/**
* Sending a descriptor with SCM_RIGHTS (what `getfd` and `add-fd` need). Node's `net` module
* cannot attach ancillary data to a write, so a short-lived python3 process inherits both the
* connected unix socket and the descriptor and does the one `sendmsg`; the reply still arrives
* on our side of the socket. Without python3 (3.9+, for `socket.send_fds`) fd passing is
* reported unavailable and callers fall back to another channel.
*/
const HELPER = [
	"import socket, sys",
	"data = sys.stdin.buffer.read()",
	"s = socket.socket(fileno=3)",
	"sent = socket.send_fds(s, [data], [4])",
	"if sent < len(data): s.sendall(data[sent:])"
].join("\n");
const PYTHON = process.env.SAVEVM_PYTHON ?? "python3";
let available;
/** Whether this host can send descriptors over unix sockets (python3 with `socket.send_fds`). */
function fdPassingAvailable() {
	available ??= new Promise((resolve) => {
		const child = spawn(PYTHON, ["-c", "import socket; socket.send_fds"], { stdio: "ignore" });
		child.once("error", () => resolve(false));
		child.once("close", (code) => resolve(code === 0));
	});
	return available;
}
function drained(socket) {
	if (socket.writableLength === 0) return Promise.resolve();
	return new Promise((resolve) => socket.once("drain", () => resolve()));
}
/**
* Writes `bytes` to a connected unix socket with `fd` attached (SCM_RIGHTS), after everything
* written before has left. The descriptor stays open on our side.
*/
async function writeWithFd(socket, bytes, fd) {
	if (!await fdPassingAvailable()) throw new QmpClientError("FD_PASSING_UNAVAILABLE", `sending a file descriptor needs ${PYTHON} 3.9 or newer, which was not found`);
	const socketFd = socket._handle?.fd;
	if (typeof socketFd !== "number" || socketFd < 0) throw new QmpClientError("FD_PASSING_UNAVAILABLE", "this connection has no socket descriptor to send a file descriptor over");
	await drained(socket);
	await new Promise((resolve, reject) => {
		const child = spawn(PYTHON, ["-c", HELPER], { stdio: [
			"pipe",
			"ignore",
			"pipe",
			socketFd,
			fd
		] });
		let stderr = "";
		child.stderr.setEncoding("utf8").on("data", (text) => stderr += text.slice(0, 2e3));
		child.once("error", (err) => reject(new QmpClientError("FD_PASSING_FAILED", `cannot run ${PYTHON}: ${err.message}`, { cause: err })));
		child.once("close", (code) => {
			if (code === 0) resolve();
			else reject(new QmpClientError("FD_PASSING_FAILED", `sending the file descriptor failed: ${stderr.trim() || `exit status ${code}`}`));
		});
		child.stdin.end(bytes);
	});
}
// ../../work/main/packages/qmp/dist/transports.js
function toAddress(address) {
	return typeof address === "string" ? parseAddress(address) : address;
}
function removeStaleSocket(path) {
	try {
		if (lstatSync(path).isSocket()) unlinkSync(path);
	} catch {}
}
/** A unix socket path is held by a live server: binding there would steal its future clients. */
var AddressInUseError = class extends Error {
	path;
	code = "ADDRESS_IN_USE";
	constructor(path) {
		super(`Failed to bind socket to ${path}: Address already in use (a running process accepts connections on it)`);
		this.path = path;
		this.name = "AddressInUseError";
	}
};
function statOrUndefined(path) {
	try {
		return lstatSync(path);
	} catch {
		return;
	}
}
/**
* Makes `path` free for a new unix socket: a socket file nobody accepts on (left by a process
* that died) is removed; one a live process accepts on is refused with {@link AddressInUseError}.
*/
async function claimSocketPath(path, timeoutMs = 2e3) {
	if (!statOrUndefined(path)?.isSocket()) return;
	if (await new Promise((resolve) => {
		const socket = net.connect(path);
		const done = (result) => {
			clearTimeout(timer);
			socket.destroy();
			resolve(result);
		};
		const timer = setTimeout(() => done(true), timeoutMs);
		socket.once("connect", () => done(true));
		socket.once("error", (err) => done(err.code !== "ECONNREFUSED" && err.code !== "ENOENT"));
	})) throw new AddressInUseError(path);
	removeStaleSocket(path);
}
/**
* libuv reports a unix socket path whose directory is missing as EACCES (as Windows would); say
* ENOENT, which is what bind(2) said.
*/
function unixListenError(err, path) {
	if (err?.code !== "EACCES" || statOrUndefined(dirname(path))) return err;
	return Object.assign(new Error(`listen ENOENT: no such file or directory ${path}`, { cause: err }), {
		code: "ENOENT",
		errno: -2,
		syscall: "listen",
		path
	});
}
/** Calls `onConnection` for each client connecting to `address` (not for `stdio`). */
async function listenStreams(address, onConnection, options = {}) {
	const where = toAddress(address);
	const server = net.createServer({ allowHalfOpen: true }, onConnection);
	const failed = new Promise((_, reject) => server.once("error", reject));
	let bound;
	switch (where.kind) {
		case "unix": {
			await claimSocketPath(where.path);
			let restore;
			try {
				restore = process.umask(127);
			} catch {
				restore = void 0;
			}
			try {
				server.listen(where.path);
			} finally {
				if (restore !== void 0) process.umask(restore);
			}
			await Promise.race([new Promise((resolve) => server.once("listening", resolve)), failed]).catch((err) => {
				throw unixListenError(err, where.path);
			});
			chmodSync(where.path, 384);
			bound = where;
			break;
		}
		case "tcp": {
			const host = where.host || options.defaultHost || "127.0.0.1";
			server.listen(where.port, host);
			await Promise.race([new Promise((resolve) => server.once("listening", resolve)), failed]);
			bound = {
				kind: "tcp",
				host,
				port: server.address().port
			};
			break;
		}
		case "fd":
			server.listen({ fd: where.fd });
			await Promise.race([new Promise((resolve) => server.once("listening", resolve)), failed]);
			bound = where;
			break;
		case "stdio": throw new AddressError("stdio cannot accept connections; use serveStdio", "stdio");
	}
	return {
		address: bound,
		close: async () => {
			server.close();
			if (bound.kind === "unix" && !options.keepSocketFile) removeStaleSocket(bound.path);
		}
	};
}
const CONNECT_ERRORS = {
	ENOENT: "No such file or directory",
	ECONNREFUSED: "Connection refused",
	EACCES: "Permission denied",
	ENOTSOCK: "Socket operation on non-socket",
	ETIMEDOUT: "Connection timed out",
	EHOSTUNREACH: "No route to host"
};
/** Why a connect failed, as the C library says it (Node's text repeats the address). */
function connectFailure(err) {
	return (err.code && CONNECT_ERRORS[err.code]) ?? err.message;
}
/** Connects to a monitor address (`unix:`, `tcp:`, `fd:`). */
async function connectStream(address, options = {}) {
	const where = toAddress(address);
	if (where.kind === "stdio") throw new AddressError("cannot connect to stdio", "stdio");
	if (where.kind === "fd") return new net.Socket({
		fd: where.fd,
		readable: true,
		writable: true
	});
	const socket = where.kind === "unix" ? net.connect(where.path) : net.connect(where.port, where.host || "127.0.0.1");
	return new Promise((resolve, reject) => {
		const timer = options.timeoutMs === void 0 ? void 0 : setTimeout(() => {
			socket.destroy();
			reject(new QmpConnectionError("TIMEOUT", `connecting to ${formatAddress(where)} timed out`));
		}, options.timeoutMs);
		socket.once("connect", () => {
			if (timer) clearTimeout(timer);
			socket.removeAllListeners("error");
			if (where.kind === "unix") Object.assign(socket, { writeWithFd: (chunk, fd) => writeWithFd(socket, chunk, fd) });
			resolve(socket);
		});
		socket.once("error", (err) => {
			if (timer) clearTimeout(timer);
			reject(new QmpConnectionError("CONNECT_FAILED", `cannot connect to ${formatAddress(where)}: ${connectFailure(err)}`, { cause: err }));
		});
	});
}
/**
* Listens on `address` for exactly one connection (QEMU started with `-qmp unix:PATH` connects
* out to us), then stops listening.
*/
async function acceptStream(address, options = {}) {
	let accept;
	const accepted = new Promise((resolve) => accept = resolve);
	let first = true;
	const listener = await listenStreams(address, (socket) => {
		if (first) {
			first = false;
			accept(socket);
		} else socket.destroy();
	}, {
		...options,
		keepSocketFile: false
	});
	options.onListening?.(listener.address);
	try {
		if (options.timeoutMs === void 0) return await accepted;
		let timer;
		const timeout = new Promise((_, reject) => {
			timer = setTimeout(() => reject(new QmpConnectionError("TIMEOUT", `nobody connected to ${formatAddress(listener.address)}`)), options.timeoutMs);
		});
		try {
			return await Promise.race([accepted, timeout]);
		} finally {
			clearTimeout(timer);
		}
	} finally {
		await listener.close();
	}
}
/** A {@link ByteStream} made of a readable and a writable (stdin/stdout by default). */
function stdioStream(input = process.stdin, output = process.stdout) {
	const routes = (event) => {
		switch (event) {
			case "data":
			case "end": return [input];
			case "drain": return [output];
			case "close": return [input];
			default: return [input, output];
		}
	};
	return {
		write: (chunk) => output.write(chunk),
		end: () => output.end(),
		destroy: (error) => {
			input.destroy(error);
			if (output !== process.stdout && output !== process.stderr) output.destroy(error);
		},
		pause: () => input.pause(),
		resume: () => input.resume(),
		on(event, listener) {
			for (const s of routes(event)) s.on(event, listener);
			return this;
		},
		removeListener(event, listener) {
			for (const s of routes(event)) s.removeListener(event, listener);
			return this;
		},
		get writableLength() {
			return output.writableLength;
		}
	};
}
/** Closes a descriptor number, for {@link FdTable.closeFd}. */
function closeDescriptor(fd) {
	try {
		closeSync(fd);
	} catch {}
}
// ../../work/main/packages/qmp/dist/node.js
/**
* Node-only entry point (`@savevm/qmp/node`): sockets, stdio, and clients that take addresses.
*/
/**
* Serves `server` on `address`: `unix:PATH` (socket file mode 0600), `tcp:HOST:PORT`
* (127.0.0.1 when HOST is empty), `fd:N` (an inherited listening socket) or `stdio`.
*/
async function listenQmp(server, address, options = {}) {
	server.fds.closeFd ??= closeDescriptor;
	const where = typeof address === "string" ? parseAddress(address) : address;
	if (where.kind === "stdio") {
		const session = server.attach(stdioStream());
		return {
			address: where,
			close: async () => session.close("listener closed")
		};
	}
	return listenStreams(where, (socket) => server.attach(socket), options);
}
function isAddress(target) {
	return typeof target === "object" && target !== null && "kind" in target && !("write" in target);
}
/**
* The QMP client with addresses: `QmpClient.connect("unix:/run/vm.qmp")`,
* `QmpClient.connect("tcp:127.0.0.1:4444")`, or any stream. With an address the client can
* reconnect (option `reconnect`).
*/
var QmpClient = class QmpClient extends QmpClient$1 {
	static connect(target, options = {}) {
		const opened = typeof target === "string" || isAddress(target) ? () => connectStream(target, { timeoutMs: options.connectTimeoutMs }) : target;
		return QmpClient$1.connect.call(this, opened, options);
	}
	/**
	* Listens on `address` and waits for QEMU to connect out (`-qmp unix:PATH` without
	* `server=on`), then talks QMP over that connection.
	*/
	static async accept(address, options = {}) {
		const acceptOptions = {};
		if (options.acceptTimeoutMs !== void 0) acceptOptions.timeoutMs = options.acceptTimeoutMs;
		if (options.onListening) acceptOptions.onListening = options.onListening;
		const stream = await acceptStream(address, acceptOptions);
		return QmpClient.connect(stream, options);
	}
};
/** Serves an HMP server on `address` (see {@link listenQmp} for the forms). */
async function listenHmp(server, address, options = {}) {
	const where = typeof address === "string" ? parseAddress(address) : address;
	if (where.kind === "stdio") {
		const session = server.attach(stdioStream());
		return {
			address: where,
			close: async () => session.close()
		};
	}
	return listenStreams(where, (socket) => server.attach(socket), options);
}
/** Connects to a human monitor (`-monitor unix:PATH,server=on,wait=off`) and waits for its prompt. */
async function connectHmp(address, options = {}) {
	const stream = await connectStream(address, { timeoutMs: options.connectTimeoutMs });
	try {
		return await HmpTextClient.connect(stream, { bannerTimeoutMs: options.bannerTimeoutMs });
	} catch (err) {
		stream.destroy();
		throw err;
	}
}
export { hmpErrorIn as C, parseAddress as D, formatAddress as E, QmpProtocolError as S, Emitter as T, isJsonObject as _, claimSocketPath as a, QmpError as b, formatQemuJson as c, JsonMessageStream as d, JsonParseError as f, hasMember as g, UINT64_MAX as h, listenQmp as i, GHashTableModel as l, INT64_MIN as m, connectHmp as n, unixListenError as o, INT64_MAX as p, listenHmp as r, formatJson as s, QmpClient as t, qdictOrder as u, setMember as v, toQmpError as w, QmpGreetingError as x, HmpError as y };
