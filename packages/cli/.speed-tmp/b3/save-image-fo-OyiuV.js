import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { n as rewriteSaveImageXmlFile, t as readSaveImageFile } from "./node-file-CH9CdP6H.js";
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { a as runStateFromFlags, i as SaveRestoreError, n as checkAbiStability } from "./domain-xml-B_anFjwW.js";
import { n as quoteShellWord } from "./hmp-quote-BDzSqU63.js";
// ../../work/main/packages/machine/dist/node/save-image/define-image.js
async function currentXml(file) {
	const image = await readSaveImageFile(file);
	await image.stream.close();
	return image.domainXml;
}
/**
* `virsh save-image-define`: replaces the domain XML of an image in place, within its data
* area, after libvirt's ABI check (name, UUID, memory). Fails with "new xml too large to fit in
* file" when it does not fit.
*/
async function defineSaveImageXml(file, xml, options = {}) {
	checkAbiStability(await currentXml(file), xml);
	await rewriteSaveImageXmlFile(file, xml, options.runState ? { wasRunning: options.runState === "running" } : {});
}
/**
* `virsh save-image-edit`: writes the XML to a temporary file, runs the editor on it through
* `sh -c` (VISUAL, then EDITOR, then vi — as virsh), and defines the result when it changed.
* Resolves whether anything changed.
*/
async function editSaveImageXml(file, options = {}) {
	const before = await currentXml(file);
	const env = options.env ?? process.env;
	const editor = options.editor ?? (env.VISUAL || env.EDITOR || "vi");
	const dir = await mkdtemp(join(tmpdir(), "savevm-edit-"));
	try {
		const temp = join(dir, "domain.xml");
		await writeFile(temp, before, { mode: 384 });
		const status = await new Promise((resolve, reject) => {
			const child = spawn("/bin/sh", ["-c", `${editor} ${quoteShellWord(temp)}`], {
				stdio: "inherit",
				env
			});
			child.once("error", reject);
			child.once("exit", (code) => resolve(code));
		});
		if (status !== 0) throw new SaveRestoreError("INVALID_ARGUMENT", `the editor '${editor}' exited with status ${status}`);
		const after = await readFile(temp, "utf8");
		if (after === before && options.runState === void 0) return false;
		await defineSaveImageXml(file, after, options);
		return true;
	} finally {
		await rm(dir, {
			recursive: true,
			force: true
		});
	}
}
// ../../work/main/packages/cli/dist/commands/save-image.js
/** `savevm save-image-dumpxml`, `save-image-define`, `save-image-edit`: virsh's commands of those names. */
function registerSaveImageDumpxml(program) {
	program.command("save-image-dumpxml").description("print the domain XML of a save image, as virsh save-image-dumpxml").argument("<file>", "the image").action(async (file) => {
		const image = await readSaveImageFile(file);
		await image.stream.close();
		process.stdout.write(image.domainXml.endsWith("\n") ? image.domainXml : `${image.domainXml}\n`);
	});
}
function registerSaveImageDefine(program) {
	program.command("save-image-define").description("replace the domain XML of a save image in place, as virsh save-image-define").argument("<file>", "the image").argument("<xml>", "file with the new domain XML (same name, UUID and memory)").option("--running", "restore into a running machine").option("--paused", "restore into a paused machine").action(async (file, xmlFile, opts) => {
		const runState = runStateFromFlags(opts);
		await defineSaveImageXml(file, await readFile(xmlFile, "utf8"), runState ? { runState } : {});
		process.stdout.write(`State file ${file} updated.\n`);
	});
}
function registerSaveImageEdit(program) {
	program.command("save-image-edit").description("edit the domain XML of a save image with $EDITOR, as virsh save-image-edit").argument("<file>", "the image").option("--running", "restore into a running machine").option("--paused", "restore into a paused machine").action(async (file, opts) => {
		const runState = runStateFromFlags(opts);
		const changed = await editSaveImageXml(file, runState ? { runState } : {});
		process.stdout.write(changed ? `State file ${file} edited.\n` : `Saved image ${file} XML configuration not changed.\n`);
	});
}
export { registerSaveImageDefine, registerSaveImageDumpxml, registerSaveImageEdit };
