import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { h as RamApplier, v as formatQemuJson } from "./dist-rueI_kuv.js";
import { FileRamSink } from "./node-DFUC2xaN.js";
import { t as replaceFile } from "./output-file-H42TNfXu.js";
// ../../work/main/packages/cli/dist/commands/inspect-extract.js
/**
* `savevm inspect --extract DIR`: one raw file per RAM block, plus desc.json and state.json, as
* `analyze-migration.py -x` writes them. Loaded only with --extract: a plain inspect never needs
* the RAM applier or the file writers.
*/
async function startExtraction(dir) {
	await mkdir(dir, {
		recursive: true,
		mode: 448
	});
	const writer = new FileRamSink(dir);
	const applier = new RamApplier(writer);
	return {
		files: writer.files,
		apply: (rec) => applier.apply(rec),
		async finish(vmdesc, state) {
			try {
				if (vmdesc) await writePrivate(join(dir, "desc.json"), formatQemuJson(vmdesc.description) + "\n");
				await writePrivate(join(dir, "state.json"), JSON.stringify(state, null, 4) + "\n");
			} catch (err) {
				writer.abort();
				throw err;
			}
			writer.close();
		},
		abort: () => writer.abort()
	};
}
/** desc.json and state.json sit beside the RAM files and are as private (they hold device state). */
async function writePrivate(path, text) {
	const out = await replaceFile(path, 384);
	try {
		await out.write(new TextEncoder().encode(text));
		await out.commit();
	} catch (err) {
		await out.abort();
		throw err;
	}
}
export { startExtraction };
