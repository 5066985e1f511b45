import { MachineError } from "../errors.js";
import type { DeviceBody } from "./device-body.js";
import type { RamBodyWriter, RecordSink } from "./record-sink.js";
import type { SectionIdentity, SectionType } from "./section.js";

/** A FULL section taken at one instant: its entry and its body (none for an empty section). */
export interface CapturedSection {
  readonly entry: SectionIdentity;
  readonly body: DeviceBody | undefined;
}

/**
 * A deep copy of device state: plain objects, arrays, typed arrays, primitives. (Hand-written:
 * the first structuredClone of a process costs milliseconds, and this runs while the guest is
 * paused.)
 */
export function cloneState<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  if (ArrayBuffer.isView(value)) return (value as unknown as { slice(): T }).slice();
  if (Array.isArray(value)) return value.map((v: unknown) => cloneState(v)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = cloneState(v);
  return out as T;
}

function notHere(what: string): never {
  throw new MachineError("INVALID_STATE", `${what} cannot be captured: only device sections are kept for later`);
}

/**
 * A record sink that keeps FULL section bodies in memory, each a deep copy of the state handed
 * to it, so later changes to a device do not reach the captured state.
 */
export class CaptureSink implements RecordSink {
  readonly sections: CapturedSection[] = [];
  #open: { entry: SectionIdentity; body: DeviceBody | undefined } | undefined;

  readonly ram: RamBodyWriter = {
    memSize: () => notHere("RAM"),
    zeroPage: () => notHere("RAM"),
    page: () => notHere("RAM"),
    dedupPage: () => notHere("RAM"),
    eos: () => notHere("RAM"),
  };

  get position(): number {
    return 0;
  }

  header(): void {
    notHere("a stream header");
  }

  section(type: SectionType, entry: SectionIdentity): void {
    if (type !== "full") notHere(`a ${type} section`);
    this.#open = { entry: { ...entry }, body: undefined };
  }

  device(body: DeviceBody): void {
    if (!this.#open) throw new MachineError("INVALID_STATE", "device body outside a section");
    this.#open.body = { vmsd: body.vmsd, state: cloneState(body.state) };
  }

  footer(): void {
    if (this.#open) this.sections.push(this.#open);
    this.#open = undefined;
  }

  eof(): void {
    notHere("EOF");
  }

  async flush(): Promise<void> {}
}
