import { randomBytes } from "node:crypto";
import { chmod, link, lstat, mkdir, open, readFile, readdir, rename, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
// ../../work/main/packages/machine/dist/node/registry/process-liveness.js
/**
* Whether a process exists: signal 0 checks without sending anything. EPERM means it exists
* but belongs to someone else, which still makes it alive.
*/
function isProcessAlive(pid) {
	if (!Number.isInteger(pid) || pid <= 0) return false;
	try {
		process.kill(pid, 0);
		return true;
	} catch (err) {
		return err.code === "EPERM";
	}
}
/** State letter and start time (fields 3 and 22) of /proc/PID/stat, where /proc is there. */
function procStat(pid) {
	let stat;
	try {
		stat = readFileSync(`/proc/${pid}/stat`, "utf8");
	} catch {
		return;
	}
	const end = stat.lastIndexOf(")");
	if (end < 0) return void 0;
	const fields = stat.slice(end + 2).split(" ");
	return {
		state: fields[0] ?? "",
		start: fields[19]
	};
}
/**
* The kernel's start time of a process (field 22 of /proc/PID/stat, in clock ticks since boot),
* or undefined where /proc is not there. A record keeps it so that a dead machine whose pid was
* reused by an unrelated process is still recognised as dead.
*/
function processStartTime(pid) {
	return procStat(pid)?.start;
}
/**
* Alive, and (when both are known) the same process that was recorded. A zombie (exited, not
* yet reaped by its parent) counts as dead.
*/
function isSameProcessAlive(pid, startTime) {
	if (!isProcessAlive(pid)) return false;
	const now = procStat(pid);
	if (now === void 0) return true;
	if (now.state === "Z" || now.state === "X") return false;
	return startTime === void 0 || now.start === void 0 || now.start === startTime;
}
// ../../work/main/packages/machine/dist/node/registry/registry-error.js
var RegistryError = class extends Error {
	code;
	/** The file or directory the error is about, when there is one. */
	path;
	constructor(code, message, options = {}) {
		super(message, options.cause === void 0 ? void 0 : { cause: options.cause });
		this.name = "RegistryError";
		this.code = code;
		this.path = options.path;
	}
};
// ../../work/main/packages/machine/dist/node/registry/lock-file.js
const EMPTY_LOCK_GRACE_MS = 2e3;
function ownerText() {
	return `${process.pid} ${processStartTime(process.pid) ?? "-"}\n`;
}
function ownerIsGone(text) {
	const [pid, start] = text.trim().split(" ");
	const n = Number(pid);
	if (!Number.isInteger(n) || n <= 0) return false;
	return !isSameProcessAlive(n, start === "-" ? void 0 : start);
}
async function isStale(path, text) {
	if (text.trim() !== "") return ownerIsGone(text);
	try {
		return Date.now() - (await stat(path)).mtimeMs > EMPTY_LOCK_GRACE_MS;
	} catch {
		return false;
	}
}
/**
* Breaks a lock whose owner died. The file is first moved aside, then its content compared with
* what was judged stale: when another process re-took the lock in between, it is put back.
*/
async function breakLock(path, judged) {
	const aside = `${path}.stale.${process.pid}.${randomBytes(4).toString("hex")}`;
	try {
		await rename(path, aside);
	} catch {
		return;
	}
	if (await readFile(aside, "utf8").catch(() => "") !== judged) await link(aside, path).catch(() => void 0);
	await unlink(aside).catch(() => void 0);
}
/**
* Runs `body` holding an exclusive lock file (created with O_EXCL, so two processes can never
* both hold it). The file names its owner's pid, so a lock left by a dead process is broken.
*/
async function withLockFile(path, body, options = {}) {
	const deadline = Date.now() + (options.timeoutMs ?? 1e4);
	const mine = ownerText();
	for (let attempt = 0;; attempt++) {
		try {
			const handle = await open(path, "wx", 384);
			try {
				await handle.writeFile(mine);
			} finally {
				await handle.close();
			}
			break;
		} catch (err) {
			if (err.code !== "EEXIST") throw new RegistryError("RUNTIME_DIR", `cannot create lock file '${path}': ${err.message}`, {
				path,
				cause: err
			});
		}
		const text = await readFile(path, "utf8").catch(() => void 0);
		if (text !== void 0 && await isStale(path, text)) {
			await breakLock(path, text);
			continue;
		}
		if (Date.now() > deadline) throw new RegistryError("LOCK_TIMEOUT", `timed out waiting for the lock '${path}' held by pid ${text?.trim().split(" ")[0] ?? "?"}`, { path });
		await new Promise((resolve) => setTimeout(resolve, Math.min(50, 2 + attempt * 2) + Math.random() * 5));
	}
	try {
		return await body();
	} finally {
		if (await readFile(path, "utf8").catch(() => void 0) === mine) await unlink(path).catch(() => void 0);
	}
}
// ../../work/main/packages/machine/dist/node/registry/machine-record.js
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Names as libvirt accepts them: not empty, no '/', no control characters. */
function checkMachineName(name) {
	if (name === "") throw new RegistryError("INVALID_NAME", "machine name must not be empty");
	if (name.includes("/")) throw new RegistryError("INVALID_NAME", `name '${name}' cannot contain '/'`);
	if (/[\u0000-\u001f\u007f]/.test(name)) throw new RegistryError("INVALID_NAME", `name ${JSON.stringify(name)} contains control characters`);
}
function checkMachineUuid(uuid) {
	if (!UUID_RE.test(uuid)) throw new RegistryError("INVALID_UUID", `malformed uuid element '${uuid}'`);
}
function isStringArray(value) {
	return Array.isArray(value) && value.every((v) => typeof v === "string");
}
/** A record read back from its file; anything not shaped like one is refused with where it came from. */
function parseMachineRecord(text, path) {
	let value;
	try {
		value = JSON.parse(text);
	} catch (err) {
		throw new RegistryError("INVALID_RECORD", `registry entry '${path}' is not JSON: ${err.message}`, { path });
	}
	const r = value;
	if (!(r !== null && typeof r === "object" && Number.isInteger(r.id) && typeof r.name === "string" && typeof r.uuid === "string" && Number.isInteger(r.pid) && (r.kind === "savevm" || r.kind === "qemu") && isStringArray(r.qmp) && (r.hmp === void 0 || typeof r.hmp === "string") && typeof r.state === "string" && typeof r.startedAt === "string" && (r.pidStart === void 0 || typeof r.pidStart === "string") && (r.commandLine === void 0 || isStringArray(r.commandLine)))) throw new RegistryError("INVALID_RECORD", `registry entry '${path}' is not a machine record`, { path });
	return r;
}
// ../../work/main/packages/machine/dist/node/registry/runtime-dir.js
/**
* Where machines register: `$SAVEVM_RUNTIME_DIR` when set, else `$XDG_RUNTIME_DIR/savevm`, else
* `/run/savevm` for root, else `savevm-UID` under the temporary directory.
*/
function defaultRuntimeDir(env = process.env) {
	const own = env["SAVEVM_RUNTIME_DIR"];
	if (own !== void 0 && own !== "") return own;
	const xdg = env["XDG_RUNTIME_DIR"];
	if (xdg !== void 0 && xdg !== "") return join(xdg, "savevm");
	const uid = process.getuid?.();
	if (uid === 0) return "/run/savevm";
	return join(tmpdir(), `savevm-${uid ?? "user"}`);
}
/**
* Creates the directory (0700) when missing. An existing one must be a real directory of ours:
* under a shared /tmp someone else could have made it first to read or plant entries.
*/
async function ensureRuntimeDir(dir) {
	try {
		await mkdir(dir, {
			recursive: true,
			mode: 448
		});
	} catch (err) {
		throw new RegistryError("RUNTIME_DIR", `cannot create runtime directory '${dir}': ${err.message}`, {
			path: dir,
			cause: err
		});
	}
	const info = await lstat(dir);
	if (!info.isDirectory()) throw new RegistryError("RUNTIME_DIR", `runtime directory '${dir}' is not a directory`, { path: dir });
	const uid = process.getuid?.();
	if (uid !== void 0 && info.uid !== uid) throw new RegistryError("RUNTIME_DIR", `runtime directory '${dir}' belongs to uid ${info.uid}, not to you (uid ${uid})`, { path: dir });
	if ((info.mode & 63) !== 0) await chmod(dir, 448);
}
// ../../work/main/packages/machine/dist/node/registry/machine-registry.js
const ENTRY_RE = /^machine-(\d+)\.json$/;
const LEFTOVER_RE = /^\.tmp-(\d+)-[0-9a-f]+$/;
const LOCK = "registry.lock";
const NEXT_ID = "next-id";
function entryName(id) {
	return `machine-${id}.json`;
}
/** Writes `text` as `path` through a temporary file in the same directory, mode 0600. */
async function writeFileAtomic(dir, path, text) {
	const temp = join(dir, `.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
	const handle = await open(temp, "wx", 384);
	try {
		await handle.writeFile(text);
	} catch (err) {
		await handle.close().catch(() => void 0);
		await unlink(temp).catch(() => void 0);
		throw err;
	}
	await handle.close();
	try {
		await rename(temp, path);
	} catch (err) {
		await unlink(temp).catch(() => void 0);
		throw err;
	}
}
function sameUuid(a, b) {
	return a.toLowerCase() === b.toLowerCase();
}
/**
* libvirt's refusal for a machine that would duplicate a live one (virDomainObjListAdd with
* ADD_LIVE | ADD_CHECK_LIVE), or undefined when there is none.
*/
function conflictWith(records, name, uuid) {
	const byUuid = records.find((r) => sameUuid(r.uuid, uuid));
	if (byUuid) {
		if (byUuid.name === name) return new RegistryError("DOMAIN_ACTIVE", `Requested operation is not valid: domain '${name}' is already active`);
		return new RegistryError("DOMAIN_UUID_EXISTS", `operation failed: domain '${byUuid.name}' is already defined with uuid ${byUuid.uuid}`);
	}
	const byName = records.find((r) => r.name === name);
	if (byName) return new RegistryError("DOMAIN_EXISTS", `operation failed: domain '${name}' already exists with uuid ${byName.uuid}`);
}
/**
* The machines running on this host, one 0600 JSON file each in a 0700 runtime directory.
* Entries of dead processes are dropped whenever the registry is read; registration is atomic
* across processes (an O_EXCL lock file around the conflict check and the write).
*/
var MachineRegistry = class MachineRegistry {
	dir;
	#lockTimeoutMs;
	constructor(dir, lockTimeoutMs) {
		this.dir = dir;
		this.#lockTimeoutMs = lockTimeoutMs;
	}
	/** Opens (creating when missing) the registry in `runtimeDir`. */
	static async open(options = {}) {
		const dir = options.runtimeDir ?? defaultRuntimeDir();
		await ensureRuntimeDir(dir);
		return new MachineRegistry(dir, options.lockTimeoutMs);
	}
	/** Live machines by id. Entries whose process is gone are deleted on the way. */
	async list() {
		let names;
		try {
			names = await readdir(this.dir);
		} catch (err) {
			throw new RegistryError("RUNTIME_DIR", `cannot read runtime directory '${this.dir}': ${err.message}`, {
				path: this.dir,
				cause: err
			});
		}
		const records = [];
		for (const name of names) {
			const leftover = LEFTOVER_RE.exec(name);
			if (leftover && !isProcessAlive(Number(leftover[1]))) await unlink(join(this.dir, name)).catch(() => void 0);
			if (!ENTRY_RE.test(name)) continue;
			const path = join(this.dir, name);
			let record;
			try {
				record = parseMachineRecord(await readFile(path, "utf8"), path);
			} catch {
				continue;
			}
			if (!isSameProcessAlive(record.pid, record.pidStart)) {
				await unlink(path).catch(() => void 0);
				continue;
			}
			records.push(record);
		}
		return records.sort((a, b) => a.id - b.id);
	}
	/** A live machine by numeric id, UUID or name, in that order (as virsh looks domains up). */
	async find(ref) {
		const records = await this.list();
		if (/^\d+$/.test(ref)) {
			const byId = records.find((r) => r.id === Number(ref));
			if (byId) return byId;
		}
		return records.find((r) => sameUuid(r.uuid, ref)) ?? records.find((r) => r.name === ref);
	}
	/** Throws libvirt's error when a machine with this name or UUID is running. */
	async checkConflict(name, uuid) {
		const conflict = conflictWith(await this.list(), name, uuid);
		if (conflict) throw conflict;
	}
	/**
	* Adds a machine: the conflict check, the id and the entry happen under the registry lock, so
	* of two processes registering one name exactly one succeeds.
	*/
	async register(entry) {
		checkMachineName(entry.name);
		checkMachineUuid(entry.uuid);
		if (!isProcessAlive(entry.pid)) throw new RegistryError("INVALID_RECORD", `process ${entry.pid} is not running`);
		const record = await withLockFile(join(this.dir, LOCK), async () => {
			const live = await this.list();
			const conflict = conflictWith(live, entry.name, entry.uuid);
			if (conflict) throw conflict;
			const id = await this.#nextId(live);
			const pidStart = processStartTime(entry.pid);
			const created = {
				id,
				...entry,
				uuid: entry.uuid.toLowerCase(),
				...pidStart !== void 0 ? { pidStart } : {},
				startedAt: (/* @__PURE__ */ new Date()).toISOString()
			};
			await writeFileAtomic(this.dir, join(this.dir, entryName(id)), `${JSON.stringify(created, null, 2)}\n`);
			return created;
		}, this.#lockTimeoutMs !== void 0 ? { timeoutMs: this.#lockTimeoutMs } : {});
		return this.#handle(record);
	}
	async #nextId(live) {
		const path = join(this.dir, NEXT_ID);
		const stored = Number((await readFile(path, "utf8").catch(() => "1")).trim());
		const id = Math.max(Number.isSafeInteger(stored) && stored > 0 ? stored : 1, ...live.map((r) => r.id + 1));
		await writeFileAtomic(this.dir, path, `${id + 1}\n`);
		return id;
	}
	#handle(initial) {
		const dir = this.dir;
		const path = join(dir, entryName(initial.id));
		let record = initial;
		let gone = false;
		let writing = Promise.resolve();
		return {
			get record() {
				return record;
			},
			update(patch) {
				if (gone) return Promise.resolve();
				record = {
					...record,
					...patch
				};
				const text = `${JSON.stringify(record, null, 2)}\n`;
				writing = writing.catch(() => void 0).then(() => gone ? void 0 : writeFileAtomic(dir, path, text));
				return writing;
			},
			async unregister() {
				if (gone) return;
				gone = true;
				await writing.catch(() => void 0);
				await unlink(path).catch(() => void 0);
			}
		};
	}
};
export { MachineRegistry as t };
