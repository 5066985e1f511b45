/**
 * The playground's browser harness: the built site served by `savevm playground` (the real CLI,
 * run from node), and Debian's Chromium driven by playwright-core. Everything it starts it stops.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

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
  browser: Browser;
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
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
    downloadsPath: downloads,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto(url);
  await page.waitForSelector(ready, { timeout: 30_000 });
  return {
    browser: context.browser()!,
    context,
    page,
    errors,
    downloads,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
      rmSync(downloads, { recursive: true, force: true });
    },
  };
}

/** Waits until machine A or B reports `kind:status` (e.g. `live-snapshot:completed`). */
export async function waitForOp(page: Page, who: "source" | "target", kind: string, timeout = 60_000): Promise<string> {
  const attr = who === "source" ? "data-source-op" : "data-target-op";
  const handle = await page.waitForFunction(
    ({ attr, kind }) => {
      const v = document.body.getAttribute(attr) ?? "";
      return v.startsWith(`${kind}:`) && /:(completed|failed|cancelled)$/.test(v) ? v : false;
    },
    { attr, kind },
    { timeout, polling: 50 },
  );
  return (await handle.jsonValue()) as string;
}
