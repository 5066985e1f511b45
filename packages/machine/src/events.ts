/** A QMP-shaped event: name and optional data. Timestamps are added by whoever sends it. */
export interface MachineEvent {
  readonly event: string;
  readonly data?: Record<string, unknown>;
}

export type EventListener = (event: MachineEvent) => void;

/** Fan-out of machine events to listeners (the QMP monitor, tests, embedders). */
export class EventBus {
  readonly #listeners = new Set<EventListener>();

  on(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: string, data?: Record<string, unknown>): void {
    const e: MachineEvent = data === undefined ? { event } : { event, data };
    for (const listener of [...this.#listeners]) listener(e);
  }
}
