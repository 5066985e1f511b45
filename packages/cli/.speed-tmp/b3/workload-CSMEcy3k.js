// ../../work/main/packages/machine/dist/errors.js
var MachineError = class extends Error {
	code;
	/** Byte offset in the stream, when the error came from reading one. */
	offset;
	/** Section idstr the error is about, when known. */
	section;
	constructor(code, message, options = {}) {
		super(message, options.cause === void 0 ? void 0 : { cause: options.cause });
		this.name = "MachineError";
		this.code = code;
		this.offset = options.offset;
		this.section = options.section;
	}
};
function errorMessage(err) {
	return err instanceof Error ? err.message : String(err);
}
// ../../work/main/packages/machine/dist/guest/workload.js
const PAGE_KINDS = [
	"zero",
	"uniform",
	"duplicate",
	"random"
];
const DEFAULT_WORKLOAD = {
	pagesPerStep: 16,
	mix: {
		zero: 50,
		uniform: 10,
		duplicate: 15,
		random: 25
	},
	hotPercent: 0,
	hotStart: 0,
	hotPages: 0,
	duplicatePatterns: 16
};
const SIZE_SUFFIX = {
	"": 1,
	K: 1024,
	M: 1024 ** 2,
	G: 1024 ** 3,
	T: 1024 ** 4
};
/** Parses `512`, `64K`, `50M`, `1G` (binary multiples, as QEMU's size options do). */
function parseSize(text, what = "size") {
	const match = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i.exec(text.trim());
	const unit = match?.[2]?.toUpperCase() ?? "";
	const scale = SIZE_SUFFIX[unit];
	if (!match || scale === void 0) throw new MachineError("INVALID_ARGUMENT", `Invalid ${what} '${text}': expected a number with an optional K, M, G or T suffix`);
	return Math.round(Number(match[1]) * scale);
}
/**
* Parses the `--guest` option: comma-separated `key=value` pairs.
* `rate=50M` (bytes/s), `mix=zero:50/uniform:10/duplicate:15/random:25`, `pages-per-step=16`,
* `hot=30:1024` (percent of writes into a hot set of 1024 pages, starting at `hot-start`),
* `hot-start=0`, `patterns=16`, `seed=1`, `fill=768M` (RAM the guest fills with its mix at start).
*/
function parseGuestOptions(text, base = defaultGuestOptions()) {
	const workload = {
		...base.workload,
		mix: { ...base.workload.mix }
	};
	const out = {
		seed: base.seed,
		workload,
		pacing: { ...base.pacing },
		fill: base.fill
	};
	for (const part of text.split(",")) {
		if (part.trim() === "") continue;
		const eq = part.indexOf("=");
		if (eq < 0) throw new MachineError("INVALID_ARGUMENT", `Invalid guest option '${part}': expected key=value`);
		const key = part.slice(0, eq).trim();
		const value = part.slice(eq + 1).trim();
		switch (key) {
			case "rate":
				out.pacing.rate = parseSize(value, "guest rate");
				break;
			case "mix":
				workload.mix = parseMix(value);
				break;
			case "pages-per-step":
				workload.pagesPerStep = parseIntIn(value, key, 1, 1 << 20);
				break;
			case "hot": {
				const [percent, pages] = value.split(":");
				workload.hotPercent = parseIntIn(percent ?? "", "hot percent", 0, 100);
				if (pages !== void 0) workload.hotPages = parseIntIn(pages, "hot pages", 0, 2 ** 32 - 1);
				break;
			}
			case "hot-start":
				workload.hotStart = parseIntIn(value, key, 0, 2 ** 32 - 1);
				break;
			case "patterns":
				workload.duplicatePatterns = parseIntIn(value, key, 1, 65535);
				break;
			case "seed":
				out.seed = parseIntIn(value, key, 0, 2 ** 32 - 1);
				break;
			case "fill":
				out.fill = parseSize(value, "guest fill");
				break;
			default: throw new MachineError("INVALID_ARGUMENT", `Unknown guest option '${key}'`);
		}
	}
	return out;
}
function defaultGuestOptions() {
	return {
		seed: 1,
		workload: {
			...DEFAULT_WORKLOAD,
			mix: { ...DEFAULT_WORKLOAD.mix }
		},
		pacing: { rate: 0 },
		fill: 0
	};
}
function parseMix(text) {
	const mix = {
		zero: 0,
		uniform: 0,
		duplicate: 0,
		random: 0
	};
	for (const item of text.split("/")) {
		const [name, weight] = item.split(":");
		const kind = PAGE_KINDS.find((k) => k === name || k === "duplicate" && name === "dup");
		if (!kind || weight === void 0) throw new MachineError("INVALID_ARGUMENT", `Invalid guest mix item '${item}': expected kind:weight with kind one of ${PAGE_KINDS.join(", ")}`);
		mix[kind] = parseIntIn(weight, `${kind} weight`, 0, 255);
	}
	if (PAGE_KINDS.every((k) => mix[k] === 0)) throw new MachineError("INVALID_ARGUMENT", "Invalid guest mix: at least one weight must be non-zero");
	return mix;
}
function parseIntIn(text, what, min, max) {
	const n = Number(text);
	if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) throw new MachineError("INVALID_ARGUMENT", `Invalid ${what} '${text}': expected an integer from ${min} to ${max}`);
	return n;
}
export { parseSize as a, parseGuestOptions as i, PAGE_KINDS as n, MachineError as o, defaultGuestOptions as r, errorMessage as s, DEFAULT_WORKLOAD as t };
