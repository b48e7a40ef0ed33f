// Values kept in memory between batches, the least recently used forgotten first.

/** By key; `set` makes a key the most recently used (a Map keeps insertion order), `trim` forgets the oldest past the capacity. */
export class RecentlyUsed<V> {
  private readonly values = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    return this.values.get(key);
  }

  set(key: string, value: V): void {
    this.values.delete(key);
    this.values.set(key, value);
  }

  /** Forgets the least recently used until at most `capacity` are left. */
  trim(): void {
    for (const key of this.values.keys()) {
      if (this.values.size <= this.capacity) break;
      this.values.delete(key);
    }
  }

  clear(): void {
    this.values.clear();
  }
}
