/**
 * query-status round trips per second: our client against our server (in its own process) and
 * against QEMU 7.2, sequentially and with N commands in flight, plus the JSON reader against
 * JSON.parse. `--json` prints machine-readable results; `--seconds S` sets the time per row.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { QmpClient } from "../src/node.js";
import { JsonMessageStream } from "../src/json-stream.js";

const QEMU = "/usr/bin/qemu-system-x86_64";
const args = process.argv.slice(2);
const asJson = args.includes("--json");
const secondsArg = args.indexOf("--seconds");
const seconds = secondsArg >= 0 ? Number(args[secondsArg + 1]) : 2;
const DEPTHS = [1, 8, 32];

interface Row {
  target: string;
  inFlight: number;
  roundTripsPerSecond: number;
}

async function waitForFile(path: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!existsSync(path)) {
    if (child.exitCode !== null) throw new Error(`${path}: process exited early`);
    if (Date.now() > deadline) throw new Error(`${path} did not appear`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function measure(client: QmpClient, depth: number): Promise<number> {
  // warm up, then count completions for a fixed time with `depth` calls outstanding
  for (let i = 0; i < 200; i++) await client.execute("query-status");
  let done = 0;
  const end = performance.now() + seconds * 1000;
  const lane = async (): Promise<void> => {
    while (performance.now() < end) {
      await client.execute("query-status");
      done++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: depth }, lane));
  return done / ((performance.now() - start) / 1000);
}

function parserBench(): { ours: number; jsonParse: number } {
  const reply = Buffer.from('{"return": {"status": "prelaunch", "singlestep": false, "running": false}, "id": "__qmp#00001"}\r\n');
  const batch = Buffer.concat(Array.from({ length: 1000 }, () => reply));
  const text = batch.toString();
  const lines = text.split("\r\n").filter((l) => l);
  const time = (fn: () => void): number => {
    for (let i = 0; i < 20; i++) fn();
    let bytes = 0;
    const end = performance.now() + seconds * 500;
    const start = performance.now();
    while (performance.now() < end) {
      fn();
      bytes += batch.length;
    }
    return bytes / ((performance.now() - start) / 1000) / 1e6;
  };
  let count = 0;
  const stream = new JsonMessageStream(() => count++);
  const ours = time(() => stream.feed(batch));
  const decoder = new TextDecoder();
  const jsonParse = time(() => {
    // the fair peer splits lines itself, which JSON.parse cannot do
    for (const line of decoder.decode(batch).split("\r\n")) if (line) JSON.parse(line);
  });
  if (count === 0 || lines.length !== 1000) throw new Error("parser bench read nothing");
  return { ours, jsonParse };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "savevm-qmp-bench-"));
  const children: ChildProcess[] = [];
  try {
    const qemuPath = join(dir, "qemu.sock");
    const oursPath = join(dir, "ours.sock");
    const qemu = spawn(QEMU, ["-accel", "tcg", "-display", "none", "-nodefaults", "-S", "-m", "16", "-qmp", `unix:${qemuPath},server=on,wait=off`], { stdio: "ignore" });
    children.push(qemu);
    const here = dirname(fileURLToPath(import.meta.url));
    const ours = spawn(process.execPath, [join(here, "server-process.js"), oursPath], { stdio: ["ignore", "ignore", "inherit"] });
    children.push(ours);
    await waitForFile(qemuPath, qemu);
    await waitForFile(oursPath, ours);

    const rows: Row[] = [];
    for (const [target, path] of [["savevm server", oursPath], ["QEMU 7.2", qemuPath]] as const) {
      const client = await QmpClient.connect(`unix:${path}`, { greetingTimeoutMs: 10_000 });
      for (const depth of DEPTHS) rows.push({ target, inFlight: depth, roundTripsPerSecond: await measure(client, depth) });
      await client.close();
    }
    const parser = parserBench();
    const ratios = DEPTHS.map((d) => {
      const a = rows.find((r) => r.target === "savevm server" && r.inFlight === d)!.roundTripsPerSecond;
      const b = rows.find((r) => r.target === "QEMU 7.2" && r.inFlight === d)!.roundTripsPerSecond;
      return { inFlight: d, oursOverQemu: a / b };
    });
    if (asJson) {
      process.stdout.write(JSON.stringify({ seconds, rows, ratios, parserMBps: parser }, null, 2) + "\n");
      return;
    }
    const fmt = (n: number): string => Math.round(n).toLocaleString("en-US").padStart(10);
    console.log(`query-status round trips/s (our client; ${seconds}s per row)\n`);
    console.log("in flight | savevm server |   QEMU 7.2 | ours / QEMU");
    console.log("----------|---------------|------------|------------");
    for (const { inFlight, oursOverQemu } of ratios) {
      const a = rows.find((r) => r.target === "savevm server" && r.inFlight === inFlight)!.roundTripsPerSecond;
      const b = rows.find((r) => r.target === "QEMU 7.2" && r.inFlight === inFlight)!.roundTripsPerSecond;
      console.log(`${String(inFlight).padStart(9)} |    ${fmt(a)} | ${fmt(b)} | ${oursOverQemu.toFixed(2).padStart(10)}x`);
    }
    console.log(`\nreading replies: JsonMessageStream ${parser.ours.toFixed(1)} MB/s, split + JSON.parse ${parser.jsonParse.toFixed(1)} MB/s (ratio ${(parser.ours / parser.jsonParse).toFixed(2)}x)`);
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
