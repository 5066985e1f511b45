/** One thing to fuzz: how to run an input, what counts as a proper refusal, and the bounds. */
export interface FuzzTarget {
  readonly name: string;
  /** What is under test, for the report. */
  readonly description: string;
  /** Starting inputs, made from real files (QEMU streams, libvirt images, monitor transcripts). */
  seeds(): Promise<Uint8Array[]> | Uint8Array[];
  /** Runs the code under test on `input`; a throw (or rejection) is judged by `expected`. */
  run(input: Uint8Array): Promise<void> | void;
  /** Whether an error is one the package promises for bad input: its typed error, with a code. */
  expected(error: unknown): boolean;
  /** The largest single allocation the limits the target configures allow, in bytes. */
  readonly maxAllocation: number;
  /** Longest input the mutator makes. */
  readonly maxInput: number;
  /** Tokens of the input language for the mutator. */
  readonly dictionary?: readonly string[];
}

/** An error of one of the packages' typed classes: an Error with a string `code`. */
export function hasCode(error: unknown, classes: readonly (abstract new (...args: never[]) => Error)[]): boolean {
  return classes.some((c) => error instanceof c) && typeof (error as { code?: unknown }).code === "string";
}
