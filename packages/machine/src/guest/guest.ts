import { fillWords, nextBelow, nextU32, seedPrng, type PrngState } from "./prng.js";
import { DEFAULT_WORKLOAD, PAGE_KINDS, type GuestWorkload, type PageKind } from "./workload.js";

export const PAGE_SIZE = 4096;
const WORDS_PER_PAGE = PAGE_SIZE / 4;

/**
 * The only way the guest reaches RAM: `writablePage` passes the write barrier (dirty logging,
 * and later copy-before-write) before it hands out the page's bytes.
 */
export interface WritableRam {
  readonly pageCount: number;
  writablePage(page: number): Uint8Array;
}

/**
 * How fast the guest runs on its own while the machine runs: part of the guest, so a migrated or
 * restored guest goes on at the same pace without being told again.
 */
export interface GuestPacingState {
  /** Bytes of page writes per second; 0: the guest only steps when asked to. */
  rate: number;
  /**
   * Bytes of work accrued but not yet done as a step (the pacing clock's position): a guest
   * stopped between two steps resumes with it, wherever it resumes.
   */
  credit: number;
}

/** Everything that decides the guest's future. It is saved whole in the `cpu` section. */
export interface GuestCpuState {
  steps: number;
  prng: PrngState;
  /** Folds every value the guest drew, so two runs that diverge show it in one register. */
  acc: number;
  lastPage: number;
  workload: GuestWorkload;
  pacing: GuestPacingState;
}

export function initialGuestState(seed: number, workload: GuestWorkload = DEFAULT_WORKLOAD, rate = 0): GuestCpuState {
  return {
    steps: 0,
    prng: seedPrng(seed),
    acc: 0,
    lastPage: 0,
    workload: { ...workload, mix: { ...workload.mix } },
    pacing: { rate, credit: 0 },
  };
}

/**
 * A guest whose every page write is a function of its state: "restore, then run N steps"
 * writes exactly what "run N steps" writes on the original.
 */
export class DeterministicGuest {
  state: GuestCpuState;
  readonly #scratch = new Uint32Array(WORDS_PER_PAGE);
  readonly #scratchBytes = new Uint8Array(this.#scratch.buffer);
  // Derived from the state (pattern index), so a cache and not state itself.
  readonly #patterns = new Map<number, Uint8Array>();

  constructor(state: GuestCpuState) {
    this.state = state;
  }

  /** One step: `pagesPerStep` page writes. Returns the number of pages written. */
  step(ram: WritableRam): number {
    const s = this.state;
    const w = s.workload;
    let written = 0;
    if (ram.pageCount > 0) {
      for (let i = 0; i < w.pagesPerStep; i++) {
        const kind = this.#drawKind();
        const page = this.#drawPage(ram.pageCount);
        this.#writePage(ram, page, kind);
        written++;
      }
    }
    s.steps++;
    return written;
  }

  /**
   * Writes `count` consecutive pages from `first` with kinds drawn from the workload mix, as a
   * guest initialising its memory would. Used to give RAM realistic content before a save.
   */
  fill(ram: WritableRam, first: number, count: number): void {
    const end = Math.min(ram.pageCount, first + count);
    for (let page = first; page < end; page++) this.#writePage(ram, page, this.#drawKind());
  }

  #draw(bound: number): number {
    const s = this.state;
    const v = nextBelow(s.prng, bound);
    s.acc = (Math.imul(s.acc, 31) + v) >>> 0;
    return v;
  }

  #drawKind(): PageKind {
    const mix = this.state.workload.mix;
    let total = 0;
    for (const k of PAGE_KINDS) total += mix[k];
    let r = this.#draw(total);
    for (const k of PAGE_KINDS) {
      if (r < mix[k]) return k;
      r -= mix[k];
    }
    return "zero";
  }

  #drawPage(pageCount: number): number {
    const w = this.state.workload;
    const hot = w.hotPages > 0 && w.hotPercent > 0 && this.#draw(100) < w.hotPercent;
    if (hot) {
      const start = Math.min(w.hotStart, pageCount - 1);
      const size = Math.max(1, Math.min(w.hotPages, pageCount - start));
      return start + this.#draw(size);
    }
    return this.#draw(pageCount);
  }

  #writePage(ram: WritableRam, page: number, kind: PageKind): void {
    const s = this.state;
    s.lastPage = page;
    const bytes = ram.writablePage(page);
    switch (kind) {
      case "zero":
        bytes.fill(0);
        break;
      case "uniform":
        bytes.fill(1 + this.#draw(255));
        break;
      case "duplicate":
        bytes.set(this.#pattern(this.#draw(Math.max(1, s.workload.duplicatePatterns))));
        break;
      case "random":
        fillWords(this.#scratch, nextU32(s.prng));
        bytes.set(this.#scratchBytes);
        break;
    }
  }

  /** The draws `#writePage` makes for a page's content, without writing anything. */
  #skipContent(kind: PageKind): void {
    const s = this.state;
    if (kind === "uniform") this.#draw(255);
    else if (kind === "duplicate") this.#draw(Math.max(1, s.workload.duplicatePatterns));
    else if (kind === "random") nextU32(s.prng);
  }

  /**
   * The pages the next `step` will write, in order (a page may repeat), computed on the side:
   * the state is left as it was. A live snapshot uses it to let a step start only when its
   * copy-before-write queue has room for every page the step will overwrite.
   */
  plannedPages(pageCount: number): number[] {
    const s = this.state;
    const saved = { prng: [...s.prng], acc: s.acc, lastPage: s.lastPage };
    const pages: number[] = [];
    try {
      if (pageCount > 0) {
        for (let i = 0; i < s.workload.pagesPerStep; i++) {
          const kind = this.#drawKind();
          pages.push(this.#drawPage(pageCount));
          this.#skipContent(kind);
        }
      }
    } finally {
      for (let i = 0; i < 4; i++) s.prng[i] = saved.prng[i]!;
      s.acc = saved.acc;
      s.lastPage = saved.lastPage;
    }
    return pages;
  }

  #pattern(index: number): Uint8Array {
    let pattern = this.#patterns.get(index);
    if (!pattern) {
      const words = new Uint32Array(WORDS_PER_PAGE);
      // Salted so a duplicate pattern never equals a "random" page drawn from the same value.
      fillWords(words, (Math.imul(index + 1, 0x9e3779b1) ^ 0xd0b1e5) >>> 0);
      pattern = new Uint8Array(words.buffer);
      this.#patterns.set(index, pattern);
    }
    return pattern;
  }
}
