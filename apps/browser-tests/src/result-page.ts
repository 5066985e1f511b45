import { chromium, type Browser } from "playwright-core";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

// Chromium here has no network and no GPU: these flags keep it from reaching out at start.
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface ResultPage<T> {
  browser: Browser;
  result: T;
  /** Page errors and console errors, in order. */
  errors: string[];
  /** Responses of status 400 or more, as `STATUS URL`. */
  missing: string[];
}

/**
 * Opens `url` in Debian's Chromium and waits for the page to publish `window.savevmResult`, the
 * outcome every test page ends with. The caller closes `browser`.
 */
export async function openResultPage<T>(url: string, timeoutMs: number): Promise<ResultPage<T>> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const errors: string[] = [];
  const missing: string[] = [];
  try {
    const page = await browser.newPage();
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("response", (r) => {
      if (r.status() >= 400) missing.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { savevmResult?: unknown }).savevmResult !== undefined, undefined, {
      timeout: timeoutMs,
    });
    const result = (await page.evaluate(() => (window as unknown as { savevmResult: unknown }).savevmResult)) as T;
    return { browser, result, errors, missing };
  } catch (err) {
    await browser.close();
    throw err;
  }
}
