import { open, rename, rm } from "node:fs/promises";
import path, { basename, dirname, join, resolve } from "node:path";
import { i as writeSaveImage, o as readSaveImage, r as rewrittenHeaderAndData, s as closingIterator, v as SaveImageError } from "./write-BeKy9oDR.js";
import { randomBytes } from "node:crypto";
import { constants, unlinkSync } from "node:fs";
import { i as withExternalPrograms } from "./node-programs-CqU9zxJT.js";
// ../../work/main/packages/format/dist/temporary-files.js
/**
* Files that exist only until an operation finishes: a `.NAME.RANDOM.part` beside the file it will
* replace. Every one made here is listed process-wide until it is renamed or removed, so a signal
* handler (the CLI's, on SIGINT/SIGTERM) can remove whatever an interrupted operation left behind.
*/
/** `globalThis[TEMPORARY_FILES]`: the process-wide list, once any module that writes one is loaded. */
const TEMPORARY_FILES = Symbol.for("@savevm/format/temporary-files");
const list = globalThis[TEMPORARY_FILES] ??= {
	pending: /* @__PURE__ */ new Set(),
	removeAll() {
		const removed = [];
		for (const path of this.pending) try {
			unlinkSync(path);
			removed.push(path);
		} catch {}
		this.pending.clear();
		return removed;
	}
};
const pending = list.pending;
/** A fresh temporary name in the directory of `target`, listed until {@link releaseTemporaryFile}. */
function temporaryFileFor(target) {
	const path = join(dirname(resolve(target)), `.${basename(target)}.${randomBytes(6).toString("hex")}.part`);
	pending.add(path);
	return path;
}
/** Adds a temporary file made elsewhere to the list. */
function trackTemporaryFile(path) {
	pending.add(resolve(path));
}
/** Takes a file off the list: it was renamed into place or removed. */
function releaseTemporaryFile(path) {
	pending.delete(resolve(path));
}
/** The temporary files that exist right now (made and neither renamed nor removed). */
function pendingTemporaryFiles() {
	return [...pending];
}
/**
* Removes every listed temporary file, synchronously so that it can run in a signal handler just
* before the process exits. Returns the paths removed.
*/
function removeTemporaryFiles() {
	return list.removeAll();
}
// ../../work/main/packages/format/dist/libvirt/node-direct-io.js
/**
* `--bypass-cache`: image I/O with O_DIRECT, as libvirt's iohelper does it. O_DIRECT needs the
* buffer, the file offset and the length aligned (512 bytes on most devices, 4096 to be safe),
* so bytes are staged in an aligned block and written at block boundaries; the short last block
* (and the final header rewrite) go through an ordinary descriptor, as the iohelper turns
* O_DIRECT off for its tail.
*/
const BLOCK = 1 << 20;
const ALIGN = 4096;
const PROBE_STEP = 16;
function unsupported(cause) {
	return new SaveImageError("BYPASS_CACHE_UNSUPPORTED", "bypass cache unsupported by this system", void 0, cause === void 0 ? void 0 : { cause });
}
async function openDirect(file, flags) {
	if (constants.O_DIRECT === void 0) throw unsupported();
	try {
		return await open(file, flags | constants.O_DIRECT);
	} catch (error) {
		if (error.code === "EINVAL") throw unsupported(error);
		throw error;
	}
}
/**
* A staging block whose memory address is aligned. JavaScript cannot see addresses, so the
* first I/O tries offsets into an over-sized buffer until the kernel accepts one,
* moving the staged bytes along with it.
*/
var AlignedBlock = class {
	#raw = Buffer.allocUnsafeSlow(1052672);
	#offset;
	#dataAt = 0;
	/** Runs `io` on the block holding `length` staged bytes. */
	async io(length, io) {
		if (this.#offset !== void 0) return io(this.view());
		for (let offset = 0; offset < ALIGN; offset += PROBE_STEP) {
			if (offset !== this.#dataAt) {
				this.#raw.copyWithin(offset, this.#dataAt, this.#dataAt + length);
				this.#dataAt = offset;
			}
			try {
				const n = await io(this.#raw.subarray(offset, offset + BLOCK));
				this.#offset = offset;
				return n;
			} catch (error) {
				if (error.code !== "EINVAL") throw error;
			}
		}
		throw unsupported();
	}
	view() {
		const base = this.#offset ?? this.#dataAt;
		return this.#raw.subarray(base, base + BLOCK);
	}
};
/** Writes one full block at `position`. */
async function writeBlock(direct, block, position) {
	await block.io(BLOCK, async (buffer) => {
		const { bytesWritten } = await direct.write(buffer, 0, BLOCK, position);
		if (bytesWritten !== BLOCK) throw new Error(`short O_DIRECT write: ${bytesWritten} of ${BLOCK}`);
		return bytesWritten;
	});
}
/**
* A sink for {@link writeSaveImage} that writes `file` (already created and open as `plain`)
* with O_DIRECT. Fails with BYPASS_CACHE_UNSUPPORTED ("bypass cache unsupported by this
* system") where the file system does not do O_DIRECT.
*/
async function directWriteSink(file, plain) {
	const direct = await openDirect(file, constants.O_WRONLY);
	const block = new AlignedBlock();
	let staged = 0;
	let blockStart = 0;
	const flushFull = async () => {
		await writeBlock(direct, block, blockStart);
		blockStart += BLOCK;
		staged = 0;
	};
	const writeTail = async () => {
		if (staged === 0) return;
		const bytes = block.view().subarray(0, staged);
		let done = 0;
		while (done < staged) done += (await plain.write(bytes, done, staged - done, blockStart + done)).bytesWritten;
	};
	return {
		async write(chunk) {
			let at = 0;
			while (at < chunk.length) {
				const take = Math.min(BLOCK - staged, chunk.length - at);
				block.view().set(chunk.subarray(at, at + take), staged);
				staged += take;
				at += take;
				if (staged === BLOCK) await flushFull();
			}
		},
		async rewrite(position, bytes) {
			await writeTail();
			await direct.sync();
			await plain.sync();
			let done = 0;
			while (done < bytes.length) done += (await plain.write(bytes, done, bytes.length - done, position + done)).bytesWritten;
		},
		async close() {
			await direct.close();
		}
	};
}
/** A file's bytes read with O_DIRECT in aligned blocks (`virsh restore --bypass-cache`). */
async function* directFileChunks(file) {
	const direct = await openDirect(file, constants.O_RDONLY);
	try {
		const block = new AlignedBlock();
		let position = 0;
		for (;;) {
			const n = await block.io(0, async (buffer) => (await direct.read(buffer, 0, BLOCK, position)).bytesRead);
			if (n === 0) return;
			position += n;
			yield block.view().slice(0, n);
			if (n < BLOCK) return;
		}
	} finally {
		await direct.close();
	}
}
// ../../work/main/packages/format/dist/libvirt/node-file.js
const READ_CHUNK = 262144;
const SYSTEM_ERROR_TEXT = {
	ENOENT: "No such file or directory",
	EACCES: "Permission denied",
	EPERM: "Operation not permitted",
	ENOTDIR: "Not a directory",
	EISDIR: "Is a directory",
	ELOOP: "Too many levels of symbolic links"
};
async function openImage(file, flags) {
	try {
		return await open(file, flags);
	} catch (error) {
		throw openFailed(error, file);
	}
}
/** An open that failed, naming the file the caller gave (never a temporary name). */
function openFailed(error, file) {
	const code = error.code ?? "";
	const reason = SYSTEM_ERROR_TEXT[code] ?? error.message;
	return new SaveImageError("OPEN_FAILED", `Failed to open file '${file}': ${reason}`, void 0, { cause: error });
}
async function writeFully(handle, bytes, position) {
	let done = 0;
	while (done < bytes.length) {
		const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
		done += bytesWritten;
	}
}
/** The file's bytes from the start, read in order (positional reads: the handle may also be written). */
async function* fileChunks(handle) {
	let position = 0;
	for (;;) {
		const buffer = new Uint8Array(READ_CHUNK);
		const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, position);
		if (bytesRead === 0) return;
		position += bytesRead;
		yield buffer.subarray(0, bytesRead);
	}
}
function fileChunksThenClose(handle) {
	return closingIterator(fileChunks(handle), () => handle.close());
}
/** Makes a rename durable: the directory entry itself must reach the disk. */
async function syncDirectory(directory) {
	const handle = await open(directory, "r");
	try {
		await handle.sync();
	} finally {
		await handle.close();
	}
}
function countingBytes(source, onBytes) {
	if (!onBytes) return source;
	return (async function* () {
		let read = 0;
		for await (const chunk of source) {
			read += chunk.length;
			onBytes(read);
			yield chunk;
		}
	})();
}
/**
* Reads a save image file from the front (no seeking), with the external programs available
* for bzip2, xz, lzop and zstd. Open failures use libvirt's words: `Failed to open file '<file>': ...`.
*/
async function readSaveImageFile(file, options = {}) {
	if (options.bypassCache) {
		await (await openImage(file, "r")).close();
		return readSaveImage(countingBytes(directFileChunks(file), options.onFileBytes), withExternalPrograms(options));
	}
	const handle = await openImage(file, "r");
	try {
		return await readSaveImage(countingBytes(fileChunksThenClose(handle), options.onFileBytes), withExternalPrograms(options));
	} catch (error) {
		await handle.close().catch(() => void 0);
		throw error;
	}
}
/**
* Saves an image to `file` without ever exposing a half-written file under that name: writes a
* temporary file (mode 0600) in the same directory, `LibvirtQemudPart` magic first, syncs the
* data, writes the `LibvirtQemudSave` magic, syncs again, then renames over `file`. On any
* failure the temporary file is removed and a previous `file` is left as it was.
*/
async function saveImageToFile(file, options, streamBytes) {
	const directory = path.dirname(path.resolve(file));
	const temporary = temporaryFileFor(file);
	let handle;
	try {
		handle = await open(temporary, "wx", 384);
	} catch (error) {
		releaseTemporaryFile(temporary);
		throw openFailed(error, file);
	}
	let handleOpen = true;
	let renamed = false;
	try {
		await handle.chmod(384);
		let position = 0;
		const direct = options.bypassCache ? await directWriteSink(temporary, handle) : void 0;
		const sink = direct ?? {
			async write(chunk) {
				await writeFully(handle, chunk, position);
				position += chunk.length;
			},
			async rewrite(at, bytes) {
				await handle.sync();
				await writeFully(handle, bytes, at);
			}
		};
		let written;
		try {
			written = await writeSaveImage(sink, withExternalPrograms(options), streamBytes);
		} finally {
			await direct?.close();
		}
		await handle.sync();
		handleOpen = false;
		await handle.close();
		await rename(temporary, file);
		renamed = true;
		await syncDirectory(directory).catch(() => void 0);
		return written;
	} finally {
		if (handleOpen) await handle.close().catch(() => void 0);
		if (!renamed) await rm(temporary, { force: true });
		releaseTemporaryFile(temporary);
	}
}
/**
* Replaces the domain XML of a complete image file in place, keeping its data area (and so
* the payload) where it is, as `virsh save-image-define` does. Fails with XML_DOES_NOT_FIT
* ("new xml too large to fit in file") when the XML and cookie outgrow the area.
*/
async function rewriteSaveImageXmlFile(file, newXml, options = {}) {
	const handle = await openImage(file, "r+");
	try {
		await writeFully(handle, await rewrittenHeaderAndData(fileChunks(handle), newXml, options), 0);
		await handle.sync();
	} finally {
		await handle.close();
	}
}
export { pendingTemporaryFiles as a, temporaryFileFor as c, TEMPORARY_FILES as i, trackTemporaryFile as l, rewriteSaveImageXmlFile as n, releaseTemporaryFile as o, saveImageToFile as r, removeTemporaryFiles as s, readSaveImageFile as t };
