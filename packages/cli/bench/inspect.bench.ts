/**
 * `npm run bench -w @savevm/cli`: the everyday commands against QEMU's own analyzer, in the same
 * run, on a real QEMU 7.2 stream of a 1 GiB guest holding 768 MiB of mixed content (50% zero,
 * 10% uniform, 15% duplicate, 25% random pages; ~400 MB):
 *   - `savevm inspect FILE` (page classification) against `analyze-migration.py -d state`,
 *   - `savevm inspect FILE --extract DIR` against `analyze-migration.py -x`,
 *   - `savevm --help` start-up, against `node -e 0` (and what it adds to Node's own start-up).
 * Each is the median of --runs (default 3) alternating runs, as wall time and as CPU time (user +
 * system, steadier on a busy host); peak RSS comes from /usr/bin/time.
 * The stream is made once with QEMU and cached under ~/.cache/savevm/bench. Goals: ratios
 * ≤ 0.5, RSS ≤ 100 MB, start-up < 60 ms.
 */
import { execFile, spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { xorshift32 } from "../src/test-support/guest-image.js";
import { connectMonitor } from "../src/test-support/monitor.js";

const QEMU = process.env.QEMU ?? "qemu-system-x86_64";
const CACHE = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "savevm");
const ANALYZER = process.env.SAVEVM_QEMU_ANALYZER ?? join(CACHE, "analyze-migration.py");
const SAVEVM = fileURLToPath(new URL("../../bin/savevm.js", import.meta.url));
const PAGE = 4096;
const CONTENT_PAGES = (768 << 20) / PAGE;
/** Where the content lands in guest RAM: above the firmware's low memory. */
const CONTENT_ADDR = 0x1000000;
const STREAM = join(CACHE, "bench", "qemu-7.2-1g-768m-mixed-v1.mig");

const args = process.argv.slice(2);
const runsArg = args.indexOf("--runs");
const runs = runsArg >= 0 ? Math.max(1, Number(args[runsArg + 1])) : 3;
const log = (line: string): void => void process.stderr.write(`${line}\n`);

/**
 * 768 MiB of pages, each drawn by weight: zero 50, uniform 10 (one byte repeated), duplicate 15
 * (a copy of an earlier random page), random 25. Written in 16 MiB steps, never whole.
 */
function writeContent(path: string): void {
  const next = xorshift32(1);
  const fd = openSync(path, "w");
  const step = new Uint8Array(16 << 20);
  const words = new Uint32Array(step.buffer);
  const randomPages: Uint8Array[] = [];
  try {
    for (let page = 0; page < CONTENT_PAGES; ) {
      step.fill(0);
      const inStep = Math.min(step.length / PAGE, CONTENT_PAGES - page);
      for (let i = 0; i < inStep; i++, page++) {
        const draw = next() % 100;
        const at = i * PAGE;
        if (draw < 50) continue;
        if (draw < 60) step.fill((next() % 255) + 1, at, at + PAGE);
        else if (draw < 75 && randomPages.length > 0) step.set(randomPages[next() % randomPages.length]!, at);
        else {
          for (let w = at / 4; w < (at + PAGE) / 4; w++) words[w] = next();
          if (randomPages.length < 1024) randomPages.push(step.slice(at, at + PAGE));
        }
      }
      writeSync(fd, step, 0, inStep * PAGE);
    }
  } finally {
    closeSync(fd);
  }
}

/** Makes the stream with QEMU 7.2 (stopped guest, `migrate exec:cat`) unless it is cached. */
async function qemuStream(): Promise<string> {
  if (existsSync(STREAM)) return STREAM;
  mkdirSync(join(CACHE, "bench"), { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), "savevm-cli-bench-"));
  try {
    log(`making ${STREAM} with QEMU (a 1 GiB guest, 768 MiB of mixed content)`);
    const content = join(dir, "content.bin");
    writeContent(content);
    const sock = join(dir, "qmp.sock");
    const child = spawn(
      QEMU,
      [
        "-accel",
        "tcg",
        "-display",
        "none",
        "-nodefaults",
        "-m",
        "1G",
        "-S",
        "-qmp",
        `unix:${sock},server=on,wait=off`,
        "-device",
        `loader,file=${content},addr=0x${CONTENT_ADDR.toString(16)},force-raw=on`,
      ],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    const exited = new Promise<never>((_, reject) => child.once("exit", (code) => reject(new Error(`QEMU exited with ${code}`))));
    exited.catch(() => undefined);
    try {
      const qmp = await Promise.race([connectMonitor(sock, 20_000), exited]);
      await qmp.execute("migrate-set-parameters", { "max-bandwidth": 9223372036853727232n });
      const partial = `${STREAM}.part`;
      await qmp.execute("migrate", { uri: `exec:cat > '${partial}'` });
      for (;;) {
        const info = (await qmp.execute("query-migrate")) as { status: string };
        if (info.status === "completed") break;
        if (info.status === "failed" || info.status === "cancelled") throw new Error(`QEMU migration ${info.status}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      await qmp.execute("quit").catch(() => undefined);
      await qmp.close();
      renameSync(partial, STREAM);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    return STREAM;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Measured {
  ms: number;
  /** User + system CPU time: steadier than wall time on a shared, busy host. */
  cpuMs: number;
  rssMB: number;
}

/** Runs a command under /usr/bin/time: wall time and peak RSS. */
function measure(command: string, argv: string[], cwd?: string): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    execFile("/usr/bin/time", ["-f", "%M %U %S", command, ...argv], { cwd, maxBuffer: 64 << 20 }, (error, _stdout, stderr) => {
      const ms = performance.now() - t0;
      if (error) {
        reject(new Error(`${command} ${argv.join(" ")} failed: ${stderr.slice(-2000)}`));
        return;
      }
      const [kb, user, system] = stderr.trim().split("\n").at(-1)!.split(" ").map(Number);
      resolve({ ms, cpuMs: (user! + system!) * 1000, rssMB: kb! / 1024 });
    });
  });
}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

interface Pair {
  name: string;
  ours: () => Promise<Measured>;
  theirs: () => Promise<Measured>;
}

interface Compared {
  ours: Measured;
  theirs: Measured;
  /** Median of the runs' wall-time ratios (ours / theirs). */
  ratio: number;
  /** The same for CPU time. */
  cpuRatio: number;
}

function summary(runs: Measured[]): Measured {
  return { ms: median(runs.map((m) => m.ms)), cpuMs: median(runs.map((m) => m.cpuMs)), rssMB: Math.max(...runs.map((m) => m.rssMB)) };
}

async function comparePair(pair: Pair): Promise<Compared> {
  const ours: Measured[] = [];
  const theirs: Measured[] = [];
  for (let r = 0; r < runs; r++) {
    ours.push(await pair.ours());
    theirs.push(await pair.theirs());
    const [a, b] = [ours.at(-1)!, theirs.at(-1)!];
    log(
      `  ${pair.name} #${r + 1}: savevm ${a.ms.toFixed(0)} ms (CPU ${a.cpuMs.toFixed(0)}), analyzer ${b.ms.toFixed(
        0,
      )} ms (CPU ${b.cpuMs.toFixed(0)})`,
    );
  }
  return {
    ours: summary(ours),
    theirs: summary(theirs),
    ratio: median(ours.map((m, i) => m.ms / theirs[i]!.ms)),
    cpuRatio: median(ours.map((m, i) => m.cpuMs / theirs[i]!.cpuMs)),
  };
}

function report(label: string, theirLabel: string, c: Compared, ok: (good: boolean) => string): string[] {
  return [
    `${label.padEnd(38)}${c.ours.ms.toFixed(0)} ms (CPU ${c.ours.cpuMs.toFixed(0)} ms), RSS ${c.ours.rssMB.toFixed(0)} MB`,
    `${theirLabel.padEnd(38)}${c.theirs.ms.toFixed(0)} ms (CPU ${c.theirs.cpuMs.toFixed(0)} ms), RSS ${c.theirs.rssMB.toFixed(0)} MB`,
    `  ratio ${c.ratio.toFixed(2)}x wall, ${c.cpuRatio.toFixed(2)}x CPU (goal <= 0.5x: ${ok(c.ratio <= 0.5)}), RSS <= 100 MB: ${ok(
      c.ours.rssMB <= 100,
    )}`,
  ];
}

async function main(): Promise<void> {
  if (!existsSync(ANALYZER)) throw new Error(`${ANALYZER} is missing: run scripts/fetch-qemu-analyzer.sh (npm test does)`);
  const stream = await qemuStream();
  log(`stream ${stream}: ${(statSync(stream).size / 1e6).toFixed(0)} MB`);
  const work = mkdtempSync(join(tmpdir(), "savevm-cli-bench-"));
  try {
    const ours = join(work, "ours");
    const theirs = join(work, "theirs");
    mkdirSync(theirs);
    // Start-up first: after the extractions the disk is still busy writing 2 GB back.
    const help: Measured[] = [];
    const bare: Measured[] = [];
    for (let r = 0; r < 10; r++) {
      help.push(await measure(process.execPath, [SAVEVM, "--help"]));
      bare.push(await measure(process.execPath, ["-e", "0"]));
    }
    const startup = {
      help: median(help.map((m) => m.ms)),
      node: median(bare.map((m) => m.ms)),
      helpCpu: median(help.map((m) => m.cpuMs)),
      nodeCpu: median(bare.map((m) => m.cpuMs)),
      overNode: median(help.map((m, i) => m.ms - bare[i]!.ms)),
      overNodeCpu: median(help.map((m, i) => m.cpuMs - bare[i]!.cpuMs)),
    };

    const results = {
      inspect: await comparePair({
        name: "inspect vs -d state",
        ours: () => measure(process.execPath, [SAVEVM, "inspect", stream]),
        theirs: () => measure("python3", [ANALYZER, "-f", stream, "-d", "state"]),
      }),
      extract: await comparePair({
        name: "--extract vs -x",
        ours: async () => {
          rmSync(ours, { recursive: true, force: true });
          return measure(process.execPath, [SAVEVM, "inspect", stream, "--extract", ours]);
        },
        theirs: () => measure("python3", [ANALYZER, "-f", stream, "-x"], theirs),
      }),
    };
    const ok = (good: boolean) => (good ? "ok" : "MISSED");
    const lines = [
      "",
      ...report("savevm inspect (page classification)", "analyze-migration.py -d state", results.inspect, ok),
      ...report("savevm inspect --extract", "analyze-migration.py -x", results.extract, ok),
      `savevm --help${" ".repeat(25)}${startup.help.toFixed(0)} ms, CPU ${startup.helpCpu.toFixed(0)} ms ` +
        `(node -e 0: ${startup.node.toFixed(0)} ms, CPU ${startup.nodeCpu.toFixed(0)} ms; goal < 60 ms: ${ok(startup.help < 60)})`,
      // Node's own start-up is the floor, and on a busy host it alone can pass 60 ms.
      `  over node -e 0: ${startup.overNode.toFixed(0)} ms wall, ${startup.overNodeCpu.toFixed(0)} ms CPU (median of the pairs)`,
    ];
    if (args.includes("--json")) process.stdout.write(`${JSON.stringify({ ...results, startup }, null, 2)}\n`);
    else process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
