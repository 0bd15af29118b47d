/**
 * The most recently used decoded row groups, as promises so that concurrent readers of one group share its decode.
 * A LeRobot v3.0 file packs many episodes into one row group; without this each episode would decode it again.
 */
export class RowGroupCache {
  private readonly entries = new Map<string, Promise<Record<string, unknown>[]>>();

  constructor(private readonly capacity = 2) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  get(key: string, load: () => Promise<Record<string, unknown>[]>): Promise<Record<string, unknown>[]> {
    let entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
    } else {
      entry = load();
      entry.catch(() => this.entries.delete(key));
    }
    this.entries.set(key, entry);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return entry;
  }
}
