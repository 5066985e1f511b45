/**
 * Who is served and who waits: QEMU serves one client per monitor, and a later connection gets
 * nothing (no greeting, no banner) until a slot frees up. Shared by the QMP and HMP servers.
 */
export interface SlotHolder {
  start(): void;
  close(reason?: string): void;
}

export class ClientSlots<S extends SlotHolder> {
  private readonly activeSet = new Set<S>();
  private readonly waiting: S[] = [];

  constructor(
    private readonly maxActive: number,
    private readonly maxWaiting: number,
    private readonly onStart: (session: S) => void = () => {},
  ) {}

  /** Starts the session if a slot is free, queues it otherwise, or closes it when the queue is full. */
  admit(session: S): void {
    if (this.activeSet.size < this.maxActive) this.begin(session);
    else if (this.waiting.length < this.maxWaiting) this.waiting.push(session);
    else session.close("too many waiting clients");
  }

  /** Forgets a closed session; a freed slot goes to the longest-waiting one. Returns whether it was active. */
  release(session: S): boolean {
    const i = this.waiting.indexOf(session);
    if (i >= 0) {
      this.waiting.splice(i, 1);
      return false;
    }
    if (!this.activeSet.delete(session)) return false;
    const next = this.waiting.shift();
    if (next) this.begin(next);
    return true;
  }

  active(): S[] {
    return [...this.activeSet];
  }

  /** Waiting and active sessions. */
  all(): S[] {
    return [...this.waiting, ...this.activeSet];
  }

  private begin(session: S): void {
    this.activeSet.add(session);
    this.onStart(session);
    session.start();
  }
}
