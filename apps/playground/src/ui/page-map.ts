import { KIND_ABSENT, KIND_NAMES, STATE_COUNT, STATE_DIRTY, STATE_NAMES, STATE_PENDING, STATE_QUEUED, STATE_WRITTEN, bitmapBytes } from "../shared/protocol.js";
import { hex } from "./format.js";

/** Kind colours (zero, uniform, duplicate, unique, not in file), as RGB. */
export const KIND_COLOURS: readonly (readonly [number, number, number])[] = [
  [38, 50, 68],
  [59, 130, 246],
  [168, 85, 247],
  [245, 158, 11],
  [12, 15, 20],
];
/** Overlay colours: dirtied and queued are solid, pending lightens the kind, written darkens it. */
export const DIRTY_COLOUR = [239, 68, 68] as const;
export const QUEUED_COLOUR = [34, 211, 238] as const;

export function cssColour(c: readonly number[]): string {
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

export interface MapData {
  pages: number;
  /** Pages each entry of `kinds` stands for (an inspected file of a large block). */
  pagesPerEntry: number;
  kinds: Uint8Array;
  /** STATE_COUNT bitmaps over the entries, or undefined (an inspected file has no states). */
  bits?: Uint8Array;
}

/**
 * Where the map entries sit: `cols` x `rows` cells, one canvas pixel each (the canvas is
 * stretched to its box, so a page is a block of screen pixels), `perCell` entries a cell when
 * there are more entries than screen pixels.
 */
export interface MapLayout {
  cols: number;
  rows: number;
  perCell: number;
}

export function layoutFor(entries: number, width: number, height: number): MapLayout {
  if (entries <= width * height) {
    const cols = Math.max(1, Math.min(width, Math.ceil(Math.sqrt((entries * width) / height))));
    return { cols, rows: Math.max(1, Math.ceil(entries / cols)), perCell: 1 };
  }
  const perCell = Math.ceil(entries / (width * height));
  return { cols: width, rows: Math.ceil(Math.ceil(entries / perCell) / width), perCell };
}

/**
 * The page map: one cell per page (aggregated when a page would be smaller than a pixel) drawn
 * into an ImageData in one pass per frame. A group of pages shows its most telling kind
 * (unique, duplicate, uniform, zero) and state (queued, dirtied, pending, written).
 */
export class PageMap {
  readonly canvas: HTMLCanvasElement;
  readonly #ctx: CanvasRenderingContext2D;
  readonly #tip: HTMLElement;
  #data: MapData | undefined;
  #layout: MapLayout | undefined;
  #image: ImageData | undefined;
  #pixels: Uint32Array | undefined;
  /** How long the last `draw` took to fill the pixels (for the bench). */
  lastDrawMs = 0;
  #focusPage = 0;
  /** Address of page 0 (for an inspected file, the block starts at 0 too). */
  label = "guest";

  constructor(canvas: HTMLCanvasElement, tip: HTMLElement) {
    this.canvas = canvas;
    this.#ctx = canvas.getContext("2d", { alpha: false })!;
    this.#tip = tip;
    canvas.addEventListener("mousemove", (e) => {
      const r = canvas.getBoundingClientRect();
      const page = this.pageAt(((e.clientX - r.left) * canvas.width) / r.width, ((e.clientY - r.top) * canvas.height) / r.height);
      if (page === undefined) this.#tip.hidden = true;
      else this.#showTip(page, e.clientX - r.left, e.clientY - r.top);
    });
    canvas.addEventListener("mouseleave", () => (this.#tip.hidden = true));
    canvas.addEventListener("blur", () => (this.#tip.hidden = true));
    canvas.addEventListener("keydown", (e) => this.#key(e));
  }

  get data(): MapData | undefined {
    return this.#data;
  }

  get layout(): MapLayout | undefined {
    return this.#layout;
  }

  draw(data: MapData): void {
    this.#data = data;
    const entries = data.kinds.length;
    if (!this.#layout || this.canvas.dataset.entries !== String(entries)) {
      const box = { width: Number(this.canvas.dataset.boxWidth ?? this.canvas.width), height: Number(this.canvas.dataset.boxHeight ?? this.canvas.height) };
      this.canvas.dataset.boxWidth = String(box.width);
      this.canvas.dataset.boxHeight = String(box.height);
      this.#layout = layoutFor(entries, box.width, box.height);
      const l = this.#layout;
      this.canvas.width = l.cols;
      this.canvas.height = l.rows;
      Object.assign(this.canvas.dataset, { entries: String(entries), cols: String(l.cols), rows: String(l.rows), perCell: String(l.perCell), pagesPerEntry: String(data.pagesPerEntry) });
    }
    const { width, height } = this.canvas;
    if (!this.#image || this.#image.width !== width || this.#image.height !== height) {
      this.#image = this.#ctx.createImageData(width, height);
      this.#pixels = new Uint32Array(this.#image.data.buffer);
    }
    const started = performance.now();
    paint(this.#pixels!, data, this.#layout, width * height);
    this.lastDrawMs = performance.now() - started;
    this.#ctx.putImageData(this.#image, 0, 0);
  }

  /** The map entry under canvas pixel (x, y), or undefined. */
  pageAt(x: number, y: number): number | undefined {
    const l = this.#layout;
    if (!l || !this.#data) return undefined;
    const col = Math.floor(x);
    const row = Math.floor(y);
    if (col < 0 || col >= l.cols || row < 0) return undefined;
    const entry = (row * l.cols + col) * l.perCell;
    return entry < this.#data.kinds.length ? entry : undefined;
  }

  /** Text for the tooltip of one map entry. */
  describe(entry: number): string {
    const d = this.#data!;
    const l = this.#layout!;
    const page = entry * d.pagesPerEntry;
    const span = l.perCell * d.pagesPerEntry;
    const states: string[] = [];
    if (d.bits) {
      const n = bitmapBytes(d.kinds.length);
      for (let s = 0; s < STATE_COUNT; s++) if ((d.bits[s * n + (entry >> 3)]! >> (entry & 7)) & 1) states.push(STATE_NAMES[s]!);
    }
    const address = hex(page * 4096, 8);
    const where = span > 1 ? `pages ${page}–${page + span - 1} (${address}, ${span} pages a cell; the first shown)` : `page ${page} at ${address}`;
    return `${where}\nkind: ${KIND_NAMES[d.kinds[entry]!] ?? "?"}\nstate: ${states.length ? states.join(", ") : "—"}`;
  }

  #showTip(entry: number, x: number, y: number): void {
    this.#tip.textContent = this.describe(entry);
    this.#tip.hidden = false;
    const w = this.canvas.clientWidth;
    this.#tip.style.left = `${Math.min(x + 14, w - 240)}px`;
    this.#tip.style.top = `${y + 14}px`;
  }

  /** Arrow keys walk the map (Shift: a row) and show the tooltip of the page under the cursor. */
  #key(e: KeyboardEvent): void {
    const l = this.#layout;
    const d = this.#data;
    if (!l || !d) return;
    const step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -l.cols, ArrowDown: l.cols }[e.key];
    if (step === undefined) return;
    e.preventDefault();
    const cells = Math.ceil(d.kinds.length / l.perCell);
    const cell = Math.min(cells - 1, Math.max(0, Math.floor(this.#focusPage / l.perCell) + step * (e.shiftKey ? 8 : 1)));
    this.#focusPage = cell * l.perCell;
    const sx = this.canvas.clientWidth / this.canvas.width;
    const sy = this.canvas.clientHeight / this.canvas.height;
    this.#showTip(this.#focusPage, ((cell % l.cols) + 0.5) * sx, (Math.floor(cell / l.cols) + 0.5) * sy);
  }
}

/** A kind's rank when cells are merged: not in the file < zero < uniform < duplicate < unique. */
const KIND_RANK = new Uint8Array([1, 2, 3, 4, 0]);
let codes = new Uint8Array(0);

/**
 * Fills `pixels` (one word a cell) from kinds and overlay bitmaps in two flat passes: a code per
 * entry (kind rank << 3 | overlay rank; the bitmaps read a byte, 8 entries, at a time, so entries
 * without an overlay cost one test), then a cell per code, or the highest of `perCell` codes.
 */
export function paint(pixels: Uint32Array, data: MapData, l: MapLayout, cellCount: number): void {
  const kinds = data.kinds;
  const entries = kinds.length;
  const bits = data.bits;
  const n = bitmapBytes(entries);
  if (codes.length < entries) codes = new Uint8Array(entries);
  for (let b = 0; b < n; b++) {
    const base = b * 8;
    const last = Math.min(entries, base + 8);
    const q = bits ? bits[STATE_QUEUED * n + b]! : 0;
    const d = bits ? bits[STATE_DIRTY * n + b]! : 0;
    const p = bits ? bits[STATE_PENDING * n + b]! : 0;
    const w = bits ? bits[STATE_WRITTEN * n + b]! : 0;
    if ((q | d | p | w) === 0) {
      for (let e = base; e < last; e++) codes[e] = KIND_RANK[kinds[e]!]! << 3;
      continue;
    }
    for (let e = base, m = 1; e < last; e++, m <<= 1) {
      const rank = q & m ? 4 : d & m ? 3 : p & m ? 2 : w & m ? 1 : 0;
      codes[e] = (KIND_RANK[kinds[e]!]! << 3) | rank;
    }
  }
  const per = l.perCell;
  const cells = Math.ceil(entries / per);
  if (per === 1) {
    for (let e = 0; e < entries; e++) pixels[e] = BY_CODE[codes[e]!]!;
  } else {
    for (let cell = 0, e = 0; cell < cells; cell++) {
      const last = Math.min(entries, e + per);
      let kind = 0;
      let rank = 0;
      for (; e < last; e++) {
        const c = codes[e]!;
        if (c >> 3 > kind) kind = c >> 3;
        if ((c & 7) > rank) rank = c & 7;
      }
      pixels[cell] = BY_CODE[(kind << 3) | rank]!;
    }
  }
  pixels.fill(BY_CODE[0]!, cells, cellCount);
}

/** Overlay by rank: none, written, pending, dirtied, queued. */
const RANKED_STATES = [-1, STATE_WRITTEN, STATE_PENDING, STATE_DIRTY, STATE_QUEUED];

function colourOf(kind: number, state: number): readonly [number, number, number] {
  const k = KIND_COLOURS[kind]!;
  if (state === STATE_QUEUED) return QUEUED_COLOUR;
  if (state === STATE_DIRTY) return DIRTY_COLOUR;
  if (state === STATE_PENDING) return [(k[0] + 255) >> 1, (k[1] + 255) >> 1, (k[2] + 255) >> 1];
  if (state === STATE_WRITTEN) return [(k[0] * 45) / 100, (k[1] * 45) / 100, (k[2] * 45) / 100] as const;
  return k;
}

/** RGBA words (little-endian ImageData) by code: kind rank << 3 | overlay rank. */
const BY_CODE = (() => {
  const words = new Uint32Array(64);
  const bytes = new Uint8Array(words.buffer);
  for (let kindRank = 0; kindRank < 5; kindRank++) {
    const kind = kindRank === 0 ? KIND_ABSENT : kindRank - 1;
    for (let rank = 0; rank < 5; rank++) {
      const c = colourOf(kind, RANKED_STATES[rank]!);
      bytes.set([c[0], c[1], c[2], 255], ((kindRank << 3) | rank) * 4);
    }
  }
  return words;
})();
