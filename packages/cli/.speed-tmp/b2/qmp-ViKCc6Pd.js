import { readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { clearLine, createInterface, cursorTo } from "node:readline";
import { C as hmpErrorIn, D as parseAddress, S as QmpProtocolError, _ as isJsonObject, b as QmpError, d as JsonMessageStream, f as JsonParseError, n as connectHmp, s as formatJson, t as QmpClient, x as QmpGreetingError, y as HmpError } from "./node-CPBu-Ad8.js";
import { i as formatError, n as UsageError } from "./cli-error-a_dr6oY-.js";
import { i as progressBar, n as progressOptions, t as addProgressOptions } from "./progress-options-Cgw3N4Ce.js";
// ../../work/main/packages/qmp/dist/size.js
/**
* Sizes as QEMU reads them (qemu_strtosz): a decimal number (a fraction allowed with a unit) or a
* 0x hex integer, then an optional unit B, K, M, G, T, P or E (powers of 1024, either case).
* `1G` is 1073741824, `1.5k` is 1536, `512` is 512 bytes.
*/
const UNITS = {
	B: 1n,
	K: 1n << 10n,
	M: 1n << 20n,
	G: 1n << 30n,
	T: 1n << 40n,
	P: 1n << 50n,
	E: 1n << 60n
};
const UINT64_MAX = (1n << 64n) - 1n;
var SizeError = class extends Error {
	text;
	code = "INVALID_SIZE";
	constructor(message, text) {
		super(message);
		this.text = text;
		this.name = "SizeError";
	}
};
/** The size `text` names, in bytes: a number when it is exact as one, a bigint beyond 2^53. */
function parseQemuSize(text) {
	const match = /^\s*(?:(0[xX][0-9a-fA-F]+)|(\d+)(?:\.(\d+))?)\s*([bBkKmMgGtTpPeE]?)$/.exec(text);
	if (!match) throw new SizeError(`'${text}' is not a size: expected a number with an optional B, K, M, G, T, P or E suffix`, text);
	const [, hexText, whole, fraction, unitText] = match;
	const unit = UNITS[(unitText || "B").toUpperCase()];
	let bytes;
	if (hexText !== void 0) bytes = BigInt(hexText) * unit;
	else {
		if (fraction !== void 0 && unit === 1n) throw new SizeError(`'${text}': a fraction of a byte is not a size`, text);
		const digits = fraction ?? "";
		const scaled = BigInt(whole + digits) * unit;
		const divisor = 10n ** BigInt(digits.length);
		bytes = (scaled + divisor / 2n) / divisor;
	}
	if (bytes > UINT64_MAX) throw new SizeError(`'${text}' is too large: at most 16 EiB - 1`, text);
	return bytes <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(bytes) : bytes;
}
// ../../work/main/packages/qmp/dist/hmp-client.js
/** Runs HMP command lines over QMP (`human-monitor-command`), as qmp-shell's `-H` mode does. */
var HmpClient = class {
	qmp;
	defaults;
	constructor(qmp, defaults = {}) {
		this.qmp = qmp;
		this.defaults = defaults;
	}
	async run(commandLine, options = {}) {
		const opts = {
			...this.defaults,
			...options
		};
		const args = { "command-line": commandLine };
		if (opts.cpuIndex !== void 0) args["cpu-index"] = opts.cpuIndex;
		const raw = await this.qmp.execute("human-monitor-command", args);
		const output = opts.raw ? raw : raw.replace(/\r\n/g, "\n");
		if (opts.throwOnError) {
			const error = hmpErrorIn(output);
			if (error !== void 0) throw new HmpError(error, output, commandLine);
		}
		return output;
	}
};
// ../../work/main/packages/qmp/dist/parse-json.js
const encoder = new TextEncoder();
/**
* Parses exactly one JSON value with QEMU's rules (single-quoted strings, integers beyond 2^53
* as `bigint`). Throws {@link JsonParseError} with QEMU's message otherwise.
*/
function parseJson(text) {
	const values = [];
	let error;
	const stream = new JsonMessageStream((m) => {
		if ("error" in m) error ??= m.error;
		else values.push(m.value);
	});
	const bytes = typeof text === "string" ? encoder.encode(text) : text;
	stream.feed(bytes);
	stream.feed(encoder.encode(" "));
	if (error) throw error;
	if (stream.inMessage) throw new JsonParseError("JSON parse error, premature EOI", bytes.length);
	if (values.length !== 1) throw new JsonParseError(values.length === 0 ? "JSON parse error, expecting value" : "JSON parse error, more than one value", bytes.length);
	return values[0];
}
// ../../work/main/packages/cli/dist/commands/qmp-text-monitor.js
/** The first line a QEMU human monitor sends: `QEMU 7.2.0 monitor - type 'help' for more information`. */
const HMP_BANNER = /^QEMU \S+ monitor - type 'help' for more information/;
/** `savevm save` and `savevm run --detach` spell a text monitor `hmp:unix:PATH`. */
function textMonitorAddress(address) {
	return address.startsWith("hmp:") ? address.slice(4) : void 0;
}
/** A QMP connect failure that looks like the peer spoke something else than QMP. */
function mayBeTextMonitor(err) {
	return err instanceof QmpProtocolError || err instanceof QmpGreetingError;
}
/** Connects to `address` as a human monitor; undefined when it does not greet like one. */
async function probeTextMonitor(address, timeoutMs) {
	try {
		const client = await connectHmp(address, {
			connectTimeoutMs: timeoutMs,
			bannerTimeoutMs: timeoutMs
		});
		if (HMP_BANNER.test(client.banner)) return client;
		client.close();
	} catch {}
}
/** Why `savevm qmp` stops at a text monitor when it was not told to speak HMP. */
var TextMonitorError = class extends Error {
	code = "NOT_QMP";
	constructor(address, banner) {
		super(`${address} is a human monitor (HMP), not QMP: it greeted with "${banner}"; add --hmp to send it HMP commands`);
		this.name = "TextMonitorError";
	}
};
/** One HMP command over the text protocol: its output, or its error as the command's failure. */
async function textMonitorOneShot(client, line, io) {
	const output = await client.run(line);
	const error = hmpErrorIn(output);
	if (error !== void 0) throw new Error(error);
	io.stdout.write(output);
}
/** An HMP shell over the text protocol: each line is a monitor command, output as the monitor printed it. */
async function textMonitorShell(client, io) {
	const rl = createInterface({
		input: io.stdin,
		output: io.stdout,
		terminal: io.terminal
	});
	rl.setPrompt("(qemu) ");
	io.stdout.write(`Connected to a human monitor: ${client.banner}\n`);
	if (io.terminal) rl.prompt();
	try {
		for await (const raw of rl) {
			const line = raw.trim();
			if (line) try {
				io.stdout.write(await client.run(line));
			} catch (err) {
				io.stderr.write(`${err.message}\n`);
				if (/^(q|quit)$/.test(line)) break;
			}
			if (io.terminal) rl.prompt();
		}
	} finally {
		rl.close();
	}
}
/** Connects to a text monitor named `hmp:ADDRESS`. */
function connectTextMonitor(address, timeoutMs) {
	return connectHmp(address, {
		connectTimeoutMs: timeoutMs,
		bannerTimeoutMs: timeoutMs
	});
}
const PROBE_TIMEOUT_MS = 2e3;
/** After QMP failed: the text monitor behind `address` (kept connected), or the QMP error again. */
async function textMonitorBehind(err, address, timeoutMs) {
	const client = mayBeTextMonitor(err) ? await probeTextMonitor(address, Math.min(timeoutMs, PROBE_TIMEOUT_MS)) : void 0;
	if (!client) throw err;
	return client;
}
/** `savevm qmp` at a text monitor: HMP when asked for (`--hmp`, or an `hmp:` address), else why not. */
async function runTextMonitor(client, address, command, words, hmp, io) {
	try {
		if (!hmp) throw new TextMonitorError(address, client.banner);
		if (command === void 0) await textMonitorShell(client, io);
		else await textMonitorOneShot(client, [command, ...words].join(" "), io);
	} finally {
		client.close();
	}
}
// ../../work/main/packages/cli/dist/commands/qmp-sizes.js
/**
* Size suffixes in `savevm qmp` key=value arguments: `max-bandwidth=1G` sends 1073741824, as
* QEMU's own HMP and command line read sizes (qemu_strtosz). A string value becomes a size when
* the command's schema (`query-qmp-schema`) says the member is an integer, or, without a schema
* entry, when the member's name says it holds bytes.
*/
/** What query-qmp-schema says, indexed by (masked) type name. */
var QmpSchemaIndex = class {
	byName = /* @__PURE__ */ new Map();
	constructor(entries) {
		for (const e of entries) this.byName.set(e.name, e);
	}
	/** The type of `path` inside the arguments of `command`; undefined when the schema does not say. */
	memberType(command, path) {
		let type = this.byName.get(this.byName.get(command)?.["arg-type"] ?? "");
		for (const key of path) {
			const member = type?.members?.find((m) => m.name === key);
			type = member ? this.byName.get(member.type) : void 0;
		}
		return type;
	}
	/** An integer, or an alternate that takes one. */
	takesInteger(type) {
		if (type["meta-type"] === "builtin") return type["json-type"] === "int";
		if (type["meta-type"] === "alternate") return (type.members ?? []).some((m) => this.byName.get(m.type)?.["json-type"] === "int");
		return false;
	}
};
const SIZE_WORDS = /(^|-)(size|bandwidth|bytes|memory|mem|length|limit|cache)(-|$)/;
const SIZE_TEXT = /^\s*(\d+(\.\d+)?|0[xX][0-9a-fA-F]+)\s*[bBkKmMgGtTpPeE]$/;
/**
* Turns the size-looking strings of `args` into numbers where the member takes an integer. The
* schema is asked for only when some value looks like a size.
*/
async function applySizeSuffixes(command, args, schema) {
	const candidates = [];
	const walk = (target, path) => {
		for (const [key, value] of Object.entries(target)) if (typeof value === "string" && SIZE_TEXT.test(value)) candidates.push({
			target,
			key,
			path: [...path, key],
			text: value
		});
		else if (isJsonObject(value)) walk(value, [...path, key]);
	};
	walk(args, []);
	if (candidates.length === 0) return;
	const index = await schema();
	for (const c of candidates) {
		const type = index?.memberType(command, c.path);
		if (type ? index.takesInteger(type) : SIZE_WORDS.test(c.key)) c.target[c.key] = parseQemuSize(c.text);
	}
}
/** query-qmp-schema of the peer, or undefined when it has none (the guest agent, old QEMU). */
async function fetchSchema(execute) {
	try {
		const entries = await execute("query-qmp-schema");
		return Array.isArray(entries) ? new QmpSchemaIndex(entries) : void 0;
	} catch {
		return;
	}
}
// ../../work/main/packages/cli/dist/commands/qmp.js
function processIo() {
	return {
		stdin: process.stdin,
		stdout: process.stdout,
		stderr: process.stderr,
		terminal: Boolean(process.stdin.isTTY && process.stdout.isTTY)
	};
}
/**
* `key=value` pairs as qmp-shell reads them: the value is JSON when it parses as JSON (numbers,
* true/false/null, arrays, objects, quoted strings), a plain string otherwise; `a.b=1` nests.
*/
function parseKeyValueArgs(pairs) {
	const args = {};
	for (const pair of pairs) {
		const eq = pair.indexOf("=");
		if (eq <= 0) throw new UsageError(`expected key=value, got '${pair}'`);
		const path = pair.slice(0, eq).split(".");
		const text = pair.slice(eq + 1);
		let value;
		try {
			value = parseJson(text);
		} catch {
			value = text;
		}
		let target = args;
		for (const [i, key] of path.entries()) {
			if (key === "") throw new UsageError(`empty member name in '${pair}'`);
			if (i === path.length - 1) {
				if (Object.prototype.hasOwnProperty.call(target, key)) throw new UsageError(`'${path.join(".")}' is given twice`);
				target[key] = value;
			} else {
				const next = target[key];
				if (next === void 0) target = target[key] = {};
				else if (isJsonObject(next)) target = next;
				else throw new UsageError(`'${path.slice(0, i + 1).join(".")}' is both a value and an object`);
			}
		}
	}
	return args;
}
/** Splits a shell line into words, keeping quoted parts ("a b", 'c d') and JSON values together. */
function splitWords(line) {
	const words = [];
	let word = "";
	let quote;
	let depth = 0;
	let started = false;
	for (const ch of line) {
		if (quote) {
			if (ch === quote) quote = void 0;
			else word += ch;
			continue;
		}
		if ((ch === "\"" || ch === "'") && depth === 0) {
			quote = ch;
			started = true;
			continue;
		}
		if (ch === "{" || ch === "[") depth++;
		if ((ch === "}" || ch === "]") && depth > 0) depth--;
		if (/\s/.test(ch) && depth === 0) {
			if (started) words.push(word);
			word = "";
			started = false;
			continue;
		}
		word += ch;
		started = true;
	}
	if (quote) throw new UsageError(`unterminated quote in '${line}'`);
	if (started) words.push(word);
	return words;
}
function json(value, pretty) {
	return formatJson(value, { indent: pretty ? 4 : 0 }) + "\n";
}
function timeoutOf(options) {
	if (options.timeout === void 0) return void 0;
	const ms = Number(options.timeout);
	if (!Number.isFinite(ms) || ms <= 0) throw new UsageError(`--timeout wants milliseconds, got '${options.timeout}'`);
	return ms;
}
async function connect(address, options) {
	const timeout = timeoutOf(options);
	const where = parseAddress(address);
	const clientOptions = {
		negotiate: options.negotiate,
		connectTimeoutMs: timeout ?? 1e4,
		greetingTimeoutMs: timeout ?? 1e4,
		commandTimeoutMs: timeout
	};
	if ("server" in where && where.server === false) return QmpClient.accept(where, {
		...clientOptions,
		...timeout !== void 0 ? { acceptTimeoutMs: timeout } : {}
	});
	return QmpClient.connect(where, clientOptions);
}
/** key=value arguments with QEMU's size suffixes read where the member takes an integer. */
async function commandArguments(client, command, words, cache) {
	const args = parseKeyValueArgs(words);
	await applySizeSuffixes(command, args, () => cache.schema ??= fetchSchema((name) => client.execute(name)));
	return args;
}
/** A command's error as the CLI prints it: `Class: desc`. */
function describeError(err) {
	return err instanceof QmpError ? /* @__PURE__ */ new Error(`${err.errorClass}: ${err.desc}`) : err;
}
async function oneShot(client, command, words, options, io) {
	if (options.hmp) {
		const line = [command, ...words].join(" ");
		const output = await new HmpClient(client).run(line).catch((err) => {
			throw describeError(err);
		});
		const error = hmpErrorIn(output);
		if (error !== void 0) throw new Error(error);
		io.stdout.write(output);
		return;
	}
	const args = await commandArguments(client, command, words, {});
	const message = { execute: command };
	if (words.length > 0) message.arguments = args;
	if (options.verbose) io.stderr.write(json(message, false));
	try {
		io.stdout.write(json(await client.execute(command, words.length > 0 ? args : void 0), options.pretty));
	} catch (err) {
		throw describeError(err);
	}
	if (options.wait) await waitForMigration(client, options, io.stderr);
}
/** Statuses of query-migrate after which nothing more happens. */
const MIGRATION_ENDS = /* @__PURE__ */ new Set([
	"completed",
	"failed",
	"cancelled"
]);
const POLL_MS = 200;
/**
* `--wait`: polls query-migrate until the migration ends, with a bar of the RAM sent so far (its
* rate and the time left); a failed or cancelled migration fails the command.
*/
async function waitForMigration(client, options, stream) {
	const bar = progressBar("migrate", {
		...progressOptions(options),
		stream
	});
	try {
		for (;;) {
			const info = await client.execute("query-migrate");
			const status = info?.status ?? "none";
			const ram = info?.ram;
			if (ram?.total) bar.update(Math.max(0, ram.total - (ram.remaining ?? ram.total)), ram.total);
			if (status === "none") throw new Error("no migration is running (query-migrate says status none)");
			if (MIGRATION_ENDS.has(status)) {
				if (status === "completed") return;
				throw new Error(`migration ${status}${info["error-desc"] ? `: ${info["error-desc"]}` : ""}`);
			}
			await new Promise((resolve) => setTimeout(resolve, POLL_MS));
		}
	} finally {
		bar.finish();
	}
}
function loadHistory(path) {
	if (!path) return [];
	try {
		return readFileSync(path, "utf8").split("\n").filter((l) => l).reverse().slice(0, 1e3);
	} catch {
		return [];
	}
}
/** qmp-shell: `cmd key=value …` or raw JSON per line; `-H` sends lines as HMP commands. */
async function shell(client, options, io) {
	const names = options.hmp ? [] : (await client.execute("query-commands").catch(() => []) ?? []).map((c) => c.name).sort();
	const historyFile = io.terminal ? options.historyFile ?? join(homedir(), ".savevm_qmp_history") : void 0;
	const rl = createInterface({
		input: io.stdin,
		output: io.stdout,
		terminal: io.terminal,
		history: loadHistory(historyFile),
		historySize: 1e3,
		completer: (line) => {
			if (/\s/.test(line)) return [[], line];
			return [names.filter((n) => n.startsWith(line)), line];
		}
	});
	rl.setPrompt(options.hmp ? "(HMP) " : "(QEMU) ");
	const version = client.greeting.version;
	io.stdout.write(`Welcome to the savevm QMP shell. Connected to QEMU ${version.qemu.major}.${version.qemu.minor}.${version.qemu.micro}${version.package ? ` (${version.package})` : ""}\n`);
	const say = (text) => {
		io.stdout.write(text);
	};
	let busy = false;
	const offEvents = client.onEvent("*", (event) => {
		const idle = io.terminal && !busy;
		if (idle) {
			clearLine(io.stdout, 0);
			cursorTo(io.stdout, 0);
		}
		say(json(event, options.pretty));
		if (idle) rl.prompt(true);
	});
	const hmp = new HmpClient(client);
	const schemaCache = {};
	if (io.terminal) rl.prompt();
	try {
		for await (const raw of rl) {
			const line = raw.trim();
			busy = true;
			if (line) await runLine(line);
			busy = false;
			if (client.state === "closed") break;
			if (io.terminal) rl.prompt();
		}
	} finally {
		offEvents();
		if (historyFile) try {
			writeFileSync(historyFile, [...rl.history].reverse().join("\n") + "\n");
		} catch {}
		rl.close();
	}
	async function runLine(line) {
		try {
			if (options.hmp) {
				say(await hmp.run(line));
				return;
			}
			if (line.startsWith("{")) {
				const message = parseJson(line);
				if (!isJsonObject(message)) throw new UsageError("a raw command must be a JSON object");
				if (options.verbose) say(json(message, false));
				say(json(await client.executeMessage(message), options.pretty));
				return;
			}
			const [command, ...words] = splitWords(line);
			const args = await commandArguments(client, command, words, schemaCache);
			if (options.verbose) say(json(words.length > 0 ? {
				execute: command,
				arguments: args
			} : { execute: command }, false));
			say(json(await client.execute(command, words.length > 0 ? args : void 0), options.pretty));
		} catch (err) {
			io.stderr.write(`${err instanceof QmpError ? describeError(err).message : formatError(err)}\n`);
		}
	}
}
function registerQmp(program, io) {
	const command = program.command("qmp").description("talk QMP to QEMU or a savevm machine: run one command, or start a shell like qmp-shell").argument("<address>", "unix:PATH, tcp:HOST:PORT (QEMU's ,server=on,wait=off accepted), a socket PATH or HOST:PORT").argument("[command]", "command to run; without it an interactive shell starts").argument("[args...]", "arguments as key=value; values are JSON when they parse as JSON; a.b=1 nests; sizes take K, M, G, T").option("-H, --hmp", "human monitor commands, sent with human-monitor-command").option("-p, --pretty", "indent JSON output").option("-v, --verbose", "print each command sent").option("-N, --no-negotiate", "skip qmp_capabilities (e.g. for the guest agent)").option("--timeout <ms>", "give up connecting, or on a reply, after this long").option("--history-file <path>", "shell history (default ~/.savevm_qmp_history)").option("-w, --wait", "after the command (migrate), wait until the migration ends, with a progress bar; fail if it fails");
	addProgressOptions(command).action(async (address, name, words, options) => {
		if (options.wait && (name === void 0 || options.hmp)) throw new UsageError("--wait needs a QMP command to run (e.g. migrate)");
		const streams = io ?? processIo();
		const wait = timeoutOf(options) ?? 1e4;
		const hmpAddress = textMonitorAddress(address);
		if (hmpAddress !== void 0) return runTextMonitor(await connectTextMonitor(hmpAddress, wait), address, name, words, true, streams);
		let client;
		try {
			client = await connect(address, options);
		} catch (err) {
			return runTextMonitor(await textMonitorBehind(err, address, wait), address, name, words, options.hmp === true, streams);
		}
		try {
			if (name === void 0) await shell(client, options, streams);
			else await oneShot(client, name, words, options, streams);
		} finally {
			await client.close();
		}
	});
}
export { parseKeyValueArgs, registerQmp, splitWords };
