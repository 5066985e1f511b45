import type { ByteStream } from "./byte-stream.js";
import { HmpError, QmpConnectionError, QmpGreetingError, hmpErrorIn } from "./errors.js";

/**
 * A client for the human monitor's text protocol (`-monitor unix:…,server=on`). QEMU echoes
 * every typed character with cursor-movement redraws, so the reply to `cmd\r` starts with
 * echo "junk" (libvirt's word). The client replays that echo as a terminal would and checks it
 * spells the command, then takes the text up to the next `(qemu) ` prompt as the output.
 */

const PROMPT = "(qemu) ";

/** The line a terminal would show after `text` (cursor moves, erase-to-end, overwrite). */
export function renderTerminalLine(text: string): string {
  let line = "";
  let cursor = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\x1b" && text[i + 1] === "[") {
      let j = i + 2;
      while (j < text.length && /[0-9;]/.test(text[j]!)) j++;
      const n = Number(text.slice(i + 2, j)) || 1;
      switch (text[j]) {
        case "D":
          cursor = Math.max(0, cursor - n);
          break;
        case "C":
          cursor = Math.min(line.length, cursor + n);
          break;
        case "K":
          line = line.slice(0, cursor);
          break;
      }
      i = j;
      continue;
    }
    if (c === "\r") {
      cursor = 0;
      continue;
    }
    line = line.slice(0, cursor) + c + line.slice(cursor + 1);
    cursor++;
  }
  return line;
}

export interface HmpRunOptions {
  /** Reject with {@link HmpError} when the output is an error message. */
  throwOnError?: boolean;
  timeoutMs?: number;
}

interface Job {
  command: string;
  options: HmpRunOptions;
  resolve: (text: string) => void;
  reject: (err: Error) => void;
}

export class HmpTextClient {
  private text = "";
  private readonly decoder = new TextDecoder();
  private queue: Job[] = [];
  private current: Job | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private bannerValue = "";
  private onBanner: ((banner: string) => void) | undefined;
  private onBannerFail: ((err: Error) => void) | undefined;

  private constructor(private readonly stream: ByteStream) {
    stream.on("data", (chunk: Uint8Array) => {
      this.text += this.decoder.decode(chunk, { stream: true });
      this.check();
    });
    const gone = (): void => this.lost();
    stream.on("close", gone);
    stream.on("end", gone);
    stream.on("error", gone);
  }

  /** Waits for the banner and first prompt. */
  static async connect(stream: ByteStream, options: { bannerTimeoutMs?: number } = {}): Promise<HmpTextClient> {
    const client = new HmpTextClient(stream);
    await new Promise<void>((resolve, reject) => {
      const timer =
        options.bannerTimeoutMs === undefined
          ? undefined
          : setTimeout(() => reject(new QmpGreetingError(`no monitor banner within ${options.bannerTimeoutMs} ms`)), options.bannerTimeoutMs);
      client.onBanner = (banner) => {
        if (timer) clearTimeout(timer);
        client.bannerValue = banner;
        resolve();
      };
      client.onBannerFail = (err) => {
        if (timer) clearTimeout(timer);
        reject(err);
      };
      client.check();
    });
    return client;
  }

  /** The banner line, e.g. `QEMU 7.2.22 monitor - type 'help' for more information`. */
  get banner(): string {
    return this.bannerValue;
  }

  /** Runs one command; resolves to its output with "\n" line ends. */
  run(command: string, options: HmpRunOptions = {}): Promise<string> {
    if (/[\x00-\x1f\x7f]/.test(command)) return Promise.reject(new TypeError("an HMP command line cannot contain control characters"));
    if (this.closed) return Promise.reject(new QmpConnectionError("CLOSED", "monitor connection is closed"));
    return new Promise<string>((resolve, reject) => {
      this.queue.push({ command, options, resolve, reject });
      this.next();
    });
  }

  close(): void {
    if (this.closed) return;
    this.stream.end();
    this.lost();
  }

  private next(): void {
    if (this.current || this.closed) return;
    const job = this.queue.shift();
    if (!job) return;
    this.current = job;
    this.text = "";
    if (job.options.timeoutMs !== undefined) {
      this.timer = setTimeout(() => {
        this.current = undefined;
        job.reject(new QmpConnectionError("TIMEOUT", `no reply to '${job.command}' within ${job.options.timeoutMs} ms`));
        this.close();
      }, job.options.timeoutMs);
    }
    // libvirt sends "cmd\r": "\r\n" would run an extra empty line and print a second prompt
    this.stream.write(new TextEncoder().encode(`${job.command}\r`));
  }

  private check(): void {
    if (this.onBanner) {
      if (!this.text.endsWith(PROMPT)) return;
      const banner = this.text.slice(0, -PROMPT.length).replace(/\r?\n$/, "");
      this.text = "";
      const done = this.onBanner;
      this.onBanner = undefined;
      this.onBannerFail = undefined;
      done(banner);
      return;
    }
    const job = this.current;
    if (!job || !this.text.endsWith(`\n${PROMPT}`)) return;
    this.finish(job, this.extract(job.command, this.text.slice(0, -PROMPT.length)));
  }

  private extract(command: string, body: string): string {
    const firstBreak = body.indexOf("\r\n");
    if (firstBreak < 0) return body;
    const echo = body.slice(0, firstBreak);
    const shown = renderTerminalLine(echo);
    // with echo the first line replays the command; without it the output starts at once
    const output = shown.trimEnd() === command.trimEnd() || echo === "" ? body.slice(firstBreak + 2) : body;
    return output.replace(/\r\n/g, "\n");
  }

  private finish(job: Job, output: string): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.current = undefined;
    this.text = "";
    const error = job.options.throwOnError ? hmpErrorIn(output) : undefined;
    if (error !== undefined) job.reject(new HmpError(error, output, job.command));
    else job.resolve(output);
    this.next();
  }

  private lost(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.onBannerFail?.(new QmpGreetingError("monitor closed before its banner"));
    const job = this.current;
    this.current = undefined;
    // `quit` ends the connection instead of printing a prompt
    if (job) {
      if (/^\s*(quit|q)\s*$/.test(job.command)) job.resolve("");
      else job.reject(new QmpConnectionError("DISCONNECTED", `monitor closed while running '${job.command}'`));
    }
    for (const queued of this.queue.splice(0)) queued.reject(new QmpConnectionError("DISCONNECTED", "monitor connection closed"));
  }
}
