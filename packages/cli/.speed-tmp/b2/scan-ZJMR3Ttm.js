import { open } from "node:fs/promises";
import { a as parseSize } from "./workload-CSMEcy3k.js";
import { i as emptyCounts, r as addCounts, t as GuestMemory } from "./guest-memory-gp6Q84S1.js";
import { n as UsageError } from "./cli-error-a_dr6oY-.js";
import { a as withProgress, n as progressOptions, t as addProgressOptions } from "./progress-options-Cgw3N4Ce.js";
import { n as humanBytes, r as renderTable } from "./table-Dt_cYIdp.js";
// ../../work/main/packages/cli/dist/commands/scan.js
/** Bytes read (straight into guest memory) and scanned per step. */
const STEP = 16 << 20;
/** Why `savevm scan` could not scan a file. */
var ScanError = class extends Error {
	code;
	offset;
	constructor(code, message, offset) {
		super(message);
		this.name = "ScanError";
		this.code = code;
		this.offset = offset;
	}
};
/**
* Classifies the pages of a raw memory image. The file is read in steps straight into guest
* memory and each step is scanned as soon as it is in, so duplicates of any earlier page are
* found without a second pass. A final partial page counts as a page padded with zeros.
*/
async function scanImage(path, options) {
	let handle;
	try {
		handle = await open(path, "r");
	} catch (err) {
		if (err.code === "ENOENT") throw new ScanError("NOT_FOUND", `${path}: no such file`);
		throw new ScanError("NOT_A_FILE", `${path}: ${err.message}`);
	}
	try {
		const info = await handle.stat();
		if (!info.isFile()) throw new ScanError("NOT_A_FILE", `${path}: not a regular file`);
		const size = info.size;
		if (size > options.maxSize) throw new ScanError("TOO_LARGE", `${path} is ${humanBytes(size)}, more than --max-size ${humanBytes(options.maxSize)}; scanning holds the whole image in memory`);
		const counts = emptyCounts();
		if (size === 0) return {
			counts,
			size
		};
		const pageSize = options.pageSize;
		const memory = GuestMemory.create({
			bytes: Math.ceil(size / pageSize) * pageSize,
			pageSize
		});
		const scanner = memory.createScanner();
		const file = handle;
		async function* spans() {
			let offset = 0;
			while (offset < size) {
				const view = memory.span(offset, Math.min(STEP, size - offset));
				let filled = 0;
				while (filled < view.length) {
					const { bytesRead } = await file.read(view, filled, view.length - filled, offset + filled);
					if (bytesRead === 0) throw new ScanError("TRUNCATED", `${path} ended at byte ${offset + filled} while reading ${size} bytes`, offset + filled);
					filled += bytesRead;
				}
				offset += filled;
				yield view;
			}
		}
		let read = 0;
		let scanned = 0;
		for await (const span of options.wrap ? options.wrap(spans(), size) : spans()) {
			read += span.length;
			const ready = read === size ? memory.pages : Math.floor(read / pageSize);
			addCounts(counts, scanner.scanCounts(scanned, ready - scanned));
			scanned = ready;
		}
		return {
			counts,
			size
		};
	} finally {
		await handle.close();
	}
}
function parsePageSize(text) {
	if (!/^\d+$/.test(text.trim())) throw new UsageError(`--page-size '${text}' is not a whole number of bytes`);
	return Number(text);
}
function report(path, size, pageSize, counts) {
	const share = (n) => counts.pages === 0 ? "-" : `${(100 * n / counts.pages).toFixed(1)}%`;
	const rows = [
		"zero",
		"uniform",
		"duplicate",
		"unique"
	].map((kind) => [
		kind,
		String(counts[kind]),
		share(counts[kind])
	]);
	rows.push([
		"total",
		String(counts.pages),
		share(counts.pages)
	]);
	return [`${path}: ${humanBytes(size)}, ${counts.pages} pages of ${pageSize} bytes`, renderTable([
		{ header: "kind" },
		{
			header: "pages",
			align: "right"
		},
		{
			header: "share",
			align: "right"
		}
	], rows)].join("\n");
}
/** `savevm scan FILE`: zero / uniform / duplicate / unique page counts of a raw memory image. */
function registerScan(program) {
	const command = program.command("scan").description("count the zero, uniform, duplicate and unique pages of a raw memory image").argument("<file>", "raw memory image (a RAM dump, a memory-backend file)").option("--page-size <bytes>", "page size: a power of two from 512", "4096").option("--max-size <size>", "refuse larger images (the whole image is held in memory)", "64G").option("--json", "print {\"pages\",\"zero\",\"uniform\",\"duplicate\",\"unique\"} as JSON");
	addProgressOptions(command).action(async (file, opts) => {
		const pageSize = parsePageSize(opts.pageSize);
		const { counts, size } = await scanImage(file, {
			pageSize,
			maxSize: parseSize(opts.maxSize, "--max-size"),
			wrap: (spans, total) => withProgress(spans, total, "scanning", progressOptions(opts))
		});
		const { pages, zero, uniform, duplicate, unique } = counts;
		process.stdout.write(opts.json ? `${JSON.stringify({
			pages,
			zero,
			uniform,
			duplicate,
			unique
		})}\n` : `${report(file, size, pageSize, counts)}\n`);
	});
}
export { ScanError, registerScan, scanImage };
