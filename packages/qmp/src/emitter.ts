/** A small typed event emitter that works in browsers and Node. */
export type EventMap = Record<string, any[]>;

export class Emitter<E extends EventMap> {
  private handlers = new Map<keyof E, Set<(...args: any[]) => void>>();

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void {
    let set = this.handlers.get(event);
    if (!set) {
      set = new Set();
      this.handlers.set(event, set);
    }
    set.add(listener);
    return () => this.off(event, listener);
  }

  once<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void {
    const off = this.on(event, (...args: E[K]) => {
      off();
      listener(...args);
    });
    return off;
  }

  off<K extends keyof E>(event: K, listener: (...args: E[K]) => void): void {
    this.handlers.get(event)?.delete(listener);
  }

  protected emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const set = this.handlers.get(event);
    if (!set) return;
    for (const listener of [...set]) listener(...args);
  }
}
