// ../../work/main/packages/machine/dist/node/save-image/hmp-quote.js
/**
* Quoting for the human monitor. QEMU's HMP reads a string argument that starts with `"` up
* to the next unescaped `"`, understanding `\\`, `\"`, `\'`, `\n` and `\r` (monitor/hmp.c
* get_str); anything else after a backslash is refused. Unquoted, the argument would end at
* the first space.
*/
function quoteHmpString(text) {
	let out = "\"";
	for (const c of text) switch (c) {
		case "\\":
			out += "\\\\";
			break;
		case "\"":
			out += "\\\"";
			break;
		case "'":
			out += "\\'";
			break;
		case "\n":
			out += "\\n";
			break;
		case "\r":
			out += "\\r";
			break;
		default:
			if (c < " " || c === "") throw new RangeError(`an HMP string cannot carry the control character ${JSON.stringify(c)}`);
			out += c;
	}
	return `${out}"`;
}
/**
* One word for `/bin/sh -c` (what QEMU runs an `exec:` URI with): single quotes keep
* everything literal, including spaces, `"`, backslashes and newlines; a `'` is closed, escaped
* and reopened.
*/
function quoteShellWord(text) {
	return `'${text.replace(/'/g, "'\\''")}'`;
}
export { quoteShellWord as n, quoteHmpString as t };
