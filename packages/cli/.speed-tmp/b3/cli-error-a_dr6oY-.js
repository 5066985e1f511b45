// ../../work/main/packages/cli/dist/cli-error.js
/** A mistake in how the command was called: exit status 2. */
var UsageError = class extends Error {
	code = "USAGE";
};
/**
* Codes of the typed errors that mean the command was called wrongly (an option value, a size, an
* address, an input file that is missing or not a file), not that the work failed.
*/
const USAGE_CODES = /* @__PURE__ */ new Set([
	"USAGE",
	"INVALID_ARGUMENT",
	"BAD_ADDRESS",
	"INVALID_SIZE",
	"BAD_PAGE_SIZE",
	"NOT_FOUND",
	"NOT_A_FILE"
]);
const SYSTEM_ERROR_TEXT = {
	ENOENT: "No such file or directory",
	EACCES: "Permission denied",
	EPERM: "Operation not permitted",
	EEXIST: "File exists",
	ENOTDIR: "Not a directory",
	EISDIR: "Is a directory",
	ENOSPC: "No space left on device",
	EROFS: "Read-only file system",
	EDQUOT: "Disk quota exceeded",
	EIO: "Input/output error"
};
/** A file operation that failed, named by the file the user gave (never a temporary name). */
var CliFileError = class CliFileError extends Error {
	code;
	constructor(code, message, options) {
		super(message, options);
		this.code = code;
		this.name = "CliFileError";
	}
	static from(err, file) {
		const code = err.code ?? "IO_ERROR";
		return new CliFileError(code, `${file}: ${SYSTEM_ERROR_TEXT[code] ?? err.message}`, { cause: err });
	}
};
/**
* A system error from writing `file` (ENOSPC, EIO, …) as one that names it: Node's own text names
* no file, or the temporary one. Other errors pass through.
*/
function namingFile(err, file) {
	const syscall = err?.syscall;
	return typeof syscall === "string" && syscall !== "read" ? CliFileError.from(err, file) : err;
}
/** Node's own system errors (`listen EACCES: permission denied /x`) as `path: text`. */
function systemErrorText(err) {
	let text = err.message;
	const prefix = `${err.syscall} ${err.code}: `;
	if (text.startsWith(prefix)) text = text.slice(prefix.length);
	const where = err.path ?? err.address;
	if (where !== void 0) {
		text = text.replace(new RegExp(`[ ,]+'?${where.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}'?$`), "");
		return `${where}: ${SYSTEM_ERROR_TEXT[err.code ?? ""] ?? text}`;
	}
	return SYSTEM_ERROR_TEXT[err.code ?? ""] ?? text;
}
/** `CODE: message` on one line; the code is not repeated when the message already starts with it. */
function formatError(err) {
	if (!(err instanceof Error)) return oneLine(String(err));
	const coded = err;
	const code = typeof coded.code === "string" ? coded.code : void 0;
	const message = typeof coded.syscall === "string" ? systemErrorText(coded) : err.message;
	if (!code || message.startsWith(`${code}:`) || message.startsWith(`${code} `)) return oneLine(message);
	return oneLine(`${code}: ${message}`);
}
function oneLine(text) {
	return text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== "").join("; ");
}
/** Exit status for a failed command: 2 for usage mistakes, 1 for everything else. */
function exitCodeFor(err) {
	const code = err?.code;
	return err instanceof UsageError || typeof code === "string" && USAGE_CODES.has(code) ? 2 : 1;
}
export { namingFile as a, formatError as i, UsageError as n, exitCodeFor as r, CliFileError as t };
