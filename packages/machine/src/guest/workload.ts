import { MachineError } from "../errors.js";

/** What kind of content one guest page write puts into RAM. */
export type PageKind = "zero" | "uniform" | "duplicate" | "random";

export const PAGE_KINDS: readonly PageKind[] = ["zero", "uniform", "duplicate", "random"];

/**
 * The guest's workload. It is guest state (saved in vmstate), because it decides what the
 * guest writes next; so is its pacing (`GuestPacing`, saved since `cpu` version 2).
 */
export interface GuestWorkload {
  /** Page writes per step. */
  pagesPerStep: number;
  /** Relative weights of the page kinds, 0..255 each. */
  mix: Record<PageKind, number>;
  /** Percentage (0..100) of writes that land in the hot working set. */
  hotPercent: number;
  /** First page and size (in pages) of the hot working set. */
  hotStart: number;
  hotPages: number;
  /** Number of distinct contents "duplicate" pages are drawn from. */
  duplicatePatterns: number;
}

export const DEFAULT_WORKLOAD: GuestWorkload = {
  pagesPerStep: 16,
  mix: { zero: 50, uniform: 10, duplicate: 15, random: 25 },
  hotPercent: 0,
  hotStart: 0,
  hotPages: 0,
  duplicatePatterns: 16,
};

/** The guest's pacing: how many bytes per second it writes while the machine runs. */
export interface GuestPacing {
  /** Bytes per second; 0 stops the guest from stepping on its own. */
  rate: number;
}

export interface GuestOptions {
  seed: number;
  workload: GuestWorkload;
  pacing: GuestPacing;
  /** Bytes of RAM (from the start) the guest fills with its mix when the machine is created. */
  fill: number;
}

const SIZE_SUFFIX: Record<string, number> = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** Parses `512`, `64K`, `50M`, `1G` (binary multiples, as QEMU's size options do). */
export function parseSize(text: string, what = "size"): number {
  const match = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i.exec(text.trim());
  const unit = match?.[2]?.toUpperCase() ?? "";
  const scale = SIZE_SUFFIX[unit];
  if (!match || scale === undefined) {
    throw new MachineError("INVALID_ARGUMENT", `Invalid ${what} '${text}': expected a number with an optional K, M, G or T suffix`);
  }
  return Math.round(Number(match[1]) * scale);
}

/**
 * Parses the `--guest` option: comma-separated `key=value` pairs.
 * `rate=50M` (bytes/s), `mix=zero:50/uniform:10/duplicate:15/random:25`, `pages-per-step=16`,
 * `hot=30:1024` (percent of writes into a hot set of 1024 pages, starting at `hot-start`),
 * `hot-start=0`, `patterns=16`, `seed=1`, `fill=768M` (RAM the guest fills with its mix at start).
 */
export function parseGuestOptions(text: string, base: GuestOptions = defaultGuestOptions()): GuestOptions {
  const workload: GuestWorkload = { ...base.workload, mix: { ...base.workload.mix } };
  const out: GuestOptions = { seed: base.seed, workload, pacing: { ...base.pacing }, fill: base.fill };
  for (const part of text.split(",")) {
    if (part.trim() === "") continue;
    const eq = part.indexOf("=");
    if (eq < 0) throw new MachineError("INVALID_ARGUMENT", `Invalid guest option '${part}': expected key=value`);
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    switch (key) {
      case "rate":
        out.pacing.rate = parseSize(value, "guest rate");
        break;
      case "mix":
        workload.mix = parseMix(value);
        break;
      case "pages-per-step":
        workload.pagesPerStep = parseIntIn(value, key, 1, 1 << 20);
        break;
      case "hot": {
        const [percent, pages] = value.split(":");
        workload.hotPercent = parseIntIn(percent ?? "", "hot percent", 0, 100);
        if (pages !== undefined) workload.hotPages = parseIntIn(pages, "hot pages", 0, 2 ** 32 - 1);
        break;
      }
      case "hot-start":
        workload.hotStart = parseIntIn(value, key, 0, 2 ** 32 - 1);
        break;
      case "patterns":
        workload.duplicatePatterns = parseIntIn(value, key, 1, 65535);
        break;
      case "seed":
        out.seed = parseIntIn(value, key, 0, 2 ** 32 - 1);
        break;
      case "fill":
        out.fill = parseSize(value, "guest fill");
        break;
      default:
        throw new MachineError("INVALID_ARGUMENT", `Unknown guest option '${key}'`);
    }
  }
  return out;
}

export function defaultGuestOptions(): GuestOptions {
  return { seed: 1, workload: { ...DEFAULT_WORKLOAD, mix: { ...DEFAULT_WORKLOAD.mix } }, pacing: { rate: 0 }, fill: 0 };
}

function parseMix(text: string): Record<PageKind, number> {
  const mix: Record<PageKind, number> = { zero: 0, uniform: 0, duplicate: 0, random: 0 };
  for (const item of text.split("/")) {
    const [name, weight] = item.split(":");
    const kind = PAGE_KINDS.find((k) => k === name || (k === "duplicate" && name === "dup"));
    if (!kind || weight === undefined) {
      throw new MachineError(
        "INVALID_ARGUMENT",
        `Invalid guest mix item '${item}': expected kind:weight with kind one of ${PAGE_KINDS.join(", ")}`,
      );
    }
    mix[kind] = parseIntIn(weight, `${kind} weight`, 0, 255);
  }
  if (PAGE_KINDS.every((k) => mix[k] === 0)) {
    throw new MachineError("INVALID_ARGUMENT", "Invalid guest mix: at least one weight must be non-zero");
  }
  return mix;
}

function parseIntIn(text: string, what: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new MachineError("INVALID_ARGUMENT", `Invalid ${what} '${text}': expected an integer from ${min} to ${max}`);
  }
  return n;
}
