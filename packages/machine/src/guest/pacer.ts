import type { GuestPacingState } from "./guest.js";

/** What the pacer drives. */
export interface PacedGuest {
  /** The guest's pacing, read afresh each time (a load replaces the guest's state). */
  pacing(): GuestPacingState;
  /** Bytes one step writes. */
  bytesPerStep(): number;
  /** Whether the guest may run now (the machine runs and is not destroyed). */
  mayRun(): boolean;
  /** Whether the next step can start at once (a live snapshot's queue has room for it). */
  stepFits(): boolean;
  step(): void;
  /** Resolves when a step that did not fit should be tried again. */
  waitForRoom(): Promise<void>;
  now(): number;
  /** The share of time the guest may run, below 1 while a migration throttles its CPU (auto-converge). */
  runFraction?(): number;
}

/** Most guest work one tick does, in ms of pacing: after a stall the backlog is dropped, not replayed. */
const MAX_BURST_MS = 50;
const TICK_MS = 10;

/**
 * Runs the guest on its own at its pacing rate while the machine runs. Time accrues as credit
 * (bytes of work) in the guest's own state, and each tick turns whole steps of it into steps; the
 * remainder stays in the state, so a guest stopped between steps — and saved, migrated or
 * restored meanwhile — resumes from the same position of its pacing clock.
 */
export class GuestPacer {
  readonly #guest: PacedGuest;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Waiting for room in a live snapshot's queue. */
  #waiting = false;
  /** When credit was last accrued (ms), while pacing. */
  #lastAt: number | undefined;

  constructor(guest: PacedGuest) {
    this.#guest = guest;
  }

  start(): void {
    if (this.#lastAt !== undefined || this.#guest.pacing().rate <= 0 || !this.#guest.mayRun()) return;
    this.#lastAt = this.#guest.now();
    // The first tick is scheduled, never run here: whoever resumes the guest (a live snapshot's
    // T0 above all) is done resuming before the guest's first write lands. The time until the
    // tick accrues as credit, so the guest loses no work. A guest still waiting for room goes on
    // when the wait ends.
    if (!this.#waiting) this.#schedule(0);
  }

  /** Stops pacing; the work accrued up to now stays in the guest's credit. */
  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#lastAt !== undefined && !this.#waiting) this.#accrue();
    this.#lastAt = undefined;
  }

  #accrue(): void {
    const pacing = this.#guest.pacing();
    const now = this.#guest.now();
    const elapsed = Math.max(0, now - (this.#lastAt ?? now)) * (this.#guest.runFraction?.() ?? 1);
    const bytesPerStep = this.#guest.bytesPerStep();
    // Never more than a burst's worth waits in the credit (the rest of a long stall is dropped).
    const limit = Math.max(1, Math.ceil((pacing.rate * MAX_BURST_MS) / 1000 / bytesPerStep)) * bytesPerStep;
    pacing.credit = Math.min(limit, pacing.credit + Math.floor((elapsed * pacing.rate) / 1000));
    this.#lastAt = now;
  }

  readonly #tick = (): void => {
    this.#timer = undefined;
    const guest = this.#guest;
    if (this.#lastAt === undefined || !guest.mayRun() || guest.pacing().rate <= 0) return;
    this.#accrue();
    const pacing = guest.pacing();
    const bytesPerStep = guest.bytesPerStep();
    const due = Math.floor(pacing.credit / bytesPerStep);
    for (let done = 0; done < due; done++) {
      if (!guest.stepFits()) {
        // The guest waits for the snapshot writer; it catches up (at most a burst) afterwards.
        this.#waiting = true;
        void guest.waitForRoom().then(() => {
          this.#waiting = false;
          if (this.#lastAt !== undefined) this.#schedule(0);
        });
        return;
      }
      guest.step();
      pacing.credit -= bytesPerStep;
    }
    this.#schedule(TICK_MS);
  };

  #schedule(ms: number): void {
    if (this.#timer !== undefined) return;
    const timer = setTimeout(this.#tick, ms);
    (timer as { unref?: () => void }).unref?.();
    this.#timer = timer;
  }
}
