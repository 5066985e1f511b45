import { QmpError } from "./errors.js";
import { HmpArgumentError, parseHmpArgs, type HmpArgs } from "./hmp-args.js";

/** What an HMP handler can reach besides its arguments. */
export interface HmpContext {
  /** Lines entered in this monitor session, oldest first (empty over QMP). */
  readonly history: readonly string[];
  /** `cpu-index` of `human-monitor-command`, when given. */
  readonly cpuIndex: number | undefined;
  /** Ends the monitor connection after the output is written (for `quit`). */
  close(): void;
}

export interface HmpCommandSpec {
  /** Command name, e.g. `stop`. */
  name: string;
  /** Other names, e.g. `["s"]`. */
  aliases?: readonly string[];
  /** Arguments in QEMU's args_type notation, e.g. `"detach:-d,uri:s"`. */
  args?: string;
  /** Synopsis shown by `help`, e.g. `"[-d] uri"`. */
  params?: string;
  /** One-line description shown by `help`. */
  help: string;
  /** Returns the text to print (lines end with "\n"); throw to print `Error: <message>`. */
  handler: (args: HmpArgs, ctx: HmpContext) => string | void | Promise<string | void>;
}

function helpLine(prefix: string, spec: HmpCommandSpec): string {
  const names = [spec.name, ...(spec.aliases ?? [])].join("|");
  return `${prefix}${names} ${spec.params ?? ""} -- ${spec.help}\n`;
}

const NO_CONTEXT: HmpContext = { history: [], cpuIndex: undefined, close() {} };

/**
 * HMP commands with QEMU's wording around them: `help`, `info`, `unknown command: 'x'`,
 * argument errors followed by `Try "help x" for more information`, `Error: …` for failures.
 * Output uses "\n"; monitors turn it into "\r\n".
 */
export class HmpRegistry {
  private readonly commandMap = new Map<string, HmpCommandSpec>();
  private readonly infoMap = new Map<string, HmpCommandSpec>();

  constructor() {
    this.command({
      name: "help",
      aliases: ["?"],
      args: "name:S?",
      params: "[cmd]",
      help: "show the help",
      handler: ({ name }) => this.help(typeof name === "string" ? name : undefined),
    });
    this.command({
      name: "info",
      args: "item:s?",
      params: "[subcommand]",
      help: "show various information about the system state",
      handler: () => this.infoHelp(),
    });
    this.info({
      name: "history",
      help: "show the command line history",
      handler: (_args, ctx) => ctx.history.map((line, i) => `${i}: '${line}'\n`).join(""),
    });
  }

  /** Adds (or replaces) a top-level command. */
  command(spec: HmpCommandSpec): this {
    this.commandMap.set(spec.name, spec);
    return this;
  }

  /** Adds (or replaces) an `info` subcommand. */
  info(spec: HmpCommandSpec): this {
    this.infoMap.set(spec.name, spec);
    return this;
  }

  /** Command names and aliases (for completion). */
  commandNames(): string[] {
    return [...this.commandMap.values()].flatMap((c) => [c.name, ...(c.aliases ?? [])]).sort();
  }

  infoNames(): string[] {
    return [...this.infoMap.keys()].sort();
  }

  private find(map: Map<string, HmpCommandSpec>, name: string): HmpCommandSpec | undefined {
    const direct = map.get(name);
    if (direct) return direct;
    for (const spec of map.values()) if (spec.aliases?.includes(name)) return spec;
    return undefined;
  }

  /** Runs one command line and returns what the monitor prints. */
  async execute(line: string, ctx: HmpContext = NO_CONTEXT): Promise<string> {
    const text = line.replace(/^\s+/, "");
    if (text === "") return "";
    const name = /^\S+/.exec(text)![0];
    let rest = text.slice(name.length);
    let spec = this.find(this.commandMap, name);
    if (!spec) return `unknown command: '${name}'\n`;
    let fullName = spec.name;
    if (spec.name === "info") {
      const sub = /^\s*(\S+)/.exec(rest);
      if (sub) {
        const info = this.find(this.infoMap, sub[1]!);
        if (!info) return `unknown command: 'info ${sub[1]}'\n`;
        spec = info;
        fullName = `info ${info.name}`;
        rest = rest.slice(sub[0].length);
      }
    }
    let args: HmpArgs;
    try {
      args = parseHmpArgs(spec.name, spec.name === "info" ? "" : (spec.args ?? ""), rest);
    } catch (err) {
      if (err instanceof HmpArgumentError) return `${err.message}\nTry "help ${fullName}" for more information\n`;
      throw err;
    }
    try {
      const out = (await spec.handler(args, ctx)) ?? "";
      return out === "" || out.endsWith("\n") ? out : out + "\n";
    } catch (err) {
      const message = err instanceof QmpError ? err.desc : err instanceof Error ? err.message : String(err);
      return `Error: ${message}\n`;
    }
  }

  /** `help` output: everything, one command, or `info` and its subcommands. */
  help(topic?: string): string {
    const words = topic?.trim().split(/\s+/).filter((w) => w) ?? [];
    if (words.length === 0) {
      return [...this.commandMap.values()]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((c) => helpLine("", c))
        .join("");
    }
    const spec = this.find(this.commandMap, words[0]!);
    if (!spec) return `unknown command: '${words[0]}'\n`;
    if (spec.name === "info") {
      if (words.length === 1) return this.infoHelp();
      const info = this.find(this.infoMap, words[1]!);
      return info ? helpLine("info ", info) : `unknown command: 'info ${words[1]}'\n`;
    }
    return helpLine("", spec);
  }

  private infoHelp(): string {
    return [...this.infoMap.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((c) => helpLine("info ", c))
      .join("");
  }
}
