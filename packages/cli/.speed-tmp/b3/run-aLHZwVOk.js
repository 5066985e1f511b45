import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { a as parseSize, i as parseGuestOptions, o as MachineError, r as defaultGuestOptions, s as errorMessage } from "./workload-CSMEcy3k.js";
import { randomBytes, randomUUID } from "node:crypto";
import { E as formatAddress, T as Emitter, _ as isJsonObject, a as claimSocketPath, b as QmpError, c as formatQemuJson, d as JsonMessageStream, g as hasMember, h as UINT64_MAX, i as listenQmp, l as GHashTableModel, m as INT64_MIN, o as unixListenError, p as INT64_MAX, r as listenHmp, u as qdictOrder, v as setMember, w as toQmpError } from "./node-CPBu-Ad8.js";
import { c as MIGRATION_MODES, d as TARGET_PAGE_SIZE, i as writeAll, l as isParameterName, n as FileOutputChannel, o as Machine, r as openFileInput, s as MIGRATION_CAPABILITIES, t as nodeBackends, u as defer } from "./node-backends-DUjNwils.js";
import { mkdir, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { chmodSync, close, closeSync, createReadStream, fstatSync, writev } from "node:fs";
import { spawn } from "node:child_process";
import { Socket, createConnection, createServer } from "node:net";
import { promisify } from "node:util";
import { o as startsWithMultifdMagic } from "./dist-rueI_kuv.js";
import { constants as constants$1, createDeflate, createInflate } from "node:zlib";
import { Worker } from "node:worker_threads";
import { t as peekStream } from "./peek-stream-CerhBr8l.js";
import { _ as sniffLibvirtSaveImage } from "./write-B0lfrLmS.js";
import { t as readSaveImage } from "./node-Bx-lGBjw.js";
import { t as MachineRegistry } from "./machine-registry-QkcVjJSj.js";
import { t as spawnMachine } from "./spawn-machine-55ujPUY8.js";
import { n as UsageError } from "./cli-error-a_dr6oY-.js";
// ../../work/main/packages/qmp/dist/byte-stream.js
/**
* The unread rest of `held` (from `pos`) followed by `chunk`. A stream may deliver a chunk it
* had already read before it saw `pause()`, so a reader that stopped mid-chunk joins them.
*/
function joinRemainder(held, pos, chunk) {
	if (!held || pos >= held.length) return chunk;
	const joined = new Uint8Array(held.length - pos + chunk.length);
	joined.set(held.subarray(pos));
	joined.set(chunk, held.length - pos);
	return joined;
}
// ../../work/main/packages/qmp/dist/fd-table.js
/**
* Named file descriptors, as QEMU keeps them for `getfd` and `migrate fd:NAME`. The table only
* holds numbers; closing is left to `closeFd` (the Node entry point installs `fs.closeSync`),
* so the table itself runs anywhere.
*/
var FdTable = class {
	named = /* @__PURE__ */ new Map();
	/** Closes a descriptor; unset (nothing is closed) until a platform sets it. */
	closeFd;
	constructor(closeFd) {
		this.closeFd = closeFd;
	}
	/** Stores `fd` under `name`, closing the descriptor it replaces. */
	set(name, fd) {
		const old = this.named.get(name);
		if (old !== void 0 && old !== fd) this.closeFd?.(old);
		this.named.set(name, fd);
	}
	/** Removes and returns the descriptor (the caller now owns it), as `migrate fd:NAME` does. */
	take(name) {
		const fd = this.named.get(name);
		this.named.delete(name);
		return fd;
	}
	/** Closes and forgets `name`; false when there is no such name. */
	close(name) {
		const fd = this.named.get(name);
		if (fd === void 0) return false;
		this.named.delete(name);
		this.closeFd?.(fd);
		return true;
	}
	/** Closes a descriptor that was received but not kept. */
	release(fd) {
		this.closeFd?.(fd);
	}
	names() {
		return [...this.named.keys()];
	}
};
// ../../work/main/packages/qmp/dist/hmp-args.js
/**
* HMP argument parsing driven by QEMU's `args_type` notation, e.g. `"detach:-d,uri:s"`:
* `s` a word or "quoted string", `S` the rest of the line, `F` a file name (a word),
* `i`/`l` an integer, `b` on|off, `-x` a flag. A trailing `?` makes an argument optional.
* Error texts are QEMU's.
*/
/** A parse failure; `message` is QEMU's line (the "Try help" hint is added by the caller). */
var HmpArgumentError = class extends Error {
	code = "HMP_ARGUMENT";
};
const specCache = /* @__PURE__ */ new Map();
function parseArgsType(argsType) {
	const cached = specCache.get(argsType);
	if (cached) return cached;
	const specs = [];
	for (const entry of argsType.split(",").filter((e) => e.length > 0)) {
		const colon = entry.indexOf(":");
		if (colon <= 0) throw new Error(`bad HMP argument spec '${entry}'`);
		const name = entry.slice(0, colon);
		let type = entry.slice(colon + 1);
		const optional = type.endsWith("?");
		if (optional) type = type.slice(0, -1);
		if (type.startsWith("-") && type.length === 2) specs.push({
			name,
			type: "flag",
			optional: true,
			flag: type[1]
		});
		else if ([
			"s",
			"S",
			"F",
			"i",
			"l",
			"b"
		].includes(type)) specs.push({
			name,
			type,
			optional
		});
		else throw new Error(`unsupported HMP argument type '${type}' in '${entry}'`);
	}
	specCache.set(argsType, specs);
	return specs;
}
const isSpace = (c) => c === " " || c === "	" || c === "\n" || c === "\r";
var Cursor = class {
	text;
	pos = 0;
	constructor(text) {
		this.text = text;
	}
	skipSpaces() {
		while (isSpace(this.text[this.pos])) this.pos++;
	}
	get rest() {
		return this.text.slice(this.pos);
	}
	get done() {
		return this.pos >= this.text.length;
	}
};
function readString(cur) {
	cur.skipSpaces();
	if (cur.done) return void 0;
	const text = cur.text;
	if (text[cur.pos] === "\"") {
		cur.pos++;
		let out = "";
		while (cur.pos < text.length && text[cur.pos] !== "\"") {
			let c = text[cur.pos];
			if (c === "\\") {
				cur.pos++;
				const e = text[cur.pos];
				if (e === "n") c = "\n";
				else if (e === "r") c = "\r";
				else if (e === "\\" || e === "'" || e === "\"") c = e;
				else throw new HmpArgumentError(`unsupported escape code: '\\${e ?? ""}'`);
			}
			out += c;
			cur.pos++;
		}
		if (text[cur.pos] !== "\"") throw new HmpArgumentError("unterminated string");
		cur.pos++;
		return out;
	}
	const start = cur.pos;
	while (cur.pos < text.length && !isSpace(text[cur.pos])) cur.pos++;
	return text.slice(start, cur.pos);
}
function readInteger(cur) {
	cur.skipSpaces();
	const m = /^[+-]?(0x[0-9a-fA-F]+|[0-9]+)/.exec(cur.rest);
	if (!m) {
		if (cur.done) throw new HmpArgumentError("unexpected end of expression");
		throw new HmpArgumentError(`invalid char '${cur.text[cur.pos]}' in expression`);
	}
	const next = cur.text[cur.pos + m[0].length];
	if (next !== void 0 && !isSpace(next)) throw new HmpArgumentError(`invalid char '${next}' in expression`);
	cur.pos += m[0].length;
	const negative = m[0].startsWith("-");
	const digits = m[0].replace(/^[+-]/, "");
	const value = BigInt(digits);
	return negative ? -value : value;
}
/** Parses `line` (what follows the command name) for the command `commandName`. */
function parseHmpArgs(commandName, argsType, line) {
	const specs = parseArgsType(argsType);
	const flags = new Set(specs.filter((s) => s.type === "flag").map((s) => s.flag));
	const cur = new Cursor(line);
	const args = {};
	for (const spec of specs) switch (spec.type) {
		case "flag":
			cur.skipSpaces();
			if (cur.text[cur.pos] === "-" && cur.pos + 1 < cur.text.length) {
				const letter = cur.text[cur.pos + 1];
				if (letter === spec.flag) {
					cur.pos += 2;
					args[spec.name] = true;
					break;
				}
				if (!flags.has(letter)) throw new HmpArgumentError(`${commandName}: unsupported option -${letter}`);
			}
			args[spec.name] = false;
			break;
		case "s":
		case "F": {
			const value = readString(cur);
			if (value === void 0) {
				if (!spec.optional) throw new HmpArgumentError(`${commandName}: ${spec.type === "F" ? "filename" : "string"} expected`);
				break;
			}
			args[spec.name] = value;
			break;
		}
		case "S":
			cur.skipSpaces();
			if (cur.done) {
				if (!spec.optional) throw new HmpArgumentError(`${commandName}: string expected`);
				break;
			}
			args[spec.name] = cur.rest.replace(/\s+$/, "");
			cur.pos = cur.text.length;
			break;
		case "i":
		case "l": {
			cur.skipSpaces();
			if (cur.done && spec.optional) break;
			const value = readInteger(cur);
			args[spec.name] = value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
			break;
		}
		case "b": {
			const value = readString(cur);
			if (value === void 0) {
				if (!spec.optional) throw new HmpArgumentError("Expected 'on' or 'off'");
				break;
			}
			if (value !== "on" && value !== "off") throw new HmpArgumentError("Expected 'on' or 'off'");
			args[spec.name] = value === "on";
			break;
		}
	}
	cur.skipSpaces();
	if (!cur.done) throw new HmpArgumentError(`${commandName}: extraneous characters at the end of line`);
	return args;
}
// ../../work/main/packages/qmp/dist/hmp-line-editor.js
/**
* The monitor's line editor, behaving like QEMU's readline on a socket: every byte redraws the
* line (`ESC[D` back to the start, the line, `ESC[K`), `\r` or `\n` ends it, arrows move and
* recall history, TAB completes. Text is kept as byte strings (one char per byte).
*/
const NORMAL = 0;
const ESC = 1;
const CSI = 2;
const SS3 = 3;
var LineEditor = class {
	out;
	prompt;
	options;
	history = [];
	line = "";
	cursor = 0;
	drawn = "";
	drawnCursor = 0;
	mode = NORMAL;
	csiParam = "";
	historyIndex = -1;
	echo;
	maxLength;
	historySize;
	constructor(out, prompt, options = {}) {
		this.out = out;
		this.prompt = prompt;
		this.options = options;
		this.echo = options.echo !== false;
		this.maxLength = options.maxLength ?? 4095;
		this.historySize = options.historySize ?? 64;
	}
	/** Prints the prompt; the next redraw starts from column 0 after it. */
	showPrompt() {
		this.out(this.prompt);
		this.drawn = "";
		this.drawnCursor = 0;
	}
	/** Handles one input byte; returns the line when Enter completes one. */
	feed(byte) {
		switch (this.mode) {
			case ESC:
				this.mode = byte === 91 ? CSI : byte === 79 ? SS3 : NORMAL;
				this.csiParam = "";
				return;
			case SS3:
				this.mode = NORMAL;
				if (byte === 72) this.cursor = 0;
				else if (byte === 70) this.cursor = this.line.length;
				this.redraw();
				return;
			case CSI:
				if (byte >= 48 && byte <= 57) {
					this.csiParam += String.fromCharCode(byte);
					return;
				}
				this.mode = NORMAL;
				this.csi(byte);
				this.redraw();
				return;
		}
		switch (byte) {
			case 13:
			case 10: {
				const done = this.line;
				if (done !== "") this.addHistory(done);
				this.out("\n");
				this.line = "";
				this.cursor = 0;
				this.drawn = "";
				this.drawnCursor = 0;
				this.historyIndex = -1;
				return done;
			}
			case 27:
				this.mode = ESC;
				return;
			case 127:
			case 8:
				if (this.cursor > 0) {
					this.line = this.line.slice(0, this.cursor - 1) + this.line.slice(this.cursor);
					this.cursor--;
				}
				break;
			case 9:
				this.completeWord();
				return;
			case 1:
				this.cursor = 0;
				break;
			case 5:
				this.cursor = this.line.length;
				break;
			default: if (byte >= 32 && this.line.length < this.maxLength) {
				this.line = this.line.slice(0, this.cursor) + String.fromCharCode(byte) + this.line.slice(this.cursor);
				this.cursor++;
			}
		}
		this.redraw();
	}
	csi(final) {
		switch (final) {
			case 65:
				if (this.history.length === 0) return;
				this.historyIndex = this.historyIndex < 0 ? this.history.length - 1 : Math.max(0, this.historyIndex - 1);
				this.setLine(this.history[this.historyIndex]);
				return;
			case 66:
				if (this.historyIndex < 0) return;
				if (this.historyIndex < this.history.length - 1) {
					this.historyIndex++;
					this.setLine(this.history[this.historyIndex]);
				} else {
					this.historyIndex = -1;
					this.setLine("");
				}
				return;
			case 67:
				if (this.cursor < this.line.length) this.cursor++;
				return;
			case 68:
				if (this.cursor > 0) this.cursor--;
				return;
			case 72:
				this.cursor = 0;
				return;
			case 70:
				this.cursor = this.line.length;
				return;
			case 126:
				if (this.csiParam === "1") this.cursor = 0;
				else if (this.csiParam === "4") this.cursor = this.line.length;
				else if (this.csiParam === "3" && this.cursor < this.line.length) this.line = this.line.slice(0, this.cursor) + this.line.slice(this.cursor + 1);
				return;
		}
	}
	setLine(text) {
		this.line = text;
		this.cursor = text.length;
	}
	addHistory(line) {
		const i = this.history.indexOf(line);
		if (i >= 0) this.history.splice(i, 1);
		this.history.push(line);
		if (this.history.length > this.historySize) this.history.shift();
	}
	completeWord() {
		const before = this.line.slice(0, this.cursor);
		const candidates = this.options.complete?.(before) ?? [];
		const word = /\S*$/.exec(before)[0];
		if (candidates.length === 1) {
			const rest = candidates[0].slice(word.length) + " ";
			this.line = before + rest + this.line.slice(this.cursor);
			this.cursor += rest.length;
			this.redraw();
		} else if (candidates.length > 1) {
			const width = Math.min(80, Math.max(10, Math.max(...candidates.map((c) => c.length)) + 2));
			const perLine = Math.max(1, Math.floor(80 / width));
			let text = "\n";
			candidates.sort().forEach((c, i) => {
				text += c.padEnd(width);
				if ((i + 1) % perLine === 0 || i === candidates.length - 1) text += "\n";
			});
			this.out(text);
			this.showPrompt();
			this.redraw();
		}
	}
	redraw() {
		if (!this.echo) {
			this.drawn = this.line;
			this.drawnCursor = this.cursor;
			return;
		}
		let text = "";
		if (this.line !== this.drawn) {
			text += "\x1B[D".repeat(this.drawnCursor) + this.line + "\x1B[K";
			this.drawn = this.line;
			this.drawnCursor = this.line.length;
		}
		if (this.cursor !== this.drawnCursor) {
			const delta = this.cursor - this.drawnCursor;
			text += (delta > 0 ? "\x1B[C" : "\x1B[D").repeat(Math.abs(delta));
			this.drawnCursor = this.cursor;
		}
		if (text) this.out(text);
	}
};
// ../../work/main/packages/qmp/dist/hmp-registry.js
function helpLine(prefix, spec) {
	return `${prefix}${[spec.name, ...spec.aliases ?? []].join("|")} ${spec.params ?? ""} -- ${spec.help}\n`;
}
const NO_CONTEXT = {
	history: [],
	cpuIndex: void 0,
	close() {}
};
/**
* HMP commands with QEMU's wording around them: `help`, `info`, `unknown command: 'x'`,
* argument errors followed by `Try "help x" for more information`, `Error: …` for failures.
* Output uses "\n"; monitors turn it into "\r\n".
*/
var HmpRegistry = class {
	commandMap = /* @__PURE__ */ new Map();
	infoMap = /* @__PURE__ */ new Map();
	constructor() {
		this.command({
			name: "help",
			aliases: ["?"],
			args: "name:S?",
			params: "[cmd]",
			help: "show the help",
			handler: ({ name }) => this.help(typeof name === "string" ? name : void 0)
		});
		this.command({
			name: "info",
			args: "item:s?",
			params: "[subcommand]",
			help: "show various information about the system state",
			handler: () => this.infoHelp()
		});
		this.info({
			name: "history",
			help: "show the command line history",
			handler: (_args, ctx) => ctx.history.map((line, i) => `${i}: '${line}'\n`).join("")
		});
	}
	/** Adds (or replaces) a top-level command. */
	command(spec) {
		this.commandMap.set(spec.name, spec);
		return this;
	}
	/** Adds (or replaces) an `info` subcommand. */
	info(spec) {
		this.infoMap.set(spec.name, spec);
		return this;
	}
	/** Command names and aliases (for completion). */
	commandNames() {
		return [...this.commandMap.values()].flatMap((c) => [c.name, ...c.aliases ?? []]).sort();
	}
	infoNames() {
		return [...this.infoMap.keys()].sort();
	}
	find(map, name) {
		const direct = map.get(name);
		if (direct) return direct;
		for (const spec of map.values()) if (spec.aliases?.includes(name)) return spec;
	}
	/** Runs one command line and returns what the monitor prints. */
	async execute(line, ctx = NO_CONTEXT) {
		const text = line.replace(/^\s+/, "");
		if (text === "") return "";
		const name = /^\S+/.exec(text)[0];
		let rest = text.slice(name.length);
		let spec = this.find(this.commandMap, name);
		if (!spec) return `unknown command: '${name}'\n`;
		let fullName = spec.name;
		if (spec.name === "info") {
			const sub = /^\s*(\S+)/.exec(rest);
			if (sub) {
				const info = this.find(this.infoMap, sub[1]);
				if (!info) return `unknown command: 'info ${sub[1]}'\n`;
				spec = info;
				fullName = `info ${info.name}`;
				rest = rest.slice(sub[0].length);
			}
		}
		let args;
		try {
			args = parseHmpArgs(spec.name, spec.name === "info" ? "" : spec.args ?? "", rest);
		} catch (err) {
			if (err instanceof HmpArgumentError) return `${err.message}\nTry "help ${fullName}" for more information\n`;
			throw err;
		}
		try {
			const out = await spec.handler(args, ctx) ?? "";
			return out === "" || out.endsWith("\n") ? out : out + "\n";
		} catch (err) {
			return `Error: ${err instanceof QmpError ? err.desc : err instanceof Error ? err.message : String(err)}\n`;
		}
	}
	/** `help` output: everything, one command, or `info` and its subcommands. */
	help(topic) {
		const words = topic?.trim().split(/\s+/).filter((w) => w) ?? [];
		if (words.length === 0) return [...this.commandMap.values()].sort((a, b) => a.name.localeCompare(b.name)).map((c) => helpLine("", c)).join("");
		const spec = this.find(this.commandMap, words[0]);
		if (!spec) return `unknown command: '${words[0]}'\n`;
		if (spec.name === "info") {
			if (words.length === 1) return this.infoHelp();
			const info = this.find(this.infoMap, words[1]);
			return info ? helpLine("info ", info) : `unknown command: 'info ${words[1]}'\n`;
		}
		return helpLine("", spec);
	}
	infoHelp() {
		return [...this.infoMap.values()].sort((a, b) => a.name.localeCompare(b.name)).map((c) => helpLine("info ", c)).join("");
	}
};
// ../../work/main/packages/qmp/dist/client-slots.js
var ClientSlots = class {
	maxActive;
	maxWaiting;
	onStart;
	activeSet = /* @__PURE__ */ new Set();
	waiting = [];
	constructor(maxActive, maxWaiting, onStart = () => {}) {
		this.maxActive = maxActive;
		this.maxWaiting = maxWaiting;
		this.onStart = onStart;
	}
	/** Starts the session if a slot is free, queues it otherwise, or closes it when the queue is full. */
	admit(session) {
		if (this.activeSet.size < this.maxActive) this.begin(session);
		else if (this.waiting.length < this.maxWaiting) this.waiting.push(session);
		else session.close("too many waiting clients");
	}
	/** Forgets a closed session; a freed slot goes to the longest-waiting one. Returns whether it was active. */
	release(session) {
		const i = this.waiting.indexOf(session);
		if (i >= 0) {
			this.waiting.splice(i, 1);
			return false;
		}
		if (!this.activeSet.delete(session)) return false;
		const next = this.waiting.shift();
		if (next) this.begin(next);
		return true;
	}
	active() {
		return [...this.activeSet];
	}
	/** Waiting and active sessions. */
	all() {
		return [...this.waiting, ...this.activeSet];
	}
	begin(session) {
		this.activeSet.add(session);
		this.onStart(session);
		session.start();
	}
};
// ../../work/main/packages/qmp/dist/hmp-server.js
const encoder$1 = new TextEncoder();
const decoder = new TextDecoder();
function bytesOf(latin1) {
	const out = new Uint8Array(latin1.length);
	for (let i = 0; i < latin1.length; i++) out[i] = latin1.charCodeAt(i) & 255;
	return out;
}
/** One connection to the human monitor. */
var HmpSession = class extends Emitter {
	registry;
	stream;
	options;
	onClosed;
	editor;
	pending;
	pendingPos = 0;
	busy = false;
	closed = false;
	started = false;
	closeAfterOutput = false;
	onData = (chunk) => this.receive(chunk);
	onGone = () => this.close();
	constructor(registry, stream, options, onClosed) {
		super();
		this.registry = registry;
		this.stream = stream;
		this.options = options;
		this.onClosed = onClosed;
		this.editor = new LineEditor((text) => this.writeRaw(text), options.prompt ?? "(qemu) ", {
			echo: options.echo,
			complete: (line) => this.complete(line)
		});
		stream.on("close", this.onGone);
		stream.on("end", this.onGone);
		stream.on("error", this.onGone);
	}
	/** Prints the banner and the prompt and starts reading. */
	start() {
		if (this.started || this.closed) return;
		this.started = true;
		this.writeText(`${this.options.banner ?? "savevm monitor - type 'help' for more information"}\n`);
		this.editor.showPrompt();
		this.stream.on("data", this.onData);
		this.stream.resume();
	}
	close() {
		if (this.closed) return;
		this.closed = true;
		this.stream.removeListener("data", this.onData);
		this.stream.end();
		this.onClosed(this);
		this.emit("close");
	}
	complete(line) {
		const words = line.split(/\s+/);
		if (words.length === 1) return this.registry.commandNames().filter((n) => n.startsWith(words[0]));
		if (words.length === 2 && words[0] === "info") return this.registry.infoNames().filter((n) => n.startsWith(words[1]));
		if (words.length === 2 && words[0] === "help") return this.registry.commandNames().filter((n) => n.startsWith(words[1]));
		return [];
	}
	writeRaw(latin1) {
		if (!this.closed) this.stream.write(bytesOf(latin1.replace(/\n/g, "\r\n")));
	}
	writeText(text) {
		if (!this.closed) this.stream.write(encoder$1.encode(text.replace(/\r?\n/g, "\r\n")));
	}
	receive(chunk) {
		this.pending = joinRemainder(this.pending, this.pendingPos, chunk);
		this.pendingPos = 0;
		this.process();
	}
	process() {
		while (this.pending && !this.busy && !this.closed) {
			const byte = this.pending[this.pendingPos++];
			if (this.pendingPos >= this.pending.length) this.pending = void 0;
			const line = this.editor.feed(byte);
			if (line !== void 0) this.run(line);
		}
		if (this.closed) return;
		if (this.pending) this.stream.pause();
		else this.stream.resume();
	}
	async run(rawLine) {
		this.busy = true;
		const line = decoder.decode(bytesOf(rawLine));
		const ctx = {
			history: [...this.editor.history],
			cpuIndex: void 0,
			close: () => {
				this.closeAfterOutput = true;
			}
		};
		let output;
		try {
			output = await this.registry.execute(line, ctx);
		} catch (err) {
			output = `Error: ${err instanceof Error ? err.message : String(err)}\n`;
		}
		this.writeText(output);
		if (this.closeAfterOutput) {
			this.close();
			return;
		}
		this.editor.showPrompt();
		this.busy = false;
		this.process();
	}
};
/**
* A human monitor (HMP) over byte streams: banner, `(qemu) ` prompt, QEMU's character echo,
* `\r` or `\n` as Enter, one command at a time, one client at a time by default.
*/
var HmpServer = class {
	registry;
	options;
	slots;
	constructor(registry, options = {}) {
		this.registry = registry;
		this.options = options;
		this.slots = new ClientSlots(options.maxClients ?? 1, options.maxWaitingClients ?? 16);
	}
	attach(stream) {
		stream.pause();
		const session = new HmpSession(this.registry, stream, this.options, (s) => this.slots.release(s));
		this.slots.admit(session);
		return session;
	}
	sessions() {
		return this.slots.active();
	}
	close() {
		for (const s of this.slots.all()) s.close();
	}
};
// ../../work/main/packages/qmp/dist/schema.js
/** Builders for the non-scalar types. */
const t = {
	enum(name, values) {
		return {
			kind: "enum",
			name,
			values
		};
	},
	array(element) {
		return {
			kind: "array",
			element
		};
	},
	struct(name, members) {
		return {
			kind: "struct",
			name,
			members
		};
	},
	alternate(name, branches) {
		return {
			kind: "alternate",
			name,
			branches
		};
	}
};
const memberCache = /* @__PURE__ */ new WeakMap();
/** Members in declaration order with the `*` prefix resolved. */
function memberList(members) {
	let list = memberCache.get(members);
	if (!list) {
		list = Object.keys(members).map((key) => {
			const optional = key.startsWith("*");
			return {
				name: optional ? key.slice(1) : key,
				optional,
				type: members[key]
			};
		});
		memberCache.set(members, list);
	}
	return list;
}
function fullName(path) {
	let out = "";
	for (const seg of path) if (typeof seg === "number") out += `[${seg}]`;
	else out += out ? `.${seg}` : seg;
	return out;
}
function invalidType(path, expected) {
	return new QmpError(`Invalid parameter type for '${fullName(path)}', expected: ${expected}`);
}
/** The name QEMU prints for messages that use the bare member name: `null` inside lists. */
function plainName(path) {
	const last = path[path.length - 1];
	return typeof last === "string" ? last : "null";
}
const RANGES = {
	int8: [
		-128n,
		127n,
		"int8_t"
	],
	int16: [
		-32768n,
		32767n,
		"int16_t"
	],
	int32: [
		-2147483648n,
		2147483647n,
		"int32_t"
	],
	uint8: [
		0n,
		255n,
		"uint8_t"
	],
	uint16: [
		0n,
		65535n,
		"uint16_t"
	],
	uint32: [
		0n,
		4294967295n,
		"uint32_t"
	]
};
function asBigInt(value) {
	if (typeof value === "bigint") return value;
	if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
}
function narrow(value) {
	return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}
function visitInt64(value, path) {
	const big = asBigInt(value);
	if (big === void 0 || big < INT64_MIN || big > INT64_MAX) throw invalidType(path, "integer");
	return big;
}
function visitUint64(value, path) {
	const big = asBigInt(value);
	if (big === void 0 || big < INT64_MIN || big > UINT64_MAX) throw new QmpError(`Parameter '${fullName(path)}' expects uint64`);
	return big < 0n ? big + UINT64_MAX + 1n : big;
}
function jsonTypeOf(value) {
	if (value === null) return "null";
	if (Array.isArray(value)) return "array";
	if (typeof value === "bigint") return "number";
	return typeof value;
}
function alternateBranchJsonType(type) {
	if (typeof type === "string") switch (type) {
		case "str": return "string";
		case "bool": return "boolean";
		case "null": return "null";
		case "any": return "any";
		default: return "number";
	}
	switch (type.kind) {
		case "enum": return "string";
		case "array": return "array";
		case "struct": return "object";
		case "alternate": return "alternate";
	}
}
function visit(type, value, path) {
	if (typeof type === "string") switch (type) {
		case "str":
			if (typeof value !== "string") throw invalidType(path, "string");
			return value;
		case "bool":
			if (typeof value !== "boolean") throw invalidType(path, "boolean");
			return value;
		case "number":
			if (typeof value === "number") return value;
			if (typeof value === "bigint") return Number(value);
			throw invalidType(path, "number");
		case "any": return value;
		case "null":
			if (value !== null) throw invalidType(path, "null");
			return null;
		case "int":
		case "int64": return narrow(visitInt64(value, path));
		case "uint64":
		case "size": return narrow(visitUint64(value, path));
		default: {
			const [min, max, cName] = RANGES[type];
			const big = type.startsWith("u") ? visitUint64(value, path) : visitInt64(value, path);
			if (big < min || big > max) throw new QmpError(`Parameter '${plainName(path)}' expects ${cName}`);
			return Number(big);
		}
	}
	switch (type.kind) {
		case "enum":
			if (typeof value !== "string") throw invalidType(path, "string");
			if (!type.values.includes(value)) throw new QmpError(`Parameter '${plainName(path)}' does not accept value '${value}'`);
			return value;
		case "array": {
			if (!Array.isArray(value)) throw invalidType(path, "array");
			const out = [];
			for (let i = 0; i < value.length; i++) {
				path.push(i);
				out.push(visit(type.element, value[i], path));
				path.pop();
			}
			return out;
		}
		case "struct":
			if (!isJsonObject(value)) throw invalidType(path, "object");
			return visitMembers(type.members, value, path);
		case "alternate": {
			const kind = jsonTypeOf(value);
			for (const branch of type.branches) if (alternateBranchJsonType(branch) === kind) return visit(branch, value, path);
			throw new QmpError(`Invalid parameter type for '${plainName(path)}', expected: ${type.name}`);
		}
	}
}
function visitMembers(members, input, path) {
	const list = memberList(members);
	const out = {};
	const keys = Object.keys(input);
	const leftover = keys.length > 0 ? GHashTableModel.fromKeys(qdictOrder(keys)) : void 0;
	for (const member of list) {
		path.push(member.name);
		if (hasMember(input, member.name)) {
			leftover.remove(member.name);
			setMember(out, member.name, visit(member.type, input[member.name], path));
		} else if (!member.optional) throw new QmpError(`Parameter '${fullName(path)}' is missing`);
		path.pop();
	}
	const unexpected = leftover?.first();
	if (unexpected !== void 0) {
		path.push(unexpected);
		throw new QmpError(`Parameter '${fullName(path)}' is unexpected`);
	}
	return out;
}
/** {@link validateArguments} without the typing, for callers that hold a schema as data. */
function validateArgumentsUntyped(members, args) {
	return visitMembers(members, args, []);
}
// ../../work/main/packages/qmp/dist/introspection.js
/**
* `query-qmp-schema` output built from a registry, in the shape QEMU 7.2 prints (SchemaInfo).
* Type names are masked as numbers like QEMU does, so clients only rely on structure; all
* integer types show as the builtin `int`.
*/
const BUILTIN_JSON_TYPE = {
	str: "string",
	int: "int",
	number: "number",
	bool: "boolean",
	any: "value",
	null: "null"
};
function builtinName(type) {
	return type === "str" || type === "number" || type === "bool" || type === "any" || type === "null" ? type : "int";
}
function buildSchemaInfo(registry, options = {}) {
	const mask = options.maskNames !== false;
	const names = /* @__PURE__ */ new Map();
	const types = [];
	const builtins = /* @__PURE__ */ new Set();
	let counter = 0;
	const emptyObject = {};
	const objectName = (key, label, build) => {
		const known = names.get(key);
		if (known !== void 0) return known;
		const name = mask || label === void 0 ? String(counter++) : label;
		names.set(key, name);
		const entry = build(name);
		types.push(entry);
		return name;
	};
	const membersType = (members, label) => {
		const key = Object.keys(members).length === 0 ? emptyObject : members;
		return objectName(key, key === emptyObject ? "q_empty" : label, (name) => {
			const entry = {
				name,
				"meta-type": "object",
				members: []
			};
			entry.members = memberList(members).map((m) => {
				const out = {
					name: m.name,
					type: typeName(m.type)
				};
				if (m.optional) out.default = null;
				return out;
			});
			return entry;
		});
	};
	const typeName = (type) => {
		if (typeof type === "string") {
			const name = builtinName(type);
			builtins.add(name);
			return name;
		}
		switch (type.kind) {
			case "enum": return objectName(type, type.name, (name) => ({
				name,
				"meta-type": "enum",
				members: type.values.map((v) => ({ name: v })),
				values: [...type.values]
			}));
			case "array": {
				const element = typeName(type.element);
				const name = `[${element}]`;
				if (!names.has(type)) {
					names.set(type, name);
					if (!types.some((t) => t.name === name)) types.push({
						name,
						"meta-type": "array",
						"element-type": element
					});
				}
				return name;
			}
			case "struct": return membersType(type.members, type.name);
			case "alternate": return objectName(type, type.name, (name) => ({
				name,
				"meta-type": "alternate",
				members: type.branches.map((b) => ({ type: typeName(b) }))
			}));
		}
	};
	const entries = [];
	for (const command of registry.commands()) {
		const entry = {
			name: command.name,
			"meta-type": "command",
			"arg-type": membersType(command.args, `q_obj_${command.name}-arg`),
			"ret-type": command.returns === void 0 ? membersType(emptyObject, "q_empty") : typeName(command.returns)
		};
		if (command.allowOob) entry["allow-oob"] = true;
		if (command.features.length > 0) entry.features = [...command.features];
		entries.push(entry);
	}
	for (const event of registry.events()) {
		const entry = {
			name: event.name,
			"meta-type": "event",
			"arg-type": membersType(event.data, `q_obj_${event.name}-arg`)
		};
		if (event.features.length > 0) entry.features = [...event.features];
		entries.push(entry);
	}
	for (const name of builtins) entries.push({
		name,
		"meta-type": "builtin",
		"json-type": BUILTIN_JSON_TYPE[name]
	});
	return [...entries, ...types];
}
// ../../work/main/packages/qmp/dist/message.js
/** True for input QEMU runs at once instead of queueing: `exec-oob` without `execute`. */
function isOobRequest(value) {
	return isJsonObject(value) && Object.prototype.hasOwnProperty.call(value, "exec-oob") && !Object.prototype.hasOwnProperty.call(value, "execute");
}
function checkRequest(value, allowOob) {
	if (!isJsonObject(value)) return {
		ok: false,
		desc: "QMP input must be a JSON object"
	};
	const id = Object.prototype.hasOwnProperty.call(value, "id") ? { value: value.id } : void 0;
	const fail = (desc) => id ? {
		ok: false,
		desc,
		id
	} : {
		ok: false,
		desc
	};
	let execKey;
	for (const key of qdictOrder(Object.keys(value))) {
		const member = value[key];
		if (key === "execute" || key === "exec-oob" && allowOob) {
			if (typeof member !== "string") return fail(`QMP input member '${key}' must be a string`);
			if (execKey !== void 0) return fail(`QMP input member '${key}' clashes with '${execKey}'`);
			execKey = key;
		} else if (key === "arguments") {
			if (!isJsonObject(member)) return fail("QMP input member 'arguments' must be an object");
		} else if (key !== "id") return fail(`QMP input member '${key}' is unexpected`);
	}
	if (execKey === void 0) return fail("QMP input lacks member 'execute'");
	const request = {
		command: value[execKey],
		oob: execKey === "exec-oob",
		args: value.arguments ?? {}
	};
	if (id) request.id = id;
	return {
		ok: true,
		request
	};
}
// ../../work/main/packages/qmp/dist/registry.js
const NO_MEMBERS = Object.freeze({});
/** Commands and events of a QMP server, with their schemas. */
var QmpRegistry = class {
	commandMap = /* @__PURE__ */ new Map();
	eventMap = /* @__PURE__ */ new Map();
	/** Adds (or replaces) a command. */
	command(name, definition) {
		this.commandMap.set(name, {
			name,
			args: definition.args ?? NO_MEMBERS,
			returns: definition.returns,
			allowOob: definition.allowOob === true,
			features: definition.features ?? [],
			handler: definition.handler
		});
		return this;
	}
	/** Declares an event so that `query-qmp-schema` lists it. Emitting does not require it. */
	event(name, data, features = []) {
		this.eventMap.set(name, {
			name,
			data: data ?? NO_MEMBERS,
			features
		});
		return this;
	}
	removeCommand(name) {
		return this.commandMap.delete(name);
	}
	getCommand(name) {
		return this.commandMap.get(name);
	}
	commands() {
		return [...this.commandMap.values()];
	}
	events() {
		return [...this.eventMap.values()];
	}
};
// ../../work/main/packages/qmp/dist/server-session.js
const encoder = new TextEncoder();
/** One client connection of a {@link QmpServer}: greeting, negotiation, command queue, events. */
var QmpServerSession = class extends Emitter {
	host;
	stream;
	id;
	stateValue = "waiting";
	oob = false;
	reader;
	maxQueue;
	maxOutputBytes;
	queue = [];
	pending;
	pendingPos = 0;
	suspended = false;
	outputBlocked = false;
	streamPaused = false;
	dispatching = false;
	inputEnded = false;
	oobInFlight = 0;
	hangUpAfterReply = false;
	counters = {
		peakInputBytes: 0,
		peakQueuedCommands: 0,
		peakOutputBytes: 0,
		parseErrors: 0
	};
	onData = (chunk) => this.receive(chunk);
	onDrain = () => {
		this.outputBlocked = false;
		this.pump();
	};
	onGone = () => this.close();
	onEnd = () => {
		this.inputEnded = true;
		this.maybeFinish();
	};
	constructor(host, stream, id, limits = {}) {
		super();
		this.host = host;
		this.stream = stream;
		this.id = id;
		this.maxQueue = Math.max(1, limits.maxQueuedCommands ?? 8);
		this.maxOutputBytes = limits.maxOutputBytes ?? 16777216;
		this.reader = new JsonMessageStream((m) => this.message(m), limits);
		stream.on("close", this.onGone);
		stream.on("end", this.onEnd);
		stream.on("error", this.onGone);
		stream.on("drain", this.onDrain);
	}
	get state() {
		return this.stateValue;
	}
	get oobEnabled() {
		return this.oob;
	}
	stats() {
		return {
			inputBytes: this.heldInput(),
			peakInputBytes: this.counters.peakInputBytes,
			queuedCommands: this.queue.length,
			peakQueuedCommands: this.counters.peakQueuedCommands,
			outputBytes: this.stream.writableLength ?? 0,
			peakOutputBytes: this.counters.peakOutputBytes,
			parseErrors: this.counters.parseErrors
		};
	}
	/** Greets the client and starts reading (the server calls this when the session's turn comes). */
	start() {
		if (this.stateValue !== "waiting") return;
		this.stateValue = "negotiation";
		this.send(this.host.greeting());
		if (this.stateValue === "closed") return;
		this.stream.on("data", this.onData);
		this.stream.resume();
	}
	/** Sends an event if the client has negotiated (events before negotiation are not delivered). */
	deliverEvent(event) {
		if (this.stateValue === "command") this.send(event);
	}
	/** Disconnects the client; `graceful` lets written output reach it first. */
	close(reason, graceful = false) {
		if (this.stateValue === "closed") return;
		this.stateValue = "closed";
		this.queue.length = 0;
		this.pending = void 0;
		this.stream.removeListener("data", this.onData);
		this.stream.removeListener("drain", this.onDrain);
		if (graceful) this.stream.end();
		else this.stream.destroy();
		this.host.sessionClosed(this);
		this.emit("close", reason);
	}
	maybeFinish() {
		if (this.inputEnded && !this.pending && this.queue.length === 0 && !this.dispatching && this.oobInFlight === 0) this.close("end of input", true);
	}
	heldInput() {
		return (this.pending ? this.pending.length - this.pendingPos : 0) + this.reader.partialBytes;
	}
	receive(chunk) {
		if (this.stateValue === "closed") return;
		this.pending = joinRemainder(this.pending, this.pendingPos, chunk);
		this.pendingPos = 0;
		this.pump();
	}
	/** Feeds held input to the reader until it is used up or reading must wait. */
	pump() {
		while (this.pending && !this.suspended && !this.outputBlocked && this.stateValue !== "closed") {
			this.pendingPos = this.reader.feed(this.pending, this.pendingPos);
			this.track();
			if (this.pendingPos >= this.pending.length) this.pending = void 0;
		}
		if (this.stateValue === "closed") return;
		if (!this.pending && this.inputEnded) {
			this.maybeFinish();
			return;
		}
		const mustWait = this.pending !== void 0 || this.suspended || this.outputBlocked;
		if (mustWait && !this.streamPaused) {
			this.streamPaused = true;
			this.stream.pause();
		} else if (!mustWait && this.streamPaused) {
			this.streamPaused = false;
			this.stream.resume();
		}
	}
	track() {
		const held = this.heldInput();
		if (held > this.counters.peakInputBytes) this.counters.peakInputBytes = held;
	}
	message(m) {
		this.track();
		if ("value" in m && isOobRequest(m.value)) {
			this.oobInFlight++;
			this.respond(this.dispatch(m.value)).finally(() => {
				this.oobInFlight--;
				this.maybeFinish();
			});
			return;
		}
		if ("error" in m) this.counters.parseErrors++;
		this.queue.push(m);
		if (this.queue.length > this.counters.peakQueuedCommands) this.counters.peakQueuedCommands = this.queue.length;
		if (!this.oob || this.queue.length >= this.maxQueue) {
			this.suspended = true;
			this.reader.stop();
		}
		this.runQueue();
	}
	async runQueue() {
		if (this.dispatching) return;
		this.dispatching = true;
		try {
			while (this.queue.length > 0 && this.stateValue !== "closed") {
				const wasFull = this.queue.length >= this.maxQueue;
				const item = this.queue.shift();
				const oob = this.oob;
				if (oob && wasFull) this.unsuspend();
				await this.host.runInband(() => this.respond("error" in item ? Promise.resolve(errorReply(new QmpError(item.error.message))) : this.dispatch(item.value)));
				if (!oob) this.unsuspend();
			}
		} finally {
			this.dispatching = false;
		}
		this.maybeFinish();
	}
	unsuspend() {
		if (!this.suspended) return;
		this.suspended = false;
		this.pump();
	}
	async respond(reply) {
		const message = await reply;
		if (message) this.send(message);
		if (this.hangUpAfterReply) this.close("disconnected after reply", true);
	}
	send(message) {
		if (this.stateValue === "closed") return;
		const text = formatQemuJson(message, {
			pretty: this.host.pretty,
			newline: "\r\n"
		}) + "\r\n";
		const ok = this.stream.write(encoder.encode(text));
		const queued = this.stream.writableLength ?? 0;
		if (queued > this.counters.peakOutputBytes) this.counters.peakOutputBytes = queued;
		if (queued > this.maxOutputBytes) {
			this.close("output limit exceeded");
			return;
		}
		if (!ok) this.outputBlocked = true;
	}
	async dispatch(value) {
		const checked = checkRequest(value, this.oob);
		if (!checked.ok) return errorReply(new QmpError(checked.desc), checked.id);
		const request = checked.request;
		const negotiating = this.stateValue === "negotiation";
		const command = negotiating && request.command !== "qmp_capabilities" ? void 0 : this.host.findCommand(request.command);
		if (!command) {
			const desc = negotiating ? "Expecting capabilities negotiation with 'qmp_capabilities'" : `The command ${request.command} has not been found`;
			return errorReply(new QmpError(desc, { errorClass: "CommandNotFound" }), request.id);
		}
		if (request.oob && !command.allowOob) return errorReply(new QmpError(`The command ${request.command} does not support OOB`), request.id);
		try {
			const args = validateArgumentsUntyped(command.args, request.args);
			return withId({ return: (command.name === "qmp_capabilities" ? this.negotiate(args) : await command.handler(args, this.context(request))) ?? {} }, request.id);
		} catch (err) {
			return errorReply(toQmpError(err), request.id);
		}
	}
	negotiate(args) {
		if (this.stateValue !== "negotiation") throw new QmpError("Capabilities negotiation is already complete, command ignored", { errorClass: "CommandNotFound" });
		const wanted = args.enable ?? [];
		const unavailable = wanted.filter((cap) => !this.host.offeredCapabilities.includes(cap));
		if (unavailable.length > 0) throw new QmpError(`Capability ${unavailable.join(", ")} not available`);
		this.oob = wanted.includes("oob");
		this.stateValue = "command";
		return {};
	}
	context(request) {
		return {
			sessionId: this.id,
			oob: request.oob,
			takeFd: () => this.stream.takeFd?.(),
			emitEvent: (name, data) => this.host.emitEvent(name, data),
			disconnectAfterReply: () => {
				this.hangUpAfterReply = true;
			}
		};
	}
};
function withId(reply, id) {
	if (id) reply.id = id.value;
	return reply;
}
function errorReply(err, id) {
	return withId({ error: {
		class: err.errorClass,
		desc: err.desc
	} }, id);
}
// ../../work/main/packages/qmp/dist/server.js
function wallClock() {
	const micros = Math.round((performance.timeOrigin + performance.now()) * 1e3);
	return {
		seconds: Math.floor(micros / 1e6),
		microseconds: micros % 1e6
	};
}
const QMPCapability = t.enum("QMPCapability", ["oob"]);
const VersionInfo = t.struct("VersionInfo", {
	qemu: t.struct("VersionTriple", {
		major: "int",
		minor: "int",
		micro: "int"
	}),
	package: "str"
});
const CommandInfo = t.struct("CommandInfo", { name: "str" });
/**
* A QMP server: the command registry, the built-in commands (`qmp_capabilities`,
* `query-commands`, `query-version`, `query-qmp-schema`), event broadcast, and the client
* sessions. It runs over any {@link ByteStream}; `@savevm/qmp/node` adds sockets and stdio.
*/
var QmpServer = class extends Emitter {
	registry;
	/** Named file descriptors (`getfd`), for commands such as `migrate fd:NAME`. */
	fds = new FdTable();
	options;
	slots;
	nextId = 1;
	inbandTail = Promise.resolve();
	host;
	constructor(options = {}) {
		super();
		this.options = options;
		this.registry = options.registry ?? new QmpRegistry();
		this.addBuiltins();
		this.slots = new ClientSlots(options.maxClients ?? 1, options.maxWaitingClients ?? 16, (session) => this.emit("session", session));
		const server = this;
		this.host = {
			offeredCapabilities: options.capabilities ?? ["oob"],
			pretty: options.pretty === true,
			greeting: () => ({ QMP: {
				version: this.versionInfo(),
				capabilities: [...options.capabilities ?? ["oob"]]
			} }),
			findCommand: (name) => this.registry.getCommand(name),
			runInband: (task) => this.runInband(task),
			emitEvent: (name, data) => this.emitEvent(name, data),
			sessionClosed(session) {
				server.sessionClosed(session);
			}
		};
	}
	/** Registers a command (see {@link QmpRegistry.command}). */
	command(name, definition) {
		this.registry.command(name, definition);
		return this;
	}
	/** Declares an event for introspection (see {@link QmpRegistry.event}). */
	event(name, data) {
		this.registry.event(name, data);
		return this;
	}
	/**
	* Serves a client over `stream`. The session starts at once if a client slot is free,
	* otherwise it waits (no greeting, nothing read) like a second client of QEMU.
	*/
	attach(stream) {
		const session = new QmpServerSession(this.host, stream, this.nextId++, this.options.limits);
		stream.pause();
		this.slots.admit(session);
		return session;
	}
	/** Sessions being served (not the waiting ones). */
	sessions() {
		return this.slots.active();
	}
	/**
	* Sends an event to every client that has negotiated. Events raised while nobody is
	* connected are dropped, as in QEMU.
	*/
	emitEvent(name, data, timestamp = (this.options.clock ?? wallClock)()) {
		const event = {
			timestamp: {
				seconds: timestamp.seconds,
				microseconds: timestamp.microseconds
			},
			event: name
		};
		if (data !== void 0) event.data = data;
		for (const session of this.slots.active()) session.deliverEvent(event);
	}
	/** Disconnects every client. */
	close() {
		for (const session of this.slots.all()) session.close("server closed");
	}
	versionInfo() {
		const v = this.options.version ?? {
			qemu: {
				major: 7,
				minor: 2,
				micro: 0
			},
			package: "savevm"
		};
		return {
			qemu: {
				major: v.qemu.major,
				minor: v.qemu.minor,
				micro: v.qemu.micro
			},
			package: v.package
		};
	}
	runInband(task) {
		if (this.options.serializeCommands === false) return task();
		const run = this.inbandTail.then(task, task);
		this.inbandTail = run.catch(() => void 0);
		return run;
	}
	sessionClosed(session) {
		if (this.slots.release(session)) this.emit("session-closed", session);
	}
	addBuiltins() {
		const registry = this.registry;
		registry.command("qmp_capabilities", {
			args: { "*enable": t.array(QMPCapability) },
			handler: () => {
				throw new QmpError("qmp_capabilities is handled by the session");
			}
		});
		registry.command("query-version", {
			returns: VersionInfo,
			handler: () => this.versionInfo()
		});
		registry.command("query-commands", {
			returns: t.array(CommandInfo),
			handler: () => registry.commands().map((c) => ({ name: c.name }))
		});
		registry.command("query-qmp-schema", {
			returns: t.array("any"),
			handler: () => buildSchemaInfo(registry)
		});
		if (this.options.fdCommands) {
			registry.command("getfd", {
				args: { fdname: "str" },
				handler: ({ fdname }, ctx) => {
					const fd = ctx.takeFd();
					if (fd === void 0) throw new QmpError("No file descriptor supplied via SCM_RIGHTS");
					if (/^[0-9]/.test(fdname)) {
						this.fds.release(fd);
						throw new QmpError("Parameter 'fdname' expects a name not starting with a digit");
					}
					this.fds.set(fdname, fd);
				}
			});
			registry.command("closefd", {
				args: { fdname: "str" },
				handler: ({ fdname }) => {
					if (!this.fds.close(fdname)) throw new QmpError(`File descriptor named '${fdname}' not found`);
				}
			});
		}
	}
};
// ../../work/main/packages/machine/dist/snapshot/named-snapshots.js
function failure(message) {
	return new MachineError("INVALID_ARGUMENT", message);
}
function pad(n) {
	return String(n).padStart(2, "0");
}
/** HMP `savevm` without a name: `vm-%Y%m%d%H%M%S` in local time, as QEMU names it. */
function defaultSnapshotTag(date) {
	return `vm-${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
}
/**
* Named snapshots of a machine in a store, with QEMU's rules and words (`save_snapshot`,
* `load_snapshot`, `delete_snapshot`): the store is the only block node there is.
*/
var NamedSnapshots = class {
	machine;
	store;
	#now;
	constructor(machine, store, now = () => Date.now()) {
		this.machine = machine;
		this.store = store;
		this.#now = now;
	}
	/** QEMU's bdrv_all_get_snapshot_devices: an explicit list must name existing nodes. */
	#checkDevices(nodes) {
		const devices = nodes.devices;
		if (devices === void 0) return;
		if (devices.length === 0) throw failure("At least one device is required for snapshot");
		for (const d of devices) if (d !== this.store?.nodeName) throw failure(`No block device node '${d}'`);
	}
	/** QEMU's bdrv_all_find_vmstate_bs: the store, if the request lets it hold the VM state. */
	#vmstateStore(nodes) {
		const store = this.store;
		if (nodes.vmstate !== void 0) {
			const listed = nodes.devices === void 0 || nodes.devices.includes(nodes.vmstate);
			if (!store || nodes.vmstate !== store.nodeName || !listed) throw failure(`vmstate block device '${nodes.vmstate}' does not exist`);
			return store;
		}
		if (!store) throw failure("no block device can store vmstate for snapshot");
		return store;
	}
	async list() {
		if (!this.store) throw failure("no block device can store vmstate for snapshot");
		return this.store.list();
	}
	async find(tag) {
		return (await this.store?.list())?.find((s) => s.tag === tag);
	}
	/**
	* Saves the machine under `tag` (HMP: `savevm` overwrites; QMP `snapshot-save` refuses an
	* existing tag). The guest is stopped during the save. A failed save leaves an existing
	* snapshot of that tag as it was.
	*/
	async save(tag, options) {
		this.#checkDevices(options);
		const name = tag ?? defaultSnapshotTag(new Date(this.#now()));
		if (!options.overwrite && await this.find(name)) throw failure(`Snapshot '${name}' already exists in one or more devices`);
		const store = this.#vmstateStore(options);
		const now = this.#now();
		const write = await store.create();
		const { bytes, vmClockNs } = await this.machine.saveSnapshot(write.channel);
		return write.commit({
			tag: name,
			dateSec: Math.floor(now / 1e3),
			dateNsec: now % 1e3 * 1e6,
			vmStateSize: bytes,
			vmClockNs
		});
	}
	/**
	* Loads the snapshot `tag`: the guest stops first (`restore-vm`), and runs again only if it
	* was running and the load succeeded. A failed load changes nothing in the machine, which
	* stays stopped.
	*/
	async load(tag, options = {}) {
		const machine = this.machine;
		const wasRunning = machine.runState.running;
		if (wasRunning) machine.vmStop("restore-vm");
		this.#checkDevices(options);
		if (!await this.find(tag)) throw failure(`Snapshot '${tag}' does not exist in one or more devices`);
		const input = await this.#vmstateStore(options).open(tag);
		if (!input) throw failure(`Snapshot '${tag}' does not exist in one or more devices`);
		await machine.loadSnapshot(input);
		if (wasRunning) machine.vmStart();
	}
	/** Deletes the snapshot `tag`; one that does not exist is no error (as in QEMU). */
	async delete(tag, options = {}) {
		this.#checkDevices(options);
		await this.store?.delete(tag);
	}
};
// ../../work/main/packages/machine/dist/snapshot/snapshot-table.js
const SUFFIXES = [
	"",
	"Ki",
	"Mi",
	"Gi",
	"Ti",
	"Pi",
	"Ei"
];
/** C's `%g` with precision 3 (shortest of %e/%f, trailing zeros removed). */
function g3(v) {
	if (v === 0) return "0";
	const [mantissa, exp] = v.toExponential(2).split("e");
	const x = Number(exp);
	const strip = (s) => s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
	if (x < -4 || x >= 3) return `${strip(mantissa)}e${x < 0 ? "-" : "+"}${String(Math.abs(x)).padStart(2, "0")}`;
	return strip(v.toFixed(2 - x));
}
/**
* QEMU's size_to_str: three significant digits and a binary prefix, moving to the next prefix
* once the number would reach 1000 ("759 KiB", "1.5 MiB").
*/
function sizeToStr(bytes) {
	const scaled = bytes / .9765625;
	const e = scaled > 0 ? Math.floor(Math.log2(scaled)) + 1 : 0;
	const i = Math.min(SUFFIXES.length - 1, Math.trunc((e - 1) / 10));
	return `${g3(bytes / 2 ** (i * 10))} ${SUFFIXES[i]}B`;
}
const two = (n) => String(n).padStart(2, "0");
/** `%Y-%m-%d %H:%M:%S` in local time. */
function localDate(sec) {
	const d = /* @__PURE__ */ new Date(sec * 1e3);
	return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
/** `HH:MM:SS.mmm` of a virtual clock in nanoseconds. */
function vmClock(ns) {
	const secs = Math.floor(ns / 1e9);
	const ms = Math.floor(ns / 1e6) % 1e3;
	return `${two(Math.floor(secs / 3600))}:${two(Math.floor(secs / 60) % 60)}:${two(secs % 60)}.${String(ms).padStart(3, "0")}`;
}
const left = (s, w) => s.padEnd(w);
const right = (s, w) => s.padStart(w);
/**
* HMP `info snapshots` as QEMU 7.2 prints it for snapshots present on every disk: the ID
* column shows `--` (IDs may differ between images), no icount. Lines end in "\n".
*/
function formatSnapshotTable(snapshots) {
	if (snapshots.length === 0) return "There is no snapshot available.\n";
	return [
		"List of snapshots present on all disks:",
		left("ID", 10) + left("TAG", 17) + right("VM SIZE", 8) + right("DATE", 20) + right("VM CLOCK", 13) + right("ICOUNT", 11),
		...snapshots.map((s) => `${left("--", 9)} ${left(s.tag, 16)} ${right(sizeToStr(s.vmStateSize), 8)}${right(localDate(s.dateSec), 20)}${right(vmClock(s.vmClockNs), 13)}${right("", 11)}`)
	].map((l) => `${l}\n`).join("");
}
// ../../work/main/packages/machine/dist/monitor/snapshot-commands.js
const JobInfoType = t.struct("JobInfo", {
	id: "str",
	type: "str",
	status: t.enum("JobStatus", [
		"undefined",
		"created",
		"running",
		"paused",
		"ready",
		"standby",
		"waiting",
		"pending",
		"aborting",
		"concluded",
		"null"
	]),
	"current-progress": "int",
	"total-progress": "int",
	"*error": "str"
});
/**
* QEMU's internal-snapshot commands: QMP `snapshot-save`, `snapshot-load`, `snapshot-delete`
* as jobs, with `query-jobs`, `job-dismiss` and `JOB_STATUS_CHANGE`.
*/
function registerSnapshotQmpCommands(registry, snapshots, jobs) {
	const add = (name, definition) => void registry.command(name, definition);
	add("snapshot-save", {
		args: {
			"job-id": "str",
			tag: "str",
			vmstate: "str",
			devices: t.array("str")
		},
		handler: (args) => jobs.start(args["job-id"], "snapshot-save", async () => {
			await snapshots.save(args.tag, {
				overwrite: false,
				vmstate: args.vmstate,
				devices: args.devices
			});
		})
	});
	add("snapshot-load", {
		args: {
			"job-id": "str",
			tag: "str",
			vmstate: "str",
			devices: t.array("str")
		},
		handler: (args) => jobs.start(args["job-id"], "snapshot-load", () => snapshots.load(args.tag, {
			vmstate: args.vmstate,
			devices: args.devices
		}))
	});
	add("snapshot-delete", {
		args: {
			"job-id": "str",
			tag: "str",
			devices: t.array("str")
		},
		handler: (args) => jobs.start(args["job-id"], "snapshot-delete", () => snapshots.delete(args.tag, { devices: args.devices }))
	});
	add("query-jobs", {
		returns: t.array(JobInfoType),
		handler: () => jobs.list()
	});
	add("job-dismiss", {
		args: { id: "str" },
		handler: (args) => jobs.dismiss(args.id)
	});
	registry.event("JOB_STATUS_CHANGE", {
		id: "str",
		status: "str"
	});
}
/** HMP `savevm [tag]`, `loadvm tag`, `delvm tag` and `info snapshots`, with QEMU's output. */
function registerSnapshotHmpCommands(hmp, snapshots) {
	hmp.command({
		name: "savevm",
		args: "name:s?",
		params: "tag",
		help: "save a VM snapshot. If no tag is provided, a new snapshot is created",
		handler: async (args) => {
			await snapshots.save(typeof args["name"] === "string" ? args["name"] : void 0, { overwrite: true });
		}
	}).command({
		name: "loadvm",
		args: "name:s",
		params: "tag",
		help: "restore a VM snapshot from its tag",
		handler: async (args) => {
			await snapshots.load(String(args["name"]));
		}
	}).command({
		name: "delvm",
		args: "name:s",
		params: "tag",
		help: "delete a VM snapshot from its tag",
		handler: async (args) => {
			await snapshots.delete(String(args["name"]));
		}
	}).info({
		name: "snapshots",
		help: "show the currently saved VM snapshots",
		handler: async () => {
			if (!snapshots.store) return "no block device can store vmstate for snapshot\n";
			return formatSnapshotTable(await snapshots.list());
		}
	});
}
// ../../work/main/packages/machine/dist/monitor/hmp-commands.js
const kb = (bytes) => Math.floor(bytes / 1024);
/** `info migrate` in the layout of QEMU 7.2's HMP. */
function formatInfoMigrate(machine) {
	const info = machine.queryMigrate();
	const lines = [
		"globals:",
		"store-global-state: on",
		"only-migratable: off",
		"send-configuration: on",
		"send-section-footer: on",
		"decompress-error-check: on",
		"clear-bitmap-shift: 18"
	];
	const on = machine.capabilities().filter((c) => c.state);
	if (on.length > 0) lines.push(`capabilities: ${on.map((c) => `${c.capability}: on`).join(" ")}`);
	if (info.status !== void 0) lines.push(`Migration status: ${info.status}${info["error-desc"] !== void 0 ? ` (${info["error-desc"]})` : ""}`);
	if (info["total-time"] !== void 0) lines.push(`total time: ${info["total-time"]} ms`);
	if (info["expected-downtime"] !== void 0) lines.push(`expected downtime: ${info["expected-downtime"]} ms`);
	if (info.downtime !== void 0) lines.push(`downtime: ${info.downtime} ms`);
	if (info["setup-time"] !== void 0) lines.push(`setup: ${info["setup-time"]} ms`);
	const ram = info.ram;
	if (ram) {
		lines.push(`transferred ram: ${kb(ram.transferred)} kbytes`, `throughput: ${ram.mbps.toFixed(2)} mbps`, `remaining ram: ${kb(ram.remaining)} kbytes`, `total ram: ${kb(ram.total)} kbytes`, `duplicate: ${ram.duplicate} pages`, `skipped: ${ram.skipped} pages`, `normal: ${ram.normal} pages`, `normal bytes: ${kb(ram["normal-bytes"])} kbytes`, `dirty sync count: ${ram["dirty-sync-count"]}`, `page size: ${kb(ram["page-size"])} kbytes`, `multifd bytes: ${kb(ram["multifd-bytes"])} kbytes`, `pages-per-second: ${ram["pages-per-second"]}`);
		if (ram["dirty-pages-rate"] > 0) lines.push(`dirty pages rate: ${ram["dirty-pages-rate"]} pages`);
		lines.push(`precopy ram: ${kb(ram["precopy-bytes"])} kbytes`, `downtime ram: ${kb(ram["downtime-bytes"])} kbytes`);
	}
	return lines.map((l) => `${l}\r\n`).join("");
}
/** query-memory-size-summary's base-memory: the main RAM block, as QEMU's `-m`. */
function baseMemory(machine) {
	return machine.mainRam.size;
}
/** query-name: `{}` for a machine started without a name, as QEMU without `-name`. */
function queryName(machine) {
	return machine.hasName ? { name: machine.name } : {};
}
/** query-uuid: lower case, and all zeros without one (QEMU's UUID_NONE). */
function machineUuid(machine) {
	return (machine.uuid ?? "00000000-0000-0000-0000-000000000000").toLowerCase();
}
/**
* The machine's HMP commands on a @savevm/qmp HmpRegistry: `info status`, `info migrate`,
* `stop`, `cont`, `system_reset`, `migrate [-d] uri`, `migrate_cancel`, `quit`. Output lines end
* in "\n" (monitors send "\r\n"); failures print as `Error: …`.
*/
function registerMachineHmpCommands(hmp, machine, options = {}) {
	hmp.info({
		name: "status",
		help: "show the current VM status (running|paused)",
		handler: () => `${machine.runState.describe()}\n`
	}).info({
		name: "migrate",
		help: "show migration status",
		handler: () => formatInfoMigrate(machine).replace(/\r\n/g, "\n")
	}).info({
		name: "name",
		help: "show the current VM name",
		handler: () => machine.hasName ? `${machine.name}\n` : ""
	}).info({
		name: "uuid",
		help: "show the current VM UUID",
		handler: () => `${machineUuid(machine)}\n`
	}).info({
		name: "memory_size_summary",
		help: "show the amount of initially allocated and present hotpluggable (if enabled) memory in bytes.",
		handler: () => `base memory: ${baseMemory(machine)}\nplugged memory: 0\n`
	}).command({
		name: "stop",
		aliases: ["s"],
		help: "stop emulation",
		handler: () => machine.stop()
	}).command({
		name: "cont",
		aliases: ["c"],
		help: "resume emulation",
		handler: () => machine.cont()
	}).command({
		name: "system_reset",
		help: "reset the system",
		handler: () => machine.systemReset()
	}).command({
		name: "migrate_cancel",
		help: "cancel the current VM migration",
		handler: () => machine.cancelMigration()
	}).command({
		name: "quit",
		aliases: ["q"],
		help: "quit the emulator",
		handler: (_args, ctx) => {
			ctx.close();
			machine.shutdown("host-qmp-quit");
			setTimeout(() => options.onQuit?.(), 0);
		}
	}).command({
		name: "migrate",
		args: "detach:-d,blk:-b,inc:-i,resume:-r,uri:s",
		params: "[-d] [-b] [-i] [-r] uri",
		help: "migrate to URI (using -d to not wait for completion)",
		handler: async (args) => {
			if (args["blk"] || args["inc"]) throw new MachineError("INVALID_ARGUMENT", "Block migration is not supported by this machine");
			if (args["resume"]) throw new MachineError("INVALID_ARGUMENT", "Postcopy is not supported by this machine");
			const uri = String(args["uri"]);
			if (!options.channels) throw new MachineError("INVALID_ARGUMENT", "This monitor cannot open migration channels");
			machine.checkMigrate(uri);
			let open;
			try {
				open = options.channels.prepareOutput(uri, machine.multifdRequest());
			} catch (err) {
				machine.noteRefusedMigration(err instanceof Error ? err : new Error(String(err)));
				throw err;
			}
			const migration = machine.migrate(open);
			if (!args["detach"]) {
				await migration.done;
				if (migration.status === "failed") throw new MachineError("MIGRATION_FAILED", migration.error ?? "migration failed");
			}
		}
	});
	registerSnapshotHmpCommands(hmp, new NamedSnapshots(machine, options.snapshots));
	return hmp;
}
// ../../work/main/packages/machine/dist/monitor/incoming-runner.js
/**
* A libvirt image carries whether the guest ran at the save. libvirt stops the guest before it
* saves, so the stream itself says "paused": as `virsh restore` does, the guest is resumed after
* the load when `was_running` is set (unless `-S` asked to stay paused), and kept paused when
* not (`stop` while incoming only clears autostart). Returns what to do once loaded.
*/
function followWasRunning(machine, input, onNote) {
	const header = input.saveImage;
	if (header === void 0) return () => void 0;
	const format = header.format === "raw" ? "" : `, ${header.format}`;
	if (!header.wasRunning) {
		machine.stop();
		onNote(`libvirt save image (was_running=0${format}): the guest stays paused after the load`);
		return () => void 0;
	}
	if (!machine.autostart) {
		onNote(`libvirt save image (was_running=1${format}): the guest stays paused after the load because of -S; 'cont' resumes it`);
		return () => void 0;
	}
	onNote(`libvirt save image (was_running=1${format}): the guest resumes after the load`);
	return () => {
		try {
			if (!machine.runState.running) machine.cont();
		} catch (err) {
			onNote(`the guest cannot resume after the load: ${errorMessage(err)}`);
		}
	};
}
/**
* `migrate-incoming` / `--incoming URI`: checks and starts listening now, then loads the stream
* in the background. A failure is reported (status `failed`, `error-desc`) and the machine keeps
* waiting, ready for another `migrate-incoming`.
*/
async function startIncoming(machine, channels, uri, handlers = {}) {
	const { onError = () => void 0, onNote = () => void 0, onLoaded = () => void 0 } = typeof handlers === "function" ? { onError: handlers } : handlers;
	machine.checkIncoming();
	const prepared = await channels.prepareInput(uri, machine.multifdRequest());
	machine.markIncomingStarted(prepared.socketAddress);
	(async () => {
		try {
			const input = await prepared.accept();
			const afterLoad = followWasRunning(machine, input, onNote);
			await machine.incoming(input);
			afterLoad();
			onLoaded();
		} catch (err) {
			machine.markIncomingFailed(errorMessage(err));
			onError(errorMessage(err));
		} finally {
			prepared.close?.();
		}
	})();
}
// ../../work/main/packages/machine/dist/monitor/jobs.js
/** QEMU's id_wellformed: a letter, then letters, digits, '-', '.', '_'. */
function wellFormed(id) {
	return /^[A-Za-z][A-Za-z0-9._-]*$/.test(id);
}
/**
* QMP jobs as QEMU runs snapshot-save/-load/-delete: the command returns at once, the job goes
* created → running → waiting → pending → concluded (or running → aborting → concluded with an
* error), each step a `JOB_STATUS_CHANGE` event, and stays in `query-jobs` until `job-dismiss`.
*/
var JobManager = class {
	#jobs = /* @__PURE__ */ new Map();
	#emit;
	constructor(emit) {
		this.#emit = emit;
	}
	/**
	* Checks `id` now (QEMU's words), then runs `work` as a job. The events follow the command's
	* reply, as QEMU's do.
	*/
	start(id, type, work) {
		if (!wellFormed(id)) throw new MachineError("INVALID_ARGUMENT", `Invalid job ID '${id}'`);
		if (this.#jobs.has(id)) throw new MachineError("INVALID_ARGUMENT", `Job ID '${id}' already in use`);
		const job = { info: {
			id,
			type,
			status: "created",
			"current-progress": 0,
			"total-progress": 1
		} };
		this.#jobs.set(id, job);
		defer(() => {
			this.#set(job, "created");
			this.#set(job, "running");
			work().then(() => {
				job.info["current-progress"] = 1;
				this.#set(job, "waiting");
				this.#set(job, "pending");
				this.#set(job, "concluded");
			}, (err) => {
				job.info["current-progress"] = 1;
				job.info.error = errorMessage(err);
				this.#set(job, "aborting");
				this.#set(job, "concluded");
			});
		});
	}
	#set(job, status) {
		job.info.status = status;
		this.#emit("JOB_STATUS_CHANGE", {
			status,
			id: job.info.id
		});
	}
	list() {
		return [...this.#jobs.values()].map((j) => ({ ...j.info }));
	}
	/** `job-dismiss`: only a concluded job goes away (status `null`). */
	dismiss(id) {
		const job = this.#jobs.get(id);
		if (!job) throw new MachineError("INVALID_ARGUMENT", "Job not found");
		if (job.info.status !== "concluded") throw new MachineError("INVALID_STATE", `Job '${id}' in state '${job.info.status}' cannot accept command verb 'dismiss'`);
		this.#jobs.delete(id);
		this.#set(job, "null");
	}
};
// ../../work/main/packages/machine/dist/monitor/cpr-commands.js
/** The modes `cprsave` takes. `restart` (re-exec in place) has no equivalent here. */
const CPR_MODES = ["reboot"];
/**
* The checkpoint/restart commands of the 2020–21 Live Update series, with its syntax:
* `cprsave {file, mode}`, `cprload {file}` and `cprinfo`. `cprsave` is the same operation as
* `migrate` in mode cpr-reboot (one implementation, `Machine.checkpoint`): the guest stops, RAM
* stays in the memory file, the rest goes to `file` (mode 0600, temporary name, synced, renamed),
* and the process wiring then exits. `file` follows the device-state file-name rule (`fd:NAME`,
* reserved prefixes, relative names against the state directory).
*/
function registerCprCommands(registry, machine, channels) {
	const add = (name, definition) => void registry.command(name, definition);
	add("cprsave", {
		args: {
			file: "str",
			mode: "str"
		},
		handler: async (args) => {
			if (!CPR_MODES.includes(args.mode)) throw new MachineError("INVALID_ARGUMENT", `cprsave: bad mode ${args.mode}`);
			const open = channels();
			const migration = machine.checkpoint(() => open.openFileOutput(args.file, {
				argument: "file",
				durable: true
			}));
			await migration.done;
			if (migration.status === "completed") return;
			if (migration.status === "cancelled") throw new MachineError("MIGRATION_CANCELLED", "cprsave: cancelled");
			throw new MachineError("MIGRATION_FAILED", migration.error ?? "cprsave failed");
		}
	});
	add("cprload", {
		args: { file: "str" },
		handler: async (args) => {
			if (machine.runState.running) throw new MachineError("INVALID_STATE", "cprload called for a running VM");
			const input = await channels().openFileInput(args.file, { argument: "file" });
			await machine.loadCheckpoint(input);
		}
	});
	add("cprinfo", {
		returns: t.struct("CprInfo", { modes: t.array(t.enum("CprMode", CPR_MODES)) }),
		handler: () => ({ modes: [...CPR_MODES] })
	});
}
// ../../work/main/packages/machine/dist/monitor/qmp-commands.js
const MigrationCapabilityEnum = t.enum("MigrationCapability", MIGRATION_CAPABILITIES);
const StatusInfo = t.struct("StatusInfo", {
	running: "bool",
	singlestep: "bool",
	status: "str"
});
const PARAMETER_MEMBERS = {
	"*announce-initial": "size",
	"*announce-max": "size",
	"*announce-rounds": "size",
	"*announce-step": "size",
	"*compress-level": "uint8",
	"*compress-threads": "uint8",
	"*compress-wait-thread": "bool",
	"*decompress-threads": "uint8",
	"*throttle-trigger-threshold": "uint8",
	"*cpu-throttle-initial": "uint8",
	"*cpu-throttle-increment": "uint8",
	"*cpu-throttle-tailslow": "bool",
	"*tls-creds": "str",
	"*tls-hostname": "str",
	"*tls-authz": "str",
	"*max-bandwidth": "size",
	"*downtime-limit": "uint64",
	"*x-checkpoint-delay": "uint32",
	"*block-incremental": "bool",
	"*multifd-channels": "uint8",
	"*xbzrle-cache-size": "size",
	"*max-postcopy-bandwidth": "size",
	"*max-cpu-throttle": "uint8",
	"*multifd-compression": t.enum("MultiFDCompression", [
		"none",
		"zlib",
		"zstd"
	]),
	"*multifd-zlib-level": "uint8",
	"*multifd-zstd-level": "uint8",
	"*mode": t.enum("MigMode", MIGRATION_MODES)
};
function toNumber(v) {
	return typeof v === "bigint" ? Number(v) : v;
}
/**
* Registers a command with its argument type written out: letting the registry infer it from
* the schema makes the type checker give up ("excessively deep"), so the schema stays the
* source of truth at run time and `A` mirrors it here.
*/
function add(registry, name, definition) {
	registry.command(name, definition);
}
function needChannels(options) {
	if (!options.channels) throw new QmpError("This monitor cannot open migration channels");
	return options.channels;
}
/**
* The machine's QMP command set, with QEMU's names, argument schemas and events, registered on
* a @savevm/qmp registry. Commands only call machine operations.
*/
function registerMachineCommands(registry, machine, options = {}) {
	const hmp = options.hmp ?? registerMachineHmpCommands(new HmpRegistry(), machine, options);
	registerSnapshotQmpCommands(registry, new NamedSnapshots(machine, options.snapshots), new JobManager((event, data) => machine.events.emit(event, data)));
	registerCprCommands(registry, machine, () => needChannels(options));
	add(registry, "query-status", {
		returns: StatusInfo,
		handler: () => ({
			running: machine.runState.running,
			singlestep: false,
			status: machine.runState.state
		})
	});
	add(registry, "query-name", {
		returns: t.struct("NameInfo", { "*name": "str" }),
		handler: () => queryName(machine)
	});
	add(registry, "query-uuid", {
		returns: t.struct("UuidInfo", { UUID: "str" }),
		handler: () => ({ UUID: machineUuid(machine) })
	});
	add(registry, "query-memory-size-summary", {
		returns: t.struct("MemoryInfo", { "base-memory": "size" }),
		handler: () => ({ "base-memory": baseMemory(machine) })
	});
	add(registry, "stop", { handler: () => machine.stop() });
	add(registry, "cont", { handler: () => machine.cont() });
	add(registry, "system_reset", { handler: () => machine.systemReset() });
	add(registry, "quit", { handler: () => {
		machine.shutdown("host-qmp-quit");
		setTimeout(() => options.onQuit?.(), 0);
	} });
	add(registry, "migrate", {
		args: {
			uri: "str",
			"*blk": "bool",
			"*inc": "bool",
			"*detach": "bool",
			"*resume": "bool"
		},
		handler: (args) => {
			if (args.blk || args.inc) throw new QmpError("Block migration is not supported by this machine");
			if (args.resume) throw new QmpError("Postcopy is not supported by this machine");
			const channels = needChannels(options);
			machine.checkMigrate(args.uri);
			let open;
			try {
				open = channels.prepareOutput(args.uri, machine.multifdRequest());
			} catch (err) {
				machine.noteRefusedMigration(err instanceof Error ? err : new Error(String(err)));
				throw err;
			}
			machine.migrate(open);
		}
	});
	add(registry, "migrate-incoming", {
		args: { uri: "str" },
		handler: async (args) => {
			await startIncoming(machine, needChannels(options), args.uri);
		}
	});
	add(registry, "query-migrate", {
		returns: "any",
		handler: () => toJson(machine.queryMigrate())
	});
	add(registry, "migrate_cancel", { handler: () => machine.cancelMigration() });
	add(registry, "migrate-set-capabilities", {
		args: { capabilities: t.array(t.struct("MigrationCapabilityStatus", {
			capability: MigrationCapabilityEnum,
			state: "bool"
		})) },
		handler: (args) => machine.setCapabilities(args.capabilities)
	});
	add(registry, "query-migrate-capabilities", {
		returns: t.array(t.struct("MigrationCapabilityStatus", {
			capability: MigrationCapabilityEnum,
			state: "bool"
		})),
		handler: () => machine.capabilities()
	});
	add(registry, "migrate-set-parameters", {
		args: PARAMETER_MEMBERS,
		handler: (args) => {
			const changes = {};
			for (const [key, value] of Object.entries(args)) {
				if (!isParameterName(key) || value === void 0) continue;
				changes[key] = typeof value === "bigint" ? toNumber(value) : value;
			}
			machine.setParameters(changes);
		}
	});
	add(registry, "query-migrate-parameters", {
		returns: "any",
		handler: () => toJson(machine.parameters())
	});
	add(registry, "getfd", {
		args: { fdname: "str" },
		handler: (args, ctx) => {
			const fd = ctx.takeFd();
			if (fd === void 0) throw new QmpError("No file descriptor supplied via SCM_RIGHTS");
			needChannels(options).addFd(args.fdname, fd);
		}
	});
	add(registry, "closefd", {
		args: { fdname: "str" },
		handler: (args) => needChannels(options).closeFd(args.fdname)
	});
	add(registry, "xen-save-devices-state", {
		args: {
			filename: "str",
			"*live": "bool"
		},
		handler: async (args) => {
			const out = await needChannels(options).openFileOutput(args.filename);
			await machine.saveDevicesState(out);
		}
	});
	add(registry, "xen-load-devices-state", {
		args: { filename: "str" },
		handler: async (args) => {
			if (machine.runState.running) throw new MachineError("INVALID_STATE", "Cannot update device state while vm is running");
			const input = await needChannels(options).openFileInput(args.filename);
			await machine.loadDevicesState(input);
		}
	});
	add(registry, "human-monitor-command", {
		args: {
			"command-line": "str",
			"*cpu-index": "int"
		},
		returns: "str",
		handler: async (args) => {
			if (args["cpu-index"] !== void 0 && toNumber(args["cpu-index"]) !== 0) throw new QmpError("Parameter 'cpu-index' expects a CPU number");
			return (await hmp.execute(args["command-line"], {
				history: [],
				cpuIndex: 0,
				close() {}
			})).replace(/\r?\n/g, "\r\n");
		}
	});
	add(registry, "x-query-digest", {
		returns: t.struct("DigestInfo", {
			ram: "str",
			devices: "str",
			steps: "int"
		}),
		handler: async () => {
			const d = await machine.digest();
			return {
				ram: d.ram,
				devices: d.devices,
				steps: d.steps
			};
		}
	});
	registry.event("STOP").event("RESUME").event("SHUTDOWN", {
		guest: "bool",
		reason: "str"
	}).event("RESET", {
		guest: "bool",
		reason: "str"
	}).event("MIGRATION", { status: "str" }).event("MIGRATION_PASS", { pass: "int" });
	return registry;
}
function toJson(value) {
	return JSON.parse(JSON.stringify(value));
}
// ../../work/main/packages/machine/dist/snapshot/snapshot-store.js
/** The block node name a store gets unless told otherwise. */
const DEFAULT_SNAPSHOT_NODE = "snapshots";
// ../../work/main/packages/machine/dist/node/socket-channel.js
const STRERROR = {
	ECONNREFUSED: "Connection refused",
	ENOENT: "No such file or directory",
	EACCES: "Permission denied",
	ETIMEDOUT: "Connection timed out",
	EHOSTUNREACH: "No route to host",
	ENETUNREACH: "Network is unreachable",
	EADDRINUSE: "Address already in use",
	ECONNRESET: "Connection reset by peer",
	EPIPE: "Broken pipe"
};
/** The C library's wording for a Node system error, as QEMU prints it. */
function describeSystemError(err) {
	const e = err;
	return (e.code && STRERROR[e.code]) ?? e.message ?? String(err);
}
function label$1(address) {
	return address.kind === "unix" ? address.path : `${address.host}:${address.port}`;
}
/**
* Sends a save over a connected socket or pipe; `close` ends it and waits until everything is
* sent.
*/
var SocketOutputChannel = class {
	#socket;
	#error;
	constructor(socket) {
		this.#socket = socket;
		socket.on("error", (err) => {
			this.#error ??= new MachineError("CHANNEL", `Unable to write to socket: ${describeSystemError(err)}`, { cause: err });
		});
	}
	write(chunks) {
		if (this.#error) return Promise.reject(this.#error);
		const socket = this.#socket;
		if (chunks.length === 0) return Promise.resolve();
		return new Promise((resolve, reject) => {
			const onClose = () => reject(this.#error ?? new MachineError("CHANNEL", "Unable to write to socket: Broken pipe"));
			socket.once("close", onClose);
			socket.cork();
			chunks.forEach((chunk, i) => {
				const last = i === chunks.length - 1;
				socket.write(chunk, last ? (err) => {
					socket.off("close", onClose);
					if (err) reject(this.#error ?? err);
					else resolve();
				} : void 0);
			});
			socket.uncork();
		});
	}
	close() {
		if (this.#error) return Promise.reject(this.#error);
		const socket = this.#socket;
		return new Promise((resolve, reject) => {
			socket.once("error", reject);
			socket.end(() => resolve());
		});
	}
	async abort() {
		this.#socket.destroy();
	}
};
/** Receives a stream from a connected socket or pipe. */
function socketInput(socket) {
	return {
		async *[Symbol.asyncIterator]() {
			for await (const chunk of socket) yield chunk;
		},
		async close() {
			socket.destroy();
		}
	};
}
/** Connects to a destination; rejects with QEMU's "Failed to connect to …" wording. */
function connectSocket(address) {
	return new Promise((resolve, reject) => {
		const socket = address.kind === "unix" ? createConnection({ path: address.path }) : createConnection({
			host: address.host,
			port: address.port
		});
		socket.once("connect", () => {
			socket.removeAllListeners("error");
			resolve(socket);
		});
		socket.once("error", (err) => {
			reject(new MachineError("CHANNEL", `Failed to connect to '${label$1(address)}': ${describeSystemError(err)}`, { cause: err }));
		});
	});
}
/**
* Listens for an incoming migration. TCP with an empty host binds to loopback (not every
* interface, unlike QEMU) and unix sockets are created with mode 0600.
*/
async function listenSocket(address) {
	if (address.kind === "unix") try {
		await claimSocketPath(address.path);
	} catch (err) {
		throw new MachineError("CHANNEL", `Failed to bind socket to '${address.path}': Address already in use`, { cause: err });
	}
	const server = createServer({ pauseOnConnect: false });
	const pending = [];
	const waiters = [];
	const acceptNext = () => {
		const ready = pending.shift();
		return ready ? Promise.resolve(ready) : new Promise((r) => waiters.push(r));
	};
	server.on("connection", (socket) => {
		const waiter = waiters.shift();
		if (waiter) waiter(socket);
		else pending.push(socket);
	});
	return new Promise((resolve, reject) => {
		server.once("error", (err) => {
			const reason = address.kind === "unix" ? unixListenError(err, address.path) : err;
			reject(new MachineError("CHANNEL", `Failed to bind socket to '${label$1(address)}': ${describeSystemError(reason)}`, { cause: err }));
		});
		const ready = () => {
			server.removeAllListeners("error");
			let bound = address;
			if (address.kind === "unix") chmodSync(address.path, 384);
			else {
				const a = server.address();
				if (a && typeof a === "object") bound = {
					kind: "tcp",
					host: a.address,
					port: a.port
				};
			}
			resolve({
				address: bound,
				acceptNext,
				accept() {
					return acceptNext().then((socket) => {
						server.close();
						return socket;
					});
				},
				close() {
					server.close();
					for (const s of pending) s.destroy();
				}
			});
		};
		if (address.kind === "unix") {
			const old = process.umask(127);
			try {
				server.listen(address.path, ready);
			} finally {
				process.umask(old);
			}
		} else server.listen({
			host: address.host === "" ? "127.0.0.1" : address.host,
			port: address.port
		}, ready);
	});
}
// ../../work/main/packages/machine/dist/node/exec-channel.js
function exited(child, command) {
	return new Promise((resolve, reject) => {
		child.once("error", (err) => reject(new MachineError("CHANNEL", `Failed to run '${command}': ${err.message}`, { cause: err })));
		child.once("exit", (code, signal) => {
			if (code === 0) resolve();
			else reject(new MachineError("CHANNEL", `'${command}' exited with ${signal ?? `status ${code}`}`));
		});
	});
}
/** `exec:CMD` outgoing: the stream goes to the command's standard input (`/bin/sh -c`). */
function execOutput(command) {
	const child = spawn("/bin/sh", ["-c", command], { stdio: [
		"pipe",
		"ignore",
		"inherit"
	] });
	const exit = exited(child, command);
	exit.catch(() => void 0);
	const pipe = new SocketOutputChannel(child.stdin);
	return {
		write: (chunks) => pipe.write(chunks),
		async close() {
			await pipe.close();
			await exit;
		},
		async abort() {
			await pipe.abort();
			child.kill("SIGTERM");
		}
	};
}
/** `exec:CMD` incoming: the stream is the command's standard output. */
function execInput(command) {
	const child = spawn("/bin/sh", ["-c", command], { stdio: [
		"ignore",
		"pipe",
		"inherit"
	] });
	const exit = exited(child, command);
	exit.catch(() => void 0);
	const input = socketInput(child.stdout);
	return {
		async *[Symbol.asyncIterator]() {
			yield* input;
			await exit;
		},
		async close() {
			await input.close();
			if (child.exitCode === null) child.kill("SIGTERM");
		}
	};
}
// ../../work/main/packages/machine/dist/node/fd-channel.js
const writevAsync = promisify(writev);
const closeAsync = promisify(close);
/** Writes to a file descriptor that is a regular file, at its current position. */
var FdFileOutputChannel = class {
	#fd;
	#closed = false;
	constructor(fd) {
		this.#fd = fd;
	}
	async write(chunks) {
		await writeAll(chunks, async (part) => (await writevAsync(this.#fd, part)).bytesWritten);
	}
	async close() {
		if (this.#closed) return;
		this.#closed = true;
		await closeAsync(this.#fd);
	}
	async abort() {
		if (this.#closed) return;
		this.#closed = true;
		await closeAsync(this.#fd).catch(() => void 0);
	}
};
function checkFd(fd) {
	try {
		return fstatSync(fd);
	} catch (err) {
		throw new MachineError("CHANNEL", `File descriptor ${fd} is not open: ${err.message}`, { cause: err });
	}
}
/** An output channel on a descriptor: a socket or pipe streams, a regular file is written in place. */
function fdOutput(fd) {
	const stat = checkFd(fd);
	if (stat.isSocket() || stat.isFIFO()) return new SocketOutputChannel(new Socket({
		fd,
		readable: false,
		writable: true
	}));
	return new FdFileOutputChannel(fd);
}
/** An input channel on a descriptor (an inherited fd or one passed with getfd). */
function fdInput(fd) {
	const stat = checkFd(fd);
	if (stat.isSocket() || stat.isFIFO()) return socketInput(new Socket({
		fd,
		readable: true,
		writable: false
	}));
	return socketInput(createReadStream("", {
		fd,
		highWaterMark: 1 << 20,
		autoClose: true,
		start: void 0
	}));
}
// ../../work/main/packages/machine/dist/node/migration-uri.js
function invalid(uri, direction) {
	return new MachineError("INVALID_ARGUMENT", direction === "outgoing" ? "Parameter 'uri' expects a valid migration protocol" : `unknown migration protocol: ${uri}`);
}
/**
* Parses `file:PATH[,offset=N]`, `unix:PATH`, `tcp:HOST:PORT` (IPv6 as `[::1]:PORT`),
* `fd:NAME` and `exec:CMD`, with QEMU's messages for anything else.
*/
function parseMigrationUri(uri, direction) {
	const colon = uri.indexOf(":");
	if (colon < 0) throw invalid(uri, direction);
	const scheme = uri.slice(0, colon);
	const rest = uri.slice(colon + 1);
	switch (scheme) {
		case "file": {
			const m = /^(.*?)(?:,offset=(\d+|0x[0-9a-fA-F]+))?$/.exec(rest);
			const path = m?.[1] ?? "";
			if (path === "") throw invalid(uri, direction);
			return {
				kind: "file",
				path,
				offset: m?.[2] === void 0 ? 0 : Number(m[2])
			};
		}
		case "unix":
			if (rest === "") throw invalid(uri, direction);
			return {
				kind: "unix",
				path: rest
			};
		case "tcp": {
			const m = /^(?:\[([^\]]*)\]|([^:]*)):(\d+)$/.exec(rest);
			const port = Number(m?.[3]);
			if (!m || !Number.isInteger(port) || port < 0 || port > 65535) throw invalid(uri, direction);
			return {
				kind: "tcp",
				host: m[1] ?? m[2] ?? "",
				port
			};
		}
		case "fd":
			if (rest === "") throw invalid(uri, direction);
			return {
				kind: "fd",
				name: rest
			};
		case "exec":
			if (rest.trim() === "") throw invalid(uri, direction);
			return {
				kind: "exec",
				command: rest
			};
		default: throw invalid(uri, direction);
	}
}
// ../../work/main/packages/machine/dist/node/multifd-zlib.js
/** Feeds `data` and sync-flushes: what came out is the whole of this packet's part of the stream. */
function pass(stream, data, limit, what) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		let length = 0;
		const onData = (chunk) => {
			length += chunk.length;
			if (length > limit) {
				done();
				stream.destroy();
				reject(new MachineError("LOAD_FAILED", `${what}: more than ${limit} bytes`));
				return;
			}
			chunks.push(chunk);
		};
		const onError = (err) => {
			done();
			reject(new MachineError("LOAD_FAILED", `${what}: ${err.message}`, { cause: err }));
		};
		const done = () => {
			stream.off("data", onData);
			stream.off("error", onError);
		};
		stream.on("data", onData);
		stream.once("error", onError);
		stream.write(data);
		stream.flush(constants$1.Z_SYNC_FLUSH, () => {
			if (stream.destroyed) return;
			done();
			resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length));
		});
	});
}
/** zlib as QEMU 7.2's multifd uses it: one zlib stream per channel, a sync flush per packet. */
function multifdZlib(level) {
	return {
		flag: 2,
		compressor() {
			const stream = createDeflate({ level });
			return {
				compress: (pages) => pass(stream, pages, Number.MAX_SAFE_INTEGER, "deflate failed"),
				close: () => stream.destroy()
			};
		},
		decompressor() {
			const stream = createInflate();
			return {
				async decompress(data, size) {
					const out = await pass(stream, data, size, "inflate generated");
					if (out.length !== size) throw new MachineError("LOAD_FAILED", `packet size received ${out.length} size expected ${size}`);
					return out;
				},
				close: () => stream.destroy()
			};
		}
	};
}
// ../../work/main/packages/machine/dist/node/multifd-send-thread.js
/**
* A multifd channel's thread: it connects its own socket (a socket cannot move between threads)
* and writes the packets it is handed. Runs from its own source text, so it may use nothing from
* the module scope.
*/
function laneThreadMain(wt, net) {
	const port = wt.parentPort;
	let socket;
	let connecting = true;
	port.on("message", (m) => {
		if (m.type === "connect") {
			const a = m.address;
			socket = a.kind === "unix" ? net.createConnection({ path: a.path }) : net.createConnection({
				host: a.host,
				port: a.port
			});
			socket.setNoDelay(true);
			socket.once("connect", () => {
				connecting = false;
				port.postMessage({ type: "connected" });
			});
			socket.on("error", (e) => port.postMessage({
				type: "error",
				code: e.code,
				message: e.message,
				connecting
			}));
			socket.on("close", () => port.postMessage({ type: "closed" }));
		} else if (m.type === "write") {
			const s = socket;
			const chunks = m.chunks;
			s.cork();
			const done = (err) => port.postMessage(err ? {
				type: "error",
				code: err.code,
				message: err.message,
				connecting: false
			} : {
				type: "written",
				id: m.id
			});
			chunks.forEach((c, i) => s.write(c, i === chunks.length - 1 ? done : void 0));
			s.uncork();
		} else if (m.type === "end") {
			if (!socket || socket.destroyed) port.postMessage({ type: "ended" });
			else socket.end(() => port.postMessage({ type: "ended" }));
		}
	});
}
const LANE_SOURCE = `(${laneThreadMain.toString()})(require("node:worker_threads"), require("node:net"));`;
function label(address) {
	return address.kind === "unix" ? address.path : `${address.host}:${address.port}`;
}
/** Whether a chunk's memory is its own (not a view into a pool or a larger buffer): it can move. */
function owned(chunk) {
	return chunk.buffer instanceof ArrayBuffer && chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength;
}
/**
* One multifd channel sent from a worker thread: the packets' bytes are transferred to it, not
* copied, when they own their memory (a batch of 128 pages does), and the socket writes happen
* off the migration's thread. Writing takes the chunks over: a transferred chunk is detached.
*/
var ThreadLaneChannel = class ThreadLaneChannel {
	#worker;
	#pending = /* @__PURE__ */ new Map();
	#nextId = 0;
	#error;
	#ended;
	#closing;
	#peerClosed = false;
	constructor(worker) {
		this.#worker = worker;
	}
	/** Starts the thread and connects; rejects with QEMU's "Failed to connect to …" wording. */
	static async connect(address) {
		const worker = new Worker(LANE_SOURCE, {
			eval: true,
			name: "savevm-multifd-send"
		});
		const channel = new ThreadLaneChannel(worker);
		await new Promise((resolve, reject) => {
			worker.on("message", (reply) => {
				if (reply.type === "connected") resolve();
				else if (reply.type === "error" && reply.connecting) {
					worker.terminate();
					reject(new MachineError("CHANNEL", `Failed to connect to '${label(address)}': ${describeSystemError(reply)}`));
				} else channel.#reply(reply);
			});
			worker.once("error", (err) => reject(new MachineError("CHANNEL", `multifd: the sending thread failed: ${err.message}`, { cause: err })));
			worker.postMessage({
				type: "connect",
				address
			});
		});
		worker.on("exit", () => channel.#fail(new MachineError("CHANNEL", "Unable to write to socket: the sending thread exited")));
		return channel;
	}
	#reply(reply) {
		if (reply.type === "written") {
			this.#pending.get(reply.id)?.resolve();
			this.#pending.delete(reply.id);
		} else if (reply.type === "ended") this.#ended?.();
		else if (reply.type === "closed") {
			this.#peerClosed = true;
			if (this.#pending.size > 0) this.#fail(new MachineError("CHANNEL", "Unable to write to socket: Broken pipe"));
			else this.#ended?.();
		} else if (reply.type === "error") this.#fail(new MachineError("CHANNEL", `Unable to write to socket: ${describeSystemError(reply)}`));
	}
	#fail(err) {
		this.#error ??= err;
		this.#closing?.(this.#error);
		for (const p of this.#pending.values()) p.reject(this.#error);
		this.#pending.clear();
	}
	write(chunks) {
		if (this.#error) return Promise.reject(this.#error);
		const id = this.#nextId++;
		const moved = chunks.map((c) => owned(c) ? c : new Uint8Array(c));
		return new Promise((resolve, reject) => {
			this.#pending.set(id, {
				resolve,
				reject
			});
			this.#worker.postMessage({
				type: "write",
				id,
				chunks: moved
			}, moved.map((c) => c.buffer));
		});
	}
	async close() {
		if (this.#error) throw this.#error;
		if (this.#peerClosed) {
			await this.#worker.terminate();
			return;
		}
		await new Promise((resolve, reject) => {
			this.#ended = resolve;
			this.#closing = reject;
			this.#worker.postMessage({ type: "end" });
		});
		await this.#worker.terminate();
	}
	async abort() {
		await this.#worker.terminate();
	}
};
// ../../work/main/packages/machine/dist/node/multifd-sockets.js
const QEVM = 0x5145564d;
function startsWithQevm(head) {
	return head.length >= 4 && (head[0] << 24 | head[1] << 16 | head[2] << 8 | head[3]) >>> 0 === QEVM;
}
function codecFor(request) {
	return request.compression === "zlib" ? { codec: multifdZlib(request.level) } : {};
}
/**
* Connects the main channel and then `request.channels` multifd channels to one address. The
* main connection is made first and alone: QEMU 7.2's destination takes its first accepted
* connection for the main stream without looking at it.
*/
async function connectMultifd(address, request) {
	const main = await connectSocket(address);
	const lanes = [];
	try {
		for (let i = 0; i < request.channels; i++) lanes.push(await ThreadLaneChannel.connect(address));
	} catch (err) {
		main.destroy();
		await Promise.all(lanes.map((lane) => lane.abort()));
		throw err;
	}
	const channel = new SocketOutputChannel(main);
	channel.multifd = {
		lanes,
		uuid: request.uuid,
		...codecFor(request)
	};
	return channel;
}
/**
* Accepts the main channel and `request.channels` multifd channels on one listener, in any
* order, telling them apart by their first bytes: the main stream starts with `QEVM`, a multifd
* channel with its init packet's magic. Anything else, or a second main stream, fails the load.
*/
async function acceptMultifd(listener, request) {
	const sockets = [];
	let main;
	const lanes = [];
	try {
		for (let i = 0; i <= request.channels; i++) {
			const socket = await listener.acceptNext();
			sockets.push(socket);
			const peeked = await peekStream(socket, (head) => head.length >= 4, 4);
			const input = {
				[Symbol.asyncIterator]: () => peeked.replay(),
				close: async () => void socket.destroy()
			};
			if (startsWithQevm(peeked.head) && main === void 0) main = input;
			else if (startsWithMultifdMagic(peeked.head) && lanes.length < request.channels) lanes.push(input);
			else {
				const head = Array.from(peeked.head, (b) => b.toString(16).padStart(2, "0")).join("");
				throw new MachineError("CHANNEL", `multifd: connection ${i + 1} of ${request.channels + 1} starts with '${head}', neither a migration stream nor a multifd channel (or one too many of its kind)`);
			}
		}
	} catch (err) {
		for (const s of sockets) s.destroy();
		throw err;
	} finally {
		listener.close();
	}
	return Object.assign(main, { multifd: {
		lanes,
		uuid: request.uuid,
		...codecFor(request)
	} });
}
// ../../work/main/packages/machine/dist/node/channels.js
/**
* Turns migration URIs into channels and keeps the named descriptors `getfd` received.
* Opening is split in two: `prepare*` checks the URI synchronously (so `migrate` can refuse at
* once with QEMU's message), the returned function connects (errors then go to query-migrate).
*/
var NodeChannels = class {
	#fds = new FdTable(closeQuietly);
	#allowExec;
	/** Relative file names are resolved here, fixed when the machine starts. */
	baseDir;
	constructor(options = {}) {
		this.#allowExec = options.allowExec ?? false;
		this.baseDir = resolve(options.baseDir ?? process.cwd());
	}
	/** `getfd`: names a descriptor; an existing name is replaced (its old fd closed). */
	addFd(name, fd) {
		this.#fds.set(name, fd);
	}
	/** `closefd`. */
	closeFd(name) {
		if (!this.#fds.close(name)) throw new MachineError("INVALID_ARGUMENT", `File descriptor named '${name}' not found`);
	}
	hasFd(name) {
		return this.#fds.names().includes(name);
	}
	/**
	* Hands over the descriptor named `name` (the caller owns it now), as `migrate fd:NAME` and
	* `fd:NAME` file names consume it; QEMU's message when there is none.
	*/
	takeFd(name) {
		const fd = this.#fds.take(name);
		if (fd === void 0) throw new MachineError("INVALID_ARGUMENT", `File descriptor named '${name}' has not been found`);
		return fd;
	}
	#checkExec(uri) {
		if (uri.kind === "exec" && !this.#allowExec) throw new MachineError("INVALID_ARGUMENT", "exec: migration is disabled; start the machine with --allow-exec to enable it");
	}
	/** Checks an outgoing URI and returns the function that opens it (with `multifd`, and its channels). */
	prepareOutput(text, multifd) {
		const uri = parseMigrationUri(text, "outgoing");
		this.#checkExec(uri);
		checkMultifdProtocol(uri, multifd);
		if (multifd && (uri.kind === "unix" || uri.kind === "tcp")) return () => connectMultifd(uri, multifd);
		switch (uri.kind) {
			case "file":
				if (uri.offset !== 0) throw new MachineError("INVALID_ARGUMENT", "file: offset is only supported for incoming migration");
				return async () => {
					const channel = new FileOutputChannel(resolve(this.baseDir, uri.path));
					await channel.ready();
					return channel;
				};
			case "unix":
			case "tcp": return async () => new SocketOutputChannel(await connectSocket(uri));
			case "fd": {
				const fd = this.takeFd(uri.name);
				return async () => fdOutput(fd);
			}
			case "exec": return async () => execOutput(uri.command);
		}
	}
	/**
	* Checks an incoming URI and starts listening where the scheme listens; `accept` resolves
	* with the stream once a source connected (or at once for files, fds and commands).
	*/
	async prepareInput(text, multifd) {
		const uri = parseMigrationUri(text, "incoming");
		this.#checkExec(uri);
		checkMultifdProtocol(uri, multifd);
		switch (uri.kind) {
			case "file": return { accept: () => openFileInput(resolve(this.baseDir, uri.path), uri.offset) };
			case "unix":
			case "tcp": {
				const listener = await listenSocket(uri);
				if (multifd) return {
					listener,
					accept: () => acceptMultifd(listener, multifd)
				};
				return {
					listener,
					accept: async () => socketInput(await listener.accept())
				};
			}
			case "fd": {
				const input = fdInput(this.hasFd(uri.name) || !/^\d+$/.test(uri.name) ? this.takeFd(uri.name) : Number(uri.name));
				return { accept: async () => input };
			}
			case "exec": return { accept: async () => execInput(uri.command) };
		}
	}
};
/** Multifd needs several connections to one address: only unix and tcp have that (QEMU's words). */
function checkMultifdProtocol(uri, multifd) {
	if (multifd && uri.kind !== "unix" && uri.kind !== "tcp") throw new MachineError("INVALID_ARGUMENT", "multifd is not supported by current protocol");
}
function closeQuietly(fd) {
	try {
		closeSync(fd);
	} catch {}
}
// ../../work/main/packages/machine/dist/node/state-file-name.js
/**
* A name that starts with letters and a colon is a protocol prefix (QEMU's `migrate_is_uri`
* takes the same shape), so `file:x` or `C:x` cannot silently become a file called that.
*/
const PREFIX = /^([A-Za-z]+):/;
/**
* Reads a file name given to the monitor (`xen-save-devices-state filename`, `cprsave file`, …)
* by the rule asked for on qemu-devel when these commands took file names: `fd:NAME` is a
* descriptor received with `getfd`; any other `letters:` prefix is reserved and refused, with how
* to mean a file of that name; every other name is a file, and a relative one is resolved against
* `baseDir` (the machine's state directory), never against whatever the process's working
* directory is at the time.
*/
function parseStateFileName(name, baseDir, argument = "filename") {
	if (name === "") throw new MachineError("INVALID_ARGUMENT", `Parameter '${argument}' expects a file name or fd:NAME`);
	const prefix = PREFIX.exec(name)?.[1];
	if (prefix === "fd") {
		const fdName = name.slice(3);
		if (fdName === "") throw new MachineError("INVALID_ARGUMENT", `Parameter '${argument}' expects fd:NAME with the name given to getfd`);
		return {
			kind: "fd",
			name: fdName
		};
	}
	if (prefix !== void 0) throw new MachineError("INVALID_ARGUMENT", `Parameter '${argument}': '${prefix}:' is a reserved prefix (only fd:NAME is understood); use ./${name} or an absolute path to mean a file of that name`);
	return {
		kind: "path",
		path: isAbsolute(name) ? name : resolve(baseDir, name)
	};
}
// ../../work/main/packages/machine/dist/node/save-image-input.js
const SNIFF_BYTES = 16;
/**
* An incoming stream that may be a libvirt save image (`virsh save` output, or ours): the header,
* XML and cookie are skipped, the payload goes through the decompressor its header names, and
* the header is handed on so the load can follow `was_running`. Anything else passes through
* untouched.
*/
async function unwrapSaveImage(input) {
	let peeked;
	try {
		peeked = await peekStream(input, (head) => head.length >= SNIFF_BYTES, SNIFF_BYTES);
	} catch (err) {
		await input.close().catch(() => void 0);
		throw err;
	}
	const replay = () => peeked.replay();
	const first = peeked.head;
	if (sniffLibvirtSaveImage(first) === null) {
		let used = false;
		return {
			[Symbol.asyncIterator]() {
				if (used) throw new Error("an incoming stream can be read only once");
				used = true;
				return replay();
			},
			close: () => input.close()
		};
	}
	let image;
	try {
		image = await readSaveImage(replay());
	} catch (err) {
		await input.close().catch(() => void 0);
		throw err;
	}
	return {
		saveImage: image.header,
		[Symbol.asyncIterator]: () => image.stream[Symbol.asyncIterator](),
		async close() {
			await image.stream.close().catch(() => void 0);
			await input.close();
		}
	};
}
// ../../work/main/packages/machine/dist/node/node-monitor-channels.js
/** The monitor's channels on Node: files, unix and tcp sockets, descriptors, commands. */
var NodeMonitorChannels = class {
	channels;
	/** `baseDir`: where relative file names resolve (the machine's state directory; the working directory at start by default). */
	constructor(options = {}) {
		this.channels = new NodeChannels(options);
	}
	/** The directory relative file names are resolved against. */
	get baseDir() {
		return this.channels.baseDir;
	}
	prepareOutput(uri, multifd) {
		return this.channels.prepareOutput(uri, multifd);
	}
	async prepareInput(uri, multifd) {
		const prepared = await this.channels.prepareInput(uri, multifd);
		const accept = async () => {
			const input = await prepared.accept();
			const unwrapped = await unwrapSaveImage(input);
			return input.multifd ? Object.assign(unwrapped, { multifd: input.multifd }) : unwrapped;
		};
		const listener = prepared.listener;
		if (!listener) return { accept };
		const a = listener.address;
		return {
			accept,
			close: () => listener.close(),
			socketAddress: a.kind === "unix" ? {
				type: "unix",
				path: a.path
			} : {
				type: "inet",
				host: a.host,
				port: String(a.port)
			}
		};
	}
	async openFileOutput(name, options = {}) {
		const target = parseStateFileName(name, this.baseDir, options.argument);
		if (target.kind === "fd") return fdOutput(this.channels.takeFd(target.name));
		const channel = new FileOutputChannel(target.path, { durable: options.durable ?? false });
		await channel.ready();
		return channel;
	}
	async openFileInput(name, options = {}) {
		const target = parseStateFileName(name, this.baseDir, options.argument);
		if (target.kind === "fd") return fdInput(this.channels.takeFd(target.name));
		return openFileInput(target.path);
	}
	addFd(name, fd) {
		this.channels.addFd(name, fd);
	}
	closeFd(name) {
		this.channels.closeFd(name);
	}
};
// ../../work/main/packages/machine/dist/node/hmp-server.js
/** Serves the machine's human monitor on `address` (QEMU's `-monitor unix:…,server=on`). */
async function serveHmp(machine, address, channels, onQuit, hmp = registerMachineHmpCommands(new HmpRegistry(), machine, {
	channels,
	onQuit
})) {
	const server = new HmpServer(hmp, { banner: "QEMU 7.2.0 monitor - type 'help' for more information" });
	const listener = await listenHmp(server, address);
	return {
		address: listener.address,
		async close() {
			server.close();
			await listener.close();
		}
	};
}
// ../../work/main/packages/machine/dist/node/write-file-replacing.js
/**
* Writes `text` as `path` (mode 0600) through a temporary file in the same directory, renamed
* over `path` only once complete (`durable`: synced to disk first), so a reader or a crash sees
* the old file or the new one, never half of one. A failure removes the temporary file.
*/
async function writeFileReplacing(path, text, options = {}) {
	const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.part`);
	const handle = await open(temp, "wx", 384);
	try {
		try {
			await handle.writeFile(text);
			if (options.durable) await handle.sync();
		} finally {
			await handle.close();
		}
		await rename(temp, path);
	} catch (err) {
		await unlink(temp).catch(() => void 0);
		throw err;
	}
}
// ../../work/main/packages/machine/dist/node/checkpoint-mark.js
/** A mark larger than this is not one this code wrote. */
const MAX_MARK_BYTES = 4096;
/**
* The file next to a memory file that says a cpr-reboot checkpoint left RAM in it and has not
* been loaded yet: `<memory file>.checkpoint`. It is written (synced, renamed into place) before
* the checkpoint's stream, removed when the checkpoint is loaded or its save fails, so a crash
* in between leaves the mark (a restart then asks to be told what to do) rather than none.
*/
var CheckpointMarkFile = class {
	path;
	constructor(memoryFile) {
		this.path = `${memoryFile}.checkpoint`;
	}
	async read() {
		let text;
		try {
			const bytes = await readFile(this.path);
			if (bytes.length > MAX_MARK_BYTES) throw new Error(`${bytes.length} bytes`);
			text = bytes.toString("utf8");
		} catch (err) {
			if (err.code === "ENOENT") return void 0;
			throw new MachineError("CHANNEL", `Could not read checkpoint mark '${this.path}': ${err.message}`, { cause: err });
		}
		try {
			const mark = JSON.parse(text);
			return {
				sha256: String(mark.sha256 ?? ""),
				created: String(mark.created ?? "")
			};
		} catch {
			return {
				sha256: "",
				created: ""
			};
		}
	}
	async write(mark) {
		await writeFileReplacing(this.path, `${JSON.stringify(mark)}\n`, { durable: true });
	}
	async clear() {
		await unlink(this.path).catch((err) => {
			if (err.code !== "ENOENT") throw err;
		});
	}
};
// ../../work/main/packages/machine/dist/node/memory-file.js
/** Pages copied out of guest RAM per file write. */
const BATCH_PAGES = 256;
/** Whether `path` holds a memory file of exactly `size` bytes (one a restart can take over). */
async function memoryFileMatches(path, size) {
	try {
		return (await stat(path)).size === size;
	} catch {
		return false;
	}
}
/**
* Guest RAM backed by a file, for checkpoint/restart (`savevm run --memory-file PATH`). This is
* a write-back, not a shared mapping: guest RAM stays in (WebAssembly) memory, every guest write
* marks its page, and the marked pages are written to the file every `intervalMs` and on
* `flush()`. Only after a flush with the guest stopped does the file hold the guest's RAM exactly;
* a cpr-reboot checkpoint does that flush (and an fsync) before it writes anything.
*/
var MemoryFile = class MemoryFile {
	location;
	block;
	#handle;
	#dirty;
	#dirtyCount = 0;
	#timer;
	#writing = Promise.resolve();
	#closed = false;
	#detach = [];
	#mark;
	#markOps = Promise.resolve();
	constructor(machine, path, handle) {
		this.location = path;
		this.#mark = new CheckpointMarkFile(path);
		this.block = machine.mainRam;
		this.#handle = handle;
		this.#dirty = new Uint8Array(this.block.pageCount);
		const block = this.block;
		this.#detach.push(machine.ram.addWriteHook((b, page) => {
			if (b === block && this.#dirty[page] === 0) {
				this.#dirty[page] = 1;
				this.#dirtyCount++;
			}
		}), block.onReplace(() => {
			this.#markAll();
			this.clearCheckpoint().catch(() => void 0);
		}));
	}
	/**
	* Backs the machine's main RAM block with the file at `path`. An existing file must have the
	* block's size and becomes the guest's RAM; a missing one is created (sparse, mode 0600) and
	* receives the RAM as it is now.
	*/
	static async open(machine, path, options = {}) {
		const block = machine.mainRam;
		let handle;
		let existed = true;
		try {
			handle = await open(path, "r+");
		} catch (err) {
			if (err.code !== "ENOENT") throw new MachineError("CHANNEL", `Could not open memory file '${path}': ${err.message}`, { cause: err });
			handle = await open(path, "wx+", 384);
			existed = false;
		}
		try {
			const size = (await handle.stat()).size;
			if (existed && size !== block.size) throw new MachineError("INVALID_CONFIG", `Memory file '${path}' has ${size} bytes, but guest RAM is ${block.size} bytes: it belongs to another machine`);
			const file = new MemoryFile(machine, path, handle);
			if (existed) await file.#checkPending(machine, options);
			if (existed) await file.#readInto();
			else {
				await handle.truncate(block.size);
				file.#markTouched();
			}
			machine.attachRamBacking(file);
			const interval = options.intervalMs ?? 200;
			file.#timer = setInterval(() => void file.sync().catch(() => void 0), interval);
			file.#timer.unref?.();
			return file;
		} catch (err) {
			await handle.close().catch(() => void 0);
			throw err;
		}
	}
	/**
	* A checkpoint left RAM here and was never loaded: only a machine that will load a stream may
	* start on it, unless told to boot afresh.
	*/
	async #checkPending(machine, options) {
		const mark = await this.#mark.read();
		if (!mark || machine.incomingExpected) return;
		const when = mark.created ? ` (written ${mark.created})` : "";
		if (!options.forceFreshBoot) throw new MachineError("CHECKPOINT_PENDING", `Memory file '${this.location}' holds the RAM of a cpr-reboot checkpoint that was not loaded${when}: start with --incoming defer and load its state file (migrate-incoming file:STATE, or cprload), or with --force-fresh-boot to boot fresh devices on that RAM`);
		options.warn?.(`savevm: booting fresh devices on the RAM of an unloaded checkpoint in '${this.location}'${when} (--force-fresh-boot)`);
		await this.#mark.clear();
	}
	markCheckpoint(sha256) {
		return this.#inOrder(() => this.#mark.write({
			sha256,
			created: (/* @__PURE__ */ new Date()).toISOString()
		}));
	}
	clearCheckpoint() {
		return this.#inOrder(() => this.#mark.clear());
	}
	/** One mark operation at a time: a late removal must not take away a newer mark. */
	#inOrder(operation) {
		const next = this.#markOps.then(operation);
		this.#markOps = next.catch(() => void 0);
		return next;
	}
	/** Pages written since the last sync. */
	get dirtyPages() {
		return this.#dirtyCount;
	}
	async #readInto() {
		const block = this.block;
		for (let at = 0; at < block.size;) {
			const view = block.memory.span(at, Math.min(16 << 20, block.size - at));
			let done = 0;
			while (done < view.length) {
				const { bytesRead } = await this.#handle.read(view, done, view.length - done, at + done);
				if (bytesRead === 0) throw new MachineError("CHANNEL", `Memory file '${this.location}' ended at byte ${at + done}`);
				done += bytesRead;
			}
			at += view.length;
		}
		block.touched.fill(1);
	}
	#markAll() {
		this.#dirty.fill(1);
		this.#dirtyCount = this.#dirty.length;
	}
	/** A new file is sparse (zero): only pages that may hold something need writing. */
	#markTouched() {
		const touched = this.block.touched;
		for (let p = 0; p < touched.length; p++) if (touched[p] === 1 && this.#dirty[p] === 0) {
			this.#dirty[p] = 1;
			this.#dirtyCount++;
		}
	}
	/** Writes the pages marked since the last sync (one sync at a time). */
	sync() {
		const next = this.#writing.then(() => this.#writeDirty());
		this.#writing = next.catch(() => void 0);
		return next;
	}
	async #writeDirty() {
		if (this.#closed || this.#dirtyCount === 0) return;
		const dirty = this.#dirty;
		const buffer = new Uint8Array(BATCH_PAGES * TARGET_PAGE_SIZE);
		for (let page = dirty.indexOf(1); page >= 0 && page < dirty.length; page = dirty.indexOf(1, page)) {
			let count = 0;
			while (count < BATCH_PAGES && page + count < dirty.length && dirty[page + count] === 1) {
				dirty[page + count] = 0;
				buffer.set(this.block.page(page + count), count * TARGET_PAGE_SIZE);
				count++;
			}
			this.#dirtyCount -= count;
			const length = count * TARGET_PAGE_SIZE;
			let written = 0;
			while (written < length) {
				const { bytesWritten } = await this.#handle.write(buffer, written, length - written, page * TARGET_PAGE_SIZE + written);
				written += bytesWritten;
			}
			page += count;
		}
	}
	/** Brings the file up to date and makes it durable (fsync). */
	async flush() {
		await this.sync();
		await this.#handle.sync();
	}
	/** Final flush, then the file is released. */
	async close() {
		if (this.#closed) return;
		if (this.#timer !== void 0) clearInterval(this.#timer);
		try {
			await this.flush();
		} finally {
			this.#closed = true;
			for (const detach of this.#detach) detach();
			await this.#handle.close();
		}
	}
};
// ../../work/main/packages/machine/dist/node/snapshot-directory.js
const INDEX = "index.json";
/** An index larger than this is not one this code wrote. */
const MAX_INDEX_BYTES = 16 << 20;
function isInfo(v) {
	const o = v;
	return typeof o === "object" && o !== null && typeof o["id"] === "string" && /^\d+$/.test(o["id"]) && typeof o["tag"] === "string" && [
		"dateSec",
		"dateNsec",
		"vmStateSize",
		"vmClockNs"
	].every((k) => Number.isSafeInteger(o[k]) && o[k] >= 0);
}
/**
* Named snapshots in a directory (`savevm run --snapshots DIR`): one stream per snapshot,
* `<id>.vmstate`, and `index.json` with tag, date, VM state size and VM clock of each. Streams
* are written under a temporary name and renamed when complete; the index is replaced whole
* (written to a temporary file, synced, renamed), so a crash leaves either the old or the new
* index, never a half one.
*/
var SnapshotDirectory = class SnapshotDirectory {
	dir;
	nodeName;
	/** Index updates one after the other. */
	#queue = Promise.resolve();
	#reservedId = 0;
	constructor(dir, nodeName) {
		this.dir = dir;
		this.nodeName = nodeName;
	}
	/** Opens (creating it, mode 0700) a snapshot directory; a damaged index is refused. */
	static async open(dir, nodeName = DEFAULT_SNAPSHOT_NODE) {
		await mkdir(dir, {
			recursive: true,
			mode: 448
		});
		const store = new SnapshotDirectory(dir, nodeName);
		await store.#read();
		return store;
	}
	async #read() {
		const path = join(this.dir, INDEX);
		let text;
		try {
			if ((await stat(path)).size > MAX_INDEX_BYTES) throw new MachineError("INVALID_CONFIG", `Snapshot index '${path}' is too large`);
			text = await readFile(path, "utf8");
		} catch (err) {
			if (err.code === "ENOENT") return {
				version: 1,
				nextId: 1,
				snapshots: []
			};
			throw err;
		}
		let parsed;
		try {
			parsed = JSON.parse(text);
		} catch {
			throw new MachineError("INVALID_CONFIG", `Snapshot index '${path}' is not valid JSON`);
		}
		const index = parsed;
		if (index.version !== 1 || !Number.isSafeInteger(index.nextId) || !Array.isArray(index.snapshots) || !index.snapshots.every(isInfo)) throw new MachineError("INVALID_CONFIG", `Snapshot index '${path}' is damaged or of an unknown version`);
		return index;
	}
	async #write(index) {
		await writeFileReplacing(join(this.dir, INDEX), `${JSON.stringify(index, null, 2)}\n`, { durable: true });
	}
	/** Runs `update` on the current index, writes what it returns; one update at a time. */
	#update(update) {
		const run = this.#queue.then(async () => {
			const { index, result } = update(await this.#read());
			await this.#write(index);
			return result;
		});
		this.#queue = run.catch(() => void 0);
		return run;
	}
	#file(id) {
		return join(this.dir, `${id}.vmstate`);
	}
	async list() {
		return (await this.#read()).snapshots;
	}
	async create() {
		const index = await this.#read();
		const id = String(Math.max(index.nextId, this.#reservedId + 1));
		this.#reservedId = Number(id);
		const channel = new FileOutputChannel(this.#file(id));
		await channel.ready();
		return {
			channel,
			commit: async (info) => {
				const replaced = await this.#update((current) => {
					const old = current.snapshots.filter((s) => s.tag === info.tag);
					const entry = {
						...info,
						id
					};
					return {
						index: {
							version: 1,
							nextId: Math.max(current.nextId, Number(id) + 1),
							snapshots: [...current.snapshots.filter((s) => s.tag !== info.tag), entry]
						},
						result: old
					};
				}).catch(async (err) => {
					await unlink(this.#file(id)).catch(() => void 0);
					throw err;
				});
				for (const o of replaced) await unlink(this.#file(o.id)).catch(() => void 0);
				return {
					...info,
					id
				};
			}
		};
	}
	async open(tag) {
		const found = (await this.#read()).snapshots.find((s) => s.tag === tag);
		return found ? openFileInput(this.#file(found.id)) : void 0;
	}
	async delete(tag) {
		const removed = await this.#update((current) => ({
			index: {
				...current,
				snapshots: current.snapshots.filter((s) => s.tag !== tag)
			},
			result: current.snapshots.filter((s) => s.tag === tag)
		}));
		for (const r of removed) await unlink(this.#file(r.id)).catch(() => void 0);
		return removed.length > 0;
	}
};
// ../../work/main/packages/machine/dist/node/run-machine.js
/**
* Starts a machine and serves QMP (and HMP) for it until `quit` or `shutdown()`: the process
* behind `savevm run`.
*/
async function runMachine(options) {
	const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
	let registration;
	if (options.register) {
		options = {
			...options,
			name: options.name ?? `savevm-${process.pid}`,
			uuid: (options.uuid ?? randomUUID()).toLowerCase()
		};
		registration = await (await MachineRegistry.open(options.runtimeDir !== void 0 ? { runtimeDir: options.runtimeDir } : {})).register({
			name: options.name,
			uuid: options.uuid,
			pid: process.pid,
			kind: "savevm",
			qmp: [],
			state: "prelaunch"
		});
	}
	try {
		return await startMachine(options, log, registration);
	} catch (err) {
		await registration?.unregister();
		throw err;
	}
}
async function startMachine(options, log, registration) {
	const guest = options.guest ? parseGuestOptions(options.guest) : defaultGuestOptions();
	if (options.memoryFile !== void 0 && await memoryFileMatches(options.memoryFile, options.memory)) guest.fill = 0;
	const machine = new Machine({
		memory: options.memory,
		...options.name !== void 0 ? { name: options.name } : {},
		...options.uuid !== void 0 ? { uuid: options.uuid } : {},
		...options.machineType !== void 0 ? { machineType: options.machineType } : {},
		guest,
		startPaused: options.startPaused ?? false,
		incoming: options.incoming !== void 0,
		allowExec: options.allowExec ?? false
	}, nodeBackends());
	const memoryFile = options.memoryFile !== void 0 ? await MemoryFile.open(machine, options.memoryFile, {
		forceFreshBoot: options.forceFreshBoot ?? false,
		warn: log
	}) : void 0;
	const snapshots = options.snapshots !== void 0 ? await SnapshotDirectory.open(options.snapshots) : void 0;
	const channels = new NodeMonitorChannels({
		allowExec: options.allowExec ?? false,
		...options.stateDir !== void 0 ? { baseDir: options.stateDir } : {}
	});
	const registry = new QmpRegistry();
	const server = new QmpServer({ registry });
	const listeners = [];
	const closers = [];
	let resolveClosed;
	const closed = new Promise((resolve) => resolveClosed = resolve);
	let closing = false;
	let hmpAddress;
	let failure;
	const close = async () => {
		if (closing) return closed;
		closing = true;
		server.close();
		await Promise.all([...listeners.map((l) => l.close()), ...closers.map((c) => c())]).catch(() => void 0);
		await memoryFile?.close().catch((err) => log(`savevm: memory file: ${err.message}`));
		await registration?.unregister().catch(() => void 0);
		resolveClosed();
	};
	const onQuit = () => void close();
	const hmp = registerMachineHmpCommands(new HmpRegistry(), machine, {
		channels,
		onQuit,
		...snapshots ? { snapshots } : {}
	});
	registerMachineCommands(registry, machine, {
		channels,
		onQuit,
		hmp,
		...snapshots ? { snapshots } : {}
	});
	machine.events.on((e) => server.emitEvent(e.event, e.data));
	machine.onMigration((migration) => {
		if (migration.kind !== "REBOOT") return;
		migration.done.then(() => {
			if (migration.status !== "completed") return;
			setTimeout(() => {
				machine.shutdown("host-qmp-quit");
				close();
			}, 0);
		});
	});
	try {
		for (const address of options.qmp) listeners.push(await listenQmp(server, address));
		if (options.hmp) {
			const hmpServer = await serveHmp(machine, options.hmp, channels, onQuit, hmp);
			closers.push(hmpServer.close);
			hmpAddress = formatListenerAddress(hmpServer.address);
		}
	} catch (err) {
		await close();
		throw err;
	}
	const addresses = [...listeners.map((l) => formatListenerAddress(l.address)), ...hmpAddress ? [hmpAddress] : []];
	if (registration) {
		const qmpAddresses = addresses.slice(0, listeners.length);
		const record = registration;
		const report = (err) => log(`savevm: registry: ${err.message}`);
		machine.runState.onChange((state) => void record.update({ state }).catch(report));
		await record.update({
			qmp: qmpAddresses,
			...hmpAddress ? { hmp: hmpAddress } : {},
			state: machine.runState.state
		});
	}
	machine.start();
	if (options.incoming !== void 0 && options.incoming !== "defer") try {
		await startIncoming(machine, channels, options.incoming, {
			onError: (message) => {
				failure = new MachineError("LOAD_FAILED", `load of migration failed: ${message}`);
				log(`savevm: ${failure.message}`);
				machine.destroy();
				close();
			},
			onNote: (line) => log(`savevm: ${line}`)
		});
	} catch (err) {
		machine.destroy();
		await close();
		throw err;
	}
	return {
		machine,
		server,
		addresses,
		registration,
		get failure() {
			return failure;
		},
		closed,
		async shutdown(reason = "host-signal") {
			machine.shutdown(reason);
			await close();
		}
	};
}
function formatListenerAddress(address) {
	return formatAddress(address);
}
// ../../work/main/packages/machine/dist/node/serve-until-exit.js
/**
* What a process that holds one machine does once it listens (`savevm run`, the machine process
* behind `spawnMachine`): say where, shut down on SIGTERM/SIGINT as QEMU does, and exit when the
* machine ends, with status 1 after a failed start-time load. `ready` runs after the addresses
* are printed and the signals are caught.
*/
async function serveUntilExit(running, ready = async () => void 0) {
	for (const address of running.addresses) process.stderr.write(`savevm: listening on ${address}\n`);
	const onSignal = (signal) => {
		process.stderr.write(`savevm: terminating on signal ${signal === "SIGTERM" ? 15 : 2}\n`);
		running.shutdown("host-signal");
	};
	process.once("SIGTERM", onSignal);
	process.once("SIGINT", onSignal);
	await ready();
	await running.closed;
	process.off("SIGTERM", onSignal);
	process.off("SIGINT", onSignal);
	if (running.failure) process.exitCode = 1;
	setTimeout(() => process.exit(process.exitCode ?? 0), 100).unref();
}
// ../../work/main/packages/cli/dist/commands/run.js
function collect(value, previous) {
	return [...previous, value];
}
function machineOptions(opts) {
	if (opts.qmp.length === 0 && opts.hmp === void 0) throw new UsageError("at least one --qmp or --hmp address is required");
	if (opts.logFile !== void 0 && !opts.detach) throw new UsageError("--log-file goes with --detach (in the foreground messages go to stderr)");
	return {
		memory: parseSize(opts.memory, "memory size"),
		qmp: opts.qmp,
		register: true,
		...opts.name !== void 0 ? { name: opts.name } : {},
		...opts.uuid !== void 0 ? { uuid: opts.uuid } : {},
		...opts.machine !== void 0 ? { machineType: opts.machine } : {},
		...opts.hmp !== void 0 ? { hmp: opts.hmp } : {},
		...opts.incoming !== void 0 ? { incoming: opts.incoming } : {},
		...opts.guest !== void 0 ? { guest: opts.guest } : {},
		startPaused: opts.S === true,
		allowExec: opts.allowExec === true,
		...opts.memoryFile !== void 0 ? { memoryFile: opts.memoryFile } : {},
		...opts.forceFreshBoot ? { forceFreshBoot: true } : {},
		stateDir: resolve(opts.stateDir ?? "."),
		...opts.snapshots !== void 0 ? { snapshots: opts.snapshots } : {},
		...opts.runtimeDir !== void 0 ? { runtimeDir: resolve(opts.runtimeDir) } : {}
	};
}
/** The HMP address as `savevm save` takes a text monitor: `hmp:unix:PATH`. */
function monitorLines(addresses, qmpCount) {
	return addresses.map((address, i) => i < qmpCount ? address : `hmp:${address}`);
}
/** `--detach`: the machine runs in a process of its own; this one says where and exits. */
async function detach(options, logFile) {
	const spawned = await spawnMachine({
		...options,
		detached: true,
		...logFile !== void 0 ? { logFile } : {}
	});
	const lines = monitorLines(spawned.addresses, options.qmp.length);
	const record = spawned.record;
	if (record) lines.push(`id ${record.id}`, `name ${record.name}`, `uuid ${record.uuid}`);
	lines.push(`pid ${spawned.pid}`);
	process.stdout.write(`${lines.join("\n")}\n`);
}
async function foreground(options) {
	await serveUntilExit(await runMachine(options));
}
/** `savevm run`: starts a machine and serves QMP (and HMP) until `quit` or SIGTERM. */
function registerRun(program) {
	program.command("run").description("start an emulated machine and serve QMP (and HMP) for it until quit or SIGTERM").requiredOption("--memory <size>", "guest RAM size, e.g. 64M or 1G").option("--name <name>", "machine name (default savevm-PID); a running machine of the same name is refused").option("--uuid <uuid>", "machine UUID (default: a random one); a running machine of the same UUID is refused").option("--machine <type>", "machine type written to the configuration record").option("--qmp <address>", "QMP address: unix:PATH or tcp:HOST:PORT (repeatable)", collect, []).option("--hmp <address>", "HMP address: unix:PATH or tcp:HOST:PORT").option("--incoming <uri>", "wait for an incoming migration: 'defer' or a URI (also takes a libvirt save image)").option("--guest <options>", "guest workload: rate=50M,mix=zero:50/uniform:10/duplicate:15/random:25,hot=30:1024,seed=1").option("-S", "do not start the guest (stay in prelaunch until 'cont')").option("--allow-exec", "allow exec: migration URIs").option("--memory-file <path>", "keep guest RAM backed by this file (written back, not mapped) for cpr-reboot restarts").option("--force-fresh-boot", "start on a --memory-file holding an unloaded cpr-reboot checkpoint (fresh devices on that RAM)").option("--state-dir <dir>", "where relative file names given to the monitor resolve (cprsave, file:, …); default: here").option("--snapshots <dir>", "directory for named snapshots (savevm/loadvm, snapshot-save/-load/-delete)").option("--detach", "run in the background; print the monitor addresses, id, name, uuid and pid once it listens").option("--log-file <path>", "with --detach: append the machine's messages to this file").option("--runtime-dir <dir>", "machine registry directory (default $XDG_RUNTIME_DIR/savevm, /run/savevm for root)").action(async (opts) => {
		const options = machineOptions(opts);
		if (opts.detach) await detach(options, opts.logFile);
		else await foreground(options);
	});
}
export { registerRun };
