/**
 * The tier reader's cache: values (blocks of chunk bytes, decoded chunk indexes) by key, least recently used
 * evicted first once their bytes pass `maxBytes`. Loads of the same key share one request while in flight; a
 * failed load is not cached. A value larger than the whole budget is handed out but not kept.
 */

interface Entry<T> {
  value: T;
  bytes: number;
}

export interface TierCacheStats {
  bytes: number;
  entries: number;
  hits: number;
  misses: number;
}

export class TierCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly loading = new Map<string, Promise<T>>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;

  constructor(
    readonly maxBytes: number,
    private readonly sizeOf: (value: T) => number,
  ) {}

  /** The cached value, or `load()`'s (shared with concurrent callers for the same key). */
  get(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit) {
      this.hits++;
      this.entries.delete(key);
      this.entries.set(key, hit);
      return Promise.resolve(hit.value);
    }
    const inFlight = this.loading.get(key);
    if (inFlight) return inFlight;
    this.misses++;
    const p = load().then(
      (value) => {
        this.loading.delete(key);
        this.put(key, value);
        return value;
      },
      (e: unknown) => {
        this.loading.delete(key);
        throw e;
      },
    );
    this.loading.set(key, p);
    return p;
  }

  /** The cached value without loading it (a hit counts and refreshes its place like get's); undefined when absent. */
  peek(key: string): T | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.value;
  }

  has(key: string): boolean {
    return this.entries.has(key) || this.loading.has(key);
  }

  private put(key: string, value: T): void {
    const bytes = this.sizeOf(value);
    if (bytes > this.maxBytes) return;
    const old = this.entries.get(key);
    if (old) this.bytes -= old.bytes;
    this.entries.set(key, { value, bytes });
    this.bytes += bytes;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= e.bytes;
    }
  }

  /** Drops every entry whose key starts with `prefix` (a chunk removed by retention). */
  evictPrefix(prefix: string): void {
    for (const [k, e] of this.entries) {
      if (!k.startsWith(prefix)) continue;
      this.entries.delete(k);
      this.bytes -= e.bytes;
    }
  }

  stats(): TierCacheStats {
    return { bytes: this.bytes, entries: this.entries.size, hits: this.hits, misses: this.misses };
  }
}
