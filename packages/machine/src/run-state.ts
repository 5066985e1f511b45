import { QEMU_RUN_STATES } from "@savevm/format";

/**
 * The machine's run state, with the same names and the same permitted transitions as QEMU's
 * `RunState` (qapi/run-state.json, softmmu/runstate.c), so clients written for QEMU see what
 * they expect from `query-status` and from the `globalstate` section.
 */
export const RUN_STATES = QEMU_RUN_STATES;

export type RunState = (typeof RUN_STATES)[number];

export function isRunState(value: string): value is RunState {
  return (RUN_STATES as readonly string[]).includes(value);
}

// Pairs taken from QEMU's table of valid transitions; anything else is a bug in the caller.
const TRANSITIONS: Record<RunState, readonly RunState[]> = {
  debug: ["running", "finish-migrate", "prelaunch", "suspended"],
  inmigrate: [
    "internal-error",
    "io-error",
    "paused",
    "running",
    "shutdown",
    "suspended",
    "watchdog",
    "guest-panicked",
    "finish-migrate",
    "prelaunch",
    "postmigrate",
    "colo",
  ],
  "internal-error": ["paused", "finish-migrate", "prelaunch"],
  "io-error": ["running", "finish-migrate", "prelaunch"],
  paused: ["running", "finish-migrate", "postmigrate", "prelaunch", "colo"],
  postmigrate: ["running", "finish-migrate", "prelaunch"],
  prelaunch: ["running", "finish-migrate", "inmigrate"],
  "finish-migrate": ["running", "paused", "postmigrate", "prelaunch", "colo"],
  "restore-vm": ["running", "prelaunch"],
  colo: ["running", "prelaunch", "shutdown"],
  running: [
    "debug",
    "internal-error",
    "io-error",
    "paused",
    "finish-migrate",
    "restore-vm",
    "save-vm",
    "shutdown",
    "watchdog",
    "guest-panicked",
    "colo",
    "suspended",
  ],
  "save-vm": ["running"],
  shutdown: ["paused", "finish-migrate", "prelaunch", "colo"],
  suspended: ["running", "finish-migrate", "prelaunch", "colo"],
  watchdog: ["running", "finish-migrate", "prelaunch", "colo"],
  "guest-panicked": ["running", "finish-migrate", "prelaunch"],
};

export function canTransition(from: RunState, to: RunState): boolean {
  return from === to || TRANSITIONS[from].includes(to);
}

export class RunStateError extends Error {
  readonly code = "INVALID_RUNSTATE_TRANSITION";
  constructor(
    readonly from: RunState,
    readonly to: RunState,
  ) {
    super(`invalid runstate transition: '${from}' -> '${to}'`);
    this.name = "RunStateError";
  }
}

export type RunStateListener = (state: RunState, previous: RunState) => void;

/** Holds the current state and refuses transitions QEMU would abort on. */
export class RunStateMachine {
  #state: RunState;
  readonly #listeners = new Set<RunStateListener>();

  constructor(initial: RunState = "prelaunch") {
    this.#state = initial;
  }

  get state(): RunState {
    return this.#state;
  }

  get running(): boolean {
    return this.#state === "running";
  }

  /** Setting the current state again is a no-op, as in QEMU. */
  set(next: RunState): void {
    const previous = this.#state;
    if (previous === next) return;
    if (!canTransition(previous, next)) throw new RunStateError(previous, next);
    this.#state = next;
    for (const listener of this.#listeners) listener(next, previous);
  }

  onChange(listener: RunStateListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** `VM status: …` as HMP `info status` prints it. */
  describe(): string {
    if (this.#state === "running") return "VM status: running";
    if (this.#state === "paused") return "VM status: paused";
    return `VM status: paused (${this.#state})`;
  }
}
