/**
 * Named file descriptors, as QEMU keeps them for `getfd` and `migrate fd:NAME`. The table only
 * holds numbers; closing is left to `closeFd` (the Node entry point installs `fs.closeSync`),
 * so the table itself runs anywhere.
 */
export class FdTable {
  private readonly named = new Map<string, number>();

  /** Closes a descriptor; unset (nothing is closed) until a platform sets it. */
  closeFd: ((fd: number) => void) | undefined;

  constructor(closeFd?: (fd: number) => void) {
    this.closeFd = closeFd;
  }

  /** Stores `fd` under `name`, closing the descriptor it replaces. */
  set(name: string, fd: number): void {
    const old = this.named.get(name);
    if (old !== undefined && old !== fd) this.closeFd?.(old);
    this.named.set(name, fd);
  }

  /** Removes and returns the descriptor (the caller now owns it), as `migrate fd:NAME` does. */
  take(name: string): number | undefined {
    const fd = this.named.get(name);
    this.named.delete(name);
    return fd;
  }

  /** Closes and forgets `name`; false when there is no such name. */
  close(name: string): boolean {
    const fd = this.named.get(name);
    if (fd === undefined) return false;
    this.named.delete(name);
    this.closeFd?.(fd);
    return true;
  }

  /** Closes a descriptor that was received but not kept. */
  release(fd: number): void {
    this.closeFd?.(fd);
  }

  names(): string[] {
    return [...this.named.keys()];
  }
}
