import { Command, CommanderError } from "commander";
import { i as formatError, r as exitCodeFor, t as CliFileError } from "./cli-error-a_dr6oY-.js";
import { readFileSync } from "node:fs";
// ../../work/main/packages/cli/dist/commands/command-entry.js
/**
* `lazy("inspect <file>", "what it does", () => import("./inspect.js"), (m) => m.registerInspect)`:
* one line per command in commands/index.ts.
*/
function lazy(usage, summary, load, register) {
	const space = usage.indexOf(" ");
	return {
		name: space < 0 ? usage : usage.slice(0, space),
		args: space < 0 ? "" : usage.slice(space + 1),
		summary,
		load: async () => register(await load())
	};
}
// ../../work/main/packages/cli/dist/commands/index.js
/**
* Every command, one line each: usage, summary, module. A module is imported only when its
* command runs (or for `savevm completion`), so start-up stays fast however many commands exist.
*/
const commands = [
	lazy("inspect <file>", "show what a QEMU stream or libvirt save image holds", () => import("./inspect-C1UtbCpD.js"), (m) => m.registerInspect),
	lazy("convert <in> <out>", "decode a stream or save image and encode it again", () => import("./convert-Cw6hUZMo.js"), (m) => m.registerConvert),
	lazy("run", "start an emulated machine and serve QMP (and HMP) for it", () => import("./run-DcjL7dkz.js"), (m) => m.registerRun),
	lazy("scan <file>", "count zero, uniform, duplicate and unique pages of a RAM image", () => import("./scan-ZJMR3Ttm.js"), (m) => m.registerScan),
	lazy("list", "list running machines, like virsh list", () => import("./list-CWb01srb.js"), (m) => m.registerList),
	lazy("save <target> <file>", "save a running machine into a libvirt save image, as virsh save", () => import("./save-B4HB94gL.js"), (m) => m.registerSave),
	lazy("restore <file>", "bring a save image back as a running machine, as virsh restore", () => import("./restore-CSmCNeay.js"), (m) => m.registerRestore),
	lazy("save-image-dumpxml <file>", "print the domain XML of a save image", () => import("./save-image-C7H-4C44.js"), (m) => m.registerSaveImageDumpxml),
	lazy("save-image-define <file> <xml>", "replace the domain XML of a save image in place", () => import("./save-image-C7H-4C44.js"), (m) => m.registerSaveImageDefine),
	lazy("save-image-edit <file>", "edit the domain XML of a save image with $EDITOR", () => import("./save-image-C7H-4C44.js"), (m) => m.registerSaveImageEdit),
	lazy("qmp <address> [command] [args...]", "a QMP command to QEMU or savevm, or a shell", () => import("./qmp-ViKCc6Pd.js"), (m) => m.registerQmp),
	lazy("demo", "live-snapshot a busy guest, restore it elsewhere, compare", () => import("./demo-DW0-cHtT.js"), (m) => m.registerDemo),
	lazy("playground", "serve the browser playground on 127.0.0.1", () => import("./playground-D9TjofFi.js"), (m) => m.registerPlayground),
	lazy("completion <shell>", "a completion script for bash, zsh or fish", () => import("./completion-v_pYYyiB.js"), (m) => m.registerCompletion)
];
// ../../work/main/packages/cli/dist/examples.js
/**
* The examples `savevm COMMAND --help` ends with, by command name. Every command in
* commands/index.ts has some (a test checks it).
*/
const EXAMPLES = {
	inspect: [
		"savevm inspect vm.mig                      # summary: configuration, sections, RAM by kind, devices",
		"savevm inspect vm.save --json | jq .libvirt  # the summary as JSON (libvirt header, XML name and UUID)",
		"savevm inspect vm.mig --state              # only the device state, shaped like analyze-migration.py -d state",
		"savevm inspect vm.mig --desc               # the vmdesc trailer, like analyze-migration.py -d desc",
		"savevm inspect vm.mig.gz --extract ram/    # one raw file per RAM block, as analyze-migration.py -x",
		"gunzip -c vm.mig.gz | savevm inspect -     # from standard input"
	],
	convert: [
		"savevm convert vm.mig.gz vm.mig                            # the same bytes as gunzip",
		"savevm convert vm.save vm.mig --to qemu                    # unwrap a libvirt save image",
		"savevm convert vm.mig vm.save --to libvirt --domain-xml dom.xml --image-format zstd"
	],
	run: [
		"savevm run --memory 1G --qmp unix:/tmp/vm.qmp --guest rate=50M",
		"savevm run --memory 1G --qmp tcp:127.0.0.1:4444 --incoming defer",
		"savevm run --memory 256M --qmp unix:/tmp/vm.qmp,server=on,wait=off --detach --name vm1"
	],
	list: [
		"savevm list",
		"savevm list --name",
		"savevm list --json"
	],
	save: [
		"savevm save web web.save --verbose                 # a registered machine, by name",
		"savevm save unix:/tmp/vm.qmp vm.save --format zstd # QEMU or savevm, by its QMP socket",
		"savevm save hmp:unix:/tmp/vm.hmp vm.save --paused  # through a text monitor"
	],
	restore: ["savevm restore web.save", "savevm restore vm.save --paused --qmp unix:/tmp/restored.qmp --verbose"],
	"save-image-dumpxml": ["savevm save-image-dumpxml web.save > web.xml"],
	"save-image-define": ["savevm save-image-define web.save web.xml --paused"],
	"save-image-edit": ["savevm save-image-edit web.save   # in $VISUAL or $EDITOR, as virsh does"],
	scan: ["savevm scan guest.ram", "savevm scan guest.ram --page-size 65536 --json"],
	qmp: [
		"savevm qmp unix:/tmp/vm.qmp query-status",
		"savevm qmp unix:/tmp/vm.qmp migrate-set-parameters max-bandwidth=1G   # sizes take K, M, G, T",
		"savevm qmp unix:/tmp/vm.qmp migrate uri=file:/tmp/vm.mig --wait      # a bar until the migration ends",
		"savevm qmp -H unix:/tmp/vm.qmp info status                            # HMP",
		"savevm qmp unix:/tmp/vm.qmp                                           # a shell like qmp-shell"
	],
	demo: ["savevm demo", "savevm demo --memory 1G --rate 128M --json"],
	playground: ["savevm playground                 # http://127.0.0.1:8080/", "savevm playground --port 0 --no-isolation   # any free port, without COOP/COEP"],
	completion: [
		"savevm completion bash > ~/.local/share/bash-completion/completions/savevm",
		"savevm completion zsh > \"${fpath[1]}/_savevm\"",
		"savevm completion fish > ~/.config/fish/completions/savevm.fish"
	]
};
function examplesFor(name) {
	const lines = EXAMPLES[name];
	return lines ? `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n` : void 0;
}
// ../../work/main/packages/cli/dist/interrupt.js
/**
* @savevm/format/node's process-wide list, reached through its registered symbol so that start-up
* never loads the format package: the list exists once a command that writes files has loaded it.
*/
function removeTemporaryFiles() {
	return globalThis[Symbol.for("@savevm/format/temporary-files")]?.removeAll() ?? [];
}
const SIGNAL_STATUS = {
	SIGINT: 130,
	SIGTERM: 143
};
let installed = false;
let stdoutGone = false;
/** True once standard output has failed with EPIPE: the reader is gone and nothing more is said. */
function stdoutClosed() {
	return stdoutGone;
}
/** Whether `err` is a broken pipe (the reader of standard output went away). */
function isBrokenPipe(err) {
	return err?.code === "EPIPE";
}
/** Work a command wants done before the process exits on a signal (e.g. cancel a migration). */
const beforeExit = /* @__PURE__ */ new Set();
/** How long that work may take before the process exits anyway. */
const BEFORE_EXIT_MS = 3e3;
let exiting = false;
function exitOn(signal) {
	removeTemporaryFiles();
	process.exit(SIGNAL_STATUS[signal] ?? 1);
}
function onSignal(signal) {
	if (exiting) exitOn(signal);
	if (beforeExit.size > 0) {
		exiting = true;
		const work = Promise.allSettled([...beforeExit].map(async (fn) => fn()));
		const timeout = new Promise((resolve) => setTimeout(resolve, BEFORE_EXIT_MS));
		Promise.race([work, timeout]).finally(() => exitOn(signal));
		return;
	}
	if (removeTemporaryFiles().length === 0 && process.listenerCount(signal) > 1) return;
	process.exit(SIGNAL_STATUS[signal] ?? 1);
}
/**
* Installs the handlers once per process: SIGINT/SIGTERM drain the temporary-file list and exit
* 128+signal; EPIPE on standard output drains it too and exits 0.
*/
function installInterruptHandling() {
	if (installed) return;
	installed = true;
	for (const signal of Object.keys(SIGNAL_STATUS)) process.on(signal, onSignal);
	process.stdout.on("error", (err) => {
		removeTemporaryFiles();
		if (isBrokenPipe(err)) {
			stdoutGone = true;
			process.exit(0);
		}
		process.stderr.write(`savevm: ${formatError(CliFileError.from(err, "standard output"))}\n`);
		process.exit(1);
	});
}
// ../../work/main/packages/cli/dist/version.js
/** Read as a file rather than required: start-up then never needs the CommonJS loader for it. */
const version = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;
// ../../work/main/packages/cli/dist/program.js
/** Commands that need every other command loaded: completion walks the whole tree. */
const WHOLE_TREE = /* @__PURE__ */ new Set(["completion", "complete"]);
/** One line: commander's `error: …` becomes `savevm: …`, with a pointer to the right help. */
function oneLineErrors(command, help) {
	return command.configureOutput({ outputError: (text, write) => write(`savevm: ${text.replace(/^error: /, "").trimEnd()} (see '${help}')\n`) });
}
function baseProgram() {
	return oneLineErrors(new Command("savevm").description("Save, restore, inspect and migrate virtual machine state in QEMU's formats.").version(version).showSuggestionAfterError().exitOverride(), "savevm --help");
}
/** Listed in `savevm --help`, but not loaded: the command's module is imported only to run it. */
function addListing(program, entry) {
	program.command(entry.args ? `${entry.name} ${entry.args}` : entry.name).description(entry.summary).action(() => {
		throw new Error(`${entry.name} was listed but not loaded`);
	});
}
async function addCommand(program, entry) {
	(await entry.load())(program);
	const added = program.commands.find((c) => c.name() === entry.name);
	if (!added) throw new Error(`commands/index.ts: the module of '${entry.name}' added no command of that name`);
	if (!added.description()) added.description(entry.summary);
	const examples = examplesFor(entry.name);
	if (examples) added.addHelpText("after", examples);
	oneLineErrors(added.exitOverride(), `savevm ${entry.name} --help`);
}
/**
* The program with the commands `argv` needs loaded and the rest only listed; `all` loads every
* command (for completion, or a caller that wants the whole tree).
*/
async function createProgram(argv = [], options = {}) {
	const program = baseProgram();
	const wanted = wantedCommand(argv);
	const all = options.all === true || wanted !== void 0 && WHOLE_TREE.has(wanted);
	const ordered = [...commands.filter((e) => e.name !== "completion"), ...commands.filter((e) => e.name === "completion")];
	for (const entry of ordered) if (all || entry.name === wanted) await addCommand(program, entry);
	else addListing(program, entry);
	return program;
}
/** The command `argv` runs: the first word that is not an option (`help X` runs X's help). */
function wantedCommand(argv) {
	const words = argv.slice(2);
	const first = words.findIndex((w) => !w.startsWith("-"));
	if (first < 0) return void 0;
	if (words[first] === "help") return words.slice(first + 1).find((w) => !w.startsWith("-"));
	return words[first];
}
function isKnown(name) {
	return name === "help" || name === "complete" || commands.some((e) => e.name === name);
}
/** Runs the CLI with `argv` (as `process.argv`) and resolves to the exit status. */
async function main(argv) {
	installInterruptHandling();
	try {
		const program = await createProgram(argv);
		const wanted = wantedCommand(argv);
		const args = wanted !== void 0 && !isKnown(wanted) ? [...argv.slice(0, 2), wanted] : [...argv];
		await program.parseAsync(args);
		return typeof process.exitCode === "number" ? process.exitCode : 0;
	} catch (err) {
		if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
		if (stdoutClosed()) return 0;
		process.stderr.write(`savevm: ${formatError(err)}\n`);
		return exitCodeFor(err);
	}
}
export { createProgram, main };
