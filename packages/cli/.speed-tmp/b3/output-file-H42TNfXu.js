import { open, rename, rm } from "node:fs/promises";
import { c as temporaryFileFor, o as releaseTemporaryFile } from "./node-file-CH9CdP6H.js";
import { t as CliFileError } from "./cli-error-a_dr6oY-.js";
// ../../work/main/packages/cli/dist/output-file.js
/**
* Output that never destroys what was there: bytes go to a temporary file beside the target,
* which is renamed over it only when everything was written and synced. The temporary file is on
* the process-wide list of @savevm/format/node, so an interrupt removes it (see interrupt.ts).
*/
async function replaceFile(target, mode = 384) {
	const temporary = temporaryFileFor(target);
	let handle;
	try {
		handle = await open(temporary, "wx", mode);
	} catch (err) {
		releaseTemporaryFile(temporary);
		throw CliFileError.from(err, target);
	}
	const file = handle;
	let closed = false;
	const close = async () => {
		if (!closed) {
			closed = true;
			await file.close();
		}
	};
	return {
		async write(chunk) {
			let done = 0;
			while (done < chunk.length) {
				const { bytesWritten } = await file.write(chunk, done, chunk.length - done).catch((err) => {
					throw CliFileError.from(err, target);
				});
				done += bytesWritten;
			}
		},
		async commit() {
			try {
				await file.sync();
				await close();
				await rename(temporary, target);
			} catch (err) {
				throw CliFileError.from(err, target);
			}
			releaseTemporaryFile(temporary);
		},
		async abort() {
			await close().catch(() => {});
			await rm(temporary, { force: true });
			releaseTemporaryFile(temporary);
		}
	};
}
export { replaceFile as t };
