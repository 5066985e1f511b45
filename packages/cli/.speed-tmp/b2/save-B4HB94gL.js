import { readFile, readdir, readlink } from "node:fs/promises";
import { a as runStateFromFlags, i as SaveRestoreError, r as readDomainDescription, t as buildDomainXml } from "./domain-xml-DaSjc2Et.js";
import { r as saveImageToFile } from "./node-file-BRlBS7k5.js";
import { a as openSocketChannel, c as requireCompressionProgram, d as runArgsOfProcess, g as runOption, i as openFdChannel, l as splitShellWords, m as qemuArgsForRestart, n as jobProgress, o as QmpDriver, p as processCommandLine, s as UNLIMITED_BANDWIDTH, t as withSignalAbort, u as withoutEnvironment } from "./save-signals-BB0B3tnJ.js";
import { resolve } from "node:path";
import { n as connectHmp, y as HmpError } from "./node-CPBu-Ad8.js";
import { t as quoteHmpString } from "./hmp-quote-BDzSqU63.js";
import { randomUUID } from "node:crypto";
import { a as parseSize } from "./workload-CSMEcy3k.js";
import { t as MachineRegistry } from "./machine-registry-QkcVjJSj.js";
import { t as peekStream } from "./peek-stream-CerhBr8l.js";
import { n as UsageError } from "./cli-error-a_dr6oY-.js";
// ../../work/main/packages/machine/dist/node/save-image/socket-owner.js
const ACCEPTING = 65536;
/** Inodes of the listening unix sockets bound at `path` (as bound, or resolved). */
async function listeningInodes(path) {
	const wanted = /* @__PURE__ */ new Set([path, resolve(path)]);
	const inodes = /* @__PURE__ */ new Set();
	let table;
	try {
		table = await readFile("/proc/net/unix", "utf8");
	} catch {
		return inodes;
	}
	for (const line of table.split("\n").slice(1)) {
		const m = /^\s*\S+: \S+ \S+ ([0-9A-Fa-f]+) \S+ \S+ (\d+) (.+)$/.exec(line);
		if (m && (Number.parseInt(m[1], 16) & ACCEPTING) !== 0 && wanted.has(m[3])) inodes.add(m[2]);
	}
	return inodes;
}
/**
* The local process that listens on the unix socket `path` (Linux: /proc/net/unix, then the
* process holding that socket), or `undefined` when it cannot be told — another host's socket,
* another user's process, no /proc.
*/
async function unixSocketOwner(path) {
	const inodes = await listeningInodes(path);
	if (inodes.size === 0) return void 0;
	const links = new Set([...inodes].map((inode) => `socket:[${inode}]`));
	let pids;
	try {
		pids = (await readdir("/proc")).filter((name) => /^\d+$/.test(name));
	} catch {
		return;
	}
	for (const pid of pids) {
		let fds;
		try {
			fds = await readdir(`/proc/${pid}/fd`);
		} catch {
			continue;
		}
		for (const fd of fds) {
			const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "");
			if (links.has(target)) return Number(pid);
		}
	}
}
// ../../work/main/packages/machine/dist/node/save-image/hmp-driver.js
function isUnknownCommand(err) {
	return err instanceof HmpError && /^unknown command/.test(err.message);
}
/** `1234 kbytes` in `info migrate` lines, as bytes. */
function kbytesField(text, label) {
	const m = new RegExp(`^${label}: (\\d+) kbytes$`, "m").exec(text);
	return m ? Number(m[1]) * 1024 : void 0;
}
/** Reads `info migrate` as QEMU 7.2 prints it. */
function parseInfoMigrate(text) {
	const status = /^Migration status: (\S+)(?: \((.*)\))?$/m.exec(text);
	const progress = { status: status?.[1] ?? "none" };
	if (status?.[2] !== void 0) progress.error = status[2];
	const transferred = kbytesField(text, "transferred ram");
	const remaining = kbytesField(text, "remaining ram");
	const total = kbytesField(text, "total ram");
	if (transferred !== void 0) progress.transferred = transferred;
	if (remaining !== void 0) progress.remaining = remaining;
	if (total !== void 0) progress.total = total;
	return progress;
}
/** Reads `info status`: `VM status: running`, `VM status: paused`, `VM status: paused (prelaunch)`. */
function parseInfoStatus(text) {
	const m = /VM status: (running|paused)(?: \(([^)]+)\))?/.exec(text);
	if (!m) throw new SaveRestoreError("MONITOR", `unexpected 'info status' output: ${JSON.stringify(text.slice(0, 200))}`);
	return {
		status: m[2] ?? m[1],
		running: m[1] === "running"
	};
}
/**
* {@link MonitorDriver} over the human monitor's text protocol (QEMU's `-monitor unix:…`, or
* `savevm run --hmp`). Commands go out as `cmd\r` (as libvirt's text monitor sent them), the
* echo's terminal escapes are replayed away by {@link HmpTextClient}, and string arguments are
* quoted with QEMU's HMP escapes.
*/
var HmpDriver = class HmpDriver {
	client;
	protocol = "hmp";
	constructor(client) {
		this.client = client;
	}
	static async connect(address, options = {}) {
		const timeoutMs = options.timeoutMs ?? 1e4;
		return new HmpDriver(await connectHmp(address, {
			connectTimeoutMs: timeoutMs,
			bannerTimeoutMs: timeoutMs
		}));
	}
	/** Runs a command line; the monitor's `Error: …` or `unknown command` becomes an HmpError. */
	run(commandLine) {
		return this.client.run(commandLine, { throwOnError: true });
	}
	async status() {
		return parseInfoStatus(await this.run("info status"));
	}
	async stop() {
		await this.run("stop");
	}
	async cont() {
		await this.run("cont");
	}
	async resetMigrationCapabilities() {
		let listing;
		try {
			listing = await this.run("info migrate_capabilities");
		} catch (err) {
			if (isUnknownCommand(err)) return;
			throw err;
		}
		for (const m of listing.matchAll(/^([a-z0-9-]+): (on|off)$/gm)) {
			const wanted = m[1] === "events" ? "on" : "off";
			if (m[2] !== wanted) await this.run(`migrate_set_capability ${m[1]} ${wanted}`);
		}
	}
	async unlimitedBandwidth() {
		try {
			await this.run(`migrate_set_parameter max-bandwidth ${UNLIMITED_BANDWIDTH}B`);
		} catch (err) {
			if (!isUnknownCommand(err)) throw err;
		}
	}
	/** The text monitor is driven without descriptor passing; callers use a socket channel. */
	async passFd() {
		return false;
	}
	async migrate(uri) {
		await this.run(`migrate -d ${quoteHmpString(uri)}`);
	}
	async migrateIncoming(uri) {
		await this.run(`migrate_incoming ${quoteHmpString(uri)}`);
	}
	async cancelMigration() {
		await this.run("migrate_cancel");
	}
	async migration() {
		return parseInfoMigrate(await this.run("info migrate"));
	}
	async facts() {
		const facts = {};
		const ask = async (command) => {
			try {
				return await this.run(command);
			} catch (err) {
				if (err instanceof HmpError) return void 0;
				throw err;
			}
		};
		const name = (await ask("info name"))?.trim();
		if (name) facts.name = name;
		const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.exec(await ask("info uuid") ?? "")?.[0];
		if (uuid) facts.uuid = uuid.toLowerCase();
		const memory = /^base memory: (\d+)$/m.exec(await ask("info memory_size_summary") ?? "");
		if (memory) facts.memory = Number(memory[1]);
		const cpus = (await ask("info cpus") ?? "").match(/CPU #\d+/g);
		if (cpus && cpus.length > 0) facts.vcpus = cpus.length;
		return facts;
	}
	async quit() {
		await this.client.run("quit");
	}
	async close() {
		this.client.close();
	}
};
// ../../work/main/packages/machine/dist/node/save-image/connect-monitor.js
/** Opens the right driver for a resolved target. */
async function connectMonitor(target, timeoutMs) {
	const options = timeoutMs === void 0 ? {} : { timeoutMs };
	try {
		return target.protocol === "hmp" ? await HmpDriver.connect(target.address, options) : await QmpDriver.connect(target.address, options);
	} catch (err) {
		throw new SaveRestoreError("MONITOR", `cannot talk to the monitor at ${target.protocol === "hmp" ? "hmp:" : ""}${target.address}: ${err.message}`, { cause: err });
	}
}
// ../../work/main/packages/machine/dist/node/save-image/qemu-options.js
/** QEMU 7.2 options (x86) that take no value; every other `-option` takes the next word. */
const QEMU_FLAGS = /* @__PURE__ */ new Set([
	"-S",
	"-s",
	"-daemonize",
	"-nodefaults",
	"-no-user-config",
	"-no-shutdown",
	"-no-reboot",
	"-no-acpi",
	"-no-hpet",
	"-enable-kvm",
	"-nographic",
	"-snapshot",
	"-full-screen",
	"-no-fd-bootchk",
	"-win2k-hack",
	"-no-quit",
	"-alt-grab",
	"-ctrl-grab",
	"-preconfig",
	"-only-migratable",
	"-enable-sync-profile",
	"-usb",
	"-semihosting"
]);
/** A QEMU argv (without the binary) as options, `--opt` spelled `-opt`; a word that is no option keeps `name` empty (a disk image). */
function qemuOptions(args) {
	const out = [];
	for (let i = 0; i < args.length; i++) {
		const word = args[i];
		if (!word.startsWith("-") || word === "-") {
			out.push({
				name: "",
				value: word
			});
			continue;
		}
		const name = word.startsWith("--") ? word.slice(1) : word;
		if (QEMU_FLAGS.has(name) || i + 1 >= args.length) out.push({ name });
		else out.push({
			name,
			value: args[++i]
		});
	}
	return out;
}
/** The options back as argv words. */
function qemuWords(options) {
	return options.flatMap((o) => o.name === "" ? [o.value] : o.value === void 0 ? [o.name] : [o.name, o.value]);
}
function parseProperties(value, impliedKey) {
	if (value.trimStart().startsWith("{")) try {
		const parsed = JSON.parse(value);
		if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) return {
			entries: Object.entries(parsed).map(([k, v]) => [k, typeof v === "string" ? v : typeof v === "boolean" ? v ? "on" : "off" : JSON.stringify(v)]),
			json: true
		};
	} catch {}
	const entries = [];
	const parts = [];
	let current = "";
	for (let i = 0; i < value.length; i++) if (value[i] === ",") {
		if (value[i + 1] === ",") {
			current += ",";
			i++;
			continue;
		}
		parts.push(current);
		current = "";
	} else current += value[i];
	parts.push(current);
	parts.forEach((part, index) => {
		const eq = part.indexOf("=");
		if (eq >= 0) entries.push([part.slice(0, eq), part.slice(eq + 1)]);
		else if (index === 0 && impliedKey !== void 0) entries.push([impliedKey, part]);
		else if (part !== "") entries.push([part, "on"]);
	});
	return {
		entries,
		json: false
	};
}
/** The last value of `key`. */
function property(props, key) {
	let found;
	for (const [k, v] of props.entries) if (k === key) found = v;
	return found;
}
/** `key=value,…` text QEMU reads back (commas doubled). */
function formatProperties(entries) {
	return entries.map(([k, v]) => `${k}=${v.replaceAll(",", ",,")}`).join(",");
}
/** `on`/`yes`/`true` and their opposites, as QEMU's boolean properties take them. */
function qemuBoolean(value) {
	if (value === void 0) return void 0;
	if ([
		"on",
		"yes",
		"true",
		"y"
	].includes(value)) return true;
	if ([
		"off",
		"no",
		"false",
		"n"
	].includes(value)) return false;
}
const SIZE_UNITS = {
	"": 1,
	b: 1,
	k: 1024,
	m: 2 ** 20,
	g: 2 ** 30,
	t: 2 ** 40,
	p: 2 ** 50,
	e: 2 ** 60
};
/** A QEMU size (`32`, `1G`, `65536k`, `1.5G`) in bytes; a bare number counts in `defaultUnit`. */
function qemuSizeBytes(value, defaultUnit) {
	if (value === void 0) return void 0;
	const m = /^\s*(\d+(?:\.\d+)?)\s*([bkmgtpe]?)(?:i?b)?\s*$/i.exec(value);
	if (!m) return void 0;
	const unit = m[2] === "" ? defaultUnit : SIZE_UNITS[m[2].toLowerCase()];
	const bytes = Math.round(Number(m[1]) * unit);
	return Number.isSafeInteger(bytes) ? bytes : void 0;
}
// ../../work/main/packages/machine/dist/node/save-image/qemu-domain.js
const PLUMBING = /* @__PURE__ */ new Set([
	"-msg",
	"-sandbox",
	"-D",
	"-d",
	"-trace",
	"-qmp-pretty",
	"-runas",
	"-chroot",
	"-display",
	"-nographic"
]);
const ALWAYS_MODELLED = /* @__PURE__ */ new Set([
	"-nodefaults",
	"-no-user-config",
	"-no-shutdown",
	"-enable-kvm",
	"-uuid"
]);
const MACHINE_HANDLED = /* @__PURE__ */ new Set([
	"type",
	"accel",
	"usb",
	"acpi",
	"dump-guest-core",
	"memory-backend",
	"vmport"
]);
/** `0x1.0x2`, `3`, `1f.0` as a slot and function. */
function pciAddress(value) {
	if (value === void 0) return void 0;
	const m = /^(?:0x)?([0-9a-f]+)(?:\.(?:0x)?([0-7]))?$/i.exec(value);
	return m ? {
		slot: Number.parseInt(m[1], 16),
		function: Number(m[2] ?? 0)
	} : void 0;
}
function charSource(backend, props) {
	const server = qemuBoolean(property(props, "server")) === true;
	switch (backend) {
		case "null":
		case "vc":
		case "stdio": return { type: "null" };
		case "pty": return { type: "pty" };
		case "file": {
			const path = property(props, "path");
			if (path === void 0) return void 0;
			return qemuBoolean(property(props, "append")) ? {
				type: "file",
				path,
				append: true
			} : {
				type: "file",
				path
			};
		}
		case "socket": {
			const path = property(props, "path");
			if (path !== void 0) return {
				type: "unix",
				path,
				mode: server ? "bind" : "connect"
			};
			const host = property(props, "host");
			const port = property(props, "port");
			if (port !== void 0) return {
				type: "tcp",
				host: host ?? "localhost",
				port,
				mode: server ? "bind" : "connect"
			};
			return;
		}
		default: return;
	}
}
/** `-serial`/`-parallel` spellings (`pty`, `file:/p`, `unix:/s,server=on`, `null`, `none`). */
function legacyCharSource(value) {
	if (value === "none") return "none";
	if (value === "mon:stdio") return { type: "null" };
	if (value.startsWith("vc")) return { type: "null" };
	const colon = value.indexOf(":");
	const backend = colon < 0 ? value : value.slice(0, colon);
	const rest = colon < 0 ? "" : value.slice(colon + 1);
	if (backend === "file") return {
		type: "file",
		path: rest
	};
	if (backend === "unix") return charSource("socket", parseProperties(rest, "path"));
	if (backend === "tcp") {
		const props = parseProperties(rest, "addr");
		const addr = property(props, "addr") ?? "";
		const c = addr.lastIndexOf(":");
		if (c < 0) return void 0;
		const server = qemuBoolean(property(props, "server")) === true;
		return {
			type: "tcp",
			host: addr.slice(0, c) || "localhost",
			port: addr.slice(c + 1),
			mode: server ? "bind" : "connect"
		};
	}
	return colon < 0 ? charSource(backend, {
		entries: [],
		json: false
	}) : void 0;
}
/** Drivers whose devices sit on the PCI bus, for placing what QEMU placed by itself. */
const PCI_DRIVER = /(-pci|^e1000e?|^rtl8139|^VGA$|-vga$|^cirrus-vga|^qxl|^bochs-display|^pcnet|^ne2k_pci|xhci|-uhci|-ehci|^ich9-|^pci-bridge|^AC97|^intel-hda|^ES1370|^i6300esb|^megasas|^lsi|^am53c974|^dc390|^nvme|^pvscsi|^vmxnet3|^ivshmem)/;
/** The first QEMU placement rule on bus 0: a device without `addr=` takes the lowest free slot. */
var PciSlots = class {
	used = /* @__PURE__ */ new Set();
	constructor(reserved) {
		for (const slot of reserved) this.used.add(slot);
	}
	take(address) {
		if (address) {
			this.used.add(address.slot);
			return address;
		}
		let slot = 0;
		while (this.used.has(slot)) slot++;
		this.used.add(slot);
		return {
			slot,
			function: 0
		};
	}
};
function isQ35(machineType) {
	return /q35/.test(machineType ?? "");
}
/** Machine types before 6.2 split `-smp N` into sockets, later ones into cores (QEMU's smp parsing). */
function prefersSockets(machineType) {
	const version = /-(\d+)\.(\d+)$/.exec(machineType ?? "");
	if (!version) return false;
	const [major, minor] = [Number(version[1]), Number(version[2])];
	return major < 6 || major === 6 && minor < 2;
}
function positive(value) {
	if (value === void 0) return void 0;
	const n = Number(value);
	return Number.isInteger(n) && n > 0 ? n : void 0;
}
function smpOf(props, machineType) {
	if (!props) return { vcpus: 1 };
	const cpus = positive(property(props, "cpus"));
	let sockets = positive(property(props, "sockets"));
	const dies = positive(property(props, "dies")) ?? 1;
	let cores = positive(property(props, "cores"));
	const threads = positive(property(props, "threads")) ?? 1;
	const given = positive(property(props, "maxcpus")) ?? cpus ?? (sockets ?? 1) * dies * (cores ?? 1) * threads;
	if (prefersSockets(machineType)) {
		cores ??= 1;
		sockets ??= Math.max(1, Math.floor(given / (dies * cores * threads)));
	} else {
		sockets ??= 1;
		cores ??= Math.max(1, Math.floor(given / (dies * sockets * threads)));
	}
	const max = positive(property(props, "maxcpus")) ?? sockets * dies * cores * threads;
	const current = cpus ?? max;
	const topology = property(props, "dies") !== void 0 ? {
		sockets,
		dies,
		cores,
		threads
	} : {
		sockets,
		cores,
		threads
	};
	return {
		vcpus: max,
		...current < max ? { current } : {},
		topology
	};
}
/**
* `-cpu MODEL[,props]`: the model as libvirt's element, and whether properties follow. Feature
* names are left to QEMU (a later `-cpu` wins): libvirt's CPU map spells some differently
* (`lahf_lm` for `lahf-lm`) and refuses names it does not know.
*/
function cpuOf(value) {
	const props = parseProperties(value, "model");
	const model = property(props, "model") ?? "qemu64";
	const extra = props.entries.some(([k, v]) => k !== "model" && !(k === "migratable" && v === "on"));
	if (model === "host") return {
		cpu: { mode: "host-passthrough" },
		props: extra
	};
	if (model === "max") return {
		cpu: { mode: "maximum" },
		props: extra
	};
	return {
		cpu: {
			mode: "custom",
			model
		},
		props: extra
	};
}
const BOOT_DEVICES = {
	a: "fd",
	b: "fd",
	c: "hd",
	d: "cdrom",
	n: "network",
	o: "network",
	p: "network"
};
/** Reads every option libvirt itself writes back into libvirt's elements; what has no element stays as arguments. */
function qemuDomainOf(args) {
	const options = qemuOptions(qemuArgsForRestart(args));
	const kept = [...options];
	const drop = (i) => {
		kept[i] = void 0;
	};
	const merged = (name, implied) => {
		let out;
		options.forEach((o, i) => {
			if (o.name !== name || o.value === void 0) return;
			const props = parseProperties(o.value, implied);
			out = {
				entries: [...out?.entries ?? [], ...props.entries],
				json: false
			};
			drop(i);
		});
		return out;
	};
	const has = (name) => options.some((o) => o.name === name);
	const last = (name) => options.filter((o) => o.name === name && o.value !== void 0).pop()?.value;
	const machine = merged("-machine", "type");
	const machineM = merged("-M", "type");
	const machineProps = {
		entries: [...machine?.entries ?? [], ...machineM?.entries ?? []],
		json: false
	};
	const machineType = property(machineProps, "type");
	const accelNames = options.flatMap((o, i) => {
		if (o.name !== "-accel" || o.value === void 0) return [];
		drop(i);
		return [property(parseProperties(o.value, "accel"), "accel") ?? ""];
	});
	const accel = [...property(machineProps, "accel")?.split(":") ?? [], ...accelNames][0];
	const virtType = has("-enable-kvm") || accel === "kvm" ? "kvm" : "qemu";
	const acpi = !has("-no-acpi") && qemuBoolean(property(machineProps, "acpi")) !== false;
	const name = (() => {
		const value = last("-name");
		if (value === void 0) return void 0;
		return property(parseProperties(value, "guest"), "guest");
	})();
	options.forEach((o, i) => o.name === "-name" ? drop(i) : void 0);
	const memory = merged("-m", "size");
	const memoryBytes = memory ? qemuSizeBytes(property(memory, "size"), 2 ** 20) : void 0;
	const smp = smpOf(merged("-smp", "cpus"), machineType);
	const hardware = {
		os: { boot: [] },
		clock: {
			offset: "utc",
			timers: []
		},
		onReboot: has("-no-reboot") ? "destroy" : "restart",
		devices: []
	};
	if (smp.current !== void 0) hardware.vcpuCurrent = smp.current;
	if (smp.topology) hardware.topology = smp.topology;
	const rest = [];
	if (memory && (property(memory, "maxmem") !== void 0 || property(memory, "slots") !== void 0)) rest.push({
		name: "-m",
		value: formatProperties(memory.entries.filter(([k]) => k === "size" || k === "slots" || k === "maxmem"))
	});
	const machineRest = machineProps.entries.filter(([k, v]) => !MACHINE_HANDLED.has(k) && !(k === "dump-guest-core" && v === "off"));
	if (qemuBoolean(property(machineProps, "dump-guest-core")) === true) machineRest.push(["dump-guest-core", "on"]);
	if (property(machineProps, "vmport") !== void 0) machineRest.push(["vmport", property(machineProps, "vmport")]);
	if (machineRest.length > 0) rest.push({
		name: "-machine",
		value: formatProperties(machineRest)
	});
	const cpu = last("-cpu");
	if (cpu !== void 0) {
		const read = cpuOf(cpu);
		hardware.cpu = read.cpu;
		if (read.props) rest.push({
			name: "-cpu",
			value: cpu
		});
	}
	const boot = merged("-boot", "order");
	if (boot) {
		for (const letter of property(boot, "order") ?? "") {
			const dev = BOOT_DEVICES[letter];
			if (dev && !hardware.os.boot.includes(dev)) hardware.os.boot.push(dev);
		}
		const menu = qemuBoolean(property(boot, "menu"));
		if (menu !== void 0) hardware.os.bootMenu = menu;
		const rebootTimeout = property(boot, "reboot-timeout");
		if (rebootTimeout !== void 0 && /^-?\d+$/.test(rebootTimeout)) hardware.os.rebootTimeout = Number(rebootTimeout);
	}
	const rtc = merged("-rtc", "base");
	if (rtc) {
		const base = property(rtc, "base") ?? "utc";
		if (base === "localtime") hardware.clock.offset = "localtime";
		else if (base !== "utc") {
			const start = Date.parse(base.endsWith("Z") || /[+-]\d\d:?\d\d$/.test(base) ? base : `${base}Z`);
			if (Number.isFinite(start)) {
				hardware.clock.offset = "absolute";
				hardware.clock.start = Math.floor(start / 1e3);
			}
		}
		const track = {
			vm: "guest",
			host: "wall",
			rt: "realtime"
		}[property(rtc, "clock") ?? ""];
		const catchup = property(rtc, "driftfix") === "slew";
		if (track !== void 0 || catchup) hardware.clock.timers.push({
			name: "rtc",
			...track ? { track } : {},
			...catchup ? { tickpolicy: "catchup" } : {}
		});
	}
	if (has("-no-hpet")) hardware.clock.timers.push({
		name: "hpet",
		present: "no"
	});
	const overcommit = merged("-overcommit");
	if (overcommit && qemuBoolean(property(overcommit, "mem-lock")) === true) hardware.lockedMemory = true;
	if (overcommit && property(overcommit, "cpu-pm") !== void 0) rest.push({
		name: "-overcommit",
		value: `cpu-pm=${property(overcommit, "cpu-pm")}`
	});
	for (const [flag, key] of [
		["-kernel", "kernel"],
		["-initrd", "initrd"],
		["-append", "cmdline"],
		["-dtb", "dtb"],
		["-bios", "loader"]
	]) {
		const value = last(flag);
		if (value !== void 0) hardware.os[key] = value;
		options.forEach((o, i) => o.name === flag ? drop(i) : void 0);
	}
	const chardevs = /* @__PURE__ */ new Map();
	options.forEach((o, i) => {
		if (o.name !== "-chardev" || o.value === void 0) return;
		const props = parseProperties(o.value, "backend");
		const id = property(props, "id");
		const backend = property(props, "backend");
		if (id !== void 0 && backend !== void 0) {
			const source = charSource(backend, props);
			chardevs.set(id, {
				index: i,
				...source ? { source } : {}
			});
		}
	});
	const chardevUses = /* @__PURE__ */ new Map();
	for (const o of options) {
		if (o.value === void 0 || o.name === "-chardev") continue;
		for (const m of o.value.matchAll(/(?:^|,|")chardev"?[=:]"?([^,"]+)/g)) chardevUses.set(m[1], (chardevUses.get(m[1]) ?? 0) + 1);
	}
	const defaults = !has("-nodefaults");
	const q35 = isQ35(machineType);
	const slots = new PciSlots(q35 ? [0, 31] : [0, 1]);
	let defaultVga = defaults && !has("-vga");
	const defaultNet = defaults && !has("-net") && !has("-netdev") && !has("-nic");
	let defaultCdrom = defaults && !has("-cdrom") && !has("-hdc");
	let defaultFloppy = defaults && !has("-fda");
	let defaultSerial = defaults;
	let defaultParallel = defaults;
	const usbOn = has("-usb") || qemuBoolean(property(machineProps, "usb")) === true;
	let balloon = false;
	const serials = [];
	const parallels = [];
	const devicePlaced = [];
	options.forEach((o, i) => {
		if (o.value === void 0) return;
		if (o.name === "-serial" || o.name === "-parallel") {
			if (o.name === "-serial") defaultSerial = false;
			else defaultParallel = false;
			const source = legacyCharSource(o.value);
			if (source === void 0) return;
			drop(i);
			if (source !== "none") (o.name === "-serial" ? serials : parallels).push(source);
			return;
		}
		if (o.name === "-vga") {
			drop(i);
			if (o.value !== "none") {
				const model = {
					std: "vga",
					cirrus: "cirrus",
					qxl: "qxl",
					virtio: "virtio",
					vmware: "vmvga"
				}[o.value];
				if (model) devicePlaced.push({
					at: i,
					device: {
						kind: "video",
						model
					}
				});
				else kept[i] = o;
			}
			return;
		}
		if (o.name !== "-device") return;
		const props = parseProperties(o.value, "driver");
		const driver = property(props, "driver") ?? "";
		if (/^(VGA|cirrus-vga|qxl-vga|virtio-vga|secondary-vga|bochs-display)$/.test(driver)) defaultVga = false;
		if (/^(ide-cd|ide-hd|ide-drive|scsi-cd)$/.test(driver)) defaultCdrom = false;
		if (driver === "isa-serial") defaultSerial = false;
		if (driver === "isa-parallel") defaultParallel = false;
		if (driver === "floppy" || driver === "isa-fdc") defaultFloppy = false;
		const onRootBus = [
			"pci.0",
			"pcie.0",
			void 0
		].includes(property(props, "bus"));
		const address = pciAddress(property(props, "addr"));
		if (driver === "piix3-usb-uhci" && onRootBus && !q35) {
			drop(i);
			devicePlaced.push({
				at: i,
				device: {
					kind: "usb",
					model: "piix3-uhci",
					...address ? { address } : {}
				}
			});
		} else if (driver === "virtio-balloon-pci" && onRootBus && property(props, "id") !== void 0) {
			drop(i);
			balloon = true;
			devicePlaced.push({
				at: i,
				device: {
					kind: "memballoon",
					model: "virtio",
					...address ? { address } : {}
				}
			});
		} else if ((driver === "isa-serial" || driver === "isa-parallel") && property(props, "chardev") !== void 0) {
			const id = property(props, "chardev");
			const chardev = chardevs.get(id);
			if (chardev?.source && chardevUses.get(id) === 1) {
				drop(i);
				drop(chardev.index);
				(driver === "isa-serial" ? serials : parallels).push(chardev.source);
			}
		} else if (driver === "VGA" && onRootBus && property(props, "id") !== void 0) {
			drop(i);
			devicePlaced.push({
				at: i,
				device: {
					kind: "video",
					model: "vga",
					...address ? { address } : {}
				}
			});
		}
	});
	const devices = [];
	if (usbOn && !q35) devices.push({
		kind: "usb",
		model: "piix3-uhci",
		address: slots.take({
			slot: 1,
			function: 2
		})
	});
	if (defaultVga) devices.push({
		kind: "video",
		model: "vga",
		address: slots.take(void 0)
	});
	if (defaultNet) devices.push({
		kind: "user-net",
		model: q35 ? "e1000e" : "e1000",
		mac: "52:54:00:12:34:56",
		address: slots.take(void 0)
	});
	const placed = new Map(devicePlaced.map((p) => [p.at, p.device]));
	options.forEach((o, i) => {
		const device = placed.get(i);
		if (device) {
			if (device.kind === "usb" || device.kind === "memballoon" || device.kind === "video") devices.push({
				...device,
				address: slots.take(device.address)
			});
			else devices.push(device);
			return;
		}
		if (kept[i] === void 0 || o.name !== "-device" || o.value === void 0) return;
		const props = parseProperties(o.value, "driver");
		const driver = property(props, "driver") ?? "";
		if (!PCI_DRIVER.test(driver) || ![
			"pci.0",
			"pcie.0",
			void 0
		].includes(property(props, "bus"))) return;
		const explicit = pciAddress(property(props, "addr"));
		const address = slots.take(explicit);
		if (!explicit) kept[i] = props.json ? {
			name: "-device",
			value: JSON.stringify({
				...JSON.parse(o.value),
				addr: `0x${address.slot.toString(16)}`
			})
		} : {
			name: "-device",
			value: `${o.value},addr=0x${address.slot.toString(16)}`
		};
	});
	if (!devices.some((d) => d.kind === "usb")) devices.unshift({
		kind: "usb",
		model: "none"
	});
	if (!balloon) devices.push({
		kind: "memballoon",
		model: "none"
	});
	if (defaultSerial && serials.length === 0) serials.push({ type: "null" });
	if (defaultParallel && parallels.length === 0) parallels.push({ type: "null" });
	for (const source of serials) devices.push({
		kind: "serial",
		source
	});
	for (const source of parallels) devices.push({
		kind: "parallel",
		source
	});
	if (defaultCdrom && !q35) devices.push({
		kind: "cdrom",
		target: "hdc"
	});
	if (defaultFloppy && !q35) devices.push({
		kind: "floppy",
		target: "fda"
	});
	hardware.devices = devices;
	options.forEach((o, i) => {
		if (PLUMBING.has(o.name) || ALWAYS_MODELLED.has(o.name) || o.name === "-no-reboot" || o.name === "-no-acpi" || o.name === "-no-hpet" || o.name === "-usb") drop(i);
		if (o.name === "-cpu" || o.name === "-uuid") drop(i);
		if (o.name === "-audiodev" && o.value !== void 0 && property(parseProperties(o.value, "driver"), "driver") === "none") drop(i);
		if (o.name === "-object" && o.value !== void 0) {
			const props = parseProperties(o.value, "qom-type");
			if (property(props, "qom-type") === "memory-backend-ram" && property(props, "id") === property(machineProps, "memory-backend")) drop(i);
		}
	});
	const qemuArgs = [...qemuWords(rest), ...qemuWords(kept.filter((o) => o !== void 0))];
	const uuid = last("-uuid");
	return {
		...name !== void 0 ? { name } : {},
		...uuid !== void 0 ? { uuid: uuid.toLowerCase() } : {},
		...memoryBytes !== void 0 ? { memoryBytes } : {},
		vcpus: smp.vcpus,
		...machineType !== void 0 ? { machineType } : {},
		virtType,
		acpi,
		hardware,
		qemuArgs
	};
}
// ../../work/main/packages/machine/dist/node/save-image/describe-machine.js
const NIL_UUID = "00000000-0000-0000-0000-000000000000";
function isQemu(argv, record) {
	if (record) return record.kind === "qemu";
	return /(^|\/)qemu-(system-[^/]*|kvm)$/.test(argv[0] ?? "");
}
/**
* What the domain XML says about a machine being saved, from everything known about it: the
* monitor's answers, the registry entry, the process's command line and the stream's head.
*/
function describeMachine(sources) {
	const { facts, record } = sources;
	const argv = sources.process?.argv ?? record?.commandLine ?? [];
	const qemu = argv.length > 0 && isQemu(argv, record);
	const run = !qemu && argv.length > 0 ? runArgsOfProcess(argv) : void 0;
	const qemuArgs = qemu ? argv.slice(1) : [];
	const native = qemu ? qemuDomainOf(qemuArgs) : void 0;
	const memory = facts.memory ?? native?.memoryBytes ?? (run && runOption(run, "--memory") !== void 0 ? parseSize(runOption(run, "--memory"), "memory size") : void 0);
	if (memory === void 0) throw new SaveRestoreError("INVALID_ARGUMENT", "cannot tell the machine's memory size (no query-memory-size-summary and no local command line): give the domain XML");
	const uuid = [
		facts.uuid,
		record?.uuid,
		native?.uuid
	].find((u) => u !== void 0 && u !== NIL_UUID) ?? randomUUID();
	const description = {
		name: facts.name ?? record?.name ?? native?.name ?? `machine-${uuid.slice(0, 8)}`,
		uuid,
		memoryKiB: Math.ceil(memory / 1024),
		vcpus: native?.vcpus ?? facts.vcpus ?? 1,
		machineType: sources.machineType ?? native?.machineType ?? "pc",
		virtType: native?.virtType ?? "qemu"
	};
	if (native && !native.acpi) description.acpi = false;
	if (native) {
		const binary = sources.process?.executable ?? argv[0];
		description.emulator = binary;
		description.hardware = native.hardware;
		description.qemuArgs = native.qemuArgs;
		description.savevm = {
			kind: "qemu",
			binary,
			argv: qemuArgsForRestart(qemuArgs)
		};
	} else if (run) description.savevm = {
		kind: "savevm",
		runArgs: run
	};
	return description;
}
// ../../work/main/packages/machine/dist/node/save-image/end-machine.js
function alive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (err) {
		return err.code === "EPERM";
	}
}
/**
* Ends a saved machine as libvirt does: SIGTERM to a local process (QEMU logs "terminating on
* signal 15"), waiting up to `waitMs` for it to go; `quit` over the monitor otherwise.
*/
async function endMachine(driver, pid, waitMs = 1e4) {
	if (pid !== void 0 && alive(pid)) try {
		process.kill(pid, "SIGTERM");
		const deadline = Date.now() + waitMs;
		while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
		return "signal";
	} catch {}
	await driver.quit().catch(() => void 0);
	return "quit";
}
// ../../work/main/packages/machine/dist/node/save-image/monitor-target.js
const ADDRESS_RE = /^(unix:.+|tcp:.*:\d+)$/;
/**
* Resolves a TARGET as `savevm save` takes it: `unix:PATH` / `tcp:HOST:PORT` (QMP),
* `hmp:unix:PATH` / `hmp:tcp:HOST:PORT` (a text monitor), or the id, UUID or name of a machine
* in the registry (its first QMP address, else its HMP one).
*/
async function resolveMonitorTarget(target, registry) {
	if (target.startsWith("hmp:")) {
		const address = target.slice(4);
		if (!ADDRESS_RE.test(address)) throw new SaveRestoreError("INVALID_TARGET", `invalid monitor address '${target}': expected hmp:unix:PATH or hmp:tcp:HOST:PORT`);
		return {
			protocol: "hmp",
			address
		};
	}
	if (ADDRESS_RE.test(target)) return {
		protocol: "qmp",
		address: target
	};
	const record = await (registry instanceof MachineRegistry ? registry : await MachineRegistry.open(registry ?? {})).find(target);
	if (!record) throw new SaveRestoreError("INVALID_TARGET", `failed to get domain '${target}'`);
	const qmp = record.qmp[0];
	if (qmp !== void 0) return {
		protocol: "qmp",
		address: qmp,
		record
	};
	if (record.hmp !== void 0) return {
		protocol: "hmp",
		address: record.hmp,
		record
	};
	throw new SaveRestoreError("INVALID_TARGET", `machine '${record.name}' has no monitor address in the registry`);
}
// ../../work/main/packages/machine/dist/node/save-image/stream-head.js
/** A QEMU stream's first bytes: `QEVM`, version 3, then a configuration record with the machine type. */
const QEVM = 0x5145564d;
const SECTION_CONFIGURATION = 7;
/**
* The machine type in the configuration record at the start of a migration stream, `null`
* when the stream has none (an older QEMU), `undefined` while more bytes are needed.
*/
function machineTypeOfStream(head) {
	if (head.length < 9) return void 0;
	const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
	if (view.getUint32(0) !== QEVM || head[8] !== SECTION_CONFIGURATION) return null;
	if (head.length < 13) return void 0;
	const length = view.getUint32(9);
	if (length > 255) return null;
	if (head.length < 13 + length) return void 0;
	return new TextDecoder().decode(head.subarray(13, 13 + length));
}
/**
* Reads from `source` until the machine type is known (at most a few hundred bytes), and
* returns it with a stream that yields everything again from the first byte.
*/
async function peekMachineType(source) {
	const peeked = await peekStream(source, (head) => machineTypeOfStream(head) !== void 0, 512);
	const found = machineTypeOfStream(peeked.head);
	return {
		machineType: typeof found === "string" ? found : void 0,
		stream: peeked.replay()
	};
}
// ../../work/main/packages/machine/dist/node/save-image/save.js
const FINAL_STATES = /* @__PURE__ */ new Set([
	"completed",
	"failed",
	"cancelled"
]);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
function progressOf(info) {
	if (info.total === void 0 || info.total === 0) return void 0;
	const remaining = info.remaining ?? 0;
	return {
		percent: info.status === "completed" ? 100 : Math.min(99, Math.max(0, Math.floor((info.total - remaining) * 100 / info.total))),
		bytes: info.transferred ?? info.total - remaining,
		total: info.total
	};
}
function migrationFailure(info) {
	return new SaveRestoreError("MIGRATION_FAILED", `operation failed: migration out job: ${info.status === "cancelled" ? "canceled by client" : info.error ?? "unexpectedly failed"}`);
}
/**
* The machine behind a local unix monitor socket, when that process is QEMU or savevm (not a
* proxy in between): its command line is then known and it can be ended as libvirt ends QEMU.
*/
async function localMonitorOwner(address) {
	if (!address.startsWith("unix:")) return void 0;
	const pid = await unixSocketOwner(address.slice(5));
	if (pid === void 0 || pid === process.pid) return void 0;
	const argv = (await processCommandLine(pid))?.argv ?? [];
	const qemu = /(^|\/)qemu-(system-[^/]*|kvm)$/.test(argv[0] ?? "");
	const savevm = argv.some((a) => /(^|\/)(savevm(\.js)?|machine-process\.js)$/.test(a)) && runArgsOfProcess(argv) !== void 0;
	return qemu || savevm ? pid : void 0;
}
/** The stream, then (at its end) the machine's word that the migration completed. */
async function* untilCompleted(stream, driver, timeoutMs) {
	yield* stream;
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const info = await driver.migration();
		if (info.status === "completed") return;
		if (FINAL_STATES.has(info.status)) throw migrationFailure(info);
		if (Date.now() > deadline) throw new SaveRestoreError("MIGRATION_FAILED", `the stream ended but the migration is still ${info.status}`);
		await sleep(20);
	}
}
/**
* Saves a running (or paused) machine into a libvirt save image the way libvirt 9.0's
* `virsh save` does: reads the run state (was_running), `stop`, resets the migration
* capabilities, unlimited bandwidth, then migrates into a channel this call owns (a descriptor
* passed with getfd where the monitor takes one, else a unix socket it listens on), through the
* external compressor into a temporary file written `LibvirtQemudPart` first and
* `LibvirtQemudSave` last, renamed into place. On any failure the temporary file goes, an
* existing image stays, and a machine that was running runs again. Afterwards the machine is
* ended as libvirt ends it: SIGTERM when its pid is local and known, else `quit`.
*/
async function saveToImage(options) {
	const format = options.format ?? "raw";
	if (format === "sparse") throw new SaveRestoreError("INVALID_ARGUMENT", "the sparse format needs QEMU's mapped-ram, which savevm does not drive");
	const signal = options.signal;
	const aborted = () => new SaveRestoreError("ABORTED", "operation aborted: migration out job: canceled by client");
	if (signal?.aborted) throw aborted();
	await requireCompressionProgram(format);
	const timeoutMs = options.timeoutMs ?? 1e4;
	const target = await resolveMonitorTarget(options.target, options.registry);
	const driver = await connectMonitor(target, timeoutMs);
	let resume = false;
	let migrating = false;
	let channel;
	let watching = true;
	const onAbort = () => channel?.fail(aborted());
	signal?.addEventListener("abort", onAbort, { once: true });
	try {
		const status = await driver.status();
		if (status.status === "shutdown" || status.status === "inmigrate") throw new SaveRestoreError("NOT_RUNNING", "Requested operation is not valid: domain is not running");
		const wasRunning = options.runState ? options.runState === "running" : status.running;
		const pid = target.record?.pid ?? options.pid ?? await localMonitorOwner(target.address);
		const facts = options.xml === void 0 ? await driver.facts() : {};
		const local = pid !== void 0 ? await processCommandLine(pid) : void 0;
		const commandLine = local ?? (options.commandLine ? { argv: withoutEnvironment(options.commandLine) } : void 0);
		if (signal?.aborted) throw aborted();
		await driver.stop();
		resume = status.running;
		await driver.resetMigrationCapabilities();
		await driver.unlimitedBandwidth();
		channel = (target.protocol === "qmp" && target.address.startsWith("unix:") && target.record?.kind !== "savevm" ? await openFdChannel(driver) : void 0) ?? await openSocketChannel();
		if (signal?.aborted) throw aborted();
		await driver.migrate(channel.uri);
		migrating = true;
		const open = channel;
		const watcher = (async () => {
			while (watching) {
				const info = await driver.migration();
				const progress = progressOf(info);
				if (progress && info.status !== "completed") options.onProgress?.(progress);
				if (info.status === "failed" || info.status === "cancelled") open.fail(migrationFailure(info));
				if (FINAL_STATES.has(info.status)) return;
				await sleep(options.progressIntervalMs ?? 200);
			}
		})();
		watcher.catch((err) => open.fail(new SaveRestoreError("MONITOR", `monitor failed during the save: ${err.message}`, { cause: err })));
		const { machineType, stream } = await peekMachineType(channel.bytes);
		const domainXml = options.xml ?? buildDomainXml(describeMachine({
			facts,
			...target.record ? { record: target.record } : {},
			...commandLine ? { process: commandLine } : {},
			...machineType !== void 0 ? { machineType } : {}
		}));
		const written = await saveImageToFile(options.file, {
			domainXml,
			wasRunning,
			format,
			...options.bypassCache ? { bypassCache: true } : {}
		}, untilCompleted(stream, driver, timeoutMs * 3));
		watching = false;
		await watcher.catch(() => void 0);
		migrating = false;
		resume = false;
		options.onProgress?.({
			percent: 100,
			bytes: written.streamLength,
			total: written.streamLength
		});
		const identity = readDomainDescription(domainXml);
		const ended = options.afterSave === "keep" ? "kept" : await endMachine(driver, pid !== void 0 && local !== void 0 ? pid : void 0);
		return {
			file: options.file,
			name: identity.name ?? "",
			uuid: identity.uuid ?? "",
			wasRunning,
			format,
			domainXml,
			channel: channel.kind,
			streamLength: written.streamLength,
			imageLength: written.totalLength,
			ended
		};
	} catch (err) {
		watching = false;
		if (migrating) await driver.cancelMigration().catch(() => void 0);
		if (resume) await resumeAfterFailure(driver);
		throw err;
	} finally {
		signal?.removeEventListener("abort", onAbort);
		await channel?.close().catch(() => void 0);
		await driver.close().catch(() => void 0);
	}
}
/** `cont` once the cancelled migration has let go of the machine (QEMU refuses `cont` while it winds down). */
async function resumeAfterFailure(driver) {
	for (let attempt = 0; attempt < 100; attempt++) try {
		const info = await driver.migration();
		if (!FINAL_STATES.has(info.status) && info.status !== "none") {
			await sleep(20);
			continue;
		}
		await driver.cont();
		return;
	} catch {
		await sleep(20);
	}
}
// ../../work/main/packages/cli/dist/commands/save.js
const FORMATS = [
	"raw",
	"gzip",
	"bzip2",
	"xz",
	"lzop",
	"zstd"
];
/** `savevm save TARGET FILE`: `virsh save` for savevm machines and QEMU processes. */
function registerSave(program) {
	program.command("save").description("save a running machine into a libvirt save image and end it, as virsh save does").argument("<target>", "machine name, UUID or id from 'savevm list'; or unix:PATH / tcp:HOST:PORT (QMP); or hmp:unix:PATH / hmp:tcp:HOST:PORT").argument("<file>", "the image to write (appears only when complete; mode 0600)").option("--running", "restore into a running machine, whatever its state now").option("--paused", "restore into a paused machine, whatever its state now").option("--format <format>", `compression: ${FORMATS.join(", ")} (external programs, as libvirt runs them)`, "raw").option("--xml <file>", "store this domain XML instead of the generated one").option("--bypass-cache", "write the image with O_DIRECT").option("--verbose", "show progress: Save: [ 42 %]").option("--pid <pid>", "the machine's pid when it is local but not registered (its command line goes into the XML; SIGTERM ends it)").option("--qemu-cmdline <args>", "the machine's QEMU command line (binary first, shell quoting) when it is not local").option("--runtime-dir <dir>", "registry directory to look TARGET up in").action(async (target, file, opts) => {
		if (!FORMATS.includes(opts.format)) throw new UsageError(`unknown format '${opts.format}': expected ${FORMATS.join(", ")}`);
		const runState = runStateFromFlags(opts);
		let pid;
		if (opts.pid !== void 0) {
			pid = Number(opts.pid);
			if (!Number.isSafeInteger(pid) || pid <= 0) throw new UsageError(`invalid pid '${opts.pid}'`);
		}
		const progress = jobProgress("Save", opts.verbose === true);
		await withSignalAbort(async (signal) => {
			const saved = await saveToImage({
				target,
				file,
				format: opts.format,
				...runState ? { runState } : {},
				...opts.xml !== void 0 ? { xml: await readFile(opts.xml, "utf8") } : {},
				...opts.bypassCache ? { bypassCache: true } : {},
				...pid !== void 0 ? { pid } : {},
				...opts.qemuCmdline !== void 0 ? { commandLine: splitShellWords(opts.qemuCmdline) } : {},
				...opts.runtimeDir !== void 0 ? { registry: { runtimeDir: opts.runtimeDir } } : {},
				onProgress: (p) => progress.update(p.percent),
				signal
			});
			progress.finish();
			process.stdout.write(`\nDomain '${saved.name}' saved to ${file}\n\n`);
		});
	});
}
export { registerSave };
