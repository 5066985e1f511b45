import { createInterface } from "node:readline";
import { hmpErrorIn, QmpGreetingError, QmpProtocolError, type HmpTextClient } from "@savevm/qmp";
import { connectHmp } from "@savevm/qmp/node";
import type { QmpCliIo } from "./qmp.js";

/** The first line a QEMU human monitor sends: `QEMU 7.2.0 monitor - type 'help' for more information`. */
const HMP_BANNER = /^QEMU \S+ monitor - type 'help' for more information/;

/** `savevm save` and `savevm run --detach` spell a text monitor `hmp:unix:PATH`. */
export function textMonitorAddress(address: string): string | undefined {
  return address.startsWith("hmp:") ? address.slice(4) : undefined;
}

/** A QMP connect failure that looks like the peer spoke something else than QMP. */
export function mayBeTextMonitor(err: unknown): boolean {
  return err instanceof QmpProtocolError || err instanceof QmpGreetingError;
}

/** Connects to `address` as a human monitor; undefined when it does not greet like one. */
export async function probeTextMonitor(address: string, timeoutMs: number): Promise<HmpTextClient | undefined> {
  try {
    const client = await connectHmp(address, { connectTimeoutMs: timeoutMs, bannerTimeoutMs: timeoutMs });
    if (HMP_BANNER.test(client.banner)) return client;
    client.close();
  } catch {
    // not a text monitor either: the QMP error explains it better
  }
  return undefined;
}

/** Why `savevm qmp` stops at a text monitor when it was not told to speak HMP. */
export class TextMonitorError extends Error {
  readonly code = "NOT_QMP";
  constructor(address: string, banner: string) {
    super(`${address} is a human monitor (HMP), not QMP: it greeted with "${banner}"; add --hmp to send it HMP commands`);
    this.name = "TextMonitorError";
  }
}

/** One HMP command over the text protocol: its output, or its error as the command's failure. */
export async function textMonitorOneShot(client: HmpTextClient, line: string, io: QmpCliIo): Promise<void> {
  const output = await client.run(line);
  const error = hmpErrorIn(output);
  if (error !== undefined) throw new Error(error);
  io.stdout.write(output);
}

/** An HMP shell over the text protocol: each line is a monitor command, output as the monitor printed it. */
export async function textMonitorShell(client: HmpTextClient, io: QmpCliIo): Promise<void> {
  const rl = createInterface({ input: io.stdin, output: io.stdout, terminal: io.terminal });
  rl.setPrompt("(qemu) ");
  io.stdout.write(`Connected to a human monitor: ${client.banner}\n`);
  if (io.terminal) rl.prompt();
  try {
    for await (const raw of rl) {
      const line = raw.trim();
      if (line) {
        try {
          io.stdout.write(await client.run(line));
        } catch (err) {
          io.stderr.write(`${(err as Error).message}\n`);
          if (/^(q|quit)$/.test(line)) break;
        }
      }
      if (io.terminal) rl.prompt();
    }
  } finally {
    rl.close();
  }
}

/** Connects to a text monitor named `hmp:ADDRESS`. */
export function connectTextMonitor(address: string, timeoutMs: number): Promise<HmpTextClient> {
  return connectHmp(address, { connectTimeoutMs: timeoutMs, bannerTimeoutMs: timeoutMs });
}

// A monitor sends its banner and prompt at once; a peer that does not is not one.
const PROBE_TIMEOUT_MS = 2000;

/** After QMP failed: the text monitor behind `address` (kept connected), or the QMP error again. */
export async function textMonitorBehind(err: unknown, address: string, timeoutMs: number): Promise<HmpTextClient> {
  const client = mayBeTextMonitor(err) ? await probeTextMonitor(address, Math.min(timeoutMs, PROBE_TIMEOUT_MS)) : undefined;
  if (!client) throw err;
  return client;
}

/** `savevm qmp` at a text monitor: HMP when asked for (`--hmp`, or an `hmp:` address), else why not. */
export async function runTextMonitor(
  client: HmpTextClient,
  address: string,
  command: string | undefined,
  words: readonly string[],
  hmp: boolean,
  io: QmpCliIo
): Promise<void> {
  try {
    if (!hmp) throw new TextMonitorError(address, client.banner);
    if (command === undefined) await textMonitorShell(client, io);
    else await textMonitorOneShot(client, [command, ...words].join(" "), io);
  } finally {
    client.close();
  }
}
