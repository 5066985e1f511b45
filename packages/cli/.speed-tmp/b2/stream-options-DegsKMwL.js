import { n as UsageError } from "./cli-error-a_dr6oY-.js";
import "./device-json-DOW67pXe.js";
import { a as withProgress, r as inputBar } from "./progress-options-Cgw3N4Ce.js";
import { Option } from "commander";
import { closeSync, createReadStream, openSync, readSync } from "node:fs";
import { stat } from "node:fs/promises";
// ../../work/main/packages/cli/dist/input.js
async function openInput(path) {
	if (path === "-") return {
		name: "<stdin>",
		size: void 0,
		chunks: process.stdin
	};
	let info;
	try {
		info = await stat(path);
	} catch (err) {
		const code = err.code;
		throw new UsageError(code === "ENOENT" ? `${path}: no such file` : `${path}: ${err.message}`);
	}
	if (info.isDirectory()) throw new UsageError(`${path}: is a directory`);
	const chunks = { [Symbol.asyncIterator]: () => createReadStream(path, { highWaterMark: 1 << 20 })[Symbol.asyncIterator]() };
	return info.isFile() ? {
		name: path,
		size: info.size,
		chunks,
		path
	} : {
		name: path,
		size: void 0,
		chunks
	};
}
/**
* A regular file read with blocking positional reads, straight into the decoder's buffer: no
* chunk allocated and no promise per read, the cheapest way through a large file. `onRead` is
* told the bytes read so far; `onClose` runs once, when the decoder is done with the file.
*/
function fileReader(path, onRead, onClose) {
	let fd;
	let closed = false;
	let position = 0;
	const close = () => {
		if (closed) return;
		closed = true;
		if (fd !== void 0) closeSync(fd);
		onClose?.();
	};
	return {
		readInto(into) {
			if (closed) return 0;
			fd ??= openSync(path, "r");
			const n = readSync(fd, into, 0, into.length, position);
			position += n;
			onRead?.(position);
			return n;
		},
		close
	};
}
/** The first `n` bytes of a file (fewer if it is shorter). */
function readHead(path, n) {
	const fd = openSync(path, "r");
	try {
		const head = new Uint8Array(n);
		let have = 0;
		while (have < n) {
			const got = readSync(fd, head, have, n - have, have);
			if (got === 0) break;
			have += got;
		}
		return head.subarray(0, have);
	} finally {
		closeSync(fd);
	}
}
// ../../work/main/packages/cli/dist/container.js
const SNIFF_BYTES = 16;
/** Reads until `n` bytes are seen, then replays them ahead of the rest. */
async function peek(chunks, n) {
	const iterator = chunks[Symbol.asyncIterator]();
	const seen = [];
	let length = 0;
	let ended = false;
	while (length < n) {
		const step = await iterator.next();
		if (step.done) {
			ended = true;
			break;
		}
		seen.push(step.value);
		length += step.value.length;
	}
	const head = new Uint8Array(Math.min(n, length));
	let at = 0;
	for (const chunk of seen) {
		if (at >= head.length) break;
		const part = chunk.subarray(0, head.length - at);
		head.set(part, at);
		at += part.length;
	}
	return {
		head,
		all: (async function* () {
			yield* seen;
			if (ended) return;
			for (;;) {
				const step = await iterator.next();
				if (step.done) return;
				yield step.value;
			}
		})()
	};
}
async function gunzip(chunks) {
	const [{ createGunzip }, { Readable }] = await Promise.all([import("node:zlib"), import("node:stream")]);
	return Readable.from(chunks, { objectMode: false }).pipe(createGunzip());
}
/** Whether the bytes start with QEMU's file magic (`QEVM`). */
function isQemuStream(head) {
	return head.length >= 4 && new DataView(head.buffer, head.byteOffset, 4).getUint32(0) === 0x5145564d;
}
const noop = async () => {};
/**
* The container of a command's input, with a progress bar for a large one. A regular file that
* holds a bare QEMU stream is read with blocking reads straight into the decoder's buffer (see
* fileReader); anything else as chunks, through openContainer.
*/
async function openInputContainer(input, label, progress) {
	const path = input.path;
	if (path !== void 0 && isQemuStream(readHead(path, 4))) {
		const bar = inputBar(input.size, label, progress);
		const stream = fileReader(path, bar && ((done) => bar.update(done)), bar && (() => bar.finish()));
		return {
			kind: "qemu",
			stream,
			baseOffset: 0,
			close: async () => stream.close?.()
		};
	}
	return openContainer(withProgress(input.chunks, input.size, label, progress));
}
async function openContainer(chunks) {
	const { head, all } = await peek(chunks, SNIFF_BYTES);
	if (head[0] === 31 && head[1] === 139) return {
		kind: "gzip",
		stream: await gunzip(all),
		baseOffset: 0,
		close: noop
	};
	if (isQemuStream(head)) return {
		kind: "qemu",
		stream: all,
		baseOffset: 0,
		close: noop
	};
	const [{ readDomainIdentity, sniffLibvirtSaveImage }, { readSaveImage }] = await Promise.all([import("./dist-BIkOaE_V.js").then((n) => n.t), import("./node-BpSW84ve.js")]);
	if (head.length >= SNIFF_BYTES && sniffLibvirtSaveImage(head) !== null) {
		const image = await readSaveImage(all);
		const identity = readDomainIdentity(image.domainXml);
		return {
			kind: "libvirt",
			stream: image.stream,
			baseOffset: image.header.format === "raw" ? image.payloadOffset : 0,
			libvirt: {
				header: image.header,
				domainXml: image.domainXml,
				cookieXml: image.cookieXml,
				name: identity.name,
				uuid: identity.uuid,
				payloadOffset: image.payloadOffset
			},
			close: () => image.stream.close()
		};
	}
	return {
		kind: "qemu",
		stream: all,
		baseOffset: 0,
		close: noop
	};
}
// ../../work/main/packages/cli/dist/commands/stream-options.js
/** Options every command that decodes a stream shares, turned into the decoder's options. */
function addStreamOptions(command) {
	return command.addOption(new Option("--no-configuration", "the stream has no configuration record (send-configuration=off)")).addOption(new Option("--no-footers", "sections carry no footers (send-section-footer=off)")).option("--postcopy-page-sizes", "MEM_SIZE entries carry a page size (postcopy-ram with huge pages)").option("--ignore-shared", "MEM_SIZE entries carry block addresses (x-ignore-shared)").option("--max-buffer <MiB>", "most device-state bytes held while looking for the vmdesc trailer", "64");
}
/** commander sets `configuration`/`footers` to true by default; only an explicit --no- turns detection off. */
function streamOptions(flags, baseOffset) {
	const maxMiB = Number(flags.maxBuffer ?? "64");
	if (!Number.isFinite(maxMiB) || maxMiB <= 0) throw new UsageError(`--max-buffer: not a positive number of MiB: ${flags.maxBuffer}`);
	const options = {
		configuration: flags.configuration === false ? false : "auto",
		footers: flags.footers === false ? false : "auto",
		maxBufferedBytes: Math.floor(maxMiB * 1024 * 1024),
		baseOffset
	};
	if (flags.postcopyPageSizes) options.postcopyPageSizes = true;
	if (flags.ignoreShared) options.ignoreShared = true;
	return options;
}
export { openInput as a, openInputContainer as i, streamOptions as n, openContainer as r, addStreamOptions as t };
