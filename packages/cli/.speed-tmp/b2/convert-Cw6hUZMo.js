import { Option } from "commander";
import { readFile } from "node:fs/promises";
import { g as MigrationStreamWriter } from "./dist-BIkOaE_V.js";
import { p as readMigrationStream } from "./device-json-DOW67pXe.js";
import { p as SAVE_IMAGE_FORMATS } from "./write-BeKy9oDR.js";
import { r as saveImageToFile } from "./node-file-BRlBS7k5.js";
import { a as openInput, n as streamOptions, r as openContainer, t as addStreamOptions } from "./stream-options-DegsKMwL.js";
import { t as replaceFile } from "./output-file-DSHp39_k.js";
import { a as withProgress, n as progressOptions, t as addProgressOptions } from "./progress-options-Cgw3N4Ce.js";
import { a as namingFile, n as UsageError } from "./cli-error-a_dr6oY-.js";
// ../../work/main/packages/cli/dist/commands/convert.js
function registerConvert(program) {
	const command = program.command("convert").description("decode a stream or save image and encode it again (byte-identical unless options change the container)").argument("<in>", "input file, or - for standard input").argument("<out>", "output file (written to a temporary name, then renamed), or - for standard output").addOption(new Option("--to <container>", "container of the output").choices([
		"same",
		"qemu",
		"libvirt"
	]).default("same")).addOption(new Option("--image-format <format>", "compression of a libvirt save image").choices([...SAVE_IMAGE_FORMATS])).option("--domain-xml <file>", "domain XML for a libvirt save image made from a bare stream").option("--running", "mark the libvirt save image as saved from a running domain").option("--paused", "mark the libvirt save image as saved from a paused domain");
	addProgressOptions(addStreamOptions(command)).action(async (input, output, flags) => {
		if (flags.running && flags.paused) throw new UsageError("--running and --paused are mutually exclusive");
		await convert(input, output, flags);
	});
}
/** The records of `records`, encoded again, in chunks of about 256 KiB. */
async function* encodeRecords(records) {
	const chunks = [];
	const writer = new MigrationStreamWriter(chunks);
	for await (const rec of records) {
		writer.write(rec);
		if (chunks.length > 0) yield* chunks.splice(0);
	}
	await writer.close();
	yield* chunks.splice(0);
}
async function libvirtOptions(container, flags) {
	const source = container.libvirt;
	const domainXml = flags.domainXml ? await readFile(flags.domainXml, "utf8") : source?.domainXml;
	if (domainXml === void 0) throw new UsageError("--to libvirt needs --domain-xml FILE when the input is not a libvirt save image");
	const wasRunning = flags.running ? true : flags.paused ? false : source?.header.wasRunning ?? false;
	const format = flags.imageFormat ?? source?.header.format ?? "raw";
	const sameArea = source && !flags.domainXml;
	return {
		domainXml,
		...sameArea && source.cookieXml !== void 0 ? { cookieXml: source.cookieXml } : {},
		wasRunning,
		format,
		...sameArea ? { padding: source.header.dataLen - utf8Length(source.domainXml) - 1 - (source.cookieXml === void 0 ? 0 : utf8Length(source.cookieXml) + 1) } : {}
	};
}
function utf8Length(text) {
	return new TextEncoder().encode(text).length;
}
async function convert(inputPath, outputPath, flags) {
	const input = await openInput(inputPath);
	const container = await openContainer(withProgress(input.chunks, input.size, "convert", progressOptions(flags)));
	const target = flags.to === "same" || flags.to === void 0 ? container.kind === "libvirt" ? "libvirt" : "qemu" : flags.to;
	if (flags.imageFormat && target !== "libvirt") throw new UsageError("--image-format applies to --to libvirt only");
	const bytes = encodeRecords(readMigrationStream(container.stream, streamOptions(flags, container.baseOffset)));
	try {
		if (target === "libvirt") {
			if (outputPath === "-") throw new UsageError("a libvirt save image is written to a file (its header is rewritten last), not to standard output");
			await saveImageToFile(outputPath, await libvirtOptions(container, flags), bytes).catch((err) => {
				throw namingFile(err, outputPath);
			});
			return;
		}
		const out = outputPath === "-" ? void 0 : await replaceFile(outputPath);
		try {
			for await (const chunk of bytes) if (out) await out.write(chunk);
			else await writeStdout(chunk);
			await out?.commit();
		} catch (err) {
			await out?.abort();
			throw err;
		}
	} finally {
		await container.close();
	}
}
function writeStdout(chunk) {
	return new Promise((resolve, reject) => {
		process.stdout.write(chunk, (err) => err ? reject(err) : resolve());
	});
}
export { registerConvert };
