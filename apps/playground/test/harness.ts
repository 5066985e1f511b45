/**
 * The playground's browser harness: the built site served by `savevm playground` (the real CLI,
 * run from node), and Debian's Chromium driven by playwright-core. Everything it starts it stops.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";

/** The repository: the nearest directory up from here with packages/cli (this file also runs compiled, from .bench-out). */
function findRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) if (existsSync(join(dir, "packages/cli/bin/savevm.js"))) return dir;
  throw new Error(`no savevm repository above ${from}`);
}

export const ROOT = findRoot(fileURLToPath(new URL(".", import.meta.url)));
export const APP = join(ROOT, "apps/playground");
export const SAVEVM_BIN = join(ROOT, "packages/cli/bin/savevm.js");
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
/** Screenshots of each view (gitignored; CI keeps them as artifacts). */
export const ARTIFACTS = join(APP, "test-artifacts");

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Served {
  url: string;
  close(): Promise<void>;
}

/** Runs `savevm playground --port 0` and waits for the URL it prints. */
export async function servePlayground(extra: string[] = []): Promise<Served> {
  const child: ChildProcess = spawn(process.execPath, [SAVEVM_BIN, "playground", "--port", "0", ...extra], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`savevm playground printed no URL: ${output}`)), 20_000);
    child.stdout!.on("data", (d: Buffer) => {
      output += d.toString();
      const m = /savevm playground: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`savevm playground exited with ${code}: ${output}`));
    });
  });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

export interface Session {
  context: BrowserContext;
  page: Page;
  errors: string[];
  downloads: string;
  close(): Promise<void>;
}

/**
 * A fresh Chromium (its own profile directory, so OPFS starts empty and survives reloads within
 * the session) on the page at `url`, 1280x800.
 */
export async function openPage(url: string, ready = "body[data-ready='true']"): Promise<Session> {
  const profile = mkdtempSync(join(tmpdir(), "savevm-playground-profile-"));
  const downloads = mkdtempSync(join(tmpdir(), "savevm-playground-downloads-"));
  const removeDirs = () => {
    rmSync(profile, { recursive: true, force: true });
    rmSync(downloads, { recursive: true, force: true });
  };
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 800 },
      acceptDownloads: true,
      downloadsPath: downloads,
    });
  } catch (err) {
    removeDirs();
    throw err;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  const close = async () => {
    await context.close();
    removeDirs();
  };
  try {
    await page.goto(url);
    await page.waitForSelector(ready, { timeout: 30_000 });
  } catch (err) {
    await close();
    throw err;
  }
  return { context, page, errors, downloads, close };
}

/** The number of machine A's or B's latest operation (pass it to `waitForOp` to wait for a newer one). */
export async function opSeq(page: Page, who: "source" | "target"): Promise<number> {
  return Number((await page.getAttribute("body", who === "source" ? "data-source-op-seq" : "data-target-op-seq")) ?? -1);
}

/**
 * Waits until machine A or B reports an operation of `kind` numbered above `after` as ended;
 * returns `kind:status` (e.g. `live-snapshot:completed`).
 */
export async function waitForOp(page: Page, who: "source" | "target", kind: string, after: number, timeout = 60_000): Promise<string> {
  const prefix = who === "source" ? "data-source-op" : "data-target-op";
  const handle = await page.waitForFunction(
    ({ prefix, kind, after }) => {
      const v = document.body.getAttribute(prefix) ?? "";
      const seq = Number(document.body.getAttribute(`${prefix}-seq`) ?? -1);
      return seq > after && v.startsWith(`${kind}:`) && /:(completed|failed|cancelled)$/.test(v) ? v : false;
    },
    { prefix, kind, after },
    { timeout, polling: 50 },
  );
  return (await handle.jsonValue()) as string;
}

/** Does `action` (a click that starts an operation) and waits for that operation's end. */
export async function runOp(page: Page, who: "source" | "target", kind: string, action: () => Promise<unknown>, timeout = 60_000): Promise<string> {
  const before = await opSeq(page, who);
  await action();
  return waitForOp(page, who, kind, before, timeout);
}

/**
 * For a test file: `savevm playground` (with `args`) and a Chromium page on it, started before
 * its tests and torn down after them. Read `.session` inside the tests.
 */
export function usePlayground(hooks: { beforeAll: (f: () => Promise<void>) => void; afterAll: (f: () => Promise<void>) => void }, args: string[] = []): { readonly session: Session } {
  let served: Served | undefined;
  let session: Session | undefined;
  hooks.beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    served = await servePlayground(args);
    session = await openPage(served.url);
  });
  hooks.afterAll(async () => {
    await session?.close();
    await served?.close();
  });
  return {
    get session(): Session {
      if (!session) throw new Error("the playground is not open yet");
      return session;
    },
  };
}

/** Creates machine A with the page's controls and waits until its guest runs. */
export async function createGuest(page: Page, guest: { memory: number; rate: number; hot?: string }): Promise<void> {
  await page.selectOption("#memory", String(guest.memory));
  await page.fill("#rate", String(guest.rate));
  if (guest.hot !== undefined) await page.selectOption("#hot", guest.hot);
  await page.click("#create");
  await page.waitForFunction((mib) => new RegExp(`^A: ${mib} MiB, running`).test(document.getElementById("map-status")?.textContent ?? ""), (guest.memory / 2 ** 20).toFixed(1), { timeout: 120_000 });
}

/** Takes a live snapshot of machine A named `name` and waits for its end; returns `kind:status`. */
export async function liveSnapshot(page: Page, name: string): Promise<string> {
  await page.fill("#snap-name", name);
  return runOp(page, "source", "live-snapshot", () => page.click("#live"));
}

/** Restores the saved state `name` into machine B and waits for its end; returns `kind:status`. */
export async function restoreSnapshot(page: Page, name: string): Promise<string> {
  return runOp(page, "target", "restore", () => page.click(`#snapshots li[data-name="${name}"] button[data-action="restore"]`));
}

/** Computes the digest table afresh: rows source at T0, machine B, source now; cells RAM, devices, step, "= T0". */
export async function digests(page: Page): Promise<string[][]> {
  const before = await page.evaluate(() => document.body.dataset.digests ?? "");
  await page.click("#digest-btn");
  await page.waitForFunction((b) => (document.body.dataset.digests ?? "") !== b, before, { timeout: 120_000 });
  return page.$$eval("#digests tbody tr", (rows) => rows.map((r) => Array.from(r.querySelectorAll("td"), (c) => c.textContent ?? "")));
}
