import { closeSync, createReadStream, createWriteStream, ftruncateSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import { a as readMigrationStream, xt as FormatError } from "./decoder-CmMoHoIO.js";
import { a as pendingTemporaryFiles, c as temporaryFileFor, i as TEMPORARY_FILES, l as trackTemporaryFile, n as rewriteSaveImageXmlFile, o as releaseTemporaryFile, r as saveImageToFile, s as removeTemporaryFiles, t as readSaveImageFile } from "./node-file-CH9CdP6H.js";
import { n as externalProgramCodec, r as findProgramInPath, t as compressionArguments } from "./node-programs-CCgYb48K.js";
import { n as writeSaveImage, t as readSaveImage } from "./node-Bx-lGBjw.js";
// ../../work/main/packages/format/dist/file-ram-block.js
/**
* One RAM block extracted to a file: pages that arrive at consecutive addresses (as QEMU sends
* them) are gathered and written together, one system call per MiB instead of one per page. The
* file starts sparse and all zero, so zero pages never written need no write at all.
*/
const GATHER_BYTES = 1 << 20;
var FileRamBlock = class {
	fd;
	length;
	zeroed = true;
	pending = new Uint8Array(GATHER_BYTES);
	pendingStart = 0;
	pendingLength = 0;
	constructor(fd, length) {
		this.fd = fd;
		this.length = length;
	}
	read(offset, into) {
		this.flush();
		let done = 0;
		while (done < into.length) {
			const n = readSync(this.fd, into, done, into.length - done, offset + done);
			if (n === 0) {
				into.fill(0, done);
				return;
			}
			done += n;
		}
	}
	write(offset, data) {
		if (offset !== this.pendingStart + this.pendingLength || this.pendingLength + data.length > GATHER_BYTES) {
			this.flush();
			this.pendingStart = offset;
		}
		if (data.length > GATHER_BYTES) {
			writeFully(this.fd, data, offset);
			this.pendingStart = offset + data.length;
			return;
		}
		this.pending.set(data, this.pendingLength);
		this.pendingLength += data.length;
	}
	/** Writes what is gathered; call before the file is read elsewhere or closed. */
	flush() {
		if (this.pendingLength === 0) return;
		writeFully(this.fd, this.pending.subarray(0, this.pendingLength), this.pendingStart);
		this.pendingStart += this.pendingLength;
		this.pendingLength = 0;
	}
};
function writeFully(fd, data, position) {
	let done = 0;
	while (done < data.length) done += writeSync(fd, data, done, data.length - done, position + done);
}
// ../../work/main/packages/format/dist/node.js
/**
* `@savevm/format/node`: files. Everything else in the package runs in browsers too.
*/
/**
* A file's bytes as chunks (1 MiB by default), for readMigrationStream and friends. The file is
* opened when an iteration reads its first chunk (each iteration reads it afresh) and closed when the iteration
* ends: at the end of the file, on `break`, on a `return()` or `throw()`, or on a read error. A
* source nobody iterates holds no file open.
*/
function openFileSource(path, options = {}) {
	return { async *[Symbol.asyncIterator]() {
		yield* createReadStream(path, {
			start: options.start,
			highWaterMark: options.highWaterMark ?? 1048576
		});
	} };
}
/** readMigrationStream over a file. */
function readMigrationFile(path, options) {
	return readMigrationStream(openFileSource(path), options);
}
/** A sink that writes to a file, waiting when the file stream asks for it; `close()` ends the file. */
function createFileSink(path) {
	const out = createWriteStream(path);
	const failed = once(out, "error");
	failed.catch(() => void 0);
	return {
		sink(chunk) {
			if (!out.write(chunk)) return Promise.race([once(out, "drain").then(() => void 0), failed.then(([e]) => Promise.reject(e))]);
		},
		async close() {
			out.end();
			await Promise.race([once(out, "finish"), failed.then(([e]) => Promise.reject(e))]);
		}
	};
}
/**
* Writes each RAM block to its own file under `dir`, named by its idstr the way
* `analyze-migration.py -x` does (`pc.ram`, `rom@etc/acpi/tables`, …). Files start as sparse
* zeros of the block's length. `dir` is created (with its parents, mode 0700: it holds guest
* memory) when the first block arrives.
*/
var FileRamSink = class {
	dir;
	fds = [];
	blocks = [];
	/** Temporary name → final name, for the blocks being written. */
	temporaries = [];
	/** Block name → file path. */
	files = /* @__PURE__ */ new Map();
	constructor(dir) {
		this.dir = dir;
	}
	block(idstr, length) {
		const path = join(this.dir, ramBlockFileName(idstr));
		if (this.files.size === 0) mkdirSync(this.dir, {
			recursive: true,
			mode: 448
		});
		const temporary = temporaryFileFor(path);
		let fd;
		try {
			fd = openSync(temporary, "wx+", 384);
		} catch (error) {
			releaseTemporaryFile(temporary);
			throw error;
		}
		this.fds.push(fd);
		this.temporaries.push([temporary, path]);
		ftruncateSync(fd, length);
		this.files.set(idstr, path);
		const block = new FileRamBlock(fd, length);
		this.blocks.push(block);
		return block;
	}
	/** Closes the files and renames each into place. */
	close() {
		try {
			for (const block of this.blocks.splice(0)) block.flush();
		} catch (error) {
			this.abort();
			throw error;
		}
		for (const fd of this.fds.splice(0)) closeSync(fd);
		for (const [temporary, path] of this.temporaries.splice(0)) {
			renameSync(temporary, path);
			releaseTemporaryFile(temporary);
		}
	}
	/** Closes and removes the files written so far; files already at the final names stay as they were. */
	abort() {
		this.blocks.length = 0;
		for (const fd of this.fds.splice(0)) closeSync(fd);
		for (const [temporary] of this.temporaries.splice(0)) {
			rmSync(temporary, { force: true });
			releaseTemporaryFile(temporary);
		}
	}
};
/**
* The file a RAM block is extracted to, as QEMU's analyze-migration.py -x names it: the idstr with
* every `/` turned into `_`, so `/rom@etc/acpi/tables` stays inside the directory.
*/
function ramBlockFileName(idstr) {
	const name = idstr.replaceAll("/", "_");
	if (name === "" || name === "." || name === ".." || name.includes("\0")) throw new FormatError("INVALID_VALUE", `RAM block name ${JSON.stringify(idstr)} cannot be used as a file name`);
	return name;
}
export { FileRamSink, TEMPORARY_FILES, compressionArguments, createFileSink, externalProgramCodec, findProgramInPath, openFileSource, pendingTemporaryFiles, ramBlockFileName, readMigrationFile, readSaveImage, readSaveImageFile, releaseTemporaryFile, removeTemporaryFiles, rewriteSaveImageXmlFile, saveImageToFile, temporaryFileFor, trackTemporaryFile, writeSaveImage };
