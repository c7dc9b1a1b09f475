/**
 * A small read-through cache for what a NameServer reads from the MetadataStore: an entry is served for
 * `ttlMs` (measured on the Clock's monotonic time), then loaded again. Concurrent misses for one key share
 * a single load. A write by this process invalidates the keys it touched, so the NameServer that took a
 * registration answers from it at once; other NameServers see it within `ttlMs`.
 *
 * A load that was in flight when its key was invalidated is not stored (it may predate the write). The
 * cache holds at most `maxEntries` keys; past that the oldest-loaded key is dropped. When a load fails, a
 * value loaded less than `staleIfErrorMs` ago is served instead (the MetadataStore had a blip), else the
 * error propagates.
 */

import { assert } from "../common/assert.js";
import type { Clock } from "../common/clock.js";

interface Entry<V> {
  readonly value: V;
  readonly loadedAtMs: number;
}

export class TtlCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  private readonly loading = new Map<K, Promise<V>>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly staleIfErrorMs = 0,
  ) {
    assert(ttlMs >= 0 && maxEntries > 0 && staleIfErrorMs >= 0, "TtlCache: bad ttl, size or staleness");
  }

  /** The cached value when fresh, else `load()`'s (shared with concurrent callers). */
  get(key: K, load: () => Promise<V>): Promise<V> {
    const entry = this.entries.get(key);
    if (entry !== undefined && this.clock.monotonicMs() - entry.loadedAtMs < this.ttlMs) {
      return Promise.resolve(entry.value);
    }
    const inFlight = this.loading.get(key);
    if (inFlight !== undefined) return inFlight;
    const startedAtMs = this.clock.monotonicMs();
    const promise = load().then(
      (value) => {
        if (this.loading.get(key) === promise) {
          this.loading.delete(key);
          this.store(key, { value, loadedAtMs: startedAtMs });
        }
        return value;
      },
      (e: unknown) => {
        if (this.loading.get(key) === promise) this.loading.delete(key);
        const stale = this.entries.get(key);
        if (stale !== undefined && this.clock.monotonicMs() - stale.loadedAtMs < this.staleIfErrorMs) {
          return stale.value;
        }
        throw e;
      },
    );
    this.loading.set(key, promise);
    return promise;
  }

  private store(key: K, entry: Entry<V>): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }

  invalidate(key: K): void {
    this.entries.delete(key);
    this.loading.delete(key);
  }

  clear(): void {
    this.entries.clear();
    this.loading.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
