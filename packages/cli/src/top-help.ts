/**
 * `savevm --help` and `savevm --version`, answered before commander is loaded: loading it costs
 * more than printing either. The help is laid out the way commander lays out the program's help
 * (program.test.ts compares the two at several widths), from the same command list.
 */
import { commands } from "./commands/index.js";
import { version } from "./version.js";

export const PROGRAM_DESCRIPTION = "Save, restore, inspect and migrate virtual machine state in QEMU's formats.";

/** The texts commander gives its built-in options and help command. */
const VERSION_OPTION: Item = ["-V, --version", "output the version number"];
const HELP_OPTION: Item = ["-h, --help", "display help for command"];
const HELP_COMMAND: Item = ["help [command]", "display help for command"];

/** commander's defaults: it wraps only when at least this many columns are left for the text. */
const MIN_WIDTH_TO_WRAP = 40;
const DEFAULT_WIDTH = 80;

type Item = [term: string, description: string];

/**
 * What `savevm ARGS` prints when ARGS only ask for the top-level help or the version (`--help`,
 * `-h`, `help`, `--version`, `-V`); undefined for anything else. `columns`: the terminal's width,
 * when standard output is one.
 */
export function quickAnswer(args: readonly string[], columns: number | undefined): string | undefined {
  if (args.length !== 1) return undefined;
  const arg = args[0];
  if (arg === "--version" || arg === "-V") return `${version}\n`;
  if (arg === "--help" || arg === "-h" || arg === "help") return topHelp(columns ?? DEFAULT_WIDTH);
  return undefined;
}

/** The top-level help at `width` columns. */
export function topHelp(width: number): string {
  const options: Item[] = [VERSION_OPTION, HELP_OPTION];
  const listed: Item[] = [...commands.map((e): Item => [e.args ? `${e.name} ${e.args}` : e.name, e.summary]), HELP_COMMAND];
  const termWidth = Math.max(...[...options, ...listed].map(([term]) => term.length));
  const item = ([term, description]: Item): string => formatItem(term, termWidth, description, width);
  return [
    "Usage: savevm [options] [command]",
    "",
    wrap(PROGRAM_DESCRIPTION, width),
    "",
    "Options:",
    ...options.map(item),
    "",
    "Commands:",
    ...listed.map(item),
    "",
  ].join("\n");
}

/**
 * The term padded to `termWidth`, then the description beside it: wrapped and indented under
 * itself, unless it is laid out already (a line break then spaces) or too little room is left.
 */
function formatItem(term: string, termWidth: number, description: string, width: number): string {
  if (!description) return `  ${term}`;
  const room = width - termWidth - 4;
  const laidOut = room < MIN_WIDTH_TO_WRAP || /\n[^\S\r\n]/.test(description);
  const text = laidOut ? description : wrap(description, room).replace(/\n/g, `\n${" ".repeat(termWidth + 2)}`);
  return `  ${term.padEnd(termWidth)}  ${text.replace(/\n/g, "\n  ")}`;
}

/** Words (each with the spaces before it) gathered into lines of at most `width` characters. */
function wrap(text: string, width: number): string {
  if (width < MIN_WIDTH_TO_WRAP) return text;
  const lines: string[] = [];
  for (const raw of text.split(/\r\n|\n/)) {
    const words = raw.match(/\s*\S+/g);
    if (words === null) {
      lines.push("");
      continue;
    }
    let line = words[0]!;
    for (const word of words.slice(1)) {
      if (line.length + word.length <= width) {
        line += word;
      } else {
        lines.push(line);
        line = word.trimStart();
      }
    }
    lines.push(line);
  }
  return lines.join("\n");
}
