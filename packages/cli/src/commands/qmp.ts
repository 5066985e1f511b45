import { readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { clearLine, createInterface, cursorTo, type Interface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { Command } from "commander";
import { formatJson, HmpClient, hmpErrorIn, isJsonObject, parseAddress, parseJson, QmpError, type JsonObject, type JsonValue } from "@savevm/qmp";
import { QmpClient } from "@savevm/qmp/node";
import { formatError, UsageError } from "../cli-error.js";
import { connectTextMonitor, runTextMonitor, textMonitorAddress, textMonitorBehind } from "./qmp-text-monitor.js";
import { progressBar } from "../progress.js";
import { addProgressOptions, progressOptions, type ProgressFlags } from "./progress-options.js";
import { applySizeSuffixes, fetchSchema, type QmpSchemaIndex } from "./qmp-sizes.js";

/** Where `savevm qmp` reads and writes; the process streams unless a test passes its own. */
export interface QmpCliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** An interactive terminal: line editing, prompt, history file. */
  terminal: boolean;
}

interface QmpCliOptions extends ProgressFlags {
  wait?: boolean;
  hmp?: boolean;
  pretty?: boolean;
  verbose?: boolean;
  negotiate: boolean;
  timeout?: string;
  historyFile?: string;
}

function processIo(): QmpCliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, terminal: Boolean(process.stdin.isTTY && process.stdout.isTTY) };
}

/**
 * `key=value` pairs as qmp-shell reads them: the value is JSON when it parses as JSON (numbers,
 * true/false/null, arrays, objects, quoted strings), a plain string otherwise; `a.b=1` nests.
 */
export function parseKeyValueArgs(pairs: readonly string[]): JsonObject {
  const args: JsonObject = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`expected key=value, got '${pair}'`);
    const path = pair.slice(0, eq).split(".");
    const text = pair.slice(eq + 1);
    let value: JsonValue;
    try {
      value = parseJson(text);
    } catch {
      value = text;
    }
    let target = args;
    for (const [i, key] of path.entries()) {
      if (key === "") throw new UsageError(`empty member name in '${pair}'`);
      if (i === path.length - 1) {
        if (Object.prototype.hasOwnProperty.call(target, key)) throw new UsageError(`'${path.join(".")}' is given twice`);
        target[key] = value;
      } else {
        const next = target[key];
        if (next === undefined) target = target[key] = {};
        else if (isJsonObject(next)) target = next;
        else throw new UsageError(`'${path.slice(0, i + 1).join(".")}' is both a value and an object`);
      }
    }
  }
  return args;
}

/** Splits a shell line into words, keeping quoted parts ("a b", 'c d') and JSON values together. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let quote: string | undefined;
  let depth = 0;
  let started = false;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else word += ch;
      continue;
    }
    if ((ch === '"' || ch === "'") && depth === 0) {
      quote = ch;
      started = true;
      continue;
    }
    if (ch === "{" || ch === "[") depth++;
    if ((ch === "}" || ch === "]") && depth > 0) depth--;
    if (/\s/.test(ch) && depth === 0) {
      if (started) words.push(word);
      word = "";
      started = false;
      continue;
    }
    word += ch;
    started = true;
  }
  if (quote) throw new UsageError(`unterminated quote in '${line}'`);
  if (started) words.push(word);
  return words;
}

function json(value: JsonValue, pretty: boolean | undefined): string {
  return formatJson(value, { indent: pretty ? 4 : 0 }) + "\n";
}

function timeoutOf(options: QmpCliOptions): number | undefined {
  if (options.timeout === undefined) return undefined;
  const ms = Number(options.timeout);
  if (!Number.isFinite(ms) || ms <= 0) throw new UsageError(`--timeout wants milliseconds, got '${options.timeout}'`);
  return ms;
}

async function connect(address: string, options: QmpCliOptions): Promise<QmpClient> {
  const timeout = timeoutOf(options);
  const where = parseAddress(address);
  const clientOptions = {
    negotiate: options.negotiate,
    // a second client of QEMU gets no greeting until the first leaves: do not wait forever
    connectTimeoutMs: timeout ?? 10_000,
    greetingTimeoutMs: timeout ?? 10_000,
    commandTimeoutMs: timeout,
  };
  // `server=off` is QEMU's side: QEMU connects out, so listen for it (as long as --timeout, or forever)
  if ("server" in where && where.server === false) {
    return QmpClient.accept(where, { ...clientOptions, ...(timeout !== undefined ? { acceptTimeoutMs: timeout } : {}) });
  }
  return QmpClient.connect(where, clientOptions);
}

/** key=value arguments with QEMU's size suffixes read where the member takes an integer. */
async function commandArguments(client: QmpClient, command: string, words: string[], cache: SchemaCache): Promise<JsonObject> {
  const args = parseKeyValueArgs(words);
  await applySizeSuffixes(command, args, () => (cache.schema ??= fetchSchema((name) => client.execute(name))));
  return args;
}

interface SchemaCache {
  schema?: Promise<QmpSchemaIndex | undefined>;
}

/** A command's error as the CLI prints it: `Class: desc`. */
function describeError(err: unknown): Error {
  return err instanceof QmpError ? new Error(`${err.errorClass}: ${err.desc}`) : (err as Error);
}

async function oneShot(client: QmpClient, command: string, words: string[], options: QmpCliOptions, io: QmpCliIo): Promise<void> {
  if (options.hmp) {
    const line = [command, ...words].join(" ");
    const output = await new HmpClient(client).run(line).catch((err: unknown) => {
      throw describeError(err);
    });
    const error = hmpErrorIn(output);
    if (error !== undefined) throw new Error(error);
    io.stdout.write(output);
    return;
  }
  const args = await commandArguments(client, command, words, {});
  const message: JsonObject = { execute: command };
  if (words.length > 0) message.arguments = args;
  if (options.verbose) io.stderr.write(json(message, false));
  try {
    io.stdout.write(json(await client.execute(command, words.length > 0 ? args : undefined), options.pretty));
  } catch (err) {
    throw describeError(err);
  }
  if (options.wait) await waitForMigration(client, options, io.stderr);
}

/** Statuses of query-migrate after which nothing more happens. */
const MIGRATION_ENDS = new Set(["completed", "failed", "cancelled"]);
const POLL_MS = 200;

interface MigrationInfo {
  status?: string;
  "error-desc"?: string;
  ram?: { total?: number; remaining?: number; transferred?: number };
}

/**
 * `--wait`: polls query-migrate until the migration ends, with a bar of the RAM sent so far (its
 * rate and the time left); a failed or cancelled migration fails the command.
 */
async function waitForMigration(client: QmpClient, options: QmpCliOptions, stream: Writable): Promise<void> {
  const bar = progressBar("migrate", { ...progressOptions(options), stream: stream as NodeJS.WriteStream });
  try {
    for (;;) {
      const info = await client.execute<MigrationInfo>("query-migrate");
      const status = info?.status ?? "none";
      const ram = info?.ram;
      if (ram?.total) bar.update(Math.max(0, ram.total - (ram.remaining ?? ram.total)), ram.total);
      if (status === "none") throw new Error("no migration is running (query-migrate says status none)");
      if (MIGRATION_ENDS.has(status)) {
        if (status === "completed") return;
        throw new Error(`migration ${status}${info["error-desc"] ? `: ${info["error-desc"]}` : ""}`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    bar.finish();
  }
}

function loadHistory(path: string | undefined): string[] {
  if (!path) return [];
  try {
    return readFileSync(path, "utf8").split("\n").filter((l) => l).reverse().slice(0, 1000);
  } catch {
    return [];
  }
}

/** qmp-shell: `cmd key=value …` or raw JSON per line; `-H` sends lines as HMP commands. */
async function shell(client: QmpClient, options: QmpCliOptions, io: QmpCliIo): Promise<void> {
  const names = options.hmp ? [] : ((await client.execute<{ name: string }[]>("query-commands").catch(() => [])) ?? []).map((c) => c.name).sort();
  const historyFile = io.terminal ? (options.historyFile ?? join(homedir(), ".savevm_qmp_history")) : undefined;
  const rl: Interface = createInterface({
    input: io.stdin,
    output: io.stdout,
    terminal: io.terminal,
    history: loadHistory(historyFile),
    historySize: 1000,
    completer: (line: string): [string[], string] => {
      if (/\s/.test(line)) return [[], line];
      return [names.filter((n) => n.startsWith(line)), line];
    },
  });
  rl.setPrompt(options.hmp ? "(HMP) " : "(QEMU) ");
  const version = client.greeting.version;
  io.stdout.write(`Welcome to the savevm QMP shell. Connected to QEMU ${version.qemu.major}.${version.qemu.minor}.${version.qemu.micro}${version.package ? ` (${version.package})` : ""}\n`);
  const say = (text: string): void => {
    io.stdout.write(text);
  };
  let busy = false;
  const offEvents = client.onEvent("*", (event) => {
    // while the user types, print the event over the prompt line and draw the prompt again
    const idle = io.terminal && !busy;
    if (idle) {
      clearLine(io.stdout, 0);
      cursorTo(io.stdout, 0);
    }
    say(json(event as unknown as JsonValue, options.pretty));
    if (idle) rl.prompt(true);
  });
  const hmp = new HmpClient(client);
  const schemaCache: SchemaCache = {};
  if (io.terminal) rl.prompt();
  try {
    for await (const raw of rl) {
      const line = raw.trim();
      busy = true;
      if (line) await runLine(line);
      busy = false;
      if (client.state === "closed") break;
      if (io.terminal) rl.prompt();
    }
  } finally {
    offEvents();
    if (historyFile) {
      try {
        writeFileSync(historyFile, [...(rl as unknown as { history: string[] }).history].reverse().join("\n") + "\n");
      } catch {
        // history is a convenience
      }
    }
    rl.close();
  }

  async function runLine(line: string): Promise<void> {
    try {
      if (options.hmp) {
        say(await hmp.run(line));
        return;
      }
      if (line.startsWith("{")) {
        const message = parseJson(line);
        if (!isJsonObject(message)) throw new UsageError("a raw command must be a JSON object");
        if (options.verbose) say(json(message, false));
        say(json(await client.executeMessage(message), options.pretty));
        return;
      }
      const [command, ...words] = splitWords(line);
      const args = await commandArguments(client, command!, words, schemaCache);
      if (options.verbose) say(json(words.length > 0 ? { execute: command!, arguments: args } : { execute: command! }, false));
      say(json(await client.execute(command!, words.length > 0 ? args : undefined), options.pretty));
    } catch (err) {
      io.stderr.write(`${err instanceof QmpError ? describeError(err).message : formatError(err)}\n`);
    }
  }
}

export function registerQmp(program: Command, io?: QmpCliIo): void {
  const command = program
    .command("qmp")
    .description("talk QMP to QEMU or a savevm machine: run one command, or start a shell like qmp-shell")
    .argument("<address>", "unix:PATH, tcp:HOST:PORT (QEMU's ,server=on,wait=off accepted), a socket PATH or HOST:PORT")
    .argument("[command]", "command to run; without it an interactive shell starts")
    .argument("[args...]", "arguments as key=value; values are JSON when they parse as JSON; a.b=1 nests; sizes take K, M, G, T")
    .option("-H, --hmp", "human monitor commands, sent with human-monitor-command")
    .option("-p, --pretty", "indent JSON output")
    .option("-v, --verbose", "print each command sent")
    .option("-N, --no-negotiate", "skip qmp_capabilities (e.g. for the guest agent)")
    .option("--timeout <ms>", "give up connecting, or on a reply, after this long")
    .option("--history-file <path>", "shell history (default ~/.savevm_qmp_history)")
    .option("-w, --wait", "after the command (migrate), wait until the migration ends, with a progress bar; fail if it fails");
  addProgressOptions(command).action(async (address: string, name: string | undefined, words: string[], options: QmpCliOptions) => {
    if (options.wait && (name === undefined || options.hmp)) throw new UsageError("--wait needs a QMP command to run (e.g. migrate)");
    const streams = io ?? processIo();
    const wait = timeoutOf(options) ?? 10_000;
    const hmpAddress = textMonitorAddress(address);
    if (hmpAddress !== undefined) return runTextMonitor(await connectTextMonitor(hmpAddress, wait), address, name, words, true, streams);
    let client: QmpClient;
    try {
      client = await connect(address, options);
    } catch (err) {
      // a human monitor greets with a banner, not JSON: speak HMP to it with --hmp, or say what it is
      return runTextMonitor(await textMonitorBehind(err, address, wait), address, name, words, options.hmp === true, streams);
    }
    try {
      if (name === undefined) await shell(client, options, streams);
      else await oneShot(client, name, words, options, streams);
    } finally {
      await client.close();
    }
  });
}
