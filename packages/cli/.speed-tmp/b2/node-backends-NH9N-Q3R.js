import { _ as encodeVMState, a as encodeMultifdInit, f as multifdHeaderSize, g as MigrationStreamWriter, i as decodeMultifdInit, n as decodeMultifdPacket, p as multifdPagesPerPacket, r as encodeMultifdPacket } from "./dist-BIkOaE_V.js";
import { kt as FormatError, l as MigrationRecordReader, p as readMigrationStream } from "./device-json-DOW67pXe.js";
import { n as PAGE_KINDS, o as MachineError, r as defaultGuestOptions, s as errorMessage, t as DEFAULT_WORKLOAD } from "./workload-CSMEcy3k.js";
import { a as CopyBeforeWriteQueue, c as RegionCursor, l as MAX_QUEUE_BYTES, n as PageKind, o as simdSupported, s as WriteStatus, t as GuestMemory } from "./guest-memory-gp6Q84S1.js";
import { open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { createHash, randomBytes } from "node:crypto";
import { MessageChannel, Worker } from "node:worker_threads";
// ../../work/main/packages/machine/dist/devices/clock-core.js
const STEP_NS = 1000000n;
const DEFAULT_PERIOD_NS = 10000000n;
function initialClockState(periodNs = DEFAULT_PERIOD_NS) {
	return {
		nowNs: 0n,
		periodNs,
		expireNs: periodNs > 0n ? periodNs : -1n,
		ticks: 0
	};
}
/** Advances virtual time by `deltaNs`; returns how many times the timer fired. */
function clockAdvance(s, deltaNs) {
	s.nowNs += deltaNs;
	let fired = 0;
	while (s.expireNs >= 0n && s.expireNs <= s.nowNs) {
		fired++;
		s.ticks = s.ticks + 1 >>> 0;
		s.expireNs = s.periodNs > 0n ? s.expireNs + s.periodNs : -1n;
	}
	return fired;
}
// ../../work/main/packages/machine/dist/devices/state-values.js
/** Readers for loaded vmstate values, which arrive as numbers, bigints or byte arrays. */
function num(state, field, section) {
	const v = state[field];
	if (typeof v === "number") return v;
	if (typeof v === "bigint") return Number(v);
	if (typeof v === "boolean") return v ? 1 : 0;
	throw missing(field, section);
}
function big(state, field, section) {
	const v = state[field];
	if (typeof v === "bigint") return v;
	if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
	throw missing(field, section);
}
function bytes(state, field, section) {
	const v = state[field];
	if (v instanceof Uint8Array) return v;
	throw missing(field, section);
}
function numbers(state, field, section) {
	const v = state[field];
	if (Array.isArray(v)) return v.map((x, i) => num({ x }, "x", `${section}.${field}[${i}]`));
	throw missing(field, section);
}
function record(state, field, section) {
	const v = state[field];
	if (v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Uint8Array)) return v;
	throw missing(field, section);
}
function missing(field, section) {
	return new MachineError("BAD_DEVICE_STATE", `${section}: field '${field}' is missing or has the wrong type`, { section });
}
// ../../work/main/packages/machine/dist/devices/clock.js
const CLOCK_VMSD = {
	name: "clock",
	version_id: 1,
	minimum_version_id: 1,
	fields: [
		{
			name: "now_ns",
			type: "int64"
		},
		{
			name: "period_ns",
			type: "int64"
		},
		{
			name: "timer",
			type: "timer"
		},
		{
			name: "ticks",
			type: "uint32"
		}
	]
};
/** The machine's virtual clock and its periodic timer. */
var VirtualClock = class {
	idstr = "clock";
	instanceId = 0;
	vmsd = CLOCK_VMSD;
	state = initialClockState();
	advance(deltaNs) {
		return clockAdvance(this.state, deltaNs);
	}
	reset() {
		this.state = initialClockState(this.state.periodNs);
	}
	saveState() {
		const s = this.state;
		return {
			now_ns: s.nowNs,
			period_ns: s.periodNs,
			timer: s.expireNs,
			ticks: s.ticks
		};
	}
	loadState(state) {
		this.state = {
			nowNs: big(state, "now_ns", "clock"),
			periodNs: big(state, "period_ns", "clock"),
			expireNs: big(state, "timer", "clock"),
			ticks: num(state, "ticks", "clock")
		};
	}
};
// ../../work/main/packages/machine/dist/run-state.js
/**
* The machine's run state, with the same names and the same permitted transitions as QEMU's
* `RunState` (qapi/run-state.json, softmmu/runstate.c), so clients written for QEMU see what
* they expect from `query-status` and from the `globalstate` section.
*/
const RUN_STATES = [
	"debug",
	"inmigrate",
	"internal-error",
	"io-error",
	"paused",
	"postmigrate",
	"prelaunch",
	"finish-migrate",
	"restore-vm",
	"running",
	"save-vm",
	"shutdown",
	"suspended",
	"watchdog",
	"guest-panicked",
	"colo"
];
function isRunState(value) {
	return RUN_STATES.includes(value);
}
const TRANSITIONS = {
	debug: [
		"running",
		"finish-migrate",
		"prelaunch",
		"suspended"
	],
	inmigrate: [
		"internal-error",
		"io-error",
		"paused",
		"running",
		"shutdown",
		"suspended",
		"watchdog",
		"guest-panicked",
		"finish-migrate",
		"prelaunch",
		"postmigrate",
		"colo"
	],
	"internal-error": [
		"paused",
		"finish-migrate",
		"prelaunch"
	],
	"io-error": [
		"running",
		"finish-migrate",
		"prelaunch"
	],
	paused: [
		"running",
		"finish-migrate",
		"postmigrate",
		"prelaunch",
		"colo"
	],
	postmigrate: [
		"running",
		"finish-migrate",
		"prelaunch"
	],
	prelaunch: [
		"running",
		"finish-migrate",
		"inmigrate"
	],
	"finish-migrate": [
		"running",
		"paused",
		"postmigrate",
		"prelaunch",
		"colo"
	],
	"restore-vm": ["running", "prelaunch"],
	colo: [
		"running",
		"prelaunch",
		"shutdown"
	],
	running: [
		"debug",
		"internal-error",
		"io-error",
		"paused",
		"finish-migrate",
		"restore-vm",
		"save-vm",
		"shutdown",
		"watchdog",
		"guest-panicked",
		"colo",
		"suspended"
	],
	"save-vm": ["running"],
	shutdown: [
		"paused",
		"finish-migrate",
		"prelaunch",
		"colo"
	],
	suspended: [
		"running",
		"finish-migrate",
		"prelaunch",
		"colo"
	],
	watchdog: [
		"running",
		"finish-migrate",
		"prelaunch",
		"colo"
	],
	"guest-panicked": [
		"running",
		"finish-migrate",
		"prelaunch"
	]
};
function canTransition(from, to) {
	return from === to || TRANSITIONS[from].includes(to);
}
var RunStateError = class extends Error {
	from;
	to;
	code = "INVALID_RUNSTATE_TRANSITION";
	constructor(from, to) {
		super(`invalid runstate transition: '${from}' -> '${to}'`);
		this.from = from;
		this.to = to;
		this.name = "RunStateError";
	}
};
/** Holds the current state and refuses transitions QEMU would abort on. */
var RunStateMachine = class {
	#state;
	#listeners = /* @__PURE__ */ new Set();
	constructor(initial = "prelaunch") {
		this.#state = initial;
	}
	get state() {
		return this.#state;
	}
	get running() {
		return this.#state === "running";
	}
	/** Setting the current state again is a no-op, as in QEMU. */
	set(next) {
		const previous = this.#state;
		if (previous === next) return;
		if (!canTransition(previous, next)) throw new RunStateError(previous, next);
		this.#state = next;
		for (const listener of this.#listeners) listener(next, previous);
	}
	onChange(listener) {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}
	/** `VM status: …` as HMP `info status` prints it. */
	describe() {
		if (this.#state === "running") return "VM status: running";
		if (this.#state === "paused") return "VM status: paused";
		return `VM status: paused (${this.#state})`;
	}
};
// ../../work/main/packages/machine/dist/devices/global-state.js
const RUNSTATE_BYTES = 100;
/** QEMU's `globalstate` section: the run state at the moment of the save, as a C string. */
const GLOBAL_STATE_VMSD = {
	name: "globalstate",
	version_id: 1,
	minimum_version_id: 1,
	fields: [{
		name: "size",
		type: "uint32"
	}, {
		name: "runstate",
		type: "buffer",
		size: RUNSTATE_BYTES
	}]
};
/**
* Carries the run state across a save so the destination resumes only if the source was
* running. `store` is called right before the machine stops for the final copy.
*/
var GlobalState = class {
	idstr = "globalstate";
	instanceId = 0;
	vmsd = GLOBAL_STATE_VMSD;
	excludeFromDigest = true;
	#stored = "running";
	#received;
	#current;
	constructor(current) {
		this.#current = current;
	}
	/** Records the current run state (QEMU's global_state_store). */
	store(state = this.#current()) {
		this.#stored = state;
	}
	/** The run state a load brought in, if the stream had a `globalstate` section. */
	get received() {
		return this.#received;
	}
	clearReceived() {
		this.#received = void 0;
	}
	saveState() {
		const name = new TextEncoder().encode(this.#stored);
		const runstate = new Uint8Array(RUNSTATE_BYTES);
		runstate.set(name);
		return {
			size: name.length + 1,
			runstate
		};
	}
	validateState(state) {
		this.#parse(state);
	}
	loadState(state) {
		this.#received = this.#parse(state);
	}
	#parse(state) {
		const raw = bytes(state, "runstate", "globalstate");
		const nul = raw.indexOf(0);
		if (nul < 0) throw new MachineError("BAD_DEVICE_STATE", "globalstate: runstate name is not NUL-terminated", { section: "globalstate" });
		const size = num(state, "size", "globalstate");
		if (size !== nul + 1) throw new MachineError("BAD_DEVICE_STATE", `globalstate: size ${size} does not match runstate length ${nul}`, { section: "globalstate" });
		const name = new TextDecoder().decode(raw.subarray(0, nul));
		if (!isRunState(name)) throw new MachineError("BAD_DEVICE_STATE", `invalid parameter value: ${name}`, { section: "globalstate" });
		return name;
	}
};
// ../../work/main/packages/machine/dist/guest/prng.js
function rotl(x, k) {
	return (x << k | x >>> 32 - k) >>> 0;
}
/** Spreads a seed over four non-zero words (splitmix32). */
function seedPrng(seed) {
	let z = seed >>> 0;
	const next = () => {
		z = z + 0x9e3779b9 >>> 0;
		let t = z;
		t = Math.imul(t ^ t >>> 16, 569420461) >>> 0;
		t = Math.imul(t ^ t >>> 15, 0x735a2d97) >>> 0;
		return (t ^ t >>> 15) >>> 0;
	};
	const state = [
		next(),
		next(),
		next(),
		next()
	];
	if ((state[0] | state[1] | state[2] | state[3]) === 0) state[0] = 1;
	return state;
}
/** Advances `s` in place and returns the next unsigned 32-bit value. */
function nextU32(s) {
	const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
	const t = s[1] << 9 >>> 0;
	s[2] = (s[2] ^ s[0]) >>> 0;
	s[3] = (s[3] ^ s[1]) >>> 0;
	s[1] = (s[1] ^ s[2]) >>> 0;
	s[0] = (s[0] ^ s[3]) >>> 0;
	s[2] = (s[2] ^ t) >>> 0;
	s[3] = rotl(s[3], 11);
	return result;
}
/** A value in [0, bound) for bound ≤ 2^32; the bias of a plain modulo is irrelevant here. */
function nextBelow(s, bound) {
	return bound <= 1 ? 0 : nextU32(s) % bound;
}
/**
* Fills `words` from a one-off xorshift32 seeded by `seed`. Page content is drawn from this
* cheaper generator so a random page costs one draw of the guest's PRNG, not a thousand.
*/
function fillWords(words, seed) {
	let x = seed >>> 0 || 0x6d2b79f5;
	for (let i = 0; i < words.length; i++) {
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
		words[i] = x;
	}
}
// ../../work/main/packages/machine/dist/guest/guest.js
const PAGE_SIZE = 4096;
const WORDS_PER_PAGE = PAGE_SIZE / 4;
function initialGuestState(seed, workload = DEFAULT_WORKLOAD, rate = 0) {
	return {
		steps: 0,
		prng: seedPrng(seed),
		acc: 0,
		lastPage: 0,
		workload: {
			...workload,
			mix: { ...workload.mix }
		},
		pacing: {
			rate,
			credit: 0
		}
	};
}
/**
* A guest whose every page write is a function of its state: "restore, then run N steps"
* writes exactly what "run N steps" writes on the original.
*/
var DeterministicGuest = class {
	state;
	#scratch = new Uint32Array(WORDS_PER_PAGE);
	#scratchBytes = new Uint8Array(this.#scratch.buffer);
	#patterns = /* @__PURE__ */ new Map();
	constructor(state) {
		this.state = state;
	}
	/** One step: `pagesPerStep` page writes. Returns the number of pages written. */
	step(ram) {
		const s = this.state;
		const w = s.workload;
		let written = 0;
		if (ram.pageCount > 0) for (let i = 0; i < w.pagesPerStep; i++) {
			const kind = this.#drawKind();
			const page = this.#drawPage(ram.pageCount);
			this.#writePage(ram, page, kind);
			written++;
		}
		s.steps++;
		return written;
	}
	/**
	* Writes `count` consecutive pages from `first` with kinds drawn from the workload mix, as a
	* guest initialising its memory would. Used to give RAM realistic content before a save.
	*/
	fill(ram, first, count) {
		const end = Math.min(ram.pageCount, first + count);
		for (let page = first; page < end; page++) this.#writePage(ram, page, this.#drawKind());
	}
	#draw(bound) {
		const s = this.state;
		const v = nextBelow(s.prng, bound);
		s.acc = Math.imul(s.acc, 31) + v >>> 0;
		return v;
	}
	#drawKind() {
		const mix = this.state.workload.mix;
		let total = 0;
		for (const k of PAGE_KINDS) total += mix[k];
		let r = this.#draw(total);
		for (const k of PAGE_KINDS) {
			if (r < mix[k]) return k;
			r -= mix[k];
		}
		return "zero";
	}
	#drawPage(pageCount) {
		const w = this.state.workload;
		if (w.hotPages > 0 && w.hotPercent > 0 && this.#draw(100) < w.hotPercent) {
			const start = Math.min(w.hotStart, pageCount - 1);
			const size = Math.max(1, Math.min(w.hotPages, pageCount - start));
			return start + this.#draw(size);
		}
		return this.#draw(pageCount);
	}
	#writePage(ram, page, kind) {
		const s = this.state;
		s.lastPage = page;
		const bytes = ram.writablePage(page);
		switch (kind) {
			case "zero":
				bytes.fill(0);
				break;
			case "uniform":
				bytes.fill(1 + this.#draw(255));
				break;
			case "duplicate":
				bytes.set(this.#pattern(this.#draw(Math.max(1, s.workload.duplicatePatterns))));
				break;
			case "random":
				fillWords(this.#scratch, nextU32(s.prng));
				bytes.set(this.#scratchBytes);
		}
	}
	/** The draws `#writePage` makes for a page's content, without writing anything. */
	#skipContent(kind) {
		const s = this.state;
		if (kind === "uniform") this.#draw(255);
		else if (kind === "duplicate") this.#draw(Math.max(1, s.workload.duplicatePatterns));
		else if (kind === "random") nextU32(s.prng);
	}
	/**
	* The pages the next `step` will write, in order (a page may repeat), computed on the side:
	* the state is left as it was. A live snapshot uses it to let a step start only when its
	* copy-before-write queue has room for every page the step will overwrite.
	*/
	plannedPages(pageCount) {
		const s = this.state;
		const saved = {
			prng: [...s.prng],
			acc: s.acc,
			lastPage: s.lastPage
		};
		const pages = [];
		try {
			if (pageCount > 0) for (let i = 0; i < s.workload.pagesPerStep; i++) {
				const kind = this.#drawKind();
				pages.push(this.#drawPage(pageCount));
				this.#skipContent(kind);
			}
		} finally {
			for (let i = 0; i < 4; i++) s.prng[i] = saved.prng[i];
			s.acc = saved.acc;
			s.lastPage = saved.lastPage;
		}
		return pages;
	}
	#pattern(index) {
		let pattern = this.#patterns.get(index);
		if (!pattern) {
			const words = new Uint32Array(WORDS_PER_PAGE);
			fillWords(words, (Math.imul(index + 1, 0x9e3779b1) ^ 0xd0b1e5) >>> 0);
			pattern = new Uint8Array(words.buffer);
			this.#patterns.set(index, pattern);
		}
		return pattern;
	}
};
// ../../work/main/packages/machine/dist/devices/guest-cpu.js
/** Largest pacing rate a stream may bring in (1 TiB/s): a guest step loop is bounded by it. */
const MAX_PACE_RATE = 2 ** 40;
/**
* The guest's CPU-like state: its step counter, generator, registers and workload, and since
* version 2 its pacing (rate and the pacing clock's position). A version 1 section still loads;
* the destination then keeps the pacing it was started with.
*/
const GUEST_CPU_VMSD = {
	name: "cpu",
	version_id: 2,
	minimum_version_id: 1,
	fields: [
		{
			name: "steps",
			type: "uint64"
		},
		{
			name: "prng",
			type: "uint32",
			count: 4
		},
		{
			name: "acc",
			type: "uint32"
		},
		{
			name: "last_page",
			type: "uint32"
		},
		{
			name: "pages_per_step",
			type: "uint32"
		},
		{
			name: "mix_zero",
			type: "uint8"
		},
		{
			name: "mix_uniform",
			type: "uint8"
		},
		{
			name: "mix_duplicate",
			type: "uint8"
		},
		{
			name: "mix_random",
			type: "uint8"
		},
		{
			name: "hot_percent",
			type: "uint8"
		},
		{
			name: "hot_start",
			type: "uint32"
		},
		{
			name: "hot_pages",
			type: "uint32"
		},
		{
			name: "patterns",
			type: "uint16"
		},
		{
			name: "pace_rate",
			type: "uint64",
			version_id: 2
		},
		{
			name: "pace_credit",
			type: "uint64",
			version_id: 2
		}
	]
};
/**
* The layout the machine digest covers: what the guest computes, without its pacing, which
* depends on wall-clock time (a paced run and the same steps run by hand digest alike).
*/
const GUEST_CPU_DIGEST_VMSD = {
	...GUEST_CPU_VMSD,
	version_id: 1,
	fields: GUEST_CPU_VMSD.fields.filter((f) => f.version_id === void 0)
};
/** Wraps the deterministic guest as the `cpu` device. */
var GuestCpu = class {
	idstr = "cpu";
	instanceId = 0;
	vmsd = GUEST_CPU_VMSD;
	digestVmsd = GUEST_CPU_DIGEST_VMSD;
	guest;
	#initial;
	constructor(state) {
		this.#initial = structuredClone(state);
		this.guest = new DeterministicGuest(state);
	}
	reset() {
		this.guest.state = structuredClone(this.#initial);
	}
	saveState() {
		const s = this.guest.state;
		const w = s.workload;
		return {
			steps: BigInt(s.steps),
			prng: [...s.prng],
			acc: s.acc,
			last_page: s.lastPage,
			pages_per_step: w.pagesPerStep,
			mix_zero: w.mix.zero,
			mix_uniform: w.mix.uniform,
			mix_duplicate: w.mix.duplicate,
			mix_random: w.mix.random,
			hot_percent: w.hotPercent,
			hot_start: w.hotStart,
			hot_pages: w.hotPages,
			patterns: w.duplicatePatterns,
			pace_rate: BigInt(s.pacing.rate),
			pace_credit: BigInt(Math.floor(s.pacing.credit))
		};
	}
	validateState(state, versionId) {
		this.#parse(state, versionId);
	}
	loadState(state, versionId) {
		this.guest.state = this.#parse(state, versionId);
	}
	/** Version 1 has no pacing: the guest keeps the pace it has here. */
	#pacing(state, versionId) {
		if (versionId < 2) return { ...this.guest.state.pacing };
		const rate = big(state, "pace_rate", "cpu");
		const credit = big(state, "pace_credit", "cpu");
		if (rate > BigInt(MAX_PACE_RATE) || credit > BigInt(Number.MAX_SAFE_INTEGER)) throw new MachineError("BAD_DEVICE_STATE", `cpu: pacing (rate ${rate}, credit ${credit}) out of range`, { section: "cpu" });
		return {
			rate: Number(rate),
			credit: Number(credit)
		};
	}
	#parse(state, versionId) {
		const n = (f) => num(state, f, "cpu");
		const prng = numbers(state, "prng", "cpu");
		const steps = big(state, "steps", "cpu");
		if (prng.length !== 4 || prng.every((w) => w === 0)) throw new MachineError("BAD_DEVICE_STATE", "cpu: generator state must be four words, not all zero", { section: "cpu" });
		if (steps > BigInt(Number.MAX_SAFE_INTEGER)) throw new MachineError("BAD_DEVICE_STATE", `cpu: step counter ${steps} is out of range`, { section: "cpu" });
		const workload = {
			pagesPerStep: n("pages_per_step"),
			mix: {
				zero: n("mix_zero"),
				uniform: n("mix_uniform"),
				duplicate: n("mix_duplicate"),
				random: n("mix_random")
			},
			hotPercent: n("hot_percent"),
			hotStart: n("hot_start"),
			hotPages: n("hot_pages"),
			duplicatePatterns: n("patterns")
		};
		if (workload.pagesPerStep > 1 << 20 || workload.hotPercent > 100) throw new MachineError("BAD_DEVICE_STATE", "cpu: workload values out of range", { section: "cpu" });
		return {
			steps: Number(steps),
			prng,
			acc: n("acc"),
			lastPage: n("last_page"),
			workload,
			pacing: this.#pacing(state, versionId)
		};
	}
};
const REG = {
	RBR_THR_DLL: 0,
	IER_DLM: 1,
	IIR_FCR: 2,
	LCR: 3,
	MCR: 4,
	LSR: 5,
	MSR: 6,
	SCR: 7
};
const LCR_DLAB = 128;
const LSR_DR = 1;
const LSR_OE = 2;
const LSR_THRE = 32;
const LSR_TEMT = 64;
const IER_RDI = 1;
const IER_THRI = 2;
const IIR_NO_INT = 1;
const IIR_THRI = 2;
const IIR_RDI = 4;
const IIR_FIFO_ENABLED = 192;
const FCR_FE = 1;
const FCR_RFR = 2;
const FCR_XFR = 4;
const MSR_DCD_DSR_CTS = 176;
function emptyFifo() {
	return {
		data: /* @__PURE__ */ new Uint8Array(16),
		head: 0,
		num: 0
	};
}
function initialSerialState() {
	return {
		divider: 12,
		rbr: 0,
		thr: 0,
		ier: 0,
		iir: IIR_NO_INT,
		lcr: 0,
		mcr: 8,
		lsr: 96,
		msr: MSR_DCD_DSR_CTS,
		scr: 0,
		fcr: 0,
		tsr: 0,
		tsrFull: false,
		recv: emptyFifo(),
		xmit: emptyFifo()
	};
}
function fifoPush(f, byte) {
	if (f.num >= 16) return false;
	f.data[(f.head + f.num) % 16] = byte & 255;
	f.num++;
	return true;
}
function fifoPop(f) {
	if (f.num === 0) return 0;
	const byte = f.data[f.head] ?? 0;
	f.head = (f.head + 1) % 16;
	f.num--;
	return byte;
}
function fifoReset(f) {
	f.data.fill(0);
	f.head = 0;
	f.num = 0;
}
function fifoEnabled(s) {
	return (s.fcr & FCR_FE) !== 0;
}
function updateIir(s) {
	let iir = IIR_NO_INT;
	if (s.ier & IER_RDI && s.lsr & LSR_DR) iir = IIR_RDI;
	else if (s.ier & IER_THRI && s.lsr & LSR_THRE) iir = IIR_THRI;
	s.iir = iir | (fifoEnabled(s) ? IIR_FIFO_ENABLED : 0);
}
/** A guest (or test) write to register `offset`. */
function serialWrite(s, offset, value) {
	value &= 255;
	const dlab = (s.lcr & LCR_DLAB) !== 0;
	switch (offset & 7) {
		case REG.RBR_THR_DLL:
			if (dlab) s.divider = s.divider & 65280 | value;
			else if (fifoEnabled(s)) {
				fifoPush(s.xmit, value);
				s.lsr &= -97;
			} else {
				s.thr = value;
				s.lsr &= -97;
			}
			break;
		case REG.IER_DLM:
			if (dlab) s.divider = s.divider & 255 | value << 8;
			else s.ier = value & 15;
			break;
		case REG.IIR_FCR:
			if (value & FCR_RFR) {
				fifoReset(s.recv);
				s.lsr &= -4;
			}
			if (value & FCR_XFR) {
				fifoReset(s.xmit);
				if (!s.tsrFull) s.lsr |= 96;
			}
			s.fcr = value & 201;
			break;
		case REG.LCR:
			s.lcr = value;
			break;
		case REG.MCR:
			s.mcr = value & 31;
			break;
		case REG.LSR: break;
		case REG.MSR: break;
		case REG.SCR: s.scr = value;
	}
	updateIir(s);
}
/** A guest read of register `offset`; reading RBR consumes a received byte. */
function serialRead(s, offset) {
	const dlab = (s.lcr & LCR_DLAB) !== 0;
	let value = 0;
	switch (offset & 7) {
		case REG.RBR_THR_DLL:
			if (dlab) value = s.divider & 255;
			else if (fifoEnabled(s)) {
				value = fifoPop(s.recv);
				if (s.recv.num === 0) s.lsr &= -2;
			} else {
				value = s.rbr;
				s.lsr &= -2;
			}
			break;
		case REG.IER_DLM:
			value = dlab ? s.divider >> 8 & 255 : s.ier;
			break;
		case REG.IIR_FCR:
			value = s.iir;
			break;
		case REG.LCR:
			value = s.lcr;
			break;
		case REG.MCR:
			value = s.mcr;
			break;
		case REG.LSR:
			value = s.lsr;
			s.lsr &= -3;
			break;
		case REG.MSR:
			value = s.msr;
			break;
		case REG.SCR: value = s.scr;
	}
	updateIir(s);
	return value;
}
/** A byte arriving on the line from the host side. */
function serialReceive(s, byte) {
	if (fifoEnabled(s)) {
		if (!fifoPush(s.recv, byte)) s.lsr |= LSR_OE;
	} else {
		if (s.lsr & LSR_DR) s.lsr |= LSR_OE;
		s.rbr = byte & 255;
	}
	s.lsr |= LSR_DR;
	updateIir(s);
}
/**
* One character time: the shift register finishes its byte (returned, for the host side) and
* takes the next one from the FIFO or THR. Driven by the machine's virtual clock, so output
* timing is part of the deterministic guest.
*/
function serialTick(s) {
	let sent;
	if (s.tsrFull) {
		sent = s.tsr;
		s.tsrFull = false;
	}
	if (fifoEnabled(s) ? s.xmit.num > 0 : (s.lsr & LSR_THRE) === 0) {
		s.tsr = fifoEnabled(s) ? fifoPop(s.xmit) : s.thr;
		s.tsrFull = true;
	}
	const bufferEmpty = fifoEnabled(s) ? s.xmit.num === 0 : true;
	if (bufferEmpty) s.lsr |= LSR_THRE;
	if (bufferEmpty && !s.tsrFull) s.lsr |= LSR_TEMT;
	updateIir(s);
	return sent;
}
// ../../work/main/packages/machine/dist/devices/serial-16550.js
const FIFO_VMSD = {
	name: "fifo8",
	version_id: 1,
	minimum_version_id: 1,
	fields: [
		{
			name: "data",
			type: "buffer",
			size: 16
		},
		{
			name: "head",
			type: "uint32"
		},
		{
			name: "num",
			type: "uint32"
		}
	]
};
/** Layout of the UART's section: registers, then the shift register and FIFOs when in use. */
const SERIAL_VMSD = {
	name: "serial",
	version_id: 3,
	minimum_version_id: 2,
	fields: [
		{
			name: "divider",
			type: "uint16",
			version_id: 2
		},
		{
			name: "rbr",
			type: "uint8"
		},
		{
			name: "ier",
			type: "uint8"
		},
		{
			name: "iir",
			type: "uint8"
		},
		{
			name: "lcr",
			type: "uint8"
		},
		{
			name: "mcr",
			type: "uint8"
		},
		{
			name: "lsr",
			type: "uint8"
		},
		{
			name: "msr",
			type: "uint8"
		},
		{
			name: "scr",
			type: "uint8"
		},
		{
			name: "fcr",
			type: "uint8",
			version_id: 3
		}
	],
	subsections: [
		{
			name: "serial/thr",
			version_id: 1,
			minimum_version_id: 1,
			fields: [
				{
					name: "thr",
					type: "uint8"
				},
				{
					name: "tsr",
					type: "uint8"
				},
				{
					name: "tsr_full",
					type: "bool"
				}
			]
		},
		{
			name: "serial/recv_fifo",
			version_id: 1,
			minimum_version_id: 1,
			fields: [{
				name: "recv_fifo",
				type: "struct",
				struct: FIFO_VMSD
			}]
		},
		{
			name: "serial/xmit_fifo",
			version_id: 1,
			minimum_version_id: 1,
			fields: [{
				name: "xmit_fifo",
				type: "struct",
				struct: FIFO_VMSD
			}]
		}
	]
};
function fifoInUse(f) {
	return f.num !== 0 || f.head !== 0;
}
function fifoOut(f) {
	return {
		data: f.data.slice(),
		head: f.head,
		num: f.num
	};
}
function sub(state, name) {
	return name in state ? record(state, name, "serial") : void 0;
}
function fifoIn(state, name, field) {
	const s = sub(state, name);
	if (!s) return {
		data: /* @__PURE__ */ new Uint8Array(16),
		head: 0,
		num: 0
	};
	const r = record(s, field, "serial");
	return {
		data: bytes(r, "data", "serial").slice(),
		head: num(r, "head", "serial"),
		num: num(r, "num", "serial")
	};
}
/** A 16550A UART. Bytes it transmits go to `output` (if set), one per guest step. */
var Serial16550 = class {
	idstr = "serial";
	vmsd = SERIAL_VMSD;
	instanceId;
	state = initialSerialState();
	output;
	constructor(instanceId = 0) {
		this.instanceId = instanceId;
	}
	write(offset, value) {
		serialWrite(this.state, offset, value);
	}
	read(offset) {
		return serialRead(this.state, offset);
	}
	/** A byte from the host side of the line. */
	receive(byte) {
		serialReceive(this.state, byte);
	}
	tick() {
		const sent = serialTick(this.state);
		if (sent !== void 0) this.output?.(sent);
	}
	reset() {
		this.state = initialSerialState();
	}
	saveState() {
		const s = this.state;
		const out = {
			divider: s.divider,
			rbr: s.rbr,
			ier: s.ier,
			iir: s.iir,
			lcr: s.lcr,
			mcr: s.mcr,
			lsr: s.lsr,
			msr: s.msr,
			scr: s.scr,
			fcr: s.fcr
		};
		if (s.tsrFull || s.thr !== 0) out["serial/thr"] = {
			thr: s.thr,
			tsr: s.tsr,
			tsr_full: s.tsrFull
		};
		if (fifoInUse(s.recv)) out["serial/recv_fifo"] = { recv_fifo: fifoOut(s.recv) };
		if (fifoInUse(s.xmit)) out["serial/xmit_fifo"] = { xmit_fifo: fifoOut(s.xmit) };
		return out;
	}
	validateState(state) {
		for (const [name, field] of [["serial/recv_fifo", "recv_fifo"], ["serial/xmit_fifo", "xmit_fifo"]]) {
			const f = fifoIn(state, name, field);
			if (f.head >= 16 || f.num > 16) throw new MachineError("BAD_DEVICE_STATE", `serial: ${field} head ${f.head} / num ${f.num} out of range for a 16-byte FIFO`, { section: "serial" });
		}
	}
	loadState(state, versionId) {
		const n = (f) => num(state, f, "serial");
		const thr = sub(state, "serial/thr");
		this.state = {
			divider: versionId >= 2 ? n("divider") : 12,
			rbr: n("rbr"),
			ier: n("ier"),
			iir: n("iir"),
			lcr: n("lcr"),
			mcr: n("mcr"),
			lsr: n("lsr"),
			msr: n("msr"),
			scr: n("scr"),
			fcr: versionId >= 3 ? n("fcr") : 0,
			thr: thr ? num(thr, "thr", "serial") : 0,
			tsr: thr ? num(thr, "tsr", "serial") : 0,
			tsrFull: thr ? num(thr, "tsr_full", "serial") !== 0 : false,
			recv: fifoIn(state, "serial/recv_fifo", "recv_fifo"),
			xmit: fifoIn(state, "serial/xmit_fifo", "xmit_fifo")
		};
	}
};
// ../../work/main/packages/machine/dist/events.js
/** Fan-out of machine events to listeners (the QMP monitor, tests, embedders). */
var EventBus = class {
	#listeners = /* @__PURE__ */ new Set();
	on(listener) {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}
	emit(event, data) {
		const e = data === void 0 ? { event } : {
			event,
			data
		};
		for (const listener of [...this.#listeners]) listener(e);
	}
};
// ../../work/main/packages/machine/dist/guest/pacer.js
/** Most guest work one tick does, in ms of pacing: after a stall the backlog is dropped, not replayed. */
const MAX_BURST_MS = 50;
const TICK_MS = 10;
/**
* Runs the guest on its own at its pacing rate while the machine runs. Time accrues as credit
* (bytes of work) in the guest's own state, and each tick turns whole steps of it into steps; the
* remainder stays in the state, so a guest stopped between steps — and saved, migrated or
* restored meanwhile — resumes from the same position of its pacing clock.
*/
var GuestPacer = class {
	#guest;
	#timer;
	/** Waiting for room in a live snapshot's queue. */
	#waiting = false;
	/** When credit was last accrued (ms), while pacing. */
	#lastAt;
	constructor(guest) {
		this.#guest = guest;
	}
	start() {
		if (this.#lastAt !== void 0 || this.#guest.pacing().rate <= 0 || !this.#guest.mayRun()) return;
		this.#lastAt = this.#guest.now();
		if (!this.#waiting) this.#tick();
	}
	/** Stops pacing; the work accrued up to now stays in the guest's credit. */
	stop() {
		if (this.#timer !== void 0) clearTimeout(this.#timer);
		this.#timer = void 0;
		if (this.#lastAt !== void 0 && !this.#waiting) this.#accrue();
		this.#lastAt = void 0;
	}
	#accrue() {
		const pacing = this.#guest.pacing();
		const now = this.#guest.now();
		const elapsed = Math.max(0, now - (this.#lastAt ?? now));
		const bytesPerStep = this.#guest.bytesPerStep();
		const limit = Math.max(1, Math.ceil(pacing.rate * MAX_BURST_MS / 1e3 / bytesPerStep)) * bytesPerStep;
		pacing.credit = Math.min(limit, pacing.credit + Math.floor(elapsed * pacing.rate / 1e3));
		this.#lastAt = now;
	}
	#tick = () => {
		this.#timer = void 0;
		const guest = this.#guest;
		if (this.#lastAt === void 0 || !guest.mayRun() || guest.pacing().rate <= 0) return;
		this.#accrue();
		const pacing = guest.pacing();
		const bytesPerStep = guest.bytesPerStep();
		const due = Math.floor(pacing.credit / bytesPerStep);
		for (let done = 0; done < due; done++) {
			if (!guest.stepFits()) {
				this.#waiting = true;
				guest.waitForRoom().then(() => {
					this.#waiting = false;
					if (this.#lastAt !== void 0) this.#schedule(0);
				});
				return;
			}
			guest.step();
			pacing.credit -= bytesPerStep;
		}
		this.#schedule(TICK_MS);
	};
	#schedule(ms) {
		if (this.#timer !== void 0) return;
		const timer = setTimeout(this.#tick, ms);
		timer.unref?.();
		this.#timer = timer;
	}
};
// ../../work/main/packages/machine/dist/ram/bitmap-cursor.js
/**
* Walks the blocks' `toSend` bitmaps from where the last run ended, taking runs of consecutive
* set pages (and clearing them). Wraps around once, so pages set behind the cursor are found too.
* It is @savevm/ram-wasm's RegionCursor over the blocks, the walk a live snapshot's queue makes.
*/
var BitmapCursor = class {
	#cursor = new RegionCursor((block) => block.toSend);
	reset() {
		this.#cursor.reset();
	}
	next(blocks, maxPages) {
		const run = this.#cursor.next(blocks, maxPages);
		return run && {
			block: run.region,
			first: run.first,
			count: run.count
		};
	}
};
// ../../work/main/packages/machine/dist/ram/dirty-bitmap-source.js
/**
* Pre-copy's page order: every page once, then whatever the guest dirtied since the previous
* sync, scanning blocks in order from where the last run ended. `include` leaves blocks out (a
* checkpoint for a restart skips the blocks kept in a memory file).
*/
var DirtyBitmapSource = class {
	#ram;
	#include;
	#cursor = new BitmapCursor();
	#remaining = 0;
	#syncCount = 0;
	constructor(ram, include = () => true) {
		this.#ram = ram;
		this.#include = include;
	}
	get syncCount() {
		return this.#syncCount;
	}
	start() {
		this.#ram.startDirtyLog();
		this.#remaining = 0;
		for (const b of this.#ram.blocks) if (this.#include(b)) {
			b.toSend.setAll();
			this.#remaining += b.pageCount;
		} else b.toSend.clearAll();
		this.#cursor.reset();
		this.#syncCount = 1;
	}
	remaining() {
		return this.#remaining;
	}
	sync() {
		let added = 0;
		for (const block of this.#ram.blocks) if (this.#include(block)) added += block.toSend.syncFrom(block.dirtyLog);
		else block.dirtyLog.clearAll();
		this.#remaining += added;
		this.#syncCount++;
		return added;
	}
	nextRun(maxPages) {
		if (this.#remaining === 0) return void 0;
		const run = this.#cursor.next(this.#ram.blocks, maxPages);
		if (run) this.#remaining -= run.count;
		return run;
	}
	stop() {
		this.#ram.stopDirtyLog();
		for (const b of this.#ram.blocks) b.toSend.clearAll();
		this.#remaining = 0;
	}
};
// ../../work/main/packages/machine/dist/ram/ram-block.js
const TARGET_PAGE_SIZE = 4096;
/** One named, fixed-size range of guest RAM (QEMU's RAMBlock). */
var RamBlock = class {
	name;
	size;
	pageCount;
	/**
	* Where the block sits in the guest's address space (the blocks one after the other). Streams
	* with x-ignore-shared carry it, and a loader compares it for blocks it keeps in place.
	*/
	addr = 0;
	/**
	* Kept outside the stream, in a memory file both processes share (QEMU's shared RAM with
	* x-ignore-shared): a checkpoint for a restart does not write its pages.
	*/
	shared = false;
	#memory;
	#dirtyLog;
	#toSend;
	#scanner;
	#replaceListeners = /* @__PURE__ */ new Set();
	/**
	* 1 for pages that may hold non-zero bytes: written by the guest (the barrier sets it) or by
	* a load. A page still 0 is known to be zero, so a save needs not scan it.
	*/
	#touched;
	constructor(name, memory) {
		if (name.length === 0 || new TextEncoder().encode(name).length > 255) throw new MachineError("INVALID_CONFIG", `RAM block name '${name}' must be 1 to 255 bytes`);
		if (memory.size <= 0 || memory.size % 4096 !== 0 || memory.pageSize !== 4096) throw new MachineError("INVALID_CONFIG", `RAM block '${name}' size ${memory.size} must be a positive multiple of ${TARGET_PAGE_SIZE}-byte pages`);
		this.name = name;
		this.size = memory.size;
		this.pageCount = memory.size / TARGET_PAGE_SIZE;
		this.#memory = memory;
		this.#touched = new Uint8Array(this.pageCount).fill(1);
	}
	/** Marks that `memory` starts all zero (fresh storage): no page needs a zero scan yet. */
	markFresh() {
		this.#touched.fill(0);
	}
	/** The may-be-non-zero map (read it, do not keep it: a load replaces it). */
	get touched() {
		return this.#touched;
	}
	get memory() {
		return this.#memory;
	}
	/**
	* Pages the guest wrote since the last sync (set by the barrier while logging is on).
	* Bitmaps live in the block's memory and are allocated once, then reused by every save.
	*/
	get dirtyLog() {
		this.#dirtyLog ??= this.#memory.createBitmap();
		return this.#dirtyLog;
	}
	/** Pages a running save still has to send. */
	get toSend() {
		this.#toSend ??= this.#memory.createBitmap();
		return this.#toSend;
	}
	/**
	* The block's page classifier (created once, on first use, in the block's memory), or
	* undefined when the memory has none.
	*/
	get scanner() {
		if (this.#scanner === void 0) this.#scanner = this.#memory.createScanner?.() ?? null;
		return this.#scanner ?? void 0;
	}
	/** The byte every position of the page holds, or -1. */
	uniformValue(page) {
		return this.#memory.uniformValue(page);
	}
	/** Calls `listener` whenever a load puts new storage in place; returns its remover. */
	onReplace(listener) {
		this.#replaceListeners.add(listener);
		return () => this.#replaceListeners.delete(listener);
	}
	/** A fresh view of one page, for reading. Guest writes go through `RamSet.writablePage`. */
	page(page) {
		return this.#memory.page(page);
	}
	/** Calls `visit` with views covering the whole block in order. */
	forEachSpan(visit, maxSpan = 1 << 24) {
		for (let at = 0; at < this.size;) {
			const span = this.#memory.span(at, Math.min(maxSpan, this.size - at));
			visit(span);
			at += span.length;
		}
	}
	/**
	* Puts `memory` (a loaded staging copy) in place of the current storage; `touched` says which
	* of its pages may be non-zero (all, when not given).
	*/
	replaceMemory(memory, touched) {
		if (memory.size !== this.size) throw new MachineError("INVALID_STATE", `RAM block '${this.name}': replacement has size ${memory.size}, expected ${this.size}`);
		this.#memory = memory;
		this.#dirtyLog = void 0;
		this.#toSend = void 0;
		this.#scanner = void 0;
		if (touched && touched.length === this.pageCount) this.#touched = touched;
		else this.#touched.fill(1);
		for (const listener of this.#replaceListeners) listener();
	}
};
/** The machine's RAM blocks in registration order, and the write barrier. */
var RamSet = class {
	blocks = [];
	#hooks = [];
	memoryFactory;
	/** Whether loads stage into shared memory (a staging helper thread writes into it too). */
	sharedStaging;
	/** Staging memories made ahead of a load, by block name. */
	#spare = /* @__PURE__ */ new Map();
	#logging = false;
	constructor(memoryFactory, options = {}) {
		this.memoryFactory = memoryFactory;
		this.sharedStaging = options.sharedStaging ?? false;
	}
	/**
	* Makes the staging memory of every block now, so that a load does not wait for it: a machine
	* waiting for an incoming migration does this, as QEMU has its RAM before the stream comes.
	* The memories are zero and untouched, so they cost address space, not RAM.
	*/
	prepareStaging() {
		for (const block of this.blocks) if (!this.#spare.has(block.name)) this.#spare.set(block.name, this.#newStaging(block));
	}
	/** A zeroed memory to load `block` into: the one prepared, or a new one. */
	takeStaging(block) {
		const spare = this.#spare.get(block.name);
		this.#spare.delete(block.name);
		return spare && spare.size === block.size ? spare : this.#newStaging(block);
	}
	#newStaging(block) {
		return this.memoryFactory(block.name, block.size, { shared: this.sharedStaging });
	}
	add(name, size) {
		if (this.find(name)) throw new MachineError("INVALID_CONFIG", `RAM block '${name}' already exists`);
		const block = new RamBlock(name, this.memoryFactory(name, size));
		block.markFresh();
		block.addr = this.totalSize;
		this.blocks.push(block);
		return block;
	}
	find(name) {
		return this.blocks.find((b) => b.name === name);
	}
	get totalSize() {
		let total = 0;
		for (const b of this.blocks) total += b.size;
		return total;
	}
	get totalPages() {
		return this.totalSize / TARGET_PAGE_SIZE;
	}
	/** Adds a hook the barrier calls before every guest page write; returns its remover. */
	addWriteHook(hook) {
		this.#hooks.push(hook);
		return () => {
			const i = this.#hooks.indexOf(hook);
			if (i >= 0) this.#hooks.splice(i, 1);
		};
	}
	/**
	* The write barrier: marks the page dirty for a running save and runs the hooks, then hands
	* out the page for writing. Nothing else gives the guest a writable view.
	*/
	writablePage(block, page) {
		block.touched[page] = 1;
		if (this.#logging) block.dirtyLog.set(page);
		for (let i = 0; i < this.#hooks.length; i++) this.#hooks[i](block, page);
		return block.page(page);
	}
	get logging() {
		return this.#logging;
	}
	/** Starts dirty logging with clean logs. */
	startDirtyLog() {
		for (const b of this.blocks) b.dirtyLog.clearAll();
		this.#logging = true;
	}
	stopDirtyLog() {
		this.#logging = false;
	}
};
// ../../work/main/packages/machine/dist/save/event-loop.js
const immediate = globalThis.setImmediate;
/** Runs `fn` from the event loop, after pending I/O and timers had a chance. */
const defer = immediate ? (fn) => void immediate(fn) : (fn) => void setTimeout(fn, 0);
function yieldToEventLoop() {
	return new Promise((resolve) => defer(resolve));
}
function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
// ../../work/main/packages/machine/dist/snapshot/snapshot-page-source.js
/** A RAM block as the copy-before-write queue watches it: its `toSend` bitmap is the savevm bitmap. */
var BlockRegion = class {
	block;
	constructor(block) {
		this.block = block;
	}
	get savevm() {
		return this.block.toSend;
	}
	page(index) {
		return this.block.page(index);
	}
	uniformValue(index) {
		return this.block.uniformValue(index);
	}
};
/**
* The page order of a live point-in-time snapshot (QEMU's background-snapshot, without
* userfaultfd), on @savevm/ram-wasm's copy-before-write queue over every RAM block. At T0 `arm`
* marks every page pending and puts a hook on the RAM write barrier: a guest write to a page
* still pending first copies the page into the bounded queue. The writer takes queued copies
* first, then runs of pending pages read in place, so every page is written exactly once, with
* the content it had at T0. What is machine-specific lives here: the barrier hook, the dirty log
* that dedup consults, and the progress the waiting guest listens for.
*/
var SnapshotPageSource = class {
	queue;
	stall = {
		stalls: 0,
		stalledMs: 0
	};
	#ram;
	#regions = /* @__PURE__ */ new Map();
	#armed = false;
	#unhook;
	#failure;
	#progress = /* @__PURE__ */ new Set();
	/** A snapshot of `ram`'s blocks with a queue of `capacity` pages. */
	constructor(ram, capacity) {
		if (!Number.isInteger(capacity) || capacity < 1 || capacity * 4096 > MAX_QUEUE_BYTES) throw new MachineError("INVALID_CONFIG", `copy-before-write queue of ${capacity} pages: expected 1 to ${MAX_QUEUE_BYTES / TARGET_PAGE_SIZE}`);
		this.#ram = ram;
		for (const block of ram.blocks) this.#regions.set(block, new BlockRegion(block));
		this.queue = new CopyBeforeWriteQueue([...this.#regions.values()], capacity, { pageSize: TARGET_PAGE_SIZE });
	}
	/** No dirty-bitmap sync ever happens (QEMU emits no MIGRATION_PASS for a background snapshot). */
	get syncCount() {
		return 0;
	}
	/** Whether the barrier is on (between `arm` and `stop`). */
	get armed() {
		return this.#armed;
	}
	/** Before T0: allocates the bitmaps now, so that arming is only setting bits. */
	start() {
		this.queue.clear();
		for (const b of this.#ram.blocks) b.dirtyLog.clearAll();
	}
	/** T0 (the guest is paused): every page pending, guest writes copied before they land. */
	arm() {
		this.queue.arm();
		this.#ram.startDirtyLog();
		this.#unhook = this.#ram.addWriteHook(this.#barrier);
		this.#armed = true;
	}
	#barrier = (block, page) => {
		const region = this.#regions.get(block);
		if (region === void 0 || this.queue.beforeWrite(page, region) !== WriteStatus.Wait) return;
		this.#failure ??= new MachineError("MIGRATION_FAILED", `A guest write to page ${page} of ${block.name} found the copy-before-write queue full (${this.queue.capacity} pages) and could not wait`);
	};
	/** Whether a guest write to `page` now would be copied into the queue. */
	wouldCopy(block, page) {
		const region = this.#regions.get(block);
		return this.#armed && region !== void 0 && this.queue.wouldCopy(page, region);
	}
	nextRun(maxPages) {
		if (this.#failure) throw this.#failure;
		const run = this.queue.nextRun(maxPages);
		this.#notify();
		if (!run) return void 0;
		const { block } = run.region;
		if (run.data) return {
			block,
			first: run.first,
			count: 1,
			data: run.data,
			fill: this.queue.uniformValue()
		};
		return {
			block,
			first: run.first,
			count: run.count
		};
	}
	remaining() {
		return this.queue.remaining();
	}
	/** A snapshot never re-sends a page: nothing to fold in. */
	sync() {
		return 0;
	}
	stop() {
		this.#unhook?.();
		this.#unhook = void 0;
		this.#armed = false;
		this.#ram.stopDirtyLog();
		this.queue.clear();
		this.#notify();
	}
	/**
	* Resolves (from the event loop, never inside the writer) once the writer made progress or the
	* snapshot ended: a waiting guest then checks again whether its step fits.
	*/
	progress() {
		return new Promise((resolve) => {
			const listener = () => {
				this.#progress.delete(listener);
				defer(resolve);
			};
			this.#progress.add(listener);
		});
	}
	#notify() {
		for (const listener of [...this.#progress]) listener();
	}
};
// ../../work/main/packages/machine/dist/snapshot/step-gate.js
/**
* Whether the guest's next step can run now: every page it will write that the snapshot still
* has to save needs a free queue slot. A step that does not fit waits before its first write,
* as a vCPU blocked on a write-protected page does in QEMU.
*/
function stepFits(source, guest, block) {
	const free = source.queue.free;
	if (!source.armed || free >= guest.state.workload.pagesPerStep) return true;
	const seen = /* @__PURE__ */ new Set();
	let needed = 0;
	for (const page of guest.plannedPages(block.pageCount)) {
		if (seen.has(page)) continue;
		seen.add(page);
		if (source.wouldCopy(block, page)) needed++;
	}
	return needed <= free;
}
// ../../work/main/packages/machine/dist/save/save-mode.js
/**
* Which kinds of save a state entry joins, as a bit mask (QEMU decides the same per handler:
* RAM is not part of a device-state file, a reboot-mode save keeps RAM in place, …).
*/
const SaveMode = {
	/** Migration and `migrate` to a file. */
	MIGRATE: 1,
	/** Snapshots (whole machine at one instant). */
	SNAPSHOT: 2,
	/** Device state only (`xen-save-devices-state`). */
	DEVICES: 4,
	/** Checkpoint for a restart of the same host process (RAM may stay in place). */
	REBOOT: 8
};
const ALL_SAVE_MODES = SaveMode.MIGRATE | SaveMode.SNAPSHOT | SaveMode.DEVICES | SaveMode.REBOOT;
// ../../work/main/packages/machine/dist/save/memory-file-entry.js
/** What a checkpoint records about a RAM block it left in its memory file. */
const MEMORY_FILE_VMSD = {
	name: "memory-file",
	version_id: 1,
	minimum_version_id: 1,
	fields: [{
		name: "size",
		type: "uint64"
	}, {
		name: "sha256",
		type: "buffer",
		size: 32
	}]
};
async function sha256Of(block, hasher) {
	const hash = hasher();
	block.forEachSpan((bytes) => hash.update(bytes));
	return hash.digest();
}
function hexBytes(hex) {
	return Uint8Array.from({ length: hex.length / 2 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}
function toHex(bytes) {
	return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
/**
* The `memory-file` section of a cpr-reboot checkpoint: the size and SHA-256 of the RAM block it
* left in the memory file. Loading it checks that this machine keeps that block in a memory file
* and that the file (read at start) still holds exactly what the checkpoint left there.
*/
var MemoryFileEntry = class {
	idstr = "memory-file";
	instanceId = 0;
	versionId = 1;
	minimumVersionId = 1;
	modes = SaveMode.MIGRATE | SaveMode.REBOOT;
	excludeFromDigest = true;
	#block;
	#hasher;
	#backing;
	#digest;
	constructor(block, hasher) {
		this.#block = block;
		this.#hasher = hasher;
	}
	get backing() {
		return this.#backing;
	}
	attach(backing) {
		this.#backing = backing;
		this.#block.shared = true;
	}
	/** With the guest stopped: the file brought up to date, and the digest the section records. */
	async prepare() {
		if (!this.#backing) return;
		await this.#backing.flush();
		this.#digest = await sha256Of(this.#block, this.#hasher);
		await this.#backing.markCheckpoint?.(this.#digest);
	}
	/** The checkpoint failed or was cancelled: the guest goes on with this RAM. */
	async abandon() {
		await this.#backing?.clearCheckpoint?.().catch(() => void 0);
	}
	needed(ctx) {
		return ctx.kind === "REBOOT" && this.#backing !== void 0 && (this.#digest !== void 0 || ctx.sizing === true);
	}
	save(ctx) {
		const sha256 = this.#digest !== void 0 ? hexBytes(this.#digest) : /* @__PURE__ */ new Uint8Array(32);
		ctx.sink.device({
			vmsd: MEMORY_FILE_VMSD,
			state: {
				size: BigInt(this.#block.size),
				sha256
			}
		});
	}
	cleanup() {
		this.#digest = void 0;
	}
	beginLoad() {
		return {
			apply: (section) => this.#check(section),
			commit: () => void this.#backing?.clearCheckpoint?.().catch(() => void 0),
			abort() {}
		};
	}
	async #check(section) {
		const where = {
			offset: section.offset,
			section: this.idstr
		};
		if (section.body.kind !== "vmstate") throw new MachineError("LOAD_FAILED", "memory-file must be a device section", where);
		const block = this.#block;
		const backing = this.#backing;
		if (!backing) throw new MachineError("LOAD_FAILED", `This checkpoint left guest RAM (${block.name}) in a memory file, and this machine has none: start it with the same --memory-file`, where);
		const size = Number(section.body.state["size"]);
		if (size !== block.size) throw new MachineError("LOAD_FAILED", `Memory file '${backing.location}' holds ${block.size} bytes of RAM, the checkpoint left ${size}`, where);
		const expected = toHex(section.body.state["sha256"]);
		const actual = await sha256Of(block, this.#hasher);
		if (actual !== expected) throw new MachineError("LOAD_FAILED", `Memory file '${backing.location}' does not match the checkpoint: its content changed since it was written (SHA-256 ${actual}, expected ${expected})`, where);
	}
};
// ../../work/main/packages/machine/dist/save/device-handler.js
/** Saves a device as one FULL section, and loads it through staging. */
var DeviceSaveHandler = class {
	device;
	idstr;
	instanceId;
	versionId;
	minimumVersionId;
	modes;
	excludeFromDigest;
	constructor(device) {
		this.device = device;
		this.idstr = device.idstr;
		this.instanceId = device.instanceId;
		this.versionId = device.vmsd.version_id;
		this.minimumVersionId = device.vmsd.minimum_version_id ?? 0;
		this.modes = device.modes ?? ALL_SAVE_MODES;
		this.excludeFromDigest = device.excludeFromDigest ?? false;
	}
	needed() {
		return this.device.needed?.() ?? true;
	}
	save(ctx) {
		ctx.sink.device({
			vmsd: this.device.vmsd,
			state: this.device.saveState()
		});
	}
	beginLoad() {
		const device = this.device;
		let staged;
		return {
			apply(section) {
				if (section.type !== "full" || section.body.kind !== "vmstate") throw new MachineError("LOAD_FAILED", `Section '${device.idstr}' must be a FULL device section`, {
					offset: section.offset,
					section: device.idstr
				});
				device.validateState?.(section.body.state, section.entry.versionId);
				staged = {
					state: section.body.state,
					versionId: section.entry.versionId
				};
			},
			commit() {
				if (staged) device.loadState(staged.state, staged.versionId);
				staged = void 0;
			},
			abort() {
				staged = void 0;
			}
		};
	}
};
// ../../work/main/packages/machine/dist/save/handler.js
function isLive(handler) {
	return typeof handler.iterate === "function";
}
// ../../work/main/packages/machine/dist/save/capture-sink.js
/**
* A deep copy of device state: plain objects, arrays, typed arrays, primitives. (Hand-written:
* the first structuredClone of a process costs milliseconds, and this runs while the guest is
* paused.)
*/
function cloneState(value) {
	if (value === null || typeof value !== "object") return value;
	if (ArrayBuffer.isView(value)) return value.slice();
	if (Array.isArray(value)) return value.map((v) => cloneState(v));
	const out = {};
	for (const [k, v] of Object.entries(value)) out[k] = cloneState(v);
	return out;
}
function notHere(what) {
	throw new MachineError("INVALID_STATE", `${what} cannot be captured: only device sections are kept for later`);
}
/**
* A record sink that keeps FULL section bodies in memory, each a deep copy of the state handed
* to it, so later changes to a device do not reach the captured state.
*/
var CaptureSink = class {
	sections = [];
	#open;
	ram = {
		memSize: () => notHere("RAM"),
		zeroPage: () => notHere("RAM"),
		page: () => notHere("RAM"),
		dedupPage: () => notHere("RAM"),
		eos: () => notHere("RAM")
	};
	get position() {
		return 0;
	}
	header() {
		notHere("a stream header");
	}
	section(type, entry) {
		if (type !== "full") notHere(`a ${type} section`);
		this.#open = {
			entry: { ...entry },
			body: void 0
		};
	}
	device(body) {
		if (!this.#open) throw new MachineError("INVALID_STATE", "device body outside a section");
		this.#open.body = {
			vmsd: body.vmsd,
			state: cloneState(body.state)
		};
	}
	footer() {
		if (this.#open) this.sections.push(this.#open);
		this.#open = void 0;
	}
	eof() {
		notHere("EOF");
	}
	async flush() {}
};
// ../../work/main/packages/machine/dist/save/engine.js
/**
* The registry of state entries. It hands out section ids in registration order and lists the
* entries a save of a given kind walks; the walking itself is `SaveSession`.
*/
var SaveRegistry = class {
	#nextSectionId = 0;
	#entries = [];
	register(handler) {
		if (this.find(handler.idstr, handler.instanceId)) throw new MachineError("INVALID_CONFIG", `A state entry '${handler.idstr}' instance ${handler.instanceId} is already registered`);
		if (handler.idstr.length === 0 || handler.idstr.length > 255) throw new MachineError("INVALID_CONFIG", `State entry id '${handler.idstr}' must be 1 to 255 bytes`);
		const entry = {
			sectionId: this.#nextSectionId++,
			idstr: handler.idstr,
			instanceId: handler.instanceId,
			versionId: handler.versionId,
			handler
		};
		this.#entries.push(entry);
		return entry;
	}
	unregister(idstr, instanceId) {
		const i = this.#entries.findIndex((e) => e.idstr === idstr && e.instanceId === instanceId);
		if (i < 0) return false;
		this.#entries.splice(i, 1);
		return true;
	}
	find(idstr, instanceId) {
		return this.#entries.find((e) => e.idstr === idstr && e.instanceId === instanceId);
	}
	get entries() {
		return this.#entries;
	}
	/** Entries that join a save of `kind`; a device-state-only save never includes RAM. */
	forKind(kind) {
		return this.#entries.filter((e) => (e.handler.modes & SaveMode[kind]) !== 0 && !(kind === "DEVICES" && e.handler.isRam));
	}
};
/**
* One save walking the registry: `begin` (header, configuration, START of live entries),
* `iterate` (PART sections), `complete` (END, FULL, EOF, trailer). An error thrown by any
* handler propagates out of the call that ran it; `finish` then gives every handler its cleanup.
*/
var SaveSession = class {
	ctx;
	#entries;
	#live;
	#options;
	#finished = false;
	constructor(registry, sink, options) {
		this.#options = options;
		this.ctx = {
			kind: options.kind,
			live: options.live,
			sink,
			configuration: options.configuration
		};
		this.#entries = registry.forKind(options.kind);
		this.#live = this.#entries.filter((e) => isLive(e.handler));
	}
	get sink() {
		return this.ctx.sink;
	}
	async begin() {
		const sink = this.ctx.sink;
		sink.header(this.#options.configuration);
		for (const entry of this.#live) {
			sink.section("start", entry);
			await entry.handler.setup?.(this.ctx);
			sink.footer(entry);
		}
		await sink.flush();
	}
	/**
	* One round over the live entries, each writing a PART section within what is left of
	* `budget`. Resolves true when every live entry reported nothing left in this pass.
	*/
	async iterate(budget) {
		const sink = this.ctx.sink;
		let allDone = true;
		const start = sink.position;
		for (const entry of this.#live) {
			const left = budget - (sink.position - start);
			if (left <= 0) {
				allDone = false;
				break;
			}
			sink.section("part", entry);
			const done = await entry.handler.iterate(this.ctx, left);
			sink.footer(entry);
			if (!done) allDone = false;
		}
		await sink.flush();
		return allDone;
	}
	/** Bytes the live entries still have to send. */
	pending(exact) {
		let total = 0;
		for (const entry of this.#live) total += entry.handler.pending?.(this.ctx, exact) ?? 0;
		return total;
	}
	/** Stop-and-copy: END for live entries, FULL for the rest, EOF and the trailer. */
	async complete() {
		const sink = this.ctx.sink;
		for (const entry of this.#live) {
			sink.section("end", entry);
			await entry.handler.complete?.(this.ctx);
			sink.footer(entry);
			await sink.flush();
		}
		this.#saveDevices(this.ctx);
		sink.eof();
		await sink.flush();
	}
	/** FULL sections of the entries that are not live and are needed, written through `ctx.sink`. */
	#saveDevices(ctx) {
		for (const entry of this.#entries) {
			const h = entry.handler;
			if (isLive(h) || !h.save) continue;
			if (h.needed && !h.needed(ctx)) continue;
			ctx.sink.section("full", entry);
			h.save(ctx);
			ctx.sink.footer(entry);
		}
	}
	/**
	* The FULL sections as they are now, kept in memory to be written later (QEMU's background
	* snapshot saves device state at T0 and appends it after the RAM).
	*/
	captureDevices() {
		const capture = new CaptureSink();
		this.#saveDevices({
			...this.ctx,
			sink: capture
		});
		return capture.sections;
	}
	/** A background snapshot's end: the captured FULL sections, EOF and the trailer (no RAM END). */
	async completeWith(captured) {
		const sink = this.ctx.sink;
		for (const { entry, body } of captured) {
			sink.section("full", entry);
			if (body) sink.device(body);
			sink.footer(entry);
		}
		sink.eof();
		await sink.flush();
	}
	/** Idempotent; call it however the save ended. */
	finish() {
		if (this.#finished) return;
		this.#finished = true;
		for (const entry of this.#entries) entry.handler.cleanup?.(this.ctx);
	}
};
// ../../work/main/packages/machine/dist/uuid.js
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
function isUuid(text) {
	return UUID_RE.test(text);
}
/** The 16 bytes of a textual UUID. */
function uuidBytes(text) {
	if (!isUuid(text)) throw new MachineError("INVALID_CONFIG", `Invalid UUID '${text}'`);
	const hex = text.replace(/-/g, "");
	const out = /* @__PURE__ */ new Uint8Array(16);
	for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
	return out;
}
function uuidText(bytes) {
	const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
// ../../work/main/packages/machine/dist/save/loader.js
/**
* Loads a stream into the registered entries: every entry stages what it reads, and only when
* the whole stream has loaded and every entry validated does anything change (commit). Any
* error aborts every entry's staging and leaves the machine as it was.
*/
var Loader = class {
	#registry;
	#options;
	#transactions = /* @__PURE__ */ new Map();
	#sections = /* @__PURE__ */ new Map();
	#sawConfiguration = false;
	#sawSection = false;
	constructor(registry, options) {
		this.#registry = registry;
		this.#options = options;
	}
	/** For the stream reader: how to read the body of a section of this entry. */
	resolve = (idstr, instanceId) => {
		const entry = this.#lookup(idstr, instanceId);
		if (!entry) return void 0;
		const h = entry.handler;
		return h instanceof DeviceSaveHandler ? {
			kind: "vmstate",
			vmsd: h.device.vmsd
		} : { kind: "ram" };
	};
	#check(idstr, instanceId, versionId, offset) {
		this.#checkConfigurationSeen(offset);
		const entry = this.#lookup(idstr, instanceId);
		if (!entry) throw new MachineError("UNKNOWN_SECTION", `Unknown savevm section or instance '${idstr}' ${instanceId}. Make sure that your current VM setup matches your saved VM setup, including any hotplugged devices`, {
			offset,
			section: idstr
		});
		const h = entry.handler;
		if (versionId > h.versionId) throw new MachineError("SECTION_VERSION_TOO_NEW", `savevm: unsupported version ${versionId} for '${idstr}' v${h.versionId}`, {
			offset,
			section: idstr
		});
		if (versionId < h.minimumVersionId) throw new MachineError("VERSION_TOO_OLD", `${idstr}: incoming version_id ${versionId} is too old for local minimum version_id  ${h.minimumVersionId}`, {
			offset,
			section: idstr
		});
		return entry;
	}
	async load(records) {
		try {
			for await (const record of records) if (await this.#record(record)) break;
			for (const tx of this.#transactions.values()) await tx.settle?.();
			for (const tx of this.#transactions.values()) tx.validate?.();
		} catch (err) {
			this.abort();
			throw err;
		}
		for (const tx of this.#transactions.values()) tx.commit();
		this.#transactions.clear();
	}
	abort() {
		for (const tx of this.#transactions.values()) tx.abort();
		this.#transactions.clear();
	}
	/** Returns true at EOF. */
	async #record(record) {
		switch (record.type) {
			case "header": return false;
			case "configuration":
				if (record.machineType !== this.#options.machineType) throw new MachineError("MACHINE_TYPE_MISMATCH", `Machine type received is '${record.machineType}' and local is '${this.#options.machineType}'`, { offset: record.offset });
				if (record.uuid !== void 0 && this.#options.uuid !== void 0) {
					const received = uuidText(record.uuid);
					if (received !== this.#options.uuid.toLowerCase()) throw new MachineError("LOAD_FAILED", `UUID received is ${received} and local is ${this.#options.uuid}`, { offset: record.offset });
				}
				this.#sawConfiguration = true;
				return false;
			case "eof":
				this.#checkConfigurationSeen(record.offset);
				return true;
		}
		let target;
		if (record.sectionType === "start" || record.sectionType === "full") {
			const idstr = record.idstr ?? "";
			const instanceId = record.instanceId ?? 0;
			const versionId = record.versionId ?? 0;
			target = {
				entry: this.#check(idstr, instanceId, versionId, record.offset),
				identity: {
					sectionId: record.sectionId,
					idstr,
					instanceId,
					versionId
				}
			};
			this.#sections.set(record.sectionId, target);
		} else {
			target = this.#sections.get(record.sectionId);
			if (!target) throw new MachineError("UNKNOWN_SECTION", `Unknown savevm section ${record.sectionId}`, { offset: record.offset });
		}
		let tx = this.#transactions.get(target.entry);
		if (!tx) {
			tx = target.entry.handler.beginLoad();
			this.#transactions.set(target.entry, tx);
		}
		await tx.apply({
			type: record.sectionType,
			entry: target.identity,
			offset: record.offset,
			body: record.body
		});
		return false;
	}
	#lookup(idstr, instanceId) {
		const entry = this.#registry.find(idstr, instanceId);
		return entry && this.#registry.forKind(this.#options.kind).includes(entry) ? entry : void 0;
	}
	#checkConfigurationSeen(offset) {
		if (!this.#sawSection) {
			this.#sawSection = true;
			if (this.#options.requireConfiguration && !this.#sawConfiguration) throw new MachineError("LOAD_FAILED", "Configuration section missing", { offset });
		}
	}
};
// ../../work/main/packages/machine/dist/save/incoming.js
/**
* Loads one incoming stream into staging and commits it only when the whole stream loaded.
* The machine decides afterwards which run state to enter; a failed load changes nothing, so
* the machine can take another incoming stream.
*/
var IncomingLoad = class {
	#host;
	#quiet;
	#status = "setup";
	#error;
	#startedAt;
	#totalTime;
	done;
	constructor(host, input, options = {}) {
		this.#host = host;
		this.#quiet = options.quiet ?? false;
		this.#startedAt = host.now();
		this.done = this.#run(input, options);
	}
	get status() {
		return this.#status;
	}
	get error() {
		return this.#error;
	}
	info() {
		const info = { status: this.#status };
		if (this.#status === "completed" && this.#totalTime !== void 0) info["total-time"] = this.#totalTime;
		if (this.#status === "failed" && this.#error !== void 0) info["error-desc"] = this.#error;
		return info;
	}
	#setStatus(status) {
		this.#status = status;
		if (!this.#quiet && this.#host.eventsEnabled()) this.#host.events.emit("MIGRATION", { status });
	}
	async #run(input, options) {
		await Promise.resolve();
		const host = this.#host;
		this.#setStatus("setup");
		const loader = new Loader(host.registry, {
			kind: options.kind ?? "MIGRATE",
			machineType: host.machineType,
			requireConfiguration: options.requireConfiguration ?? true,
			uuid: host.uuid
		});
		try {
			this.#setStatus("active");
			await loader.load(host.codec.readRecords(input, loader.resolve));
			this.#totalTime = host.now() - this.#startedAt;
		} catch (err) {
			this.#error = errorMessage(err);
			this.#status = "failed";
			throw err;
		} finally {
			await input.close().catch(() => void 0);
		}
	}
	/** Announces the end; called by the machine after it chose the run state. */
	finish() {
		if (this.#status === "active") this.#setStatus("completed");
		else if (this.#status === "failed" && this.#host.eventsEnabled()) this.#host.events.emit("MIGRATION", { status: "failed" });
	}
};
// ../../work/main/packages/machine/dist/save/multifd/exact-reader.js
/**
* Reads exact byte counts from a chunked stream (a socket's data events), copying only when a
* read spans chunks. Multifd packets are a fixed-size header and then a length the header gave.
*/
var ExactReader = class {
	#iterator;
	#chunk = /* @__PURE__ */ new Uint8Array(0);
	#at = 0;
	#ended = false;
	/** Bytes consumed so far: the absolute offset of the next byte, for messages. */
	offset = 0;
	constructor(source) {
		this.#iterator = source[Symbol.asyncIterator]();
	}
	/** Whether the stream ended exactly here (no byte left); otherwise waits for a byte. */
	async atEnd() {
		while (this.#at >= this.#chunk.length) {
			if (this.#ended) return true;
			const next = await this.#iterator.next();
			if (next.done) {
				this.#ended = true;
				return true;
			}
			this.#chunk = next.value;
			this.#at = 0;
		}
		return false;
	}
	/**
	* The next `n` bytes, or undefined when the stream ends first (`got` says how many came). The
	* result may be a view into the input chunk: use it before the next read.
	*/
	async read(n) {
		if (this.#chunk.length - this.#at >= n) {
			const bytes = this.#chunk.subarray(this.#at, this.#at + n);
			this.#at += n;
			this.offset += n;
			return {
				bytes,
				got: n
			};
		}
		const out = new Uint8Array(n);
		let got = 0;
		while (got < n) {
			if (await this.atEnd()) return {
				bytes: void 0,
				got
			};
			const take = Math.min(n - got, this.#chunk.length - this.#at);
			out.set(this.#chunk.subarray(this.#at, this.#at + take), got);
			this.#at += take;
			got += take;
			this.offset += take;
		}
		return {
			bytes: out,
			got
		};
	}
};
// ../../work/main/packages/machine/dist/save/multifd/multifd-receiver.js
var Deferred = class {
	resolve;
	reject;
	promise = new Promise((resolve, reject) => {
		this.resolve = resolve;
		this.reject = reject;
	});
	constructor() {
		this.promise.catch(() => void 0);
	}
};
/**
* The destination side of QEMU 7.2's multifd: N channels, each an init packet and then packets
* of pages. A lane stops after each SYNC packet until the main stream reaches the RAM section's
* EOS (`sync`), so pages of one round never overtake records of the previous one, as QEMU's
* `multifd_recv_sync_main` arranges.
*/
var MultifdReceiver = class {
	#inputs;
	#options;
	#lanes = [];
	#failure = new Deferred();
	#error;
	#target;
	#attached = new Deferred();
	#ready;
	#closed = false;
	constructor(inputs, options) {
		this.#inputs = inputs;
		this.#options = options;
		this.#ready = this.#handshake();
		this.#ready.catch((err) => this.#fail(err));
	}
	/** Packets are applied from now on (the main stream's RAM load has begun). */
	attach(target) {
		this.#target = target;
		this.#attached.resolve();
	}
	/** Waits until every channel sent its SYNC packet of this round, then lets them read on. */
	async sync() {
		await Promise.race([this.#ready, this.#failure.promise]);
		await Promise.race([Promise.all(this.#lanes.map((l) => l.arrived.promise)), this.#failure.promise]);
		if (this.#error) throw this.#error;
		for (const lane of this.#lanes) {
			lane.arrived = new Deferred();
			const release = lane.release;
			lane.release = new Deferred();
			release.resolve();
		}
	}
	/** The first error of any channel, if one failed. */
	get error() {
		return this.#error;
	}
	async close() {
		this.#closed = true;
		this.#attached.resolve();
		for (const lane of this.#lanes) {
			lane.release.resolve();
			lane.decompressor?.close();
		}
		await Promise.all(this.#inputs.map((i) => i.close().catch(() => void 0)));
	}
	async #handshake() {
		const count = this.#inputs.length;
		const expected = this.#options.uuid;
		const lanes = await Promise.all(this.#inputs.map(async (input, index) => {
			const reader = new ExactReader(input);
			const where = `multifd connection ${index + 1}`;
			const { bytes, got } = await reader.read(64);
			if (!bytes) throw new MachineError("CHANNEL", `failed to receive packet via multifd channel ${index}: connection closed after ${got} bytes`);
			let init;
			try {
				init = decodeMultifdInit(bytes, count, {
					where,
					offset: 0
				});
			} catch (err) {
				throw new MachineError("CHANNEL", `failed to receive packet via multifd channel ${index}: ${errorMessage(err)}`, { cause: err });
			}
			if (!sameBytes(init.uuid, expected)) throw new MachineError("CHANNEL", `multifd: received uuid '${uuidText(init.uuid)}' and expected uuid '${uuidText(expected)}' for channel ${init.channel}`);
			const decompressor = this.#options.codec?.decompressor();
			return {
				id: init.channel,
				reader,
				arrived: new Deferred(),
				release: new Deferred(),
				decompressor
			};
		}));
		lanes.sort((a, b) => a.id - b.id);
		for (let i = 1; i < lanes.length; i++) if (lanes[i].id === lanes[i - 1].id) throw new MachineError("CHANNEL", `multifd: received id '${lanes[i].id}' already setup'`);
		this.#lanes.push(...lanes);
		for (const lane of lanes) this.#receive(lane).catch((err) => this.#fail(err, lane));
	}
	async #receive(lane) {
		const pageSize = this.#options.pageSize;
		const headerSize = multifdHeaderSize(pageSize);
		const section = `multifd channel ${lane.id}`;
		for (;;) {
			if (await lane.reader.atEnd()) {
				lane.arrived.reject(new MachineError("CHANNEL", `${section}: the source closed the channel before its sync packet`));
				return;
			}
			const at = lane.reader.offset;
			const { bytes } = await lane.reader.read(headerSize);
			if (!bytes) throw new MachineError("CHANNEL", `${section}: connection closed inside a packet header`, {
				offset: at,
				section
			});
			const packet = decodeMultifdPacket(bytes, pageSize, {
				where: section,
				offset: at
			});
			await this.#attached.promise;
			if (this.#closed) return;
			if (packet.offsets.length > 0) {
				const compression = packet.flags & 14;
				const expected = this.#options.codec?.flag ?? 0;
				if (compression !== expected) throw new MachineError("LOAD_FAILED", `multifd ${lane.id}: flags received ${compression.toString(16)} flags expected ${expected.toString(16)}`, {
					offset: at,
					section
				});
				const dataAt = lane.reader.offset;
				const data = await lane.reader.read(packet.nextPacketSize);
				if (!data.bytes) throw new MachineError("CHANNEL", `${section}: connection closed inside page data`, {
					offset: dataAt,
					section
				});
				const pages = lane.decompressor ? await lane.decompressor.decompress(data.bytes, packet.offsets.length * pageSize).catch((err) => {
					throw new MachineError("LOAD_FAILED", `multifd ${lane.id}: ${errorMessage(err)}`, {
						offset: dataAt,
						section,
						cause: err
					});
				}) : data.bytes;
				this.#target.writePages(packet.ramblock, packet.offsets, pages, {
					section,
					offset: dataAt
				});
			}
			if (packet.flags & 1) {
				const release = lane.release;
				lane.arrived.resolve();
				await release.promise;
				if (this.#closed) return;
			}
		}
	}
	#fail(err, lane) {
		if (this.#error || this.#closed) return;
		const e = err instanceof MachineError ? err : new MachineError(err instanceof FormatError ? "LOAD_FAILED" : "CHANNEL", errorMessage(err), {
			cause: err,
			...lane ? { section: `multifd channel ${lane.id}` } : {},
			...err instanceof FormatError && err.offset !== void 0 ? { offset: err.offset } : {}
		});
		this.#error = e;
		this.#failure.reject(e);
		for (const input of this.#inputs) input.close().catch(() => void 0);
	}
};
function sameBytes(a, b) {
	return a.length === b.length && a.every((v, i) => v === b[i]);
}
// ../../work/main/packages/machine/dist/devices/qemu-timers.js
/**
* QEMU 7.2's `timer` section (softmmu/cpu-timers.c, version 2), which every QEMU machine saves:
* the offsets of its tick and clock counters, 8 unused bytes between them. savevm's `none`
* machine carries it so its streams and QEMU `-M none` streams load into each other; the
* values are kept, not used (the machine has no CPU clock of QEMU's kind).
*/
const QEMU_TIMERS_VMSD = {
	name: "timer",
	version_id: 2,
	minimum_version_id: 1,
	fields: [
		{
			name: "cpu_ticks_offset",
			type: "int64"
		},
		{
			name: "unused",
			type: "unused_buffer",
			size: 8
		},
		{
			name: "cpu_clock_offset",
			type: "int64",
			version_id: 2
		}
	]
};
var QemuTimers = class {
	idstr = "timer";
	instanceId = 0;
	vmsd = QEMU_TIMERS_VMSD;
	excludeFromDigest = true;
	#ticksOffset = 0n;
	#clockOffset = 0n;
	saveState() {
		return {
			cpu_ticks_offset: this.#ticksOffset,
			unused: /* @__PURE__ */ new Uint8Array(8),
			cpu_clock_offset: this.#clockOffset
		};
	}
	loadState(state, versionId) {
		this.#ticksOffset = big(state, "cpu_ticks_offset", "timer");
		this.#clockOffset = versionId >= 2 ? big(state, "cpu_clock_offset", "timer") : 0n;
	}
	reset() {
		this.#ticksOffset = 0n;
		this.#clockOffset = 0n;
	}
};
// ../../work/main/packages/machine/dist/save/cpr-checks.js
/**
* URI schemes that stream to another process. A cpr-reboot checkpoint is written by a process
* that then exits, and read by one started afterwards, so nobody would be at the other end.
*/
const STREAMING_SCHEMES = /* @__PURE__ */ new Set([
	"tcp",
	"unix",
	"vsock",
	"rdma"
]);
/**
* What a cpr-reboot checkpoint (`migrate` in mode cpr-reboot, or `cprsave`) needs before it
* starts. QEMU's CPR documentation says the URI "cannot be a type that streams data from one
* instance to the other"; QEMU itself only refuses the opposite case (a file for cpr-transfer,
* "Migration requires streamable transport (eg unix)"), so the wording here follows that one.
*/
function checkCprReboot(request) {
	if (request.backgroundSnapshot) throw new MachineError("INVALID_ARGUMENT", "Migration mode cpr-reboot is not compatible with background-snapshot");
	const scheme = request.uri === void 0 ? void 0 : /^([A-Za-z0-9]+):/.exec(request.uri)?.[1];
	if (scheme !== void 0 && STREAMING_SCHEMES.has(scheme)) throw new MachineError("INVALID_ARGUMENT", `Migration mode cpr-reboot requires a transport that keeps the state after this process exits (e.g. file), not ${scheme}:`);
	if (!request.hasMemoryFile) throw new MachineError("INVALID_ARGUMENT", "Migration mode cpr-reboot keeps guest RAM in a memory file, and this machine has none: start it with --memory-file PATH, or save everything with mode normal");
}
// ../../work/main/packages/machine/dist/save/largest-state.js
/**
* A device's largest encoding: its layout with every subsection sent, and its state with every
* subsection filled in (zeros where the device has none now). Undefined for layouts whose size
* depends on the values (variable-length buffers and arrays, queues, strings, custom types),
* which no estimate made in advance can bound.
*/
function largestBody(vmsd, state) {
	if (!fixedSize(vmsd)) return void 0;
	return {
		vmsd: allSubsections(vmsd),
		state: filled(vmsd, state)
	};
}
const FIXED_TYPES = /* @__PURE__ */ new Set([
	"bool",
	"int8",
	"int16",
	"int32",
	"int64",
	"uint8",
	"uint16",
	"uint32",
	"uint64",
	"int32 equal",
	"int32 le",
	"int64 equal",
	"uint8 equal",
	"uint16 equal",
	"uint32 equal",
	"timer",
	"CPU_Double_U",
	"float64",
	"buffer",
	"unused_buffer",
	"bitmap",
	"nullptr",
	"struct"
]);
function fixedSize(vmsd) {
	const fieldFixed = (f) => typeof f.type === "string" && FIXED_TYPES.has(f.type) && f.sizeField === void 0 && f.countField === void 0 && (f.type !== "struct" || f.struct !== void 0 && fixedSize(f.struct));
	return vmsd.fields.every(fieldFixed) && (vmsd.subsections ?? []).every(fixedSize);
}
/** The layout with each subsection's `needed` dropped: presence is then by key, and every key is there. */
function allSubsections(vmsd) {
	if (!vmsd.subsections) return vmsd;
	return {
		...vmsd,
		subsections: vmsd.subsections.map((sub) => {
			const { needed: _needed, ...always } = sub;
			return allSubsections(always);
		}),
		fields: vmsd.fields.map((f) => f.struct ? {
			...f,
			struct: allSubsections(f.struct)
		} : f)
	};
}
function filled(vmsd, state) {
	const out = { ...state };
	for (const sub of vmsd.subsections ?? []) {
		const own = state[sub.name];
		out[sub.name] = own !== null && typeof own === "object" ? filled(sub, own) : zeroState(sub);
	}
	return out;
}
function zeroState(vmsd) {
	const out = {};
	for (const f of vmsd.fields) out[f.name] = f.count === void 0 ? zeroValue(f) : Array.from({ length: f.count }, () => zeroValue(f));
	return filled(vmsd, out);
}
function zeroValue(f) {
	switch (f.type) {
		case "bool": return false;
		case "int64":
		case "uint64":
		case "int64 equal":
		case "timer": return BigInt(f.expect ?? 0);
		case "buffer":
		case "unused_buffer": return new Uint8Array(f.size ?? 0);
		case "bitmap": return Array.from({ length: Math.ceil((f.size ?? 0) / 64) }, () => 0n);
		case "nullptr": return null;
		case "struct": return zeroState(f.struct);
		default: return Number(f.expect ?? 0);
	}
}
// ../../work/main/packages/machine/dist/save/expected-size.js
/** RAM record header: be64 address and flags. */
const RECORD_HEADER = 8;
/** Section header of a PART/END (type byte, be32 section id), the EOS record and the footer (0x7e, be32 id). */
const RAM_SECTION_OVERHEAD = 18;
const discard = {
	write: async () => void 0,
	close: async () => void 0,
	abort: async () => void 0
};
/**
* The most bytes a save that sends every page at most once can write (a live snapshot, a save
* of a stopped guest, a cpr-reboot checkpoint), known before it starts, so a management tool
* can reserve the space. Everything but the pages is measured by encoding it — header,
* configuration, the RAM block list, every device at its largest (all subsections), EOF and the
* vmdesc trailer — and each page in the stream is counted at its worst: a full page with its
* record header and block name, in a section of its own. Undefined when there is no such bound
* (a live entry other than RAM, a device whose size depends on its values).
*/
function expectedFileSize(request) {
	const { registry, ramHandler } = request;
	const sink = request.codec.createSink(discard, { vmdesc: true });
	const ctx = {
		kind: request.kind,
		live: false,
		sink,
		configuration: request.configuration,
		sizing: true
	};
	sink.header(request.configuration);
	const entries = registry.forKind(request.kind);
	for (const entry of entries) {
		if (!isLive(entry.handler)) continue;
		if (entry.handler !== ramHandler) return void 0;
		sink.section("start", entry);
		ramHandler.writeBlockList(ctx);
		sink.ram.eos();
		sink.footer(entry);
		if (!request.snapshot) {
			sink.section("end", entry);
			sink.ram.eos();
			sink.footer(entry);
		}
	}
	for (const entry of entries) {
		const h = entry.handler;
		if (isLive(h) || !h.save) continue;
		if (h instanceof DeviceSaveHandler) {
			const body = largestBody(h.device.vmsd, h.device.saveState());
			if (!body) return void 0;
			sink.section("full", entry);
			sink.device(body);
			sink.footer(entry);
		} else if (!h.needed || h.needed(ctx)) {
			sink.section("full", entry);
			h.save(ctx);
			sink.footer(entry);
		}
	}
	sink.eof();
	const ignoreShared = !request.snapshot && (request.configuration.capabilities?.includes("x-ignore-shared") ?? false);
	const blocks = request.ram.blocks.filter((b) => !(ignoreShared && b.shared));
	const longestName = Math.max(0, ...blocks.map((b) => b.name.length));
	const pages = blocks.reduce((n, b) => n + b.pageCount, 0);
	const perPage = request.pageSize + RECORD_HEADER + 1 + longestName + RAM_SECTION_OVERHEAD;
	return sink.position + pages * perPage + RAM_SECTION_OVERHEAD;
}
// ../../work/main/packages/machine/dist/save/migration-params.js
/** Migration capabilities in QEMU 7.2's order; all default to false. */
const MIGRATION_CAPABILITIES = [
	"xbzrle",
	"rdma-pin-all",
	"auto-converge",
	"zero-blocks",
	"compress",
	"events",
	"postcopy-ram",
	"x-colo",
	"release-ram",
	"block",
	"return-path",
	"pause-before-switchover",
	"multifd",
	"dirty-bitmaps",
	"postcopy-blocktime",
	"late-block-activate",
	"x-ignore-shared",
	"validate-uuid",
	"background-snapshot",
	"zero-copy-send",
	"postcopy-preempt",
	"x-dedup"
];
/** The savevm capability that writes content-duplicate pages as references. */
const DEDUP_CAPABILITY = "x-dedup";
/**
* Capabilities the machine implements. The rest are accepted and reported like QEMU does, but
* turning one on makes `migrate` fail with a clear message rather than silently ignoring it.
*/
const SUPPORTED_CAPABILITIES = /* @__PURE__ */ new Set([
	"events",
	"zero-blocks",
	"pause-before-switchover",
	"validate-uuid",
	"late-block-activate",
	"background-snapshot",
	"x-ignore-shared",
	"x-dedup",
	"multifd"
]);
/** QEMU 8.2's MigMode: `cpr-reboot` saves for a restart of the same host process. */
const MIGRATION_MODES = ["normal", "cpr-reboot"];
/** QEMU 7.2's defaults, as `query-migrate-parameters` reports them. */
function defaultParameters() {
	return {
		"announce-initial": 50,
		"announce-max": 550,
		"announce-rounds": 5,
		"announce-step": 100,
		"compress-level": 1,
		"compress-threads": 8,
		"compress-wait-thread": true,
		"decompress-threads": 2,
		"throttle-trigger-threshold": 50,
		"cpu-throttle-initial": 20,
		"cpu-throttle-increment": 10,
		"cpu-throttle-tailslow": false,
		"tls-creds": "",
		"tls-hostname": "",
		"tls-authz": "",
		"max-bandwidth": 0x8000000,
		"downtime-limit": 300,
		"x-checkpoint-delay": 2e4,
		"block-incremental": false,
		"multifd-channels": 2,
		"xbzrle-cache-size": 67108864,
		"max-postcopy-bandwidth": 0,
		"max-cpu-throttle": 99,
		"multifd-compression": "none",
		"multifd-zlib-level": 1,
		"multifd-zstd-level": 1,
		mode: "normal"
	};
}
function isParameterName(name) {
	return Object.hasOwn(defaultParameters(), name);
}
const U64_MAX = 0x10000000000000000;
function rangeError(name, text) {
	return new MachineError("INVALID_ARGUMENT", `Parameter '${name}' expects ${text}`);
}
/**
* Checks a `migrate-set-parameters` request as QEMU's `migrate_params_check` does (with its
* underscore spelling in the messages) and returns the new parameter set; the old one is
* untouched when any value is refused.
*/
function applyParameters(current, changes) {
	const next = {
		...current,
		...changes
	};
	const intIn = (name, key, min, max, text) => {
		if (!(name in changes)) return;
		const v = next[name];
		if (!Number.isInteger(v) || v < min || v > max) throw rangeError(key, text);
	};
	intIn("compress-level", "compress_level", 0, 9, "an integer in the range of 0 to 9");
	intIn("compress-threads", "compress_threads", 1, 255, "a value between 1 and 255");
	intIn("decompress-threads", "decompress_threads", 1, 255, "a value between 1 and 255");
	intIn("throttle-trigger-threshold", "throttle_trigger_threshold", 1, 100, "an integer in the range of 1 to 100");
	intIn("cpu-throttle-initial", "cpu_throttle_initial", 1, 99, "an integer in the range of 1 to 99");
	intIn("cpu-throttle-increment", "cpu_throttle_increment", 1, 99, "an integer in the range of 1 to 99");
	intIn("downtime-limit", "downtime_limit", 0, 2e6, "an integer in the range of 0 to (2000 * 1000) ms");
	intIn("multifd-channels", "multifd_channels", 1, 255, "a value between 1 and 255");
	intIn("multifd-zlib-level", "multifd_zlib_level", 0, 9, "a value between 0 and 9");
	intIn("multifd-zstd-level", "multifd_zstd_level", 0, 20, "a value between 0 and 20");
	intIn("max-cpu-throttle", "max_cpu_throttle", 1, 99, "an integer in the range of 1 to 99");
	intIn("announce-initial", "announce_initial", 1, 1e5, "a value between 1 and 100000 ms");
	intIn("announce-max", "announce_max", 1, 1e5, "a value between 1 and 100000 ms");
	intIn("announce-rounds", "announce_rounds", 1, 1e3, "a value between 1 and 1000");
	intIn("announce-step", "announce_step", 1, 1e4, "a value between 1 and 10000 ms");
	intIn("x-checkpoint-delay", "x_checkpoint_delay", 0, 2 ** 32 - 1, "an integer in the range of 0 to 4294967295");
	for (const [name, key] of [["max-bandwidth", "max_bandwidth"], ["max-postcopy-bandwidth", "max_postcopy_bandwidth"]]) {
		if (!(name in changes)) continue;
		let v = next[name];
		if (Number.isInteger(v) && v < 0) v = 0x10000000000000000 + v;
		if (!Number.isInteger(v) || v < 0 || v > U64_MAX) throw rangeError(key, "an integer in the range of 0 to 18446744073709551615 bytes/second");
		next[name] = v;
	}
	if ("xbzrle-cache-size" in changes) {
		const v = next["xbzrle-cache-size"];
		if (!Number.isInteger(v) || v < 4096 || !Number.isInteger(Math.log2(v))) throw rangeError("xbzrle_cache_size", "a power of two no less than the target page size");
	}
	if ("mode" in changes && !MIGRATION_MODES.includes(next.mode)) throw new MachineError("INVALID_ARGUMENT", `Parameter 'mode' does not accept value '${String(next.mode)}'`);
	if ("multifd-compression" in changes && ![
		"none",
		"zlib",
		"zstd"
	].includes(next["multifd-compression"])) throw new MachineError("INVALID_ARGUMENT", `Parameter 'multifd-compression' does not accept value '${String(next["multifd-compression"])}'`);
	return next;
}
/** Capability conflicts QEMU 7.2 refuses when a capability is switched on. */
function checkCapabilities(caps) {
	const on = (c) => caps.get(c) === true;
	if (on("postcopy-preempt") && !on("postcopy-ram")) throw new MachineError("INVALID_ARGUMENT", "Postcopy preempt requires postcopy-ram");
	if (on("multifd") && on("compress")) throw new MachineError("INVALID_ARGUMENT", "Multifd is not compatible with compress");
	if (on("multifd") && on("x-dedup")) throw new MachineError("INVALID_ARGUMENT", "Multifd is not compatible with x-dedup");
	if (on("background-snapshot")) {
		const allowed = /* @__PURE__ */ new Set([
			"background-snapshot",
			"zero-blocks",
			"events",
			"block",
			"x-ignore-shared",
			"x-dedup"
		]);
		for (const c of MIGRATION_CAPABILITIES) if (on(c) && !allowed.has(c)) throw new MachineError("INVALID_ARGUMENT", `Background-snapshot is not compatible with ${c}`);
	}
}
// ../../work/main/packages/machine/dist/save/multifd/multifd-sender.js
/** A sink's bytes not yet written to a channel beyond which `flush` waits for that channel. */
const QUEUED_LIMIT = 4 << 20;
/**
* The source side of QEMU 7.2's multifd: non-zero pages leave the main stream and travel in
* batches of up to 128 pages of one block over N channels, each batch to the channel with the
* least queued; the main stream keeps everything else (ZERO records, device state). At every
* EOS of the RAM section each channel sends a SYNC packet first, as `multifd_send_sync_main`.
*/
var MultifdSender = class {
	#lanes;
	#pageSize;
	#capacity;
	#packetNum = 0n;
	#batchBlock = "";
	#batchOffsets = [];
	#batchData;
	#bytes = 0;
	#error;
	#flag;
	constructor(channels, options) {
		if (channels.length === 0 || channels.length > 255) throw new MachineError("INVALID_ARGUMENT", "multifd needs 1 to 255 channels");
		this.#pageSize = options.pageSize;
		this.#capacity = multifdPagesPerPacket(options.pageSize);
		this.#batchData = new Uint8Array(this.#capacity * options.pageSize);
		this.#flag = options.codec?.flag ?? 0;
		this.#lanes = channels.map((channel, id) => ({
			id,
			channel,
			tail: Promise.resolve(),
			queued: 0,
			compressor: options.codec?.compressor()
		}));
		for (const lane of this.#lanes) {
			const init = encodeMultifdInit({
				uuid: options.uuid,
				channel: lane.id
			});
			this.#enqueue(lane, init.length, async () => [init]);
		}
	}
	/** Bytes sent or queued on the multifd channels (QEMU's `multifd-bytes`). */
	get bytes() {
		return this.#bytes;
	}
	/** `sink` with non-zero pages diverted to the channels; its position counts their bytes too. */
	wrap(sink) {
		const ram = {
			memSize: (blocks) => sink.ram.memSize(blocks),
			zeroPage: (block, offset, fill) => sink.ram.zeroPage(block, offset, fill),
			page: (block, offset, bytes) => this.#page(block, offset, bytes),
			dedupPage: () => {
				throw new MachineError("INVALID_STATE", "x-dedup page references cannot travel over multifd channels");
			},
			eos: () => {
				this.#syncAll();
				sink.ram.eos();
			}
		};
		const sender = this;
		return {
			header: (configuration) => sink.header(configuration),
			section: (type, entry) => sink.section(type, entry),
			footer: (entry) => sink.footer(entry),
			ram,
			device: (body) => sink.device(body),
			eof: () => sink.eof(),
			get position() {
				return sink.position + sender.#bytes;
			},
			flush: async () => {
				await sink.flush();
				await this.#drain(QUEUED_LIMIT);
			},
			end: async () => {
				await sink.end();
				await this.#drain(0);
			}
		};
	}
	/** Closes every channel once all was written (after the main stream ended). */
	async close() {
		await this.#drain(0);
		for (const lane of this.#lanes) lane.compressor?.close();
		await Promise.all(this.#lanes.map((l) => l.channel.close()));
	}
	async abort(reason) {
		for (const lane of this.#lanes) lane.compressor?.close();
		await Promise.all(this.#lanes.map((l) => l.channel.abort(reason)));
	}
	#page(block, offset, bytes) {
		if (this.#batchOffsets.length > 0 && block !== this.#batchBlock) this.#sendBatch();
		this.#batchBlock = block;
		this.#batchData.set(bytes, this.#batchOffsets.length * this.#pageSize);
		this.#batchOffsets.push(offset);
		if (this.#batchOffsets.length === this.#capacity) this.#sendBatch();
	}
	#sendBatch() {
		const count = this.#batchOffsets.length;
		if (count === 0) return;
		const size = count * this.#pageSize;
		const packet = {
			flags: this.#flag,
			pagesAlloc: this.#capacity,
			nextPacketSize: size,
			packetNum: this.#packetNum++,
			ramblock: this.#batchBlock,
			offsets: this.#batchOffsets
		};
		const data = this.#batchData.subarray(0, size);
		this.#batchData = new Uint8Array(this.#capacity * this.#pageSize);
		this.#batchOffsets = [];
		const lane = this.#lanes.reduce((a, b) => b.queued < a.queued ? b : a);
		this.#enqueue(lane, size, async () => {
			const body = lane.compressor ? await lane.compressor.compress(data) : data;
			return [encodeMultifdPacket({
				...packet,
				nextPacketSize: body.length
			}, this.#pageSize), body];
		});
	}
	#syncAll() {
		this.#sendBatch();
		for (const lane of this.#lanes) {
			const sync = encodeMultifdPacket({
				flags: 1,
				pagesAlloc: this.#capacity,
				nextPacketSize: 0,
				packetNum: this.#packetNum++,
				ramblock: "",
				offsets: []
			}, this.#pageSize);
			this.#enqueue(lane, sync.length, async () => [sync]);
		}
	}
	/** `size`: the bytes queued until `produce` ran and its chunks were written. */
	#enqueue(lane, size, produce) {
		lane.queued += size;
		this.#bytes += size;
		lane.tail = lane.tail.then(async () => {
			if (this.#error) return;
			try {
				const chunks = await produce();
				this.#bytes += chunks.reduce((n, c) => n + c.length, 0) - size;
				await lane.channel.write(chunks);
			} catch (err) {
				this.#error ??= new MachineError("CHANNEL", `multifd channel ${lane.id}: ${errorMessage(err)}`, { cause: err });
			} finally {
				lane.queued -= size;
			}
		});
	}
	/** Waits until each channel has at most `limit` bytes queued; reports a channel's failure. */
	async #drain(limit) {
		for (const lane of this.#lanes) while (lane.queued > limit && !this.#error) await lane.tail;
		if (this.#error) throw this.#error;
	}
};
// ../../work/main/packages/machine/dist/save/precopy.js
/** QEMU's BUFFER_DELAY: the window over which bandwidth is limited and measured. */
const WINDOW_MS = 100;
/** Upper bound of one iteration, so the guest and the monitor get the event loop back often. */
const MAX_ITERATION_BYTES = 4 << 20;
const precise = typeof globalThis.performance?.now === "function" ? () => globalThis.performance.now() : () => Date.now();
/**
* One outgoing migration: pre-copy while the guest runs (RAM iterations under `max-bandwidth`
* until the remaining pages fit in `downtime-limit` at the measured bandwidth), then
* stop-and-copy. A stopped machine goes through the same steps with nothing re-dirtied. With
* `snapshot` it is a live snapshot instead, with `prepare` a checkpoint of a stopped guest.
* Errors and cancellation end it cleanly: the channel is aborted and the guest keeps running.
*/
var OutgoingMigration = class {
	#host;
	#channel;
	#open;
	#kind;
	#options;
	#status = "setup";
	#pauseMs;
	#stoppedFirst = false;
	#error;
	#startedAt = 0;
	#setupTime = 0;
	#totalTime;
	#downtime;
	#expectedDowntime = 0;
	#mbps = 0;
	#pagesPerSecond = 0;
	#cancelRequested = false;
	#vmWasRunning = false;
	/** null: not measured yet. */
	#expectedSize = null;
	#multifd;
	done;
	/**
	* `target` is the channel, or a function that opens it (a connect that fails then makes the
	* migration fail, as QEMU reports connection errors through query-migrate).
	*/
	constructor(host, target, options = {}) {
		this.#host = host;
		if (typeof target === "function") this.#open = target;
		else {
			this.#channel = target;
			this.#open = async () => target;
		}
		this.#kind = options.kind ?? "MIGRATE";
		this.#options = options;
		this.#startedAt = host.now();
		this.done = this.#run();
	}
	get status() {
		return this.#status;
	}
	/** What kind of save this is (`REBOOT` for a cpr-reboot checkpoint). */
	get kind() {
		return this.#kind;
	}
	/** A live snapshot's pause of the guest at T0, in milliseconds (fractions included). */
	get pauseMs() {
		return this.#pauseMs;
	}
	get error() {
		return this.#error;
	}
	get active() {
		return this.#status === "setup" || this.#status === "active" || this.#status === "cancelling" || this.#status === "device";
	}
	/** `migrate_cancel`: the migration ends at its next step and the guest keeps running. */
	cancel() {
		if (!this.active || this.#cancelRequested) return;
		this.#cancelRequested = true;
		this.#setStatus("cancelling");
		const reason = new MachineError("MIGRATION_CANCELLED", "Migration cancelled");
		this.#multifd?.abort(reason);
		this.#channel?.abort(reason);
	}
	info() {
		const info = this.#info();
		if (this.#status === "failed" || this.#status === "cancelled") return info;
		const expected = this.expectedSize;
		return expected === void 0 ? info : {
			...info,
			"x-expected-size": expected
		};
	}
	/** The most bytes this save writes, for one that sends each page at most once; else undefined. */
	get expectedSize() {
		if (this.#expectedSize === null) this.#expectedSize = this.#options.expectedSize?.();
		return this.#expectedSize;
	}
	#info() {
		const status = this.#status;
		if (status === "setup") return { status };
		if (status === "failed") return this.#error === void 0 ? { status } : {
			status,
			"error-desc": this.#error
		};
		if (status === "cancelled") return { status };
		const ram = this.#host.ramHandler.stats;
		const completed = status === "completed";
		const info = {
			status,
			"setup-time": this.#setupTime,
			"total-time": completed ? this.#totalTime ?? 0 : this.#host.now() - this.#startedAt,
			ram: {
				transferred: ram.transferred,
				remaining: completed ? 0 : this.#host.ramHandler.remainingBytes,
				total: this.#host.ramTotal(),
				duplicate: ram.duplicate,
				skipped: 0,
				normal: ram.normal,
				"normal-bytes": ram.normalBytes,
				"dirty-pages-rate": completed ? 0 : ram.dirtyPagesRate,
				mbps: this.#mbps,
				"dirty-sync-count": ram.dirtySyncCount,
				"postcopy-requests": 0,
				"page-size": 4096,
				"multifd-bytes": this.#multifd?.bytes ?? 0,
				"pages-per-second": this.#pagesPerSecond,
				"precopy-bytes": ram.precopyBytes,
				"downtime-bytes": ram.downtimeBytes,
				"postcopy-bytes": 0,
				"dirty-sync-missed-zero-copy": 0
			}
		};
		if (completed) info.downtime = this.#downtime ?? 0;
		else info["expected-downtime"] = this.#expectedDowntime;
		return info;
	}
	#setStatus(status) {
		this.#status = status;
		if (this.#host.eventsEnabled()) this.#host.events.emit("MIGRATION", { status });
	}
	#checkCancelled() {
		if (this.#cancelRequested) throw new MachineError("MIGRATION_CANCELLED", "Migration cancelled");
	}
	async #run() {
		await Promise.resolve();
		const host = this.#host;
		if (host.eventsEnabled()) host.events.emit("MIGRATION", { status: "setup" });
		let session;
		try {
			const channel = await this.#open();
			this.#channel = channel;
			const lanes = channel.multifd;
			if (lanes) this.#multifd = new MultifdSender(lanes.lanes, {
				uuid: lanes.uuid,
				pageSize: TARGET_PAGE_SIZE,
				codec: lanes.codec
			});
			this.#checkCancelled();
			if (this.#options.prepare) await this.#stopFirst(this.#options.prepare);
			const mainSink = host.codec.createSink(channel, { vmdesc: true });
			const sink = this.#multifd ? this.#multifd.wrap(mainSink) : mainSink;
			session = new SaveSession(host.registry, sink, {
				kind: this.#kind,
				live: host.runState.running,
				configuration: host.configuration()
			});
			await session.begin();
			this.#checkCancelled();
			this.#setupTime = host.now() - this.#startedAt;
			this.#setStatus("active");
			const snapshot = this.#options.snapshot;
			if (snapshot) {
				const captured = this.#pointInTime(session, snapshot);
				await this.#transfer(session, sink, true);
				await session.completeWith(captured);
			} else {
				await this.#transfer(session, sink, false);
				await this.#completion(session);
			}
			await sink.end();
			await this.#multifd?.close();
			await channel.close();
			this.#checkCancelled();
			this.#finishTiming(sink.position);
			this.#setStatus("completed");
			if (host.runState.state === "finish-migrate") host.runState.set("postmigrate");
		} catch (err) {
			const reason = err instanceof Error ? err : new Error(String(err));
			await this.#multifd?.abort(reason);
			await this.#channel?.abort(reason);
			this.#totalTime = host.now() - this.#startedAt;
			if (this.#cancelRequested) this.#setStatus("cancelled");
			else {
				this.#error = errorMessage(err);
				this.#setStatus("failed");
			}
			this.#restoreRunState();
		} finally {
			session?.finish();
		}
	}
	/**
	* RAM iterations under `max-bandwidth`. Pre-copy stops once what is left fits in
	* `downtime-limit` at the measured bandwidth; a snapshot once every page is written.
	*/
	async #transfer(session, sink, untilAllWritten) {
		const host = this.#host;
		let windowStart = host.now();
		let windowBytes = sink.position;
		let threshold = 0;
		let allWritten = false;
		for (;;) {
			this.#checkCancelled();
			const params = host.parameters();
			if (untilAllWritten) {
				if (allWritten) return;
			} else {
				let pending = session.pending(false);
				if (pending <= threshold) {
					pending = session.pending(true);
					if (pending <= threshold) return;
				}
			}
			const limit = params["max-bandwidth"] > 0 ? params["max-bandwidth"] / (1e3 / WINDOW_MS) : 1e400;
			const used = sink.position - windowBytes;
			if (used >= limit) await sleep(windowStart + WINDOW_MS - host.now());
			else {
				allWritten = await session.iterate(Math.min(limit - used, MAX_ITERATION_BYTES));
				await yieldToEventLoop();
			}
			const now = host.now();
			const elapsed = now - windowStart;
			if (elapsed >= WINDOW_MS) {
				const bytes = sink.position - windowBytes;
				const bandwidth = bytes / elapsed;
				threshold = bandwidth * params["downtime-limit"];
				this.#expectedDowntime = bandwidth > 0 ? Math.round(session.pending(false) / bandwidth) : 0;
				this.#mbps = bytes * 8 / 1e3 / elapsed;
				windowStart = now;
				windowBytes = sink.position;
			}
		}
	}
	/**
	* T0 of a live snapshot, all synchronous so nothing runs in between: the run state is
	* recorded, the guest paused, the device state captured and copy-before-write armed, then the
	* guest resumes. QEMU does the same around `ram_write_tracking_start`.
	*/
	#pointInTime(session, snapshot) {
		const host = this.#host;
		session.captureDevices();
		const t0 = precise();
		host.storeGlobalState();
		const wasRunning = host.runState.running;
		if (wasRunning) host.vmStop("paused");
		const captured = session.captureDevices();
		snapshot.arm();
		if (wasRunning) host.vmStart();
		this.#pauseMs = precise() - t0;
		this.#downtime = Math.round(this.#pauseMs);
		return captured;
	}
	/** cpr-reboot: the guest stops before anything is written (QEMU's migration_stop_vm). */
	async #stopFirst(prepare) {
		const host = this.#host;
		host.storeGlobalState();
		this.#vmWasRunning = host.runState.running;
		this.#stoppedFirst = true;
		host.vmStop("finish-migrate");
		await prepare();
		this.#checkCancelled();
	}
	async #completion(session) {
		const host = this.#host;
		const stoppedAt = host.now();
		if (!this.#stoppedFirst) {
			host.storeGlobalState();
			this.#vmWasRunning = host.runState.running;
			host.vmStop("finish-migrate");
		}
		await session.complete();
		this.#checkCancelled();
		this.#downtime = host.now() - stoppedAt;
	}
	#finishTiming(bytes) {
		const host = this.#host;
		this.#totalTime = host.now() - this.#startedAt;
		const transferMs = Math.max(1, this.#totalTime - this.#setupTime);
		this.#mbps = bytes * 8 / 1e3 / transferMs;
		const stats = host.ramHandler.stats;
		this.#pagesPerSecond = Math.round((stats.normal + stats.duplicate) * 1e3 / transferMs);
	}
	/** After a failed or cancelled migration: resume a guest we stopped, as QEMU does. */
	#restoreRunState() {
		const rs = this.#host.runState;
		if (this.#vmWasRunning) {
			if (rs.state !== "shutdown") this.#host.vmStart();
		} else if (rs.state === "finish-migrate") rs.set("postmigrate");
	}
};
/**
* Classifies the pages of a run and writes each as one record: ZERO for zero (and, if enabled,
* uniform) pages, a dedup reference for a page whose content an earlier record of this stream
* holds, PAGE otherwise.
*
* A reference is only written when its source page is certain to hold, in the destination, what
* the guest page holds now: the source was written by this save (no longer pending) and the
* guest has not written it since (its dirty-log bit is clear). The scanner compares full pages
* against the source's current content, which under those two conditions is its stream content.
*/
var RamRunWriter = class {
	#ram;
	#stats;
	#encoding;
	#zero = /* @__PURE__ */ new Uint8Array(256);
	constructor(ram, stats, encoding) {
		this.#ram = ram;
		this.#stats = stats;
		this.#encoding = encoding;
	}
	write(out, run) {
		if (run.data) this.#writeCopy(out, run);
		else if (this.#encoding.dedup && this.#ram.logging && run.block.scanner && this.#anyTouched(run)) this.#writeScanned(out, run);
		else this.#writeInPlace(out, run);
	}
	#anyTouched(run) {
		const touched = run.block.touched;
		for (let i = 0; i < run.count; i++) if (touched[run.first + i] === 1) return true;
		return false;
	}
	#writeInPlace(out, { block, first, count }) {
		const zero = this.#zero;
		if (this.#anyTouched({
			block,
			first,
			count
		})) block.memory.countZeroPages(first, count, zero);
		else zero.fill(1, 0, count);
		const span = block.memory.span(first * TARGET_PAGE_SIZE, count * TARGET_PAGE_SIZE);
		const whole = span.length === count * TARGET_PAGE_SIZE;
		for (let i = 0; i < count; i++) {
			const page = first + i;
			if (zero[i] === 1) {
				this.#zeroRecord(out, block, page, 0);
				continue;
			}
			if (this.#encoding.uniformAsZero) {
				const fill = block.uniformValue(page);
				if (fill > 0) {
					this.#zeroRecord(out, block, page, fill);
					continue;
				}
			}
			this.#pageRecord(out, block, page, whole ? span.subarray(i * TARGET_PAGE_SIZE, (i + 1) * TARGET_PAGE_SIZE) : block.page(page));
		}
	}
	#writeScanned(out, { block, first, count }) {
		const { kinds, values } = block.scanner.scan(first, count);
		for (let i = 0; i < count; i++) {
			const page = first + i;
			switch (kinds[i]) {
				case PageKind.Zero:
					this.#zeroRecord(out, block, page, 0);
					continue;
				case PageKind.Uniform:
					if (this.#encoding.uniformAsZero) {
						this.#zeroRecord(out, block, page, values[i]);
						continue;
					}
					break;
				case PageKind.Duplicate: {
					const source = values[i];
					if (this.#canReference(block, page, source, first)) {
						out.dedupPage(block.name, page * TARGET_PAGE_SIZE, source * TARGET_PAGE_SIZE);
						this.#stats.dedup++;
						continue;
					}
					break;
				}
			}
			this.#pageRecord(out, block, page, block.page(page));
		}
	}
	#canReference(block, page, source, runFirst) {
		if (source === page || source >= block.pageCount) return false;
		if (source >= runFirst && source > page) return false;
		return !block.toSend.test(source) && !block.dirtyLog.test(source);
	}
	#writeCopy(out, { block, first, count, data, fill }) {
		const uniform = count === 1 ? fill ?? -1 : -1;
		for (let i = 0; i < count; i++) if (uniform === 0 || uniform > 0 && this.#encoding.uniformAsZero) this.#zeroRecord(out, block, first + i, uniform);
		else this.#pageRecord(out, block, first + i, data.subarray(i * TARGET_PAGE_SIZE, (i + 1) * TARGET_PAGE_SIZE));
	}
	#zeroRecord(out, block, page, fill) {
		out.zeroPage(block.name, page * TARGET_PAGE_SIZE, fill);
		this.#stats.duplicate++;
		if (fill !== 0) this.#stats.uniform++;
	}
	#pageRecord(out, block, page, bytes) {
		out.page(block.name, page * TARGET_PAGE_SIZE, bytes);
		this.#stats.normal++;
	}
};
// ../../work/main/packages/machine/dist/save/ram-stats.js
/**
* Counters of one RAM save, named as QEMU reports them in `query-migrate`'s `ram` member.
*/
var RamStats = class {
	transferred = 0;
	/** ZERO records (QEMU's "duplicate"), uniform pages written as ZERO records included. */
	duplicate = 0;
	/** Of those, pages of one non-zero byte value (a ZERO record with that fill byte). */
	uniform = 0;
	/** Page references (`x-dedup`). */
	dedup = 0;
	/** PAGE records. */
	normal = 0;
	precopyBytes = 0;
	downtimeBytes = 0;
	dirtySyncCount = 0;
	dirtyPagesRate = 0;
	/** Pages the guest dirtied since the previous sync, and when that sync happened. */
	#lastSyncAt = 0;
	get normalBytes() {
		return this.normal * 4096;
	}
	noteSync(syncCount, pagesDirtied, now) {
		this.dirtySyncCount = syncCount;
		if (this.#lastSyncAt > 0 && now > this.#lastSyncAt) this.dirtyPagesRate = Math.round(pagesDirtied * 1e3 / (now - this.#lastSyncAt));
		this.#lastSyncAt = now;
	}
};
// ../../work/main/packages/machine/dist/save/staged-memory.js
/**
* Writes into staging memory on this thread. When one view covers the whole block (the default
* backend keeps up to 2 GiB in one wasm memory) pages are copied straight into it: nothing
* allocates in the staging memory during a load, so the view stays valid.
*/
function stagedMemory(memory, pages, lane) {
	const written = new Uint8Array(pages);
	const view = memory.span(0, memory.size);
	const local = view.length === memory.size ? {
		memory,
		written,
		write: (address, data) => view.set(data, address),
		fill: (address, value) => view.fill(value, address, address + TARGET_PAGE_SIZE),
		copy: (from, to) => view.copyWithin(to, from, from + TARGET_PAGE_SIZE),
		settle: () => Promise.resolve(),
		cancel: () => void 0
	} : {
		memory,
		written,
		write: (address, data) => memory.write(address, data),
		fill: (address, value) => memory.fill(address, TARGET_PAGE_SIZE, value),
		copy: (from, to) => memory.write(to, memory.page(from / TARGET_PAGE_SIZE).slice()),
		settle: () => Promise.resolve(),
		cancel: () => void 0
	};
	return lane ? shareWithLane(local, lane) : local;
}
/** Pages per region: each region is written by one thread only, which keeps every page's writes in order. */
const REGION_PAGES = 512;
const REGION_SHIFT = Math.log2(REGION_PAGES * TARGET_PAGE_SIZE);
const UNASSIGNED = 0;
const HERE = 1;
const HELPER = 2;
/**
* Splits the work between this thread and a helper's lane by region, at the region's first
* write: to the helper while its queue is less than half full, else here. The loader thread also
* parses the stream, so this keeps both threads busy without either waiting on the other.
*/
function shareWithLane(local, lane) {
	const owner = new Uint8Array(Math.ceil(local.written.length / REGION_PAGES));
	const regionOf = (address) => Math.floor(address / 2 ** REGION_SHIFT);
	const claim = (address) => {
		const r = regionOf(address);
		let who = owner[r];
		if (who === UNASSIGNED) {
			who = lane.ready && lane.backlog < lane.capacity / 2 ? HELPER : HERE;
			owner[r] = who;
		}
		return who;
	};
	let ended = false;
	return {
		memory: local.memory,
		written: local.written,
		write(address, data) {
			if (claim(address) === HELPER) lane.write(address, data);
			else local.write(address, data);
		},
		fill(address, value) {
			if (claim(address) === HELPER) lane.fill(address, value);
			else local.fill(address, value);
		},
		copy(from, to) {
			const source = owner[regionOf(from)];
			if (claim(to) === HELPER) {
				if (source === HELPER) lane.copy(from, to);
				else lane.write(to, local.memory.page(from / TARGET_PAGE_SIZE));
				return;
			}
			if (source === HELPER) lane.flush();
			local.copy(from, to);
		},
		settle() {
			if (ended) return Promise.resolve();
			ended = true;
			return lane.finish();
		},
		cancel() {
			if (ended) return;
			ended = true;
			lane.cancel();
		}
	};
}
// ../../work/main/packages/machine/dist/save/ram-handler.js
/** Most pages one iteration looks at (16 MiB of guest RAM). */
const MAX_ITERATION_PAGES = 4096;
/** Whether a save's configuration record lists `capability`. */
function recorded(ctx, capability) {
	return ctx.configuration?.capabilities?.includes(capability) ?? false;
}
/**
* QEMU's live `ram` entry (version 4): START lists the blocks, each PART sends pages the page
* source picks, END sends what is left once the machine is stopped. Pages go out through a
* `RamRunWriter` (ZERO, PAGE, dedup references). The page source is pluggable; this handler only
* writes what it is given.
*/
var RamSaveHandler = class {
	idstr = "ram";
	instanceId = 0;
	versionId = 4;
	minimumVersionId = 4;
	modes = SaveMode.MIGRATE | SaveMode.SNAPSHOT | SaveMode.REBOOT;
	isRam = true;
	#options;
	#source;
	#writer;
	#stats = new RamStats();
	#multifd;
	constructor(options) {
		this.#options = options;
	}
	/** Counters of the current (or last) save. */
	get stats() {
		return this.#stats;
	}
	get remainingBytes() {
		return (this.#source?.remaining() ?? 0) * TARGET_PAGE_SIZE;
	}
	setup(ctx) {
		const ram = this.#options.ram;
		this.#stats = new RamStats();
		const dedup = recorded(ctx, "x-dedup");
		const start = ctx.sink.position;
		this.writeBlockList(ctx);
		if (dedup) for (const b of ram.blocks) b.scanner?.reset();
		this.#writer = new RamRunWriter(ram, this.#stats, {
			uniformAsZero: this.#options.uniformAsZero?.() ?? true,
			dedup
		});
		const source = this.#options.pageSource(ctx);
		this.#source = source;
		source.start();
		this.#noteSync(0);
		ctx.sink.ram.eos();
		this.#count(ctx, start, false);
	}
	/** The START section's block list (a size estimate measures it too). */
	writeBlockList(ctx) {
		const withAddr = recorded(ctx, "x-ignore-shared");
		const blocks = this.#options.ram.blocks;
		ctx.sink.ram.memSize(blocks.map((b) => withAddr ? {
			name: b.name,
			size: b.size,
			addr: b.addr
		} : {
			name: b.name,
			size: b.size
		}));
	}
	iterate(ctx, budget) {
		const { source, writer } = this.#active();
		const start = ctx.sink.position;
		let done = false;
		let pages = 0;
		while (ctx.sink.position - start < budget && pages < MAX_ITERATION_PAGES) {
			const pagesLeft = Math.ceil((budget - (ctx.sink.position - start)) / TARGET_PAGE_SIZE);
			const run = source.nextRun(Math.max(1, Math.min(256, pagesLeft)));
			if (!run) {
				done = true;
				break;
			}
			writer.write(ctx.sink.ram, run);
			pages += run.count;
		}
		ctx.sink.ram.eos();
		this.#count(ctx, start, false);
		return done;
	}
	pending(_ctx, exact) {
		const source = this.#source;
		if (!source) return 0;
		if (exact) this.#noteSync(source.sync());
		return source.remaining() * TARGET_PAGE_SIZE;
	}
	complete(ctx) {
		const { source, writer } = this.#active();
		const start = ctx.sink.position;
		this.#noteSync(source.sync());
		for (let run = source.nextRun(256); run; run = source.nextRun(256)) writer.write(ctx.sink.ram, run);
		ctx.sink.ram.eos();
		this.#count(ctx, start, true);
	}
	cleanup() {
		this.#source?.stop();
		this.#source = void 0;
		this.#writer = void 0;
	}
	beginLoad() {
		return new RamLoad(this.#options.ram, this.#options.staging, this.#multifd);
	}
	/** The multifd channels the next load takes pages from besides its main stream (none: undefined). */
	useMultifd(receiver) {
		this.#multifd = receiver;
	}
	#active() {
		if (!this.#source || !this.#writer) throw new MachineError("INVALID_STATE", "RAM save used before its setup");
		return {
			source: this.#source,
			writer: this.#writer
		};
	}
	#noteSync(dirtied) {
		const source = this.#source;
		if (!source) return;
		if (source.syncCount === 0) return;
		this.#stats.noteSync(source.syncCount, dirtied, (this.#options.now ?? Date.now)());
		this.#options.onSync?.(source.syncCount);
	}
	#count(ctx, start, downtime) {
		const bytes = ctx.sink.position - start;
		this.#stats.transferred += bytes;
		if (downtime) this.#stats.downtimeBytes += bytes;
		else this.#stats.precopyBytes += bytes;
	}
};
/** Loads RAM records into fresh staging memory; the blocks switch to it on commit. */
var RamLoad = class {
	#ram;
	#helper;
	#multifd;
	#staging = /* @__PURE__ */ new Map();
	/** Blocks the stream leaves in place (x-ignore-shared and kept in a memory file here). */
	#inPlace = /* @__PURE__ */ new Set();
	#last;
	constructor(ram, helper, multifd) {
		this.#ram = ram;
		this.#helper = helper;
		this.#multifd = multifd;
		multifd?.attach(this);
	}
	async apply(section) {
		if (section.body.kind !== "ram") throw new MachineError("LOAD_FAILED", "RAM section without RAM records", {
			offset: section.offset,
			section: "ram"
		});
		await section.body.forEach((record) => this.#record(record));
		await this.#multifd?.sync();
	}
	writePages(name, offsets, data, where) {
		const block = this.#ram.find(name);
		if (!block) throw new MachineError("UNKNOWN_RAMBLOCK", `multifd: unknown ram block ${name}`, where);
		for (let i = 0; i < offsets.length; i++) {
			const addr = offsets[i];
			if (addr > block.size - 4096) throw new MachineError("LOAD_FAILED", `multifd: offset too long ${addr} (max ${block.size.toString(16)})`, where);
			const staged = this.#target(name, addr, where.offset);
			staged.write(addr, data.subarray(i * TARGET_PAGE_SIZE, (i + 1) * TARGET_PAGE_SIZE));
			staged.written[addr / TARGET_PAGE_SIZE] = 1;
		}
	}
	#record(record) {
		switch (record.type) {
			case "mem-size":
				for (const info of record.blocks) {
					const block = this.#ram.find(info.idstr);
					if (!block) throw new MachineError("UNKNOWN_RAMBLOCK", `Unknown ramblock "${info.idstr}", cannot accept migration`, {
						offset: record.offset,
						section: "ram"
					});
					if (info.length !== block.size) throw new MachineError("RAMBLOCK_SIZE_MISMATCH", `Size mismatch: ${info.idstr}: 0x${info.length.toString(16)} != 0x${block.size.toString(16)}: Invalid argument`, {
						offset: record.offset,
						section: "ram"
					});
					if (info.addr !== void 0 && block.shared) {
						if (info.addr !== block.addr) throw new MachineError("LOAD_FAILED", `Mismatched GPAs for block ${info.idstr} ${info.addr} != ${block.addr}`, {
							offset: record.offset,
							section: "ram"
						});
						this.#inPlace.add(block.name);
						continue;
					}
					this.#stage(block);
				}
				return;
			case "zero": {
				const staged = this.#target(record.block, record.address, record.offset);
				const page = record.address / TARGET_PAGE_SIZE;
				if (record.fill !== 0 || staged.written[page] === 1) {
					staged.fill(record.address, record.fill);
					staged.written[page] = record.fill !== 0 ? 1 : 0;
				}
				return;
			}
			case "page": {
				const staged = this.#target(record.block, record.address, record.offset);
				if (record.data.length !== 4096) throw new MachineError("LOAD_FAILED", `RAM page of ${record.data.length} bytes`, {
					offset: record.offset,
					section: "ram"
				});
				staged.write(record.address, record.data);
				staged.written[record.address / TARGET_PAGE_SIZE] = 1;
				return;
			}
			case "dedup": {
				const staged = this.#target(record.block, record.address, record.offset);
				const { source, address } = record;
				if (source % 4096 !== 0 || source + 4096 > staged.memory.size || source === address) throw new MachineError("LOAD_FAILED", `Bad page reference from 0x${address.toString(16)} to 0x${source.toString(16)}`, {
					offset: record.offset,
					section: "ram"
				});
				staged.copy(source, address);
				staged.written[address / TARGET_PAGE_SIZE] = staged.written[source / TARGET_PAGE_SIZE];
				return;
			}
			case "eos": return;
		}
	}
	#stage(block) {
		let staged = this.#staging.get(block);
		if (!staged) {
			const memory = this.#ram.takeStaging(block);
			staged = stagedMemory(memory, block.pageCount, this.#helper?.begin(memory));
			this.#staging.set(block, staged);
		}
		return staged;
	}
	#target(name, addr, offset) {
		const last = this.#last;
		if (last && last.name === name && addr >= 0 && addr % 4096 === 0 && addr + 4096 <= last.staged.memory.size) return last.staged;
		const block = this.#ram.find(name);
		if (!block) throw new MachineError("UNKNOWN_RAMBLOCK", `Can't find block ${name}`, {
			offset,
			section: "ram"
		});
		if (this.#inPlace.has(name)) throw new MachineError("LOAD_FAILED", `RAM block ${name} is kept in its memory file (x-ignore-shared), but the stream carries pages of it`, {
			offset,
			section: "ram"
		});
		if (addr % 4096 !== 0 || addr + 4096 > block.size) throw new MachineError("LOAD_FAILED", `Illegal RAM offset ${addr.toString(16)}`, {
			offset,
			section: "ram"
		});
		const staged = this.#stage(block);
		this.#last = {
			name,
			staged
		};
		return staged;
	}
	async settle() {
		for (const staged of this.#staging.values()) await staged.settle();
	}
	commit() {
		for (const [block, staged] of this.#staging) block.replaceMemory(staged.memory, staged.written);
		this.#staging.clear();
	}
	abort() {
		for (const staged of this.#staging.values()) staged.cancel();
		this.#staging.clear();
		this.#last = void 0;
	}
};
const MAIN_RAM_BLOCK = "guest.ram";
/**
* QEMU's `-M none`: a machine of this type saves and loads what such a QEMU does (one RAM block
* named `ram`, `timer` and `globalstate`), so its streams and QEMU's load into each other. Its
* guest still runs, but its CPU, clock and serial port are not part of the stream.
*/
const QEMU_NONE_MACHINE_TYPE = "none";
/**
* An emulated machine whose whole state — RAM blocks, devices and run state — saves to and
* loads from QEMU migration streams. The guest is deterministic and writes RAM through the
* write barrier while the machine runs.
*/
var Machine = class {
	name;
	/** Whether the configuration gave a name: QEMU's query-name answers `{}` without `-name`. */
	hasName;
	uuid;
	machineType;
	allowExec;
	runState;
	events = new EventBus();
	ram;
	registry = new SaveRegistry();
	ramHandler;
	serial = new Serial16550();
	clock = new VirtualClock();
	globalState;
	cpu;
	backends;
	#now;
	#guestRam;
	#parameters = defaultParameters();
	#capabilities = new Map(MIGRATION_CAPABILITIES.map((c) => [c, false]));
	#migration;
	#incoming;
	#incomingExpected;
	/** idle: may start; waiting: listening for a source; loading; done: loaded, no more. */
	#incomingPhase = "idle";
	#incomingError;
	#incomingAddress;
	#autostart;
	#pageSourceFactory;
	/** The page source of the save under way, when the machine chose one (a live snapshot). */
	#savePageSource;
	/** The armed (or about to be) live snapshot: guest steps wait for room in its queue. */
	#liveSnapshot;
	#lastLiveSnapshot;
	/** A named snapshot being saved or loaded (no migration may start meanwhile). */
	#busy = false;
	#migrationListeners = /* @__PURE__ */ new Set();
	#uniformAsZero;
	#snapshotQueuePages;
	#memoryFile;
	#pacer;
	#destroyed = false;
	constructor(config, backends) {
		this.name = config.name ?? "savevm";
		this.hasName = config.name !== void 0;
		this.uuid = config.uuid;
		this.machineType = config.machineType ?? "savevm-virt-1.0";
		this.allowExec = config.allowExec ?? false;
		this.backends = backends;
		this.#now = config.now ?? (() => Date.now());
		this.#autostart = !(config.startPaused ?? false);
		this.#incomingExpected = config.incoming ?? false;
		this.#uniformAsZero = config.uniformPagesAsZero ?? true;
		this.#snapshotQueuePages = config.snapshotQueuePages ?? 4096;
		this.runState = new RunStateMachine("prelaunch");
		this.ram = new RamSet(backends.memory, { sharedStaging: backends.staging !== void 0 });
		const qemuNone = this.machineType === QEMU_NONE_MACHINE_TYPE;
		const main = this.ram.add(qemuNone ? "ram" : MAIN_RAM_BLOCK, config.memory);
		for (const b of config.ramBlocks ?? []) this.ram.add(b.name, b.size);
		this.#guestRam = {
			pageCount: main.pageCount,
			writablePage: (p) => this.ram.writablePage(main, p)
		};
		const guest = {
			...defaultGuestOptions(),
			...config.guest
		};
		this.cpu = new GuestCpu(initialGuestState(guest.seed, guest.workload, guest.pacing.rate));
		this.#pacer = new GuestPacer({
			pacing: () => this.cpu.guest.state.pacing,
			bytesPerStep: () => Math.max(1, this.cpu.guest.state.workload.pagesPerStep) * PAGE_SIZE,
			mayRun: () => this.runState.running && !this.#destroyed,
			stepFits: () => this.#stepFits(),
			step: () => this.#step(),
			waitForRoom: () => this.#waitForRoom(),
			now: this.#now
		});
		if (guest.fill > 0) this.populate(0, Math.min(main.pageCount, Math.ceil(guest.fill / PAGE_SIZE)));
		this.globalState = new GlobalState(() => this.runState.state);
		this.ramHandler = new RamSaveHandler({
			ram: this.ram,
			pageSource: (ctx) => {
				if (this.#savePageSource) return this.#savePageSource;
				const custom = this.#pageSourceFactory?.(ctx);
				if (custom) return custom;
				const ignoreShared = ctx.configuration?.capabilities?.includes("x-ignore-shared") ?? false;
				return new DirtyBitmapSource(this.ram, (b) => !(ignoreShared && b.shared));
			},
			onSync: (pass) => {
				if (this.eventsEnabled()) this.events.emit("MIGRATION_PASS", { pass });
			},
			uniformAsZero: () => this.#uniformAsZero,
			now: this.#now,
			...backends.staging ? { staging: backends.staging } : {}
		});
		if (qemuNone) this.addDevice(new QemuTimers());
		this.registry.register(this.ramHandler);
		const builtIn = qemuNone ? [this.globalState] : [
			this.globalState,
			this.cpu,
			this.clock,
			this.serial
		];
		for (const device of [...builtIn, ...config.devices ?? []]) this.addDevice(device);
		this.#memoryFile = new MemoryFileEntry(main, backends.hasher);
		this.registry.register(this.#memoryFile);
		this.runState.onChange((state) => {
			if (state === "running") this.#pacer.start();
			else this.#pacer.stop();
		});
	}
	/** Enters the initial run state: inmigrate, running, or (with `startPaused`) prelaunch. */
	start() {
		if (this.#incomingExpected) {
			this.runState.set("inmigrate");
			this.ram.prepareStaging();
		} else if (this.#autostart) this.vmStart();
	}
	get guest() {
		return this.cpu.guest;
	}
	get mainRam() {
		return this.ram.blocks[0];
	}
	get destroyed() {
		return this.#destroyed;
	}
	/** Registers a device saved as a FULL section in every save its modes allow. */
	addDevice(device) {
		return this.registry.register(new DeviceSaveHandler(device));
	}
	/** Registers a custom state entry (live or not). */
	addHandler(handler) {
		return this.registry.register(handler);
	}
	addRamBlock(name, size) {
		this.#assertNoSave();
		return this.ram.add(name, size);
	}
	/** Replaces how the RAM handler picks pages (for snapshots); undefined restores pre-copy. */
	setPageSource(factory) {
		this.#pageSourceFactory = factory;
	}
	/** Guest bytes per second while running. */
	get guestRate() {
		return this.cpu.guest.state.pacing.rate;
	}
	set guestRate(bytesPerSecond) {
		this.#pacer.stop();
		this.cpu.guest.state.pacing.rate = Math.max(0, bytesPerSecond);
		if (this.runState.running) this.#pacer.start();
	}
	/**
	* Has the guest write `count` pages from `first` of its RAM with content drawn from its mix,
	* as an operating system initialising memory would (through the write barrier).
	*/
	populate(first = 0, count = this.mainRam.pageCount) {
		if (this.#liveSnapshot?.armed) throw new MachineError("MIGRATION_ACTIVE", "RAM cannot be populated while a live snapshot is being written");
		this.cpu.guest.fill(this.#guestRam, first, count);
	}
	/**
	* Runs `count` guest steps now, whatever the run state (for tests and embedders). During a
	* live snapshot a step may have to wait for room in the copy-before-write queue, which a
	* synchronous call cannot do: it then throws before the step, and `runSteps` is the way.
	*/
	step(count = 1) {
		for (let i = 0; i < count; i++) {
			if (!this.#stepFits()) throw new MachineError("INVALID_STATE", "The guest has to wait for the live snapshot's copy-before-write queue; use runSteps() to let it wait");
			this.#step();
		}
	}
	/** Runs `count` guest steps, each waiting for room in a live snapshot's queue when it must. */
	async runSteps(count = 1) {
		for (let i = 0; i < count; i++) {
			while (!this.#stepFits()) await this.#waitForRoom();
			this.#step();
		}
	}
	#stepFits() {
		const snapshot = this.#liveSnapshot;
		return snapshot === void 0 || stepFits(snapshot, this.cpu.guest, this.mainRam);
	}
	/** Resolves once a waiting guest should check again (the writer made progress or finished). */
	async #waitForRoom() {
		const snapshot = this.#liveSnapshot;
		if (!snapshot) return;
		const since = this.#now();
		snapshot.stall.stalls++;
		await snapshot.progress();
		snapshot.stall.stalledMs += this.#now() - since;
	}
	#step() {
		const guest = this.cpu.guest;
		if (guest.state.steps === 0) this.serial.write(REG.IIR_FCR, 7);
		guest.step(this.#guestRam);
		if (guest.state.steps % 8 === 0) this.serial.write(REG.RBR_THR_DLL, 65 + guest.state.acc % 26);
		this.serial.tick();
		this.clock.advance(STEP_NS);
	}
	/** Starts the guest (QEMU's vm_start): RESUME, unless it is already running. */
	vmStart() {
		if (this.runState.running) return;
		this.runState.set("running");
		this.events.emit("RESUME");
	}
	/** Stops the guest if it runs and enters `state` (QEMU's vm_stop_force_state). */
	vmStop(state) {
		const wasRunning = this.runState.running;
		this.runState.set(state);
		if (wasRunning) this.events.emit("STOP");
	}
	/** QMP `stop`. */
	stop() {
		if (this.runState.state === "inmigrate" || this.runState.state === "prelaunch") {
			this.#autostart = false;
			return;
		}
		if (this.runState.running) this.vmStop("paused");
	}
	/** QMP `cont`. */
	cont() {
		const state = this.runState.state;
		if (state === "shutdown" || state === "internal-error") throw new MachineError("INVALID_STATE", "Resetting the Virtual Machine is required");
		if (state === "inmigrate") {
			this.#autostart = true;
			return;
		}
		this.vmStart();
	}
	/** QMP `system_reset`: devices and guest back to their initial state, RAM untouched. */
	systemReset(reason = "host-qmp-system-reset") {
		for (const entry of this.registry.entries) if (entry.handler instanceof DeviceSaveHandler) entry.handler.device.reset?.();
		this.events.emit("RESET", {
			guest: false,
			reason
		});
		const s = this.runState.state;
		if (s !== "running" && s !== "inmigrate" && s !== "finish-migrate") this.runState.set("prelaunch");
	}
	/** QMP `quit` / a signal: SHUTDOWN, then the machine stops for good. */
	shutdown(reason = "host-qmp-quit") {
		if (this.#destroyed) return;
		this.#migration?.cancel();
		this.events.emit("SHUTDOWN", {
			guest: false,
			reason
		});
		this.destroy();
	}
	destroy() {
		this.#destroyed = true;
		this.#pacer.stop();
		this.backends.staging?.close();
	}
	parameters() {
		return { ...this.#parameters };
	}
	setParameters(changes) {
		this.#parameters = applyParameters(this.#parameters, changes);
	}
	capabilities() {
		return MIGRATION_CAPABILITIES.map((capability) => ({
			capability,
			state: this.#capabilities.get(capability) ?? false
		}));
	}
	setCapabilities(changes) {
		if (this.#migration?.active) throw new MachineError("MIGRATION_ACTIVE", "There's a migration process in progress");
		const next = new Map(this.#capabilities);
		for (const c of changes) next.set(c.capability, c.state);
		checkCapabilities(next);
		for (const [c, v] of next) this.#capabilities.set(c, v);
	}
	capability(name) {
		return this.#capabilities.get(name) ?? false;
	}
	eventsEnabled() {
		return this.capability("events");
	}
	/**
	* Checks that `migrate` may start now; throws QEMU's message when not. With `uri`, also that
	* the transport suits the migration mode (a cpr-reboot checkpoint cannot stream to a socket).
	*/
	checkMigrate(uri) {
		if (this.#destroyed) throw new MachineError("INVALID_STATE", "The machine has shut down");
		this.#assertNoSave();
		if (this.runState.state === "inmigrate") throw new MachineError("INVALID_STATE", "Guest is waiting for an incoming migration");
		if (this.runState.state === "postmigrate") throw new MachineError("INVALID_STATE", "Can't migrate the vm that was paused due to previous migration");
		for (const c of MIGRATION_CAPABILITIES) if (this.capability(c) && !SUPPORTED_CAPABILITIES.has(c)) throw new MachineError("INVALID_ARGUMENT", `Migration capability '${c}' is not supported by this machine`);
		if (this.#parameters.mode === "cpr-reboot") this.#checkCheckpoint(uri);
	}
	#checkCheckpoint(uri) {
		checkCprReboot({
			hasMemoryFile: this.#memoryFile.backing !== void 0,
			backgroundSnapshot: this.capability("background-snapshot"),
			...uri !== void 0 ? { uri } : {}
		});
	}
	/**
	* Starts a migration (or a save to a file) on `channel`: pre-copy if the guest runs,
	* stop-and-copy otherwise. With the `background-snapshot` capability it is a live
	* point-in-time snapshot instead; with `mode: cpr-reboot` a checkpoint for a restart (the
	* guest stops, RAM kept in a memory file stays out of the stream). Returns the migration
	* object; await its `done`.
	*/
	migrate(channel) {
		this.checkMigrate();
		return this.#startMigration(channel, this.#parameters.mode === "cpr-reboot");
	}
	/**
	* A cpr-reboot checkpoint whatever the `mode` parameter (`cprsave`): the guest stops, RAM
	* stays in the memory file (flushed and synced) and the stream holds the rest. The same
	* operation as `migrate` in mode cpr-reboot.
	*/
	checkpoint(channel) {
		this.checkMigrate();
		this.#checkCheckpoint();
		return this.#startMigration(channel, true);
	}
	#startMigration(channel, checkpoint) {
		const options = {};
		let snapshot;
		if (this.capability("background-snapshot")) {
			const capacity = Math.max(1, Math.min(this.#snapshotQueuePages, this.ram.totalPages));
			snapshot = new SnapshotPageSource(this.ram, capacity);
			options.snapshot = snapshot;
			this.#savePageSource = snapshot;
			this.#liveSnapshot = snapshot;
			this.#lastLiveSnapshot = snapshot;
		} else if (checkpoint) {
			options.kind = "REBOOT";
			options.prepare = () => this.#memoryFile.prepare();
		}
		if (snapshot || checkpoint || !this.runState.running) {
			const kind = options.kind ?? "MIGRATE";
			const configuration = this.streamConfiguration(kind);
			options.expectedSize = () => this.#expectedSize(kind, configuration, snapshot !== void 0);
		}
		const migration = new OutgoingMigration(this.#migrationHost(options.kind ?? "MIGRATE"), channel, options);
		this.#migration = migration;
		for (const listener of this.#migrationListeners) listener(migration);
		if (snapshot) migration.done.then(() => {
			if (this.#savePageSource === snapshot) this.#savePageSource = void 0;
			if (this.#liveSnapshot === snapshot) this.#liveSnapshot = void 0;
		});
		if (checkpoint) migration.done.then(() => migration.status === "completed" ? void 0 : this.#memoryFile.abandon());
		return migration;
	}
	#expectedSize(kind, configuration, snapshot) {
		try {
			return expectedFileSize({
				registry: this.registry,
				codec: this.backends.codec,
				ram: this.ram,
				ramHandler: this.ramHandler,
				kind,
				configuration,
				snapshot,
				pageSize: TARGET_PAGE_SIZE
			});
		} catch {
			return;
		}
	}
	/** Calls `listener` with every migration `migrate` starts; returns its remover. */
	onMigration(listener) {
		this.#migrationListeners.add(listener);
		return () => this.#migrationListeners.delete(listener);
	}
	/** The live snapshot being written, if any: its queue and what the guest waited. */
	get liveSnapshot() {
		return this.#liveSnapshot;
	}
	/** The last live snapshot, finished or not (its queue high-water mark, guest stalls). */
	get lastLiveSnapshot() {
		return this.#lastLiveSnapshot;
	}
	/** Pages of the copy-before-write queue the next live snapshot gets. */
	get snapshotQueuePages() {
		return this.#snapshotQueuePages;
	}
	set snapshotQueuePages(pages) {
		if (!Number.isInteger(pages) || pages < 1) throw new MachineError("INVALID_ARGUMENT", `Invalid queue size ${pages}: expected a positive number of pages`);
		this.#snapshotQueuePages = pages;
	}
	/**
	* Records a `migrate` refused before it started (a bad URI): QEMU reports it as a failed
	* migration in `query-migrate`.
	*/
	noteRefusedMigration(error) {
		if (this.#migration?.active) return;
		this.#migration = new OutgoingMigration(this.#migrationHost("MIGRATE"), () => Promise.reject(error));
	}
	/** The current or last outgoing migration. */
	get migration() {
		return this.#migration;
	}
	cancelMigration() {
		this.#migration?.cancel();
	}
	queryMigrate() {
		if (this.#migration) return this.#migration.info();
		const where = this.#incomingAddress ? { "socket-address": [this.#incomingAddress] } : {};
		if (this.#incoming) return {
			...this.#incoming.info(),
			...where
		};
		if (this.#incomingError !== void 0) return {
			status: "failed",
			"error-desc": this.#incomingError
		};
		if (this.#incomingPhase === "waiting") return {
			status: "setup",
			...where
		};
		return {};
	}
	#migrationHost(kind) {
		return {
			runState: this.runState,
			registry: this.registry,
			events: this.events,
			ramHandler: this.ramHandler,
			configuration: () => this.streamConfiguration(kind),
			codec: this.backends.codec,
			ramTotal: () => this.ram.totalSize,
			parameters: () => this.#parameters,
			eventsEnabled: () => this.eventsEnabled(),
			storeGlobalState: () => this.globalState.store(),
			vmStop: (state) => this.vmStop(state),
			vmStart: () => this.vmStart(),
			now: this.#now
		};
	}
	#assertNoSave() {
		if (this.#migration?.active || this.#busy) throw new MachineError("MIGRATION_ACTIVE", "There's a migration process in progress");
	}
	/** Whether the machine waits for an incoming migration (`-incoming`). */
	/** Whether the guest starts by itself after an incoming load (false with `-S`, or after `stop`). */
	get autostart() {
		return this.#autostart;
	}
	get incomingExpected() {
		return this.#incomingExpected;
	}
	/** Checks that `migrate-incoming` may start now; throws QEMU's message when not. */
	checkIncoming() {
		if (!this.#incomingExpected) throw new MachineError("INCOMING_NOT_ALLOWED", "'-incoming' was not specified on the command line");
		if (this.#incomingPhase !== "idle") throw new MachineError("INCOMING_NOT_ALLOWED", "The incoming migration has already been started");
	}
	/** The monitor started listening for a source: a second `migrate-incoming` is refused. */
	markIncomingStarted(socketAddress) {
		this.checkIncoming();
		this.#incomingPhase = "waiting";
		this.#incomingAddress = socketAddress;
		this.#incoming = void 0;
		this.#incomingError = void 0;
	}
	/** Waiting for a source failed before any stream arrived; another attempt may follow. */
	markIncomingFailed(message) {
		if (this.#incomingPhase === "waiting") this.#incomingPhase = "idle";
		if (this.#incoming?.status !== "failed") {
			this.#incoming = void 0;
			this.#incomingError = message;
		}
	}
	/**
	* Loads an incoming migration stream. On success the machine enters the run state the
	* source had (running only with autostart); on failure nothing changed and it keeps waiting.
	*/
	async incoming(input) {
		if (this.#incomingPhase !== "waiting") this.checkIncoming();
		this.#incomingPhase = "loading";
		this.#incomingError = void 0;
		this.globalState.clearReceived();
		const multifd = input.multifd;
		const receiver = multifd ? new MultifdReceiver(multifd.lanes, {
			uuid: multifd.uuid,
			pageSize: TARGET_PAGE_SIZE,
			codec: multifd.codec
		}) : void 0;
		this.ramHandler.useMultifd(receiver);
		const load = new IncomingLoad(this.#incomingHost(), input);
		this.#incoming = load;
		try {
			await load.done;
		} catch (err) {
			this.#incomingPhase = "idle";
			load.finish();
			throw receiver?.error ?? err;
		} finally {
			this.ramHandler.useMultifd(void 0);
			await receiver?.close();
		}
		this.#incomingPhase = "done";
		const received = this.globalState.received;
		if (received === void 0 || received === "running") {
			if (this.#autostart) this.vmStart();
			else this.runState.set("paused");
		} else this.runState.set(received);
		load.finish();
	}
	/**
	* With the `multifd` capability, what the channels must open besides the main stream:
	* `multifd-channels` channels, each announcing this machine's UUID (zeros without one, as QEMU).
	*/
	multifdRequest() {
		if (!this.capability("multifd")) return void 0;
		const compression = this.#parameters["multifd-compression"];
		if (compression === "zstd") throw new MachineError("INVALID_ARGUMENT", "multifd-compression 'zstd' is not supported by this machine; use 'none' or 'zlib'");
		return {
			channels: this.#parameters["multifd-channels"],
			uuid: this.uuid === void 0 ? /* @__PURE__ */ new Uint8Array(16) : uuidBytes(this.uuid),
			compression,
			level: this.#parameters["multifd-zlib-level"]
		};
	}
	get incomingLoad() {
		return this.#incoming;
	}
	/**
	* The configuration record of a save of `kind`: machine type, the UUID when validate-uuid is
	* on, and the capabilities that change how the stream reads: `x-dedup` when on, and
	* `x-ignore-shared` when on or for a cpr-reboot checkpoint of a machine with a memory file.
	*/
	streamConfiguration(kind = "MIGRATE") {
		const config = { machineType: this.machineType };
		if (this.capability("validate-uuid") && this.uuid !== void 0) config.uuid = uuidBytes(this.uuid);
		const capabilities = [];
		const shared = this.ram.blocks.some((b) => b.shared);
		if (kind !== "SNAPSHOT" && (this.capability("x-ignore-shared") || kind === "REBOOT" && shared)) capabilities.push("x-ignore-shared");
		if (this.capability("x-dedup")) capabilities.push(DEDUP_CAPABILITY);
		if (capabilities.length > 0) config.capabilities = capabilities;
		return config;
	}
	/**
	* Keeps the main RAM block in `backing` (a memory file): cpr-reboot checkpoints then leave it
	* out and record its digest, and a machine restarted with the same file takes it back.
	*/
	attachRamBacking(backing) {
		this.#assertNoSave();
		this.#memoryFile.attach(backing);
	}
	get ramBacking() {
		return this.#memoryFile.backing;
	}
	/**
	* Saves the whole machine to `channel` with the guest stopped meanwhile (QEMU's
	* save_snapshot): STOP, stream, RESUME. The channel is closed on success and aborted on
	* failure. Returns the stream's size and the virtual clock at the save.
	*/
	async saveSnapshot(channel) {
		this.#assertNoSave();
		this.#busy = true;
		const wasRunning = this.runState.running;
		this.globalState.store();
		if (wasRunning) this.vmStop("save-vm");
		const vmClockNs = Number(this.clock.state.nowNs);
		const sink = this.backends.codec.createSink(channel, { vmdesc: true });
		const session = new SaveSession(this.registry, sink, {
			kind: "SNAPSHOT",
			live: false,
			configuration: this.streamConfiguration("SNAPSHOT")
		});
		try {
			await session.begin();
			while (!await session.iterate(64 << 20)) await yieldToEventLoop();
			await session.complete();
			await sink.end();
			await channel.close();
			return {
				bytes: sink.position,
				vmClockNs
			};
		} catch (err) {
			await channel.abort(err instanceof Error ? err : new Error(String(err)));
			throw err;
		} finally {
			session.finish();
			this.#busy = false;
			if (wasRunning) this.vmStart();
		}
	}
	/**
	* Loads a snapshot stream into the machine: all of it or, when anything is wrong, nothing.
	* The caller decides the run state (QEMU's loadvm stops the guest first and resumes it only
	* after a successful load).
	*/
	async loadSnapshot(input) {
		this.#assertNoSave();
		this.#busy = true;
		try {
			await new IncomingLoad(this.#incomingHost(), input, {
				kind: "SNAPSHOT",
				quiet: true
			}).done;
		} finally {
			this.#busy = false;
		}
	}
	/**
	* `cprload`: loads a checkpoint into a machine whose guest is not running — one waiting for an
	* incoming migration (as `migrate-incoming` would), or one started stopped (`-S`). Afterwards
	* the guest runs if it ran when the checkpoint was taken, as the checkpoint's run state says.
	*/
	async loadCheckpoint(input) {
		if (this.runState.running) {
			await input.close().catch(() => void 0);
			throw new MachineError("INVALID_STATE", "cprload called for a running VM");
		}
		if (this.runState.state === "inmigrate") {
			await this.incoming(input);
			return;
		}
		this.#assertNoSave();
		this.#busy = true;
		this.globalState.clearReceived();
		try {
			await new IncomingLoad(this.#incomingHost(), input, { quiet: true }).done;
		} finally {
			this.#busy = false;
		}
		const received = this.globalState.received;
		if (received === void 0 || received === "running") this.vmStart();
		else if (canTransition(this.runState.state, received)) this.runState.set(received);
	}
	#incomingHost() {
		return {
			registry: this.registry,
			machineType: this.machineType,
			uuid: this.capability("validate-uuid") ? this.uuid : void 0,
			codec: this.backends.codec,
			events: this.events,
			eventsEnabled: () => this.eventsEnabled(),
			now: this.#now
		};
	}
	/**
	* `xen-save-devices-state`: header, a FULL section per device, EOF — no configuration, no
	* RAM, no trailer. A running guest is paused for the save and resumed after.
	*/
	async saveDevicesState(channel) {
		this.#assertNoSave();
		const wasRunning = this.runState.running;
		if (wasRunning) this.vmStop("save-vm");
		this.globalState.store("running");
		const sink = this.backends.codec.createSink(channel, { vmdesc: false });
		const session = new SaveSession(this.registry, sink, {
			kind: "DEVICES",
			live: false,
			configuration: void 0
		});
		try {
			await session.begin();
			await session.complete();
			await sink.end();
			await channel.close();
		} catch (err) {
			await channel.abort(err instanceof Error ? err : new Error(String(err)));
			throw err;
		} finally {
			session.finish();
			if (wasRunning) this.vmStart();
		}
	}
	/** `xen-load-devices-state`: only while stopped; all devices change or none. */
	async loadDevicesState(input) {
		if (this.runState.running) throw new MachineError("INVALID_STATE", "Cannot update device state while vm is running");
		await new IncomingLoad(this.#incomingHost(), input, {
			kind: "DEVICES",
			requireConfiguration: false
		}).done;
	}
	/** SHA-256 of guest RAM and of device state, and the guest's step counter. */
	async digest() {
		const ramHash = this.backends.hasher();
		for (const block of this.ram.blocks) block.forEachSpan((bytes) => ramHash.update(bytes));
		const devHash = this.backends.hasher();
		const enc = new TextEncoder();
		for (const entry of this.registry.entries) {
			const h = entry.handler;
			if (!(h instanceof DeviceSaveHandler) || h.excludeFromDigest) continue;
			devHash.update(enc.encode(`${entry.idstr}\0${entry.instanceId}\0${entry.versionId}\0`));
			devHash.update(this.backends.codec.encodeVmstate(h.device.digestVmsd ?? h.device.vmsd, h.device.saveState()));
		}
		return {
			ram: await ramHash.digest(),
			devices: await devHash.digest(),
			steps: this.cpu.guest.state.steps
		};
	}
};
// ../../work/main/packages/machine/dist/digest.js
/**
* A hasher on Web Crypto (browsers, Node). Web Crypto has no incremental API, so the parts are
* collected and hashed at the end; the Node entry supplies a streaming one.
*/
function webCryptoHasher() {
	const parts = [];
	let length = 0;
	return {
		update(bytes) {
			parts.push(bytes.slice());
			length += bytes.length;
		},
		async digest() {
			const all = new Uint8Array(length);
			let at = 0;
			for (const p of parts) {
				all.set(p, at);
				at += p.length;
			}
			const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
			return Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("");
		}
	};
}
// ../../work/main/packages/machine/dist/ram/wasm-memory.js
/**
* RAM blocks in @savevm/ram-wasm guest memory (WebAssembly linear memory, SIMD scanning).
* Shared memory where asked for and the engine allows it (SIMD, and in browsers cross-origin
* isolation); ordinary memory otherwise.
*/
const wasmMemory = (_name, size, options) => GuestMemory.create({
	bytes: size,
	shared: (options?.shared ?? false) && canShare()
});
function canShare() {
	return typeof SharedArrayBuffer === "function" && globalThis.crossOriginIsolated !== false && simdSupported();
}
// ../../work/main/packages/machine/dist/save/format-codec.js
/**
* Bytes the writer gathers before it hands a chunk over. Small chunks come from memory the
* allocator recycles; they are sent to the channel in batches of BATCH_BYTES (one writev).
*/
const CHUNK_BYTES = 98304;
const BATCH_BYTES = 4 << 20;
/**
* Bytes handed to the channel and not yet written beyond which `flush` waits. Below it the
* engine keeps producing while the channel writes, so encoding and I/O overlap.
*/
const MAX_IN_FLIGHT = 16 << 20;
function init(entry) {
	return {
		idstr: entry.idstr,
		instanceId: entry.instanceId,
		version: entry.versionId,
		sectionId: entry.sectionId
	};
}
/**
* A record sink on @savevm/format's MigrationStreamWriter. The engine announces a section, the
* handler writes its body; the writer emits header, body and footer together, so this keeps the
* announced section open until the body (or the footer, for an empty body) arrives.
*/
var FormatSink = class {
	#channel;
	#options;
	#writer;
	#inFlight = 0;
	#batch = [];
	#batchBytes = 0;
	/** The chain of channel writes, in order; a failure stays in it and is reported by `flush`. */
	#writes = Promise.resolve();
	#open;
	constructor(channel, options) {
		this.#channel = channel;
		this.#options = options;
	}
	get #w() {
		if (!this.#writer) throw new MachineError("INVALID_STATE", "stream header not written yet");
		return this.#writer;
	}
	header(configuration) {
		const take = (chunk) => {
			this.#batch.push(chunk);
			this.#batchBytes += chunk.length;
			if (this.#batchBytes >= BATCH_BYTES) this.#send();
		};
		this.#writer = new MigrationStreamWriter(take, {
			configuration: configuration ? {
				machineType: configuration.machineType,
				...configuration.uuid ? { uuid: configuration.uuid } : {},
				...configuration.capabilities && configuration.capabilities.length > 0 ? { capabilities: configuration.capabilities } : {}
			} : false,
			vmdesc: this.#options.vmdesc,
			highWaterMark: CHUNK_BYTES
		});
		this.#writer.header();
	}
	section(type, entry) {
		this.#open = {
			type,
			entry,
			state: "announced"
		};
	}
	#section() {
		if (!this.#open) throw new MachineError("INVALID_STATE", "section body written outside a section");
		return this.#open;
	}
	#ramOpen() {
		const open = this.#section();
		if (open.state === "ram-open") return;
		if (open.type === "full" || open.type === "start") throw new MachineError("INVALID_STATE", `RAM pages in a ${open.type} section of '${open.entry.idstr}'`);
		this.#w.beginRamSection(open.type, init(open.entry));
		open.state = "ram-open";
	}
	ram = {
		memSize: (blocks) => {
			const open = this.#section();
			this.#w.ramStart(blocks.map((b) => b.addr === void 0 ? {
				idstr: b.name,
				length: b.size
			} : {
				idstr: b.name,
				length: b.size,
				addr: b.addr
			}), init(open.entry));
			open.state = "written";
		},
		zeroPage: (block, offset, fill = 0) => {
			this.#ramOpen();
			this.#w.ramZero(block, offset, fill);
		},
		dedupPage: (block, offset, source) => {
			this.#ramOpen();
			this.#w.ramDedup(block, offset, source);
		},
		page: (block, offset, bytes) => {
			this.#ramOpen();
			this.#w.ramPage(block, offset, bytes);
		},
		eos: () => {
			const open = this.#section();
			if (open.state === "written") return;
			this.#ramOpen();
			this.#w.finishRamSection();
			open.state = "written";
		}
	};
	device(body) {
		const open = this.#section();
		const value = {
			description: body.vmsd,
			value: body.state
		};
		if (open.type === "full") this.#w.sectionFull(init(open.entry), value);
		else if (open.type === "start") this.#w.sectionStart(init(open.entry), value);
		else throw new MachineError("INVALID_STATE", `a device body in a ${open.type} section of '${open.entry.idstr}'`);
		open.state = "written";
	}
	footer() {
		const open = this.#section();
		if (open.state === "announced") {
			const empty = /* @__PURE__ */ new Uint8Array(0);
			const w = this.#w;
			if (open.type === "full") w.sectionFull(init(open.entry), empty);
			else if (open.type === "start") w.sectionStart(init(open.entry), empty);
			else if (open.type === "part") w.sectionPart(init(open.entry), empty);
			else w.sectionEnd(init(open.entry), empty);
		}
		this.#open = void 0;
	}
	eof() {
		this.#w.eof();
	}
	get position() {
		return this.#writer?.offset ?? 0;
	}
	/** Sends the batch as one channel write, after the writes before it. */
	#send() {
		if (this.#batch.length === 0) return;
		const batch = this.#batch;
		const bytes = this.#batchBytes;
		this.#batch = [];
		this.#batchBytes = 0;
		const channel = this.#channel;
		this.#inFlight += bytes;
		this.#writes = this.#writes.then(async () => {
			try {
				await channel.write(batch);
			} finally {
				this.#inFlight -= bytes;
			}
		});
		this.#writes.catch(() => void 0);
	}
	async flush() {
		this.#writer?.flush();
		this.#send();
		if (this.#inFlight > MAX_IN_FLIGHT) await this.#writes;
	}
	async end() {
		this.#writer?.flush();
		this.#send();
		await this.#writes;
	}
};
/** Checks a decoded RAM record is one the machine loads; format's record passes through as is. */
function loadableRam(rec) {
	switch (rec.type) {
		case "mem-size":
		case "zero":
		case "page":
		case "dedup":
		case "eos": return rec;
		case "multifd-flush": return;
		case "xbzrle":
		case "compressed": throw new MachineError("LOAD_FAILED", `RAM records of type ${rec.type} are not supported by this machine`, {
			offset: rec.offset,
			section: "ram"
		});
	}
}
/**
* Turns @savevm/format's flat record stream into the loader's sections: a RAM section's body is
* the RAM records up to EOS, pulled from the same decoder while the RAM entry applies them.
*/
async function* loadRecords(records) {
	const it = records[Symbol.asyncIterator]();
	const next = async () => {
		const r = await it.next();
		return r.done ? void 0 : r.value;
	};
	const reader = records instanceof MigrationRecordReader ? records : void 0;
	try {
		for (let rec = await next(); rec; rec = await next()) switch (rec.kind) {
			case "header":
				yield {
					type: "header",
					version: rec.version,
					offset: rec.offset
				};
				break;
			case "configuration":
				yield {
					type: "configuration",
					machineType: rec.machineType,
					...rec.uuid ? { uuid: rec.uuid } : {},
					offset: rec.offset
				};
				break;
			case "section": {
				const opening = rec.type === "start" || rec.type === "full";
				const header = {
					type: "section",
					sectionType: rec.type,
					sectionId: rec.sectionId,
					...opening ? {
						idstr: rec.idstr,
						instanceId: rec.instanceId,
						versionId: rec.version
					} : {},
					offset: rec.offset
				};
				if (rec.idstr === "ram") {
					const forEach = async (apply) => {
						for (let r = reader?.nextSync() ?? await next(); r; r = reader?.nextSync() ?? await next()) {
							if (r.kind !== "ram") throw new MachineError("LOAD_FAILED", "RAM section ended without EOS", {
								offset: r.offset,
								section: "ram"
							});
							const loadable = loadableRam(r);
							if (loadable) apply(loadable);
							if (r.type === "eos") return;
						}
						throw new MachineError("LOAD_FAILED", "the stream ends inside a RAM section", { section: "ram" });
					};
					yield {
						...header,
						body: {
							kind: "ram",
							forEach
						}
					};
				} else yield {
					...header,
					body: {
						kind: "vmstate",
						state: rec.state ?? {}
					}
				};
				break;
			}
			case "footer": break;
			case "eof":
				yield {
					type: "eof",
					offset: rec.offset
				};
				return;
			case "command": throw new MachineError("LOAD_FAILED", `Migration command ${rec.name} is not supported by this machine`, { offset: rec.offset });
			case "ram": throw new MachineError("LOAD_FAILED", "RAM record outside a RAM section", { offset: rec.offset });
			default: return;
		}
	} finally {
		await it.return?.();
	}
}
/** The machine's stream codec on @savevm/format: QEMU's migration stream v3, as QEMU 7.2 writes it. */
var FormatStreamCodec = class {
	createSink(channel, options) {
		return new FormatSink(channel, options);
	}
	readRecords(input, resolve) {
		const lookup = (idstr, instanceId) => {
			const layout = resolve(idstr, instanceId);
			return layout?.kind === "vmstate" ? layout.vmsd : void 0;
		};
		return loadRecords(readMigrationStream(input, {
			devices: lookup,
			configuration: "auto"
		}));
	}
	encodeVmstate(vmsd, state) {
		return encodeVMState(vmsd, state).bytes;
	}
};
// ../../work/main/packages/machine/dist/backends.js
/** RAM in @savevm/ram-wasm memory, streams by @savevm/format, SHA-256 by Web Crypto. */
function defaultBackends() {
	return {
		codec: new FormatStreamCodec(),
		memory: wasmMemory,
		hasher: webCryptoHasher
	};
}
/**
* Creates a machine with the default backends (any of them can be replaced) and puts it in its
* initial run state: running, or prelaunch with `startPaused`, or inmigrate with `incoming`.
*/
function createMachine(config, backends = {}) {
	const machine = new Machine(config, {
		...defaultBackends(),
		...backends
	});
	machine.start();
	return machine;
}
// ../../work/main/packages/machine/dist/ram/staging-worker.js
/**
* The staging helper's thread. `stagingWorkerMain` runs in a worker started from its own source
* text (so it works from TypeScript sources and from dist alike): it may use nothing from the
* module scope, and everything it needs arrives in the lane message.
*/
/** Indices of the control words shared by the loader thread and the helper. */
const CONTROL = {
	/** Operations queued (written by the loader). */
	HEAD: 0,
	/** Operations done (written by the helper). */
	TAIL: 1,
	/** Bumped by the loader after every change the helper must see; the helper sleeps on it. */
	SIGNAL: 2,
	/** 1 while the helper sleeps (the loader must notify SIGNAL). */
	HELPER_SLEEPING: 3,
	/** 1 while the loader waits for TAIL (the helper must notify it). */
	LOADER_WAITING: 4,
	/** LANE_OPEN, LANE_CLOSED (finish what is queued) or LANE_CANCELLED. */
	STATE: 5,
	/** 1 once the helper works on this lane. */
	READY: 6,
	/** 1 once the helper left this lane (done, cancelled or failed). */
	EXITED: 7,
	WORDS: 8
};
function stagingWorkerMain(threads) {
	const port = threads.parentPort;
	if (!port) return;
	port.on("message", (lane) => {
		const { control, ops, data, chunks, chunkBytes, pageSize, layout: C, codes } = lane;
		const W = codes.slotWords;
		const slots = ops.length / W;
		const inputs = /* @__PURE__ */ new Map();
		const inputBuffer = (id) => {
			for (let view = inputs.get(id);; view = inputs.get(id)) {
				if (view) return view;
				const received = threads.receiveMessageOnPort(lane.buffers);
				if (!received) throw new RangeError(`shared input buffer ${id} never arrived`);
				inputs.set(received.message.id, new Uint8Array(received.message.buffer));
				for (const old of inputs.keys()) if (inputs.size > codes.keptBuffers) inputs.delete(old);
			}
		};
		const memories = chunks.map((c) => ({
			bytes: new Uint8Array(c.memory.buffer),
			base: c.ramPtr - c.start
		}));
		const memoryAt = (address) => {
			const m = memories[Math.floor(address / chunkBytes)];
			if (!m) throw new RangeError(`guest address 0x${address.toString(16)} is outside the staging memory`);
			return m;
		};
		let error;
		let tail = Atomics.load(control, C.TAIL);
		Atomics.store(control, C.READY, 1);
		try {
			for (;;) {
				const signal = Atomics.load(control, C.SIGNAL);
				const state = Atomics.load(control, C.STATE);
				if (state === codes.cancelled) break;
				const head = Atomics.load(control, C.HEAD);
				if (head === tail) {
					if (state !== codes.open) break;
					Atomics.store(control, C.HELPER_SLEEPING, 1);
					Atomics.wait(control, C.SIGNAL, signal);
					Atomics.store(control, C.HELPER_SLEEPING, 0);
					continue;
				}
				while (tail !== head) {
					const slot = tail & slots - 1;
					const op = ops[slot * W];
					const a = ops[slot * W + 1];
					const b = ops[slot * W + 2];
					if (op === codes.writeShared) {
						const m = memoryAt(a);
						const c = ops[slot * W + 3];
						m.bytes.set(inputBuffer(b).subarray(c, c + pageSize), m.base + a);
					} else if (op === codes.write) {
						const m = memoryAt(a);
						m.bytes.set(data.subarray(slot * pageSize, slot * pageSize + pageSize), m.base + a);
					} else if (op === codes.fill) {
						const m = memoryAt(a);
						m.bytes.fill(b, m.base + a, m.base + a + pageSize);
					} else if (op === codes.copy) {
						const from = memoryAt(a);
						const to = memoryAt(b);
						to.bytes.set(from.bytes.subarray(from.base + a, from.base + a + pageSize), to.base + b);
					} else throw new RangeError(`unknown staging operation ${op}`);
					tail = tail + 1 | 0;
					Atomics.store(control, C.TAIL, tail);
					if (Atomics.load(control, C.LOADER_WAITING) === 1) Atomics.notify(control, C.TAIL);
				}
			}
		} catch (err) {
			error = err instanceof Error ? err.stack ?? err.message : String(err);
		}
		lane.buffers.close();
		Atomics.store(control, C.EXITED, 1);
		Atomics.notify(control, C.TAIL);
		port.postMessage(error === void 0 ? { id: lane.id } : {
			id: lane.id,
			error
		});
	});
}
// ../../work/main/packages/machine/dist/ram/staging-lane.js
/** How long the loader waits for the helper before it calls the helper stuck. */
const STALL_MS = 3e4;
/** The loader blocks in slices this long, so it notices a helper that died meanwhile. */
const WAIT_SLICE_MS = 50;
/** Whether a helper can write into `memory`: shared guest memory of the target page size. */
function shareableStaging(memory) {
	return memory instanceof GuestMemory && memory.shared && memory.pageSize === 4096;
}
/** The message that hands `lane` over `memory` to a helper thread (post it with `buffers` transferred). */
function laneInit(id, lane, memory, buffers) {
	return {
		id,
		control: lane.control,
		ops: lane.ops,
		data: lane.data,
		chunks: memory.chunks.map((c) => ({
			memory: c.ctx.memory,
			start: c.start,
			ramPtr: c.ramPtr
		})),
		chunkBytes: memory.chunkBytes,
		pageSize: TARGET_PAGE_SIZE,
		buffers,
		layout: CONTROL,
		codes: {
			open: 0,
			cancelled: 2,
			write: 1,
			fill: 2,
			copy: 3,
			writeShared: 4,
			slotWords: 4,
			keptBuffers: 4
		}
	};
}
/**
* The loader's side of one lane: a ring of operations in shared memory that a helper thread
* (`stagingWorkerMain`) carries out. With a `port`, pages that already sit in a shared input
* buffer go by reference (the helper receives the buffer on that port); without one (a browser
* helper cannot receive while it works), every page is copied into the ring.
*/
var SharedStagingLane = class {
	control = new Int32Array(new SharedArrayBuffer(CONTROL.WORDS * 4));
	ops;
	data;
	capacity;
	#port;
	/** The staging memory: pages read from it may still change, so they are copied. */
	#staging;
	#inputIds = /* @__PURE__ */ new WeakMap();
	#nextInput = 1;
	#head = 0;
	#error;
	#gone = false;
	#exit;
	#resolveExit;
	#release;
	constructor(slots, memory, port, release) {
		this.capacity = slots;
		this.#port = port;
		this.#staging = memory.chunks.map((c) => c.ctx.memory);
		this.ops = new Float64Array(new SharedArrayBuffer(slots * 4 * 8));
		this.data = new Uint8Array(new SharedArrayBuffer(slots * TARGET_PAGE_SIZE));
		this.#release = release;
		this.#exit = new Promise((resolve) => {
			this.#resolveExit = resolve;
		});
	}
	get ready() {
		return !this.#gone && Atomics.load(this.control, CONTROL.READY) === 1;
	}
	get backlog() {
		return this.#head - Atomics.load(this.control, CONTROL.TAIL) | 0;
	}
	write(address, data) {
		const buffer = data.buffer;
		if (this.#port && buffer instanceof SharedArrayBuffer && !this.#staging.some((m) => m.buffer === buffer)) {
			this.#publish(this.#reserve(), 4, address, this.#inputId(this.#port, buffer), data.byteOffset);
			return;
		}
		const slot = this.#reserve();
		this.data.set(data, slot * TARGET_PAGE_SIZE);
		this.#publish(slot, 1, address, 0);
	}
	/** The id the helper knows `buffer` by; announced on first use. */
	#inputId(port, buffer) {
		let id = this.#inputIds.get(buffer);
		if (id === void 0) {
			id = this.#nextInput++;
			this.#inputIds.set(buffer, id);
			port.postMessage({
				id,
				buffer
			});
		}
		return id;
	}
	fill(address, value) {
		this.#publish(this.#reserve(), 2, address, value);
	}
	copy(from, to) {
		this.#publish(this.#reserve(), 3, from, to);
	}
	flush() {
		this.#waitFor(() => this.backlog === 0);
	}
	async finish() {
		this.#signal(1);
		await this.#exit;
		if (this.backlog !== 0) {
			this.#error ??= `${this.backlog} page writes were left undone`;
			throw this.#failure();
		}
	}
	cancel() {
		this.#signal(2);
	}
	/** The helper left this lane; `error` when it failed or was lost. */
	exited(error) {
		if (this.#gone) return;
		this.#gone = true;
		this.#port?.close();
		this.#error = error;
		this.#release();
		this.#resolveExit();
	}
	#failure() {
		return new MachineError("LOAD_FAILED", `RAM staging failed: ${this.#error ?? "unknown error"}`, { section: "ram" });
	}
	#reserve() {
		if (this.backlog >= this.capacity) this.#waitFor(() => this.backlog < this.capacity);
		return this.#head & this.capacity - 1;
	}
	#publish(slot, op, a, b, c = 0) {
		const o = slot * 4;
		this.ops[o] = op;
		this.ops[o + 1] = a;
		this.ops[o + 2] = b;
		this.ops[o + 3] = c;
		this.#head = this.#head + 1 | 0;
		Atomics.store(this.control, CONTROL.HEAD, this.#head);
		this.#wake();
	}
	#signal(state) {
		Atomics.store(this.control, CONTROL.STATE, state);
		this.#wake();
	}
	#wake() {
		Atomics.add(this.control, CONTROL.SIGNAL, 1);
		if (Atomics.load(this.control, CONTROL.HELPER_SLEEPING) === 1) Atomics.notify(this.control, CONTROL.SIGNAL);
	}
	/**
	* Blocks this thread until `done` holds. The helper is always working when this is called
	* (it has queued work), so the wait is short; a helper that dies or stalls ends it with an error.
	*/
	#waitFor(done) {
		const c = this.control;
		const deadline = performance.now() + STALL_MS;
		while (!done()) {
			if (this.#gone || Atomics.load(c, CONTROL.EXITED) === 1) {
				this.#error ??= "the staging helper stopped before it finished its queue";
				throw this.#failure();
			}
			if (performance.now() > deadline) {
				this.#error = `the staging helper made no progress for ${STALL_MS / 1e3} s`;
				throw this.#failure();
			}
			const tail = Atomics.load(c, CONTROL.TAIL);
			Atomics.store(c, CONTROL.LOADER_WAITING, 1);
			if (!done()) Atomics.wait(c, CONTROL.TAIL, tail, WAIT_SLICE_MS);
			Atomics.store(c, CONTROL.LOADER_WAITING, 0);
		}
	}
};
/** Checks a lane's slot count: a power of two from 16 to 65536. */
function checkLaneSlots(slots) {
	if (!Number.isInteger(slots) || slots < 16 || slots > 65536 || (slots & slots - 1) !== 0) throw new MachineError("INVALID_CONFIG", `staging slots must be a power of two from 16 to 65536, not ${slots}`);
	return slots;
}
/**
* A `StagingHelper` on one helper thread running `stagingWorkerMain`, whatever kind of thread
* that is (a Node worker thread, a Web Worker): lanes by id, the thread started at the first
* load and kept for the next, every lane failed when the thread is lost or closed.
*/
var LaneHelper = class {
	#slots;
	#worker;
	#nextId = 1;
	#lanes = /* @__PURE__ */ new Map();
	constructor(slots) {
		this.#slots = checkLaneSlots(slots);
	}
	/** Whether this host can start the thread at all. */
	available() {
		return true;
	}
	/** Told whenever the number of open lanes changes (a Node thread keeps the process alive only while it has some). */
	lanesChanged(_worker, _open) {}
	begin(memory) {
		if (!shareableStaging(memory) || !this.available()) return void 0;
		this.#worker ??= this.spawn();
		const worker = this.#worker;
		const id = this.#nextId++;
		const { ours, theirs } = this.ports();
		const lane = new SharedStagingLane(this.#slots, memory, ours, () => {
			this.#lanes.delete(id);
			this.lanesChanged(worker, this.#lanes.size);
		});
		this.#lanes.set(id, lane);
		this.lanesChanged(worker, this.#lanes.size);
		this.post(worker, laneInit(id, lane, memory, theirs), theirs);
		return lane;
	}
	close() {
		const worker = this.#worker;
		this.#worker = void 0;
		if (worker === void 0) return;
		this.#failAll("the staging helper was closed");
		this.terminate(worker);
	}
	/** The helper's answer for one lane: done, or failed with `error`. */
	exited(exit) {
		this.#lanes.get(exit.id)?.exited(exit.error);
	}
	/** The thread failed or ended: its lanes fail, and the next load starts a new one. */
	lost(worker, reason) {
		if (this.#worker !== worker) return;
		this.#worker = void 0;
		this.#failAll(reason);
	}
	#failAll(reason) {
		for (const lane of [...this.#lanes.values()]) lane.exited(reason);
	}
};
// ../../work/main/packages/machine/dist/node/write-all.js
/** Most chunks handed to one writev call (the kernel's IOV_MAX is 1024). */
const MAX_IOV = 1024;
/**
* Writes every byte of `chunks` with a vectored write, finishing chunk by chunk after a short
* write (a full disk, a signal): `writev` resolves with the number of bytes it wrote.
*/
async function writeAll(chunks, writev) {
	for (let i = 0; i < chunks.length; i += MAX_IOV) {
		const part = chunks.slice(i, i + MAX_IOV);
		let expected = 0;
		for (const c of part) expected += c.length;
		let skip = await writev(part);
		if (skip === expected) continue;
		for (const c of part) {
			if (skip >= c.length) {
				skip -= c.length;
				continue;
			}
			let rest = c.subarray(skip);
			skip = 0;
			while (rest.length > 0) rest = rest.subarray(await writev([rest]));
		}
	}
}
// ../../work/main/packages/machine/dist/node/file-channel.js
/**
* Writes a save to a temporary file next to `path` and renames it over `path` only when the
* save succeeded, so a failed or cancelled save never replaces a good file.
*/
var FileOutputChannel = class {
	path;
	tempPath;
	#handle;
	#opening;
	#done = false;
	#aborting;
	#durable;
	/**
	* `durable`: the data is on disk (fsync) before the rename, and the rename is too (the
	* directory is synced) before `close` resolves — for a checkpoint that must outlive a reboot.
	*/
	constructor(path, options = {}) {
		this.path = path;
		this.#durable = options.durable ?? false;
		this.tempPath = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.part`);
		this.#opening = open(this.tempPath, "wx", options.mode ?? 384).then((h) => this.#handle = h, (err) => {
			throw new MachineError("CHANNEL", `Could not open '${path}': ${err.message}`, { cause: err });
		});
		this.#opening.catch(() => void 0);
	}
	/** Resolves once the temporary file exists (or rejects with why it could not be created). */
	async ready() {
		await this.#opening;
	}
	async write(chunks) {
		const handle = this.#handle ?? await this.#opening;
		await writeAll(chunks, async (part) => (await handle.writev(part)).bytesWritten);
	}
	async close() {
		if (this.#done) return;
		this.#done = true;
		const handle = this.#handle ?? await this.#opening;
		if (this.#durable) await handle.sync();
		await handle.close();
		await rename(this.tempPath, this.path);
		if (this.#durable) await syncDirectory(dirname(this.path));
	}
	/** Removes the temporary file; a second call waits for the first one's removal. */
	abort() {
		if (this.#aborting) return this.#aborting;
		if (this.#done) return Promise.resolve();
		this.#done = true;
		this.#aborting = (async () => {
			await (this.#handle ?? await this.#opening?.catch(() => void 0))?.close().catch(() => void 0);
			await unlink(this.tempPath).catch(() => void 0);
		})();
		return this.#aborting;
	}
};
async function syncDirectory(dir) {
	const handle = await open(dir, "r");
	try {
		await handle.sync();
	} finally {
		await handle.close();
	}
}
/** Reads a file (from `offset`). */
async function openFileInput(path, offset = 0) {
	let handle;
	try {
		handle = await open(path, "r");
	} catch (err) {
		throw new MachineError("CHANNEL", `Could not open '${path}': ${err.message}`, { cause: err });
	}
	return fileHandleInput(handle, offset);
}
/**
* Reads a file handle from `offset` in chunks, one read ahead: the next chunk is on its way
* from the disk while the consumer decodes the current one. Each chunk is a new
* `SharedArrayBuffer` that is never reused, so a staging helper thread can copy pages straight
* out of it.
*/
function fileHandleInput(handle, offset = 0, chunkSize = 4 << 20) {
	let closed = false;
	const readAt = async (position) => {
		const buffer = new Uint8Array(new SharedArrayBuffer(chunkSize));
		const { bytesRead } = await handle.read(buffer, 0, chunkSize, position);
		return bytesRead === chunkSize ? buffer : buffer.subarray(0, bytesRead);
	};
	return {
		async *[Symbol.asyncIterator]() {
			let position = offset;
			let next = readAt(position);
			try {
				for (;;) {
					const chunk = await next;
					if (chunk.length === 0) return;
					position += chunk.length;
					next = readAt(position);
					yield chunk;
				}
			} finally {
				await next.catch(() => void 0);
			}
		},
		async close() {
			if (closed) return;
			closed = true;
			await handle.close();
		}
	};
}
// ../../work/main/packages/machine/dist/node/node-hasher.js
/** Streaming SHA-256 from node:crypto (no copy of guest RAM). */
function nodeHasher() {
	const hash = createHash("sha256");
	return {
		update(bytes) {
			hash.update(bytes);
		},
		async digest() {
			return hash.digest("hex");
		}
	};
}
const WORKER_SOURCE = `(${stagingWorkerMain.toString()})(require("node:worker_threads"));`;
/**
* A worker thread that writes pages of incoming loads into shared staging memory while the
* loader thread parses. Started at the first load and kept for the next; `close` ends it (the
* machine's `destroy` does). The thread keeps the process alive only while a load uses it.
* Pages already in the file input's shared chunks go to it by reference, announced on the lane's port.
*/
var NodeStagingHelper = class extends LaneHelper {
	constructor(options = {}) {
		super(options.slots ?? 1024);
	}
	spawn() {
		const worker = new Worker(WORKER_SOURCE, {
			eval: true,
			name: "savevm-staging"
		});
		worker.on("message", (exit) => this.exited(exit));
		worker.on("error", (err) => this.lost(worker, `the staging helper failed: ${err.message}`));
		worker.on("exit", (code) => this.lost(worker, `the staging helper exited with code ${code}`));
		worker.unref();
		return worker;
	}
	terminate(worker) {
		worker.terminate();
	}
	ports() {
		const { port1, port2 } = new MessageChannel();
		return {
			ours: port1,
			theirs: port2
		};
	}
	post(worker, init, port) {
		worker.postMessage(init, [port]);
	}
	/** A load in progress waits for the helper's answer; between loads the thread keeps nothing alive. */
	lanesChanged(worker, open) {
		if (open > 0) worker.ref();
		else worker.unref();
	}
};
/** A staging helper on one worker thread. */
function nodeStagingHelper(options = {}) {
	return new NodeStagingHelper(options);
}
// ../../work/main/packages/machine/dist/node/node-backends.js
/**
* The default backends with node:crypto's streaming SHA-256 and, for incoming loads, a worker
* thread that writes half of the pages into shared staging memory while this thread parses.
*/
function nodeBackends(options = {}) {
	const staging = options.staging ?? true;
	const backends = {
		...defaultBackends(),
		hasher: nodeHasher
	};
	if (staging !== false) backends.staging = nodeStagingHelper(staging === true ? {} : staging);
	return backends;
}
export { createMachine as a, MIGRATION_MODES as c, TARGET_PAGE_SIZE as d, PAGE_SIZE as f, writeAll as i, isParameterName as l, FileOutputChannel as n, Machine as o, openFileInput as r, MIGRATION_CAPABILITIES as s, nodeBackends as t, defer as u };
