import { HmpError, hmpErrorIn } from "./errors.js";
import type { JsonObject } from "./json-value.js";

/** The part of a QMP client that {@link HmpClient} needs. */
export interface QmpExecutor {
  execute<T = unknown>(command: string, args?: object): Promise<T>;
}

export interface HmpCommandOptions {
  /** CPU the command applies to (`cpu-index`). */
  cpuIndex?: number;
  /** Reject with {@link HmpError} when the output is an HMP error message. */
  throwOnError?: boolean;
  /** Keep QEMU's "\r\n" line ends instead of "\n". */
  raw?: boolean;
}

/** Runs HMP command lines over QMP (`human-monitor-command`), as qmp-shell's `-H` mode does. */
export class HmpClient {
  constructor(
    private readonly qmp: QmpExecutor,
    private readonly defaults: HmpCommandOptions = {},
  ) {}

  async run(commandLine: string, options: HmpCommandOptions = {}): Promise<string> {
    const opts = { ...this.defaults, ...options };
    const args: JsonObject = { "command-line": commandLine };
    if (opts.cpuIndex !== undefined) args["cpu-index"] = opts.cpuIndex;
    const raw = await this.qmp.execute<string>("human-monitor-command", args);
    const output = opts.raw ? raw : raw.replace(/\r\n/g, "\n");
    if (opts.throwOnError) {
      const error = hmpErrorIn(output);
      if (error !== undefined) throw new HmpError(error, output, commandLine);
    }
    return output;
  }
}
