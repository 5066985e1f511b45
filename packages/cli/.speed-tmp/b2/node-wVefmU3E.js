import { i as withExternalPrograms } from "./node-programs-CqU9zxJT.js";
import { i as writeSaveImage$1, o as readSaveImage$1 } from "./write-BeKy9oDR.js";
// ../../work/main/packages/format/dist/libvirt/node.js
/** `readSaveImage` of the main entry point, with the external programs for bzip2, xz, lzop and zstd. */
function readSaveImage(source, options = {}) {
	return readSaveImage$1(source, withExternalPrograms(options));
}
/** `writeSaveImage` of the main entry point, with the external programs for bzip2, xz, lzop and zstd. */
function writeSaveImage(sink, options, streamBytes) {
	return writeSaveImage$1(sink, withExternalPrograms(options), streamBytes);
}
export { writeSaveImage as n, readSaveImage as t };
