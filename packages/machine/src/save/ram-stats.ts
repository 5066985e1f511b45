/**
 * Counters of one RAM save, named as QEMU reports them in `query-migrate`'s `ram` member.
 */
export class RamStats {
  transferred = 0;
  /** ZERO records (QEMU's "duplicate"), uniform pages written as ZERO records included. */
  duplicate = 0;
  /** Of those, pages of one non-zero byte value (a ZERO record with that fill byte). */
  uniform = 0;
  /** Page references (`x-dedup`). */
  dedup = 0;
  /** PAGE records. */
  normal = 0;
  precopyBytes = 0;
  downtimeBytes = 0;
  dirtySyncCount = 0;
  dirtyPagesRate = 0;
  /** Pages the guest dirtied, summed over the syncs (auto-converge compares it with `transferred`). */
  dirtiedPages = 0;
  /** Pages the guest dirtied since the previous sync, and when that sync happened. */
  #lastSyncAt = 0;

  get normalBytes(): number {
    return this.normal * 4096;
  }

  noteSync(syncCount: number, pagesDirtied: number, now: number): void {
    this.dirtySyncCount = syncCount;
    this.dirtiedPages += pagesDirtied;
    if (this.#lastSyncAt > 0 && now > this.#lastSyncAt) {
      this.dirtyPagesRate = Math.round((pagesDirtied * 1000) / (now - this.#lastSyncAt));
    }
    this.#lastSyncAt = now;
  }
}
